#!/usr/bin/env bash
# The project's test command (README): set up, lint, type-check, test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/dev-setup.sh
.venv/bin/ruff check storyclip_desktop tests
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
