#!/usr/bin/env bash
# Removes what install-user.sh installed for the current user, and the autostart entry
# the app's "Start at login" setting writes ($XDG_CONFIG_HOME/autostart). Settings, the
# keyring entries and the logs stay (see packaging/README.md to remove those too).
#
#   packaging/linux/uninstall-user.sh
set -euo pipefail
APP_ID=storyclip-desktop
say() { echo "uninstall-user.sh: $*" >&2; }

data=${XDG_DATA_HOME:-$HOME/.local/share}
config=${XDG_CONFIG_HOME:-$HOME/.config}
record=$data/$APP_ID/installed-files.txt
removed=0

remove() {
  if [ -e "$1" ] || [ -L "$1" ]; then rm -f -- "$1"; removed=$((removed + 1)); fi
}

if [ -f "$record" ]; then
  while IFS= read -r path; do
    case $path in
      "$data"/*) remove "$path" ;;
      *) say "skipping $path: not under $data" ;;
    esac
  done <"$record"
  rm -f -- "$record"
else
  # No record (installed by an older script or by hand): the known names.
  remove "$data/applications/$APP_ID.desktop"
  remove "$data/metainfo/app.storyclip.desktop.metainfo.xml"
  for icon in "$data"/icons/hicolor/*/apps/$APP_ID.png "$data"/icons/hicolor/*/apps/$APP_ID.svg; do
    remove "$icon"
  done
fi
remove "$config/autostart/$APP_ID.desktop"
# Folders this app's files left empty (never a folder that still holds anything).
for dir in "$data/$APP_ID" "$data"/icons/hicolor/*/apps "$data"/icons/hicolor/* \
           "$data/icons/hicolor" "$data/icons" "$data/metainfo" "$data/applications"; do
  [ -d "$dir" ] && rmdir --ignore-fail-on-non-empty -- "$dir" 2>/dev/null || true
done
if command -v update-desktop-database >/dev/null 2>&1 && [ -d "$data/applications" ]; then
  update-desktop-database -q "$data/applications" || true
fi
say "removed $removed files"
