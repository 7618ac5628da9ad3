"""The local backend served over HTTP/2 with TLS by hypercorn (test-only).

uvicorn, which serves the backend everywhere else, speaks HTTP/1.1 only; this
module gives hypercorn the same ASGI application so a test can check what the
client does where a server speaks HTTP/2::

    STORYCLIP_H2_DB=PATH STORYCLIP_H2_URL=https://127.0.0.1:PORT \\
        python -m hypercorn --certfile C --keyfile K --bind 127.0.0.1:PORT tests.h2_backend:app

The database (users, keys) is prepared beforehand with the backend's own CLI.
"""

from __future__ import annotations

import os

from storyclip_desktop.demo.config import ServerConfig
from storyclip_desktop.demo.server import Backend

_config = ServerConfig(
    db=os.environ["STORYCLIP_H2_DB"],
    api_keys=(os.environ.get("STORYCLIP_H2_API_KEY", "test-api-key"),),
    anon_key=os.environ.get("STORYCLIP_H2_ANON_KEY", "test-anon-key"),
    clip_seconds=float(os.environ.get("STORYCLIP_H2_CLIP_SECONDS", "0.1")),
    seed=1,
)
backend = Backend(_config, base_url=os.environ["STORYCLIP_H2_URL"])
app = backend.asgi()
