"""Screenshots of the main window and the dialog (a running and a finished batch),
in English, Spanish and a dark palette, for the README and for a human to look at.

Written to tests/artifacts/screenshots/ (git-ignored). The assertions make sure
each picture shows a laid-out window, not an empty or half-painted one.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication

from storyclip_desktop.core.model import StreamState
from storyclip_desktop.ui.bridge import MonitorBridge
from storyclip_desktop.ui.controller import DesktopUi
from storyclip_desktop.ui.resources import install_translator
from storyclip_desktop.ui.texts import sign_in_error

from .fakes import XSS_TITLE, BatchRun, DesktopTray, RecordingServices, make_batch, make_clip

OUT = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"

TITLES = {
    "en": [
        "Morning routine in 60 s",
        "Valencia city tour",
        "Behind the scenes",
        XSS_TITLE,
        "Unboxing the new camera",
        "Q&A with followers",
        "Recipe: tortilla",
        "Sunset timelapse",
    ],
    "es": [
        "Rutina de mañana en 60 s",
        "Tour por Valencia",
        "Detrás de cámaras",
        XSS_TITLE,
        "Unboxing de la cámara nueva",
        "Preguntas de seguidores",
        "Receta: tortilla",
        "Atardecer en timelapse",
    ],
}


def _dark_palette() -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2b2d31",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1f22",
        QPalette.ColorRole.AlternateBase: "#26282c",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#3a3d42",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.Highlight: "#3d7be0",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#3a3d42",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
        QPalette.ColorRole.PlaceholderText: "#9aa0a6",
    }
    for role, color in roles.items():
        palette.setColor(role, QColor(color))
    return palette


def _scene(ui: DesktopUi, lang: str) -> None:
    """A user with one batch half-way and one that finished a few minutes ago."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    titles = TITLES[lang]
    running = make_batch(
        "batch_1761725644409_abc123",
        total=20,
        created_at=now - timedelta(minutes=14),
        started_at=now - timedelta(minutes=14),
        clips=tuple(make_clip(i, title=titles[(i - 1) % len(titles)]) for i in range(1, 21)),
    )
    run = BatchRun(ui.bridge, running)
    run.start()
    for index in range(1, 13):
        run.clip(index, "uploading")
        if index == 7:
            run.clip(
                index,
                "error",
                attempts=3,
                error=(
                    "Metricool rejected the video: it is longer than 60 seconds"
                    if lang == "en"
                    else "Metricool rechazó el vídeo: dura más de 60 segundos"
                ),
            )
        else:
            run.clip(index, "published")
    run.clip(13, "uploading")
    run.clip(13, "waiting")
    run.batch = replace(
        run.batch,
        clips=tuple(
            replace(c, published_at=now - timedelta(minutes=14 - c.index)) if c.published_at else c
            for c in run.batch.clips
        ),
    )
    ui.bridge.batch_updated(run.batch, [])
    ui.bridge.stream_state_changed(running.batch_id, StreamState("live"))

    finished = make_batch(
        "batch_1761724000000_f00d42",
        total=8,
        created_at=now - timedelta(minutes=52),
        started_at=now - timedelta(minutes=52),
        clips=tuple(make_clip(i, title=titles[-i]) for i in range(1, 9)),
    )
    done = BatchRun(ui.bridge, finished)
    done.start()
    done.publish_all(fail={3})  # completed, but one clip failed: must show
    done.batch = replace(done.batch, completed_at=now - timedelta(minutes=31))
    done.finish()
    ui.window.banner.hide()


def _grab(widget: object, name: str) -> QImage:
    QApplication.processEvents()
    pixmap = widget.grab()  # type: ignore[attr-defined]
    OUT.mkdir(parents=True, exist_ok=True)
    assert pixmap.save(str(OUT / name))
    return pixmap.toImage()


def _looks_drawn(image: QImage) -> None:
    assert image.width() > 400
    assert image.height() > 300
    colors = {
        image.pixelColor(x, y).rgb()
        for x in range(0, image.width(), 7)
        for y in range(0, image.height(), 7)
    }
    assert len(colors) > 40  # text, icons, chips, bars: not a blank window


@pytest.mark.parametrize(("lang", "dark"), [("en", False), ("es", False), ("en", True)])
def test_screenshots(
    loop: object, qapp: QApplication, settings: QSettings, lang: str, dark: bool
) -> None:
    install_translator(qapp, lang)
    old_palette = qapp.palette()
    if dark:
        qapp.setPalette(_dark_palette())
    suffix = ("-" + lang if lang != "en" else "") + ("-dark" if dark else "")
    bridge = MonitorBridge()
    services = RecordingServices(bridge)
    ui = DesktopUi(services, bridge, settings=settings, dbus_bus=None, tray_host=DesktopTray(False))
    try:
        ui.start()
        ui.window.resize(520, 460)
        _looks_drawn(_grab(ui.window, f"sign-in{suffix}.png"))
        ui.window.sign_in.email.setText("ana@example.com")
        ui.window.sign_in.failed(sign_in_error("invalid_credentials"), clear_password=True)
        _looks_drawn(_grab(ui.window, f"sign-in-error{suffix}.png"))
        services.user_email = "ana@example.com"
        ui.on_signed_in()
        _scene(ui, lang)
        _looks_drawn(_grab(ui.window, f"main-window{suffix}.png"))
        ui.bridge.server_reachable_changed(False)
        _looks_drawn(_grab(ui.window, f"main-window-offline{suffix}.png"))
        ui.bridge.server_reachable_changed(True)
        menu = ui.tray.menu
        menu.adjustSize()
        image = _grab(menu, f"tray-menu{suffix}.png")
        assert image.width() > 150
        assert image.height() > 120
        dialog = ui.open_batches()
        dialog.resize(900, 700)
        _looks_drawn(_grab(dialog, f"active-batches{suffix}.png"))
        assert len(dialog.cards) == 2
    finally:
        if ui._dialog is not None:
            ui._dialog.close()
        ui.window.hide()
        ui.tray.dispose()
        ui.window.deleteLater()
        ui.deleteLater()
        qapp.setPalette(old_palette)


