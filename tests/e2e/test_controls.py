"""Retry failed from a desktop notification (issue 16), in a real desktop session.

A batch ends with failed clips; dunst shows its notice, which offers "Retry
failed" among its actions; the action is invoked the way the daemon reports a
user's choice: the ``ActionInvoked`` signal on the session bus, for the id dunst
gave that notice (dunst 1.9's ``dunstctl action`` runs only the default action
or a dmenu context menu, which this session has no way to drive). The app asks
the local backend to retry, follows the batch again, and announces its second
end once, with the new counts. Observed from outside: the app's log, dunst's
history, the backend's database.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from jeepney import DBusAddress, new_signal  # type: ignore[import-untyped]
from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped]

from tests.app_process import AppProcess
from tests.backend import Backend
from tests.e2e.desktop import DesktopSession, dunst_history, wait_until
from tests.e2e.test_user_story import (  # noqa: F401 (fixtures)
    APP_NAME,
    Story,
    calm_desktop,
    covers,
    launch,
    no_stored_session,
    story,
)

pytestmark = pytest.mark.desktop

_NOTIFICATIONS = "org.freedesktop.Notifications"
_PATH = "/org/freedesktop/Notifications"


def invoke_action(bus_address: str, notification_id: int, action: str) -> None:
    """What the daemon sends when the user picks an action on a notice."""
    emitter = DBusAddress(_PATH, interface=_NOTIFICATIONS)
    with open_dbus_connection(bus=bus_address) as connection:
        connection.send(new_signal(emitter, "ActionInvoked", "us", (notification_id, action)))


@pytest.mark.tray("sni")
@pytest.mark.usefixtures("clean_notifications", "calm_desktop", "no_stored_session")
def test_retry_failed_from_the_notice_follows_the_batch_to_a_second_end(
    backend_factory: Callable[..., Backend],
    launch: Callable[..., AppProcess],  # noqa: F811
    story: Story,  # noqa: F811
    desktop_session: DesktopSession,
    tmp_path: Path,
) -> None:
    backend = backend_factory(clip_seconds=0.3)
    batch_id = backend.create_batch(4, titles=["Retry me"] * 4, fail_once=[2, 3])

    with story.step("signed in; the batch ends with 2 failed clips, told in dunst"):
        app = launch(backend, tmp_path / "home", "--minimized", "--lang", "en", sign_in=True)
        first = app.wait_event("batch_finished", batch_id=batch_id, timeout=60)[0]
        assert (first["published"], first["failed"]) == (2, 2)
        app.wait_event("notification", where=covers(batch_id), timeout=30)
        notice = app.wait_event(
            "dbus_notice", where=lambda e: e["batch_ids"] == [batch_id], timeout=30
        )[-1]
        assert "retry" in notice["actions"], notice
        assert "failed" in notice["actions"], notice

    with story.step("Retry failed on the notice: followed again, a second end told once"):
        invoke_action(desktop_session.bus_address, notice["notification_id"], "retry")
        app.wait_event(
            "control",
            batch_id=batch_id,
            action="retry-failed",
            source="notification",
            result="ok",
            timeout=30,
        )
        ends = app.wait_event("batch_finished", batch_id=batch_id, count=2, timeout=60)
        assert [(e["published"], e["failed"], e.get("run")) for e in ends] == [
            (2, 2, 1),
            (4, 0, 2),
        ]
        wait_until(
            lambda: len([e for e in app.events("notification") if covers(batch_id)(e)]) == 2,
            message="the second end's notice",
        )
        # dunst shows the new end (a notice of ours still open for this batch is
        # replaced in place, as every notice of one batch is).
        ours = [n for n in dunst_history() if n.appname == APP_NAME]
        assert any(n.summary == "Publishing completed: Retry me + 3 more" for n in ours), ours
        assert backend.batch_row(batch_id)["failed"] == 0  # type: ignore[index]

    with story.step("quit"):
        assert app.stop() == 0, app.tail()
