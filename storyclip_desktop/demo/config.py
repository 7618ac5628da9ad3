"""The local backend's settings, one field per command-line option of ``serve``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Mode = Literal["default", "upstream"]

DEFAULT_API_KEY = "demo-api-key"
DEFAULT_ANON_KEY = "demo-anon-key"
DEMO_EMAIL = "demo@storyclip.app"
DEMO_PASSWORD = "storyclip-demo"  # noqa: S105  (documented demo account)


@dataclass
class ServerConfig:
    """Everything ``serve`` can be told; defaults are the demo's."""

    db: str
    host: str = "127.0.0.1"
    port: int = 0
    mode: Mode = "default"
    api_keys: tuple[str, ...] = ()
    anon_key: str = DEFAULT_ANON_KEY
    clip_seconds: float = 3.0
    failure_rate: float = 0.0
    seed: int | None = None
    token_ttl: int = 3600
    reuse_interval: float = 10.0
    heartbeat: float = 15.0
    retry_ms: int = 3000
    waits: int = 3
    seed_demo: bool = False
    fail_batch_on_first_error: bool = False
    token_rate_limit: int = 1800
    token_rate_window: float = 3600.0
    access_log: bool = False
    log_level: str = "info"
    exit_with_stdin: bool = False

    @property
    def upstream(self) -> bool:
        return self.mode == "upstream"
