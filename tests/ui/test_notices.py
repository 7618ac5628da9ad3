"""Notices that are never lost and never a flood (issue 15): ends known close
together make one notice naming each batch; a route's notice is not replaced
before it had its time on screen; the D-Bus route replaces its own notice about
a batch and offers "Show failed clips"; "notify me about" filters what is told.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from storyclip_desktop.config import AppSettings
from storyclip_desktop.ui.bridge import MonitorBridge
from storyclip_desktop.ui.controller import DesktopUi

from .fakes import BatchRun, DesktopTray, RecordingServices, make_batch
from .notification_daemon import NotificationService, PrivateBus, dbus_daemon_available


def _finish(
    ui: DesktopUi,
    batch_id: str,
    total: int,
    fail: frozenset[int] = frozenset(),
    status: str = "completed",
    **fields: object,
) -> BatchRun:
    run = BatchRun(ui.bridge, make_batch(batch_id, total=total, **fields))
    run.start()
    run.publish_all(fail=set(fail))
    run.finish(status, error="startTime is not defined" if status == "failed" else None)
    return run


def _notices(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [
        r.fields  # type: ignore[attr-defined]
        for r in caplog.records
        if getattr(r, "event", None) == "notification"
    ]


def test_ends_known_close_together_make_one_notice_naming_each(
    ui: DesktopUi, qtbot: object, caplog: pytest.LogCaptureFixture
) -> None:
    ui.notifier.set_pacing(300)
    ui.start()
    caplog.set_level(logging.INFO, logger="storyclip")
    _finish(ui, "batch_1_aaa111", 20, job_id="spring-sale")
    _finish(ui, "batch_2_bbb222", 30, fail=frozenset({3, 4, 5}))
    _finish(ui, "batch_3_ccc333", 2, status="failed")
    assert _notices(caplog) == []  # gathered first, told together
    qtbot.waitUntil(lambda: _notices(caplog) != [], timeout=3000)  # type: ignore[attr-defined]
    assert _notices(caplog) == [
        {
            "kind": "finished",
            "route": "banner",
            "batch_ids": ["batch_1_aaa111", "batch_2_bbb222", "batch_3_ccc333"],
        }
    ]
    banner = ui.window.banner
    assert banner.title.text() == "3 publications finished"
    lines = banner.body.text().split("\n")
    assert lines[0] == "49 clips published, 3 failed"
    assert lines[1:] == [
        "• spring-sale — Completed",
        "• Clip 1 + 29 more — Completed · 3 clips failed",
        "• Clip 1 + 1 more — Failed",
    ]
    # A later end, after the window: a notice of its own, with the batch's name.
    _finish(ui, "batch_4_ddd444", 1, job_id="solo")
    qtbot.waitUntil(lambda: len(_notices(caplog)) == 2, timeout=3000)  # type: ignore[attr-defined]
    assert _notices(caplog)[1] == {
        "kind": "completed",
        "route": "banner",
        "batch_id": "batch_4_ddd444",
        "batch_ids": ["batch_4_ddd444"],
    }
    assert banner.title.text() == "Publishing completed: solo"


def test_a_batch_without_titles_or_job_id_is_named_by_its_short_id(
    ui: DesktopUi, caplog: pytest.LogCaptureFixture
) -> None:
    ui.start()
    run = BatchRun(ui.bridge, make_batch("batch_9_xyz789", total=0, clips=()))
    run.start()
    run.finish()
    assert ui.window.banner.title.text() == "Publishing completed: Batch xyz789"


def test_the_tray_balloon_is_not_replaced_before_it_had_its_time(
    loop: asyncio.AbstractEventLoop, settings: QSettings, qtbot: object
) -> None:
    """The catch-up "completed" was replaced 8 ms later by "in progress": no more."""
    bridge = MonitorBridge()
    ui = DesktopUi(
        RecordingServices(bridge),
        bridge,
        settings=settings,
        dbus_bus=None,
        tray_host=DesktopTray(True),
    )
    ui.notifier.set_pacing(0, {"tray": 400, "banner": 0, "dbus": 0})
    ui.start()
    shown: list[tuple[float, str]] = []
    ui.tray.messageShown.connect(lambda title, _body: shown.append((time.monotonic(), title)))
    try:
        _finish(ui, "batch_1_aaa111", 2, job_id="first")
        ui.announce_active(1, "batch_2_bbb222", ("batch_2_bbb222",))
        ui.bridge.server_reachable_changed(False)
        assert [t for _, t in shown] == ["Publishing completed: first"]
        assert ui.notifier.queued() == 2
        qtbot.waitUntil(lambda: len(shown) == 3, timeout=3000)  # type: ignore[attr-defined]
        assert [t for _, t in shown] == [
            "Publishing completed: first",
            "Publishing in progress",
            "Could not connect to the server",
        ]
        gaps = [b[0] - a[0] for a, b in itertools.pairwise(shown)]
        assert min(gaps) >= 0.35
    finally:
        ui.tray.dispose()
        ui.window.deleteLater()
        ui.deleteLater()


def test_notify_me_about_failures_only(ui: DesktopUi, caplog: pytest.LogCaptureFixture) -> None:
    ui.start()
    caplog.set_level(logging.INFO, logger="storyclip")
    ui.apply_settings(AppSettings(notify_about="failures"))
    ui.announce_active(2)
    _finish(ui, "batch_1_aaa111", 2)
    _finish(ui, "batch_2_bbb222", 2, status="failed")
    assert [n["kind"] for n in _notices(caplog)] == ["failed"]
    ui.apply_settings(AppSettings(notify_about="finished"))
    ui.announce_active(2)
    _finish(ui, "batch_3_ccc333", 2)
    assert [n["kind"] for n in _notices(caplog)] == ["failed", "completed"]


def test_notify_me_about_is_saved_and_read_back() -> None:
    from storyclip_desktop.config import load_settings, save_settings

    store: dict[str, object] = {}

    class Store:
        def value(self, key: str, default: object = None) -> object:
            return store.get(key, default)

        def setValue(self, key: str, value: object) -> None:
            store[key] = value

        def remove(self, key: str) -> None:
            store.pop(key, None)

    assert load_settings(Store()).notify_about == "everything"
    save_settings(Store(), AppSettings(notify_about="finished"))
    settings = load_settings(Store())
    assert settings.notify_about == "finished"
    assert not settings.wants("active")
    assert settings.wants("completed")
    store["notifications/about"] = "nonsense"
    assert load_settings(Store()).notify_about == "everything"


# ---------------------------------------------------------------- D-Bus


@pytest.fixture
def bus(tmp_path: Path) -> Iterator[PrivateBus]:
    if not dbus_daemon_available():
        pytest.skip("needs dbus-daemon")
    private = PrivateBus(tmp_path)
    yield private
    private.close()


def test_dbus_replaces_its_notice_about_a_batch_and_offers_the_failed_clips(
    loop: asyncio.AbstractEventLoop, bus: PrivateBus, settings: QSettings, qtbot: object
) -> None:
    service = NotificationService(bus.address)
    service.start()
    bridge = MonitorBridge()
    services = RecordingServices(bridge)
    services.user_email = "ana@example.com"
    ui = DesktopUi(
        services, bridge, settings=settings, dbus_bus=bus.address, tray_host=DesktopTray(False)
    )
    ui.notifier.set_pacing(0, {"tray": 0, "banner": 0, "dbus": 0})
    ui.start()
    try:
        run = BatchRun(ui.bridge, make_batch("batch_1_aaa111", total=4, job_id="spring-sale"))
        run.start()
        ui.announce_active(1, run.batch.batch_id, (run.batch.batch_id,))
        qtbot.waitUntil(lambda: len(service.notifies()) == 1, timeout=5000)  # type: ignore[attr-defined]
        run.publish_all(fail={2})
        run.finish()
        qtbot.waitUntil(lambda: len(service.notifies()) == 2, timeout=5000)  # type: ignore[attr-defined]
        first, second = service.notifies()
        assert first.body[1] == 0
        assert second.body[1] == 1  # replaces the "in progress" notice of the same batch
        assert second.body[3] == "Publishing completed: spring-sale"
        assert second.body[5] == ["default", "Open", "failed", "Show failed clips"]
        service.click(1, "failed")
        qtbot.waitUntil(  # type: ignore[attr-defined]
            lambda: ui._dialog is not None and ui.dialog.isVisible(), timeout=5000
        )
        card = ui.dialog.cards[run.batch.batch_id]
        assert card.expanded
        assert card.table is not None
        proxy = card.table.proxy
        assert proxy.rowCount() == 1  # only the failed clip is listed
    finally:
        done = asyncio.ensure_future(ui.aclose())
        qtbot.waitUntil(done.done)  # type: ignore[attr-defined]
        if ui._dialog is not None:
            ui._dialog.close()
        ui.window.deleteLater()
        ui.deleteLater()
        service.stop()
    assert service.error is None


def test_ends_still_gathered_are_told_when_the_app_quits(
    ui: DesktopUi, qtbot: object, caplog: pytest.LogCaptureFixture
) -> None:
    ui.notifier.set_pacing(60_000)
    ui.start()
    caplog.set_level(logging.INFO, logger="storyclip")
    _finish(ui, "batch_1_aaa111", 2, job_id="last-one")
    assert _notices(caplog) == []
    done = asyncio.ensure_future(ui.aclose())
    qtbot.waitUntil(done.done)  # type: ignore[attr-defined]
    assert [n["batch_ids"] for n in _notices(caplog)] == [["batch_1_aaa111"]]


def test_notices_still_waiting_for_their_route_are_told_when_the_app_quits(
    ui: DesktopUi, qtbot: object, caplog: pytest.LogCaptureFixture
) -> None:
    """A notice on screen holds its route; an end announced behind it must not be
    lost when the app quits before its turn (the memory counts it announced)."""
    ui.notifier.set_pacing(0, {"banner": 60_000, "tray": 60_000, "dbus": 60_000})
    ui.start()
    caplog.set_level(logging.INFO, logger="storyclip")
    ui.notifier.server_reachable(False)  # on screen, holding the route for a minute
    _finish(ui, "batch_1_aaa111", 2, job_id="behind-it")
    assert [n["kind"] for n in _notices(caplog)] == ["unreachable"]
    assert ui.notifier.queued() == 1
    done = asyncio.ensure_future(ui.aclose())
    qtbot.waitUntil(done.done)  # type: ignore[attr-defined]
    assert [n["batch_ids"] for n in _notices(caplog)][-1] == ["batch_1_aaa111"]
    assert ui.notifier.queued() == 0
