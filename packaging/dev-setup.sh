#!/usr/bin/env bash
# Prepares a fresh Debian machine for running StoryClip Desktop from source:
# the system libraries Qt's xcb platform, the real desktop session (Xvfb, D-Bus,
# tray host, notification daemon) and the Secret Service keyring need, then a
# virtual environment in .venv with the app and its test tools.
# Idempotent: installs only what is missing. System packages need root (or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # Qt xcb platform (shared/desktop-test-env.md lists what was measured to load it)
  libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0
  libxcb-randr0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libegl1 libgl1
  libfontconfig1 libdbus-1-3 fonts-dejavu-core
  # a real desktop session for the end-to-end tests (never dbus-x11: it leaves stray daemons)
  xvfb xauth dbus-daemon gnome-keyring libsecret-tools dunst trayer xdotool x11-apps imagemagick
  # validators and installers the packaging tests use
  desktop-file-utils appstream pipx hicolor-icon-theme
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "dev-setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
echo "dev-setup: ready (.venv)"
