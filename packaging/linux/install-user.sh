#!/usr/bin/env bash
# Installs StoryClip Desktop's menu entry, icons and AppStream metadata for the current
# user (no root): $XDG_DATA_HOME (default ~/.local/share)/{applications,icons/hicolor,metainfo}.
#
#   packaging/linux/install-user.sh [--exec COMMAND]
#
# COMMAND is what the menu entry runs: by default a `storyclip-desktop` binary beside
# this script (a frozen build, where build.sh copies this script), else the one on PATH
# (pip/pipx install). The files come from storyclip_desktop/resources/linux in a source
# checkout, or from _internal/storyclip_desktop/resources/linux in a frozen build.
# Undo with uninstall-user.sh (it reads the list of files this script wrote).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
APP_ID=storyclip-desktop
METAINFO=app.storyclip.desktop.metainfo.xml

say() { echo "install-user.sh: $*" >&2; }

exec_cmd=""
while [ $# -gt 0 ]; do
  case $1 in
    --exec) [ $# -ge 2 ] || { say "--exec needs a command"; exit 2; }; exec_cmd=$2; shift 2 ;;
    --exec=*) exec_cmd=${1#--exec=}; shift ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) say "unknown argument: $1"; exit 2 ;;
  esac
done

res=""
for candidate in "$HERE/../../storyclip_desktop/resources/linux" \
                 "$HERE/_internal/storyclip_desktop/resources/linux"; do
  if [ -f "$candidate/$APP_ID.desktop" ]; then res=$(cd "$candidate" && pwd); break; fi
done
[ -n "$res" ] || { say "cannot find the desktop files (storyclip_desktop/resources/linux)"; exit 1; }

if [ -z "$exec_cmd" ]; then
  if [ -x "$HERE/$APP_ID" ]; then exec_cmd="$HERE/$APP_ID"
  elif command -v "$APP_ID" >/dev/null 2>&1; then exec_cmd=$(command -v "$APP_ID")
  else say "no $APP_ID command found: install the app first, or pass --exec COMMAND"; exit 1
  fi
fi
case $exec_cmd in
  *[\"\`\$\\]*) say "--exec must not contain quotes, backquotes, dollars or backslashes"; exit 2 ;;
esac
# Desktop Entry spec: an argument with a space is double-quoted.
if [[ $exec_cmd == *" "* ]]; then exec_value="\"$exec_cmd\""; else exec_value=$exec_cmd; fi

data=${XDG_DATA_HOME:-$HOME/.local/share}
record=$data/$APP_ID/installed-files.txt
mkdir -p "$data/applications" "$data/metainfo" "$data/$APP_ID"
installed=()

# The menu entry, pointing at this installation's command.
desktop=$data/applications/$APP_ID.desktop
while IFS= read -r line || [ -n "$line" ]; do
  case $line in
    "Exec=$APP_ID") line="Exec=$exec_value" ;;
    "Exec=$APP_ID "*) line="Exec=$exec_value ${line#"Exec=$APP_ID "}" ;;
    TryExec=*) line="TryExec=$exec_cmd" ;;
  esac
  printf '%s\n' "$line"
done <"$res/$APP_ID.desktop" >"$desktop.tmp"
mv "$desktop.tmp" "$desktop"
installed+=("$desktop")

cp "$res/$METAINFO" "$data/metainfo/$METAINFO"
installed+=("$data/metainfo/$METAINFO")

while IFS= read -r -d '' icon; do
  rel=${icon#"$res/icons/"}
  mkdir -p "$data/icons/$(dirname "$rel")"
  cp "$icon" "$data/icons/$rel"
  installed+=("$data/icons/$rel")
done < <(find "$res/icons/hicolor" -type f \( -name "$APP_ID.png" -o -name "$APP_ID.svg" \) -print0 | sort -z)

printf '%s\n' "${installed[@]}" >"$record"

# Caches, where the tools exist: menus and icon themes pick the files up at once.
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database -q "$data/applications" || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$data/icons/hicolor/index.theme" ]; then
  gtk-update-icon-cache -q -t -f "$data/icons/hicolor" || true
fi
touch "$data/icons/hicolor" 2>/dev/null || true
say "installed ${#installed[@]} files under $data (menu entry runs: $exec_cmd)"
