"""``python -m storyclip_desktop``."""

from storyclip_desktop.app import main

raise SystemExit(main())
