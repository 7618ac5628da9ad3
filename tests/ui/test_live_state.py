"""Paused and cancelled batches as the user sees them (issue 15): a paused batch is
not "Nothing publishing", and a cancelled one has nothing "Pending"."""

from __future__ import annotations

from dataclasses import replace

from storyclip_desktop.core.model import BatchStatus
from storyclip_desktop.ui.controller import DesktopUi

from .fakes import BatchRun, RecordingServices, make_batch


def _signed_in(ui: DesktopUi) -> None:
    services: RecordingServices = ui.services  # type: ignore[assignment]
    services.user_email = "ana@example.com"
    ui.start()


def _set_status(run: BatchRun, status: BatchStatus) -> None:
    run.batch = replace(run.batch, status=status, status_raw=status.value)
    run.bridge.batch_updated(run.batch, [])


def test_a_paused_batch_is_counted_in_the_headers(ui: DesktopUi) -> None:
    _signed_in(ui)
    run = BatchRun(ui.bridge, make_batch(total=10, job_id="spring-sale"))
    run.start()
    for index in (1, 2, 3):
        run.clip(index, "published")
    _set_status(run, BatchStatus.PAUSED)
    account = ui.window.account
    assert account.headline.text() == "1 batch paused"
    assert account.detail.text().startswith("3 of 10 clips done so far.")
    name, chip, _bar = account._row_widgets[0]
    assert (name.text(), chip.text()) == ("spring-sale", "Paused")
    assert "1 batch paused" in ui.tray.status_text()
    dialog = ui.open_batches()
    assert dialog.summary.text() == "Nothing publishing · 1 batch paused"
    assert dialog.cards[run.batch.batch_id].chip.text() == "Paused"
    # Another batch running: the paused one is still said.
    other = BatchRun(ui.bridge, make_batch("batch_2_bbb222", total=4))
    other.start()
    assert account.headline.text() == "1 batch publishing"
    assert "1 batch paused." in account.detail.text()
    assert dialog.summary.text() == "1 batch publishing · 1 batch paused"


def test_a_cancelled_batch_has_nothing_pending(ui: DesktopUi) -> None:
    _signed_in(ui)
    run = BatchRun(ui.bridge, make_batch(total=10))
    run.start()
    run.clip(1, "published")
    run.finish("cancelled")
    card = ui.open_batches().cards[run.batch.batch_id]
    assert card.counts.text() == "Published: 1 · Failed: 0 · Not published: 9"
    assert "Pending" not in card.counts.text()
