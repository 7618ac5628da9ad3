"""Entry point of the frozen app: the same ``main`` the ``storyclip-desktop`` script runs.

PyInstaller needs a script, not a ``module:function`` reference. ``main`` also
answers the hidden ``--run-demo-backend`` argument, which is how ``--demo``
starts the local backend when ``sys.executable`` is this binary, not Python.
"""

from storyclip_desktop.app import main

if __name__ == "__main__":
    raise SystemExit(main())
