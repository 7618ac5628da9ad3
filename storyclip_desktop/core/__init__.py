"""The client's brain: asyncio and httpx only, never Qt (see shared design)."""

import sys

# httpx's __init__ imports its command-line client (httpx._main), which imports
# click and pygments when they are installed (uvicorn and pytest bring them here)
# and then fails on rich (httpx[cli] is not installed): 20-30 ms and about 2 MiB
# at every start, for nothing (start-up, issue 7). httpx catches that ImportError
# and defines a stub `httpx.main`; a None entry in sys.modules (Python's documented
# way to block an import) makes it fail at once instead. Only the httpx CLI is
# affected, which this app never runs. httpx is pinned below 0.29, whose __init__
# catches the error; tests/core/test_httpx_cli.py checks that it still does.
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
