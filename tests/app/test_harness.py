"""The app-process harness's own guard: an error line nobody declared fails the test."""

from __future__ import annotations

import json
from pathlib import Path

from tests import app_process
from tests.app_process import AppProcess


def _write(app: AppProcess, *events: dict[str, str]) -> None:
    app.log_path.parent.mkdir(parents=True, exist_ok=True)
    app.log_path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")


def test_undeclared_error_lines_are_found_and_declared_ones_are_not(tmp_path: Path) -> None:
    app = AppProcess(tmp_path / "home", expect_errors=[{"where": "^stream$", "message": "502"}])
    stream_502 = {"level": "warning", "event": "error", "where": "stream", "message": "status 502"}
    stream_timeout = {"level": "warning", "event": "error", "where": "stream", "message": "timeout"}
    crash = {"level": "error", "event": "auth.user_changed"}
    fine = {"level": "info", "event": "signed_in"}
    _write(app, fine, stream_502, stream_timeout, crash)
    assert app.unexpected_errors() == [stream_timeout, crash]
    app.expect_error(message="timeout")
    app.expect_error(event="auth.user_changed")
    assert app.unexpected_errors() == []
    assert app in app_process.LIVE  # what the autouse fixture checks after every test
