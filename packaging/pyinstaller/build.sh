#!/usr/bin/env bash
# Builds the one-folder app with PyInstaller: dist/pyinstaller/storyclip-desktop/
#
#   bash packaging/pyinstaller/build.sh [--dist DIR] [--work DIR]
#
# Uses .venv/bin/python (or $STORYCLIP_PYTHON), installing PyInstaller into it when
# it is missing. Prints the folder's size and its largest parts, then checks that
# the binary answers --version. Windows and macOS: see packaging/README.md.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=${STORYCLIP_PYTHON:-$REPO/.venv/bin/python}
DIST=$REPO/dist/pyinstaller
WORK=$REPO/build/pyinstaller
while [ $# -gt 0 ]; do
  case $1 in
    --dist) DIST=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    *) echo "usage: $0 [--dist DIR] [--work DIR]" >&2; exit 2 ;;
  esac
done

if ! "$PY" -c 'import PyInstaller' 2>/dev/null; then
  echo "build.sh: installing PyInstaller into $("$PY" -c 'import sys; print(sys.prefix)')" >&2
  "$PY" -m pip install -q 'pyinstaller>=6.10,<7'
fi

start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$DIST" --workpath "$WORK" \
  "$REPO/packaging/pyinstaller/storyclip-desktop.spec"
app=$DIST/storyclip-desktop
# The per-user menu entry and icons install from the folder itself.
cp "$REPO/packaging/linux/install-user.sh" "$REPO/packaging/linux/uninstall-user.sh" "$app/"
echo "build.sh: built $app in $(( $(date +%s) - start )) s" >&2
echo "build.sh: size $(du -sh "$app" | cut -f1); largest parts:" >&2
du -s --block-size=1M "$app"/_internal/* "$app"/_internal/PySide6/Qt/* "$app"/_internal/PySide6/Qt/lib/* 2>/dev/null \
  | sort -rn | head -8 | sed 's/^/  /' >&2
"$app/storyclip-desktop" --version
