"""``python -m tests.demo_ext serve|add-user|add-api-key ...`` (see the package docstring)."""

from __future__ import annotations

import sys

from storyclip_desktop.demo.__main__ import main

from .switches import Switches

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], Switches()))