def _grab_at(widget: object, name: str, scale: float) -> QImage:
    """The widget painted at ``scale`` device pixels per logical pixel (a 2x screen),
    saved under OUT."""
    from PySide6.QtGui import QPixmap

    QApplication.processEvents()
    size = widget.size()  # type: ignore[attr-defined]
    pixmap = QPixmap(round(size.width() * scale), round(size.height() * scale))
    pixmap.setDevicePixelRatio(scale)
    pixmap.fill(QColor(0, 0, 0, 0))
    widget.render(pixmap)  # type: ignore[attr-defined]
    OUT.mkdir(parents=True, exist_ok=True)
    assert pixmap.save(str(OUT / name))
    return pixmap.toImage()


def _more_batches(ui: DesktopUi, lang: str) -> None:
    """Besides the scene: a batch named by its job id, one that failed, one paused."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    titles = TITLES[lang]
    job = BatchRun(
        ui.bridge,
        make_batch(
            "batch_1761725700000_j0b001",
            total=12,
            job_id="spring-campaign" if lang == "en" else "campaña-primavera",
            created_at=now - timedelta(minutes=6),
            started_at=now - timedelta(minutes=6),
            clips=tuple(make_clip(i, title=titles[i % len(titles)]) for i in range(1, 13)),
        ),
    )
    job.start()
    for index in range(1, 4):
        job.clip(index, "published")
    broken = BatchRun(
        ui.bridge,
        make_batch(
            "batch_1761722000000_bad001",
            total=5,
            created_at=now - timedelta(minutes=80),
            started_at=now - timedelta(minutes=80),
            clips=tuple(make_clip(i, title=titles[(i + 3) % len(titles)]) for i in range(1, 6)),
        ),
    )
    broken.start()
    broken.clip(1, "published")
    broken.finish("failed", error="startTime is not defined")


@pytest.mark.parametrize(("scale", "dark"), [(1.0, False), (2.0, False), (1.0, True), (2.0, True)])
def test_transfer_list_screenshots(
    loop: object, qapp: QApplication, settings: QSettings, scale: float, dark: bool
) -> None:
    """The dialog as a compact list with named batches, at 1x and 2x, light and dark;
    and a grouped notice (issue 15)."""
    install_translator(qapp, "en")
    old_palette = qapp.palette()
    if dark:
        qapp.setPalette(_dark_palette())
    suffix = ("-2x" if scale == 2.0 else "") + ("-dark" if dark else "")
    bridge = MonitorBridge()
    services = RecordingServices(bridge)
    ui = DesktopUi(services, bridge, settings=settings, dbus_bus=None, tray_host=DesktopTray(False))
    ui.notifier.set_pacing(0, {"tray": 0, "banner": 0, "dbus": 0})
    try:
        ui.start()
        services.user_email = "ana@example.com"
        ui.on_signed_in()
        _scene(ui, "en")
        _more_batches(ui, "en")
        dialog = ui.open_batches()
        dialog.resize(900, 640)
        dialog.list.selectRow(0)
        image = _grab_at(dialog, f"transfer-list{suffix}.png", scale)
        _looks_drawn(image)
        assert image.width() == round(dialog.width() * scale)
        names = [
            str(dialog.list.model().index(r, 0).data())
            for r in range(dialog.list.model().rowCount())
        ]
        assert "spring-campaign" in names
        assert not any(n.startswith("Batch ") for n in names)  # every batch has a name
        if scale == 1.0:
            # A grouped notice, as the banner shows it (the tray and dunst show the same).
            ui.notifier.set_pacing(60_000)
            for n, (total, fail) in enumerate(((20, {4}), (12, set()), (8, {2, 5}))):
                run = BatchRun(
                    ui.bridge,
                    make_batch(
                        f"batch_17617300000{n}_grp00{n}",
                        total=total,
                        job_id=("spring-campaign", "city-tour", "recipes")[n] + "-2",
                    ),
                )
                run.start()
                run.publish_all(fail=fail)
                run.finish()
            note = ui.notifier.flush_finished()
            assert note is not None
            assert note.kind == "finished"
            ui.window.resize(560, 460)
            _looks_drawn(_grab(ui.window, f"grouped-notice{suffix}.png"))
    finally:
        if ui._dialog is not None:
            ui._dialog.close()
        ui.window.hide()
        ui.tray.dispose()
        ui.window.deleteLater()
        ui.deleteLater()
        qapp.setPalette(old_palette)
