#!/usr/bin/env bash
# Re-scan the UI for tr()/translate() strings into the .ts files (keeping existing
# translations), then compile the .qm files the app loads. Translate new strings
# with pyside6-linguist (or by editing the .ts), then run this again.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=storyclip_desktop/resources/translations
for lang in es en; do
    .venv/bin/pyside6-lupdate -no-obsolete -locations none \
        -source-language en -target-language "$lang" \
        storyclip_desktop/ui/*.py storyclip_desktop/ui/*/*.py -ts "$dir/storyclip_$lang.ts"
    .venv/bin/pyside6-lrelease -silent "$dir/storyclip_$lang.ts" -qm "$dir/storyclip_$lang.qm"
done
