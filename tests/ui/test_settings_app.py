"""The settings as the real app process uses them: a first launch with nothing
configured opens the settings instead of failing, saved settings (QSettings' file)
take the place of command-line options, and the notification choices are obeyed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.app_process import AppProcess
from tests.backend import Backend


def _settings_file(home: Path) -> Path:
    """Where QSettings keeps "StoryClip"/"StoryClip Desktop" on Linux (XDG_CONFIG_HOME)."""
    return home / "config" / "StoryClip" / "StoryClip Desktop.conf"


def test_first_launch_with_nothing_configured_opens_the_settings(tmp_path: Path) -> None:
    app = AppProcess(
        tmp_path / "home", expect_errors=[{"where": "^config$", "message": "incomplete"}]
    ).start()
    try:
        opened = app.wait_event("settings_opened")[0]
        assert opened["first_run"] is True
        assert app.running
    finally:
        code = app.stop()
    assert code == 0, app.tail()
    assert not [e for e in app.all_events() if e["level"] in ("error", "critical")]
    rotating = tmp_path / "home" / ".local" / "state" / "storyclip-desktop" / "log"
    assert '"event": "settings_opened"' in (rotating / "storyclip-desktop.log").read_text()


def test_saved_settings_are_used_and_muted_notifications_stay_quiet(
    backend_factory: Callable[..., Backend], tmp_path: Path
) -> None:
    backend = backend_factory(clip_seconds=0.3)
    batch_id = backend.create_batch(8)  # still running when the app looks
    home = tmp_path / "home"
    conf = _settings_file(home)
    conf.parent.mkdir(parents=True)
    conf.write_text(
        "[servers]\n"
        f"apiUrl={backend.url}\nsupabaseUrl={backend.url}\nanonKey={backend.anon_key}\n"
        "[startup]\nminimized=true\n"
        "[notifications]\nactive=false\ncompleted=false\n",
        encoding="utf-8",
    )
    # No server option on the command line: only the API key and the user come from
    # the environment (this process has no keyring).
    app = AppProcess(
        home,
        env={
            "STORYCLIP_API_KEY": backend.api_key,
            "STORYCLIP_EMAIL": backend.email,
            "STORYCLIP_PASSWORD": backend.password,
        },
    ).start()
    try:
        started = app.wait_event("started")[0]
        assert started["minimized"] is True
        app.wait_event("signed_in")
        app.wait_event("batch_finished", batch_id=batch_id)
        app.wait_event("notification_muted", kind="completed")
    finally:
        code = app.stop()
    assert code == 0, app.tail()
    assert app.events("notification") == []
    assert {e["kind"] for e in app.events("notification_muted")} == {"active", "completed"}
    assert app.events("settings_opened") == []
