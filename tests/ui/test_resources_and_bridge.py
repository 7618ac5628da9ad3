"""Icons render sharp at any scale; the bridge re-emits every listener call."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from storyclip_desktop.core.events import MonitorListener
from storyclip_desktop.core.model import ClipStatus, StreamState
from storyclip_desktop.ui.bridge import MonitorBridge
from storyclip_desktop.ui.resources import clip_status_icon, icon, icon_path
from storyclip_desktop.ui.store import BatchStore

from .fakes import make_batch

ICONS = ["app", "tray-idle", "tray-publishing", "tray-problem"] + [
    f"clip-{name}"
    for name in (
        "pending",
        "uploading",
        "waiting",
        "scheduling",
        "scheduled",
        "published",
        "failed",
        "unknown",
    )
]


@pytest.mark.parametrize("name", ICONS)
def test_icons_are_self_contained_svg_and_render_at_high_dpi(qapp: QApplication, name: str) -> None:
    path = icon_path(name)
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = path.read_text(encoding="utf-8")
    assert "href" not in text
    assert "<image" not in text
    assert "<text" not in text
    qicon = icon(name)
    for size, ratio in ((16, 1.0), (22, 1.0), (22, 2.0), (64, 3.0)):
        pixmap = qicon.pixmap(QSize(size, size), ratio)
        assert pixmap.width() == round(size * ratio)
        image = pixmap.toImage()
        center = image.pixelColor(image.width() // 2, image.height() // 2)
        opaque = sum(
            image.pixelColor(x, y).alpha() > 200
            for x in range(0, image.width(), max(1, image.width() // 16))
            for y in range(0, image.height(), max(1, image.height() // 16))
        )
        assert opaque > 20, f"{name} is nearly empty at {size}px x{ratio}"
        assert center != QColor(0, 0, 0, 0) or name == "clip-pending"


def test_every_clip_status_has_an_icon(qapp: QApplication) -> None:
    for status in ClipStatus:
        assert not clip_status_icon(status).isNull()


def test_bridge_is_a_monitor_listener_and_re_emits_each_call(qapp: QApplication) -> None:
    bridge = MonitorBridge()
    listener: MonitorListener = bridge
    seen: list[tuple[object, ...]] = []
    bridge.batchAdded.connect(lambda b: seen.append(("added", b.batch_id)))
    bridge.batchUpdated.connect(lambda b, c: seen.append(("updated", b.batch_id, tuple(c))))
    bridge.batchFinished.connect(lambda b: seen.append(("finished", b.batch_id)))
    bridge.streamStateChanged.connect(lambda i, s: seen.append(("stream", i, s.state)))
    bridge.serverReachableChanged.connect(lambda r: seen.append(("reachable", r)))
    bridge.signedOut.connect(lambda r: seen.append(("signed_out", r)))
    batch = make_batch("b1", total=2)
    listener.batch_added(batch)
    listener.batch_updated(batch, (1, 2))
    listener.batch_finished(batch)
    listener.stream_state_changed("b1", StreamState("live"))
    listener.server_reachable_changed(False)
    listener.signed_out("session_expired")
    assert seen == [
        ("added", "b1"),
        ("updated", "b1", (1, 2)),
        ("finished", "b1"),
        ("stream", "b1", "live"),
        ("reachable", False),
        ("signed_out", "session_expired"),
    ]


def test_store_keeps_the_latest_state_for_views_built_late(qapp: QApplication) -> None:
    bridge = MonitorBridge()
    store = BatchStore(bridge)
    events: list[str] = []
    store.batchInserted.connect(lambda i: events.append(f"insert {i}"))
    store.batchChanged.connect(lambda i, c: events.append(f"change {i} {c}"))
    a, b = make_batch("a", total=3), make_batch("b", total=1)
    bridge.batch_added(a)
    bridge.batch_added(b)
    bridge.batch_updated(make_batch("a", total=3, published=1), [1])
    bridge.stream_state_changed("a", StreamState("reconnecting", retry_in=5))
    assert [x.batch_id for x in store.batches] == ["a", "b"]
    assert store.batch("a").published == 1  # type: ignore[union-attr]
    assert store.stream("a") == StreamState("reconnecting", retry_in=5)
    assert events == ["insert a", "insert b", "change a [1]"]
    # A batch first heard of through an update is inserted, not lost.
    bridge.batch_updated(make_batch("c", total=1), [])
    assert store.batch("c") is not None
    assert events[-1] == "insert c"
    bridge.batch_finished(make_batch("b", total=1, status="completed", published=1))
    assert store.was_announced("b")
    assert [x.batch_id for x in store.finished()] == ["b"]
    bridge.signed_out("user")
    assert store.batches == []
    assert store.stream("a") is None
    assert store.reachable
