"""Pause, Resume, Cancel and Retry failed for the batch selected in the dialog
(issue 16): the same four actions on the toolbar buttons, in the row's context
menu and on the keyboard (Ctrl+P pauses or resumes, Delete cancels, Ctrl+R
retries the failed clips).

Each is enabled only where it applies to the batch's state and the server really
supports it (``ServerCapabilities.controls``, asked once per server); disabled,
its tooltip says why: on the deployed backend the actions answer success and do
nothing, so they are never offered as if they worked. Cancel asks first, saying
what stays published and what will not be. What an action does is the session's
(``AppServices.control``): this only says which one the user chose.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from storyclip_desktop.core.controls import ControlOutcome, refusal
from storyclip_desktop.core.model import Batch, BatchStatus, ServerCapabilities

from .texts import batch_name_text, fill

__all__ = ["ACTIONS", "BatchActions", "outcome_text"]

ACTIONS = ("pause", "resume", "cancel", "retry-failed")


class BatchActions(QObject):
    """The four actions for one batch at a time (:meth:`set_batch`).

    ``capabilities``: called whenever the actions are updated, for what the server
    supports (None: not known yet, so nothing is offered).

    Signals:
        requested(str, str): the user chose an action (a cancel: and confirmed it);
            the batch id and ``pause`` / ``resume`` / ``cancel`` / ``retry-failed``.
    """

    requested = Signal(str, str)

    def __init__(
        self,
        parent: QWidget,
        capabilities: Callable[[], ServerCapabilities | None] = lambda: None,
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self.capabilities = capabilities
        self._batch: Batch | None = None
        self._pending: set[str] = set()
        # The open "Cancel publishing?" question, while it is open.
        self.confirm_box: QMessageBox | None = None
        texts = {
            "pause": (self.tr("Pa&use"), QKeySequence(self.tr("Ctrl+P"))),
            "resume": (self.tr("&Resume"), QKeySequence(self.tr("Ctrl+P"))),
            "cancel": (self.tr("Ca&ncel…"), QKeySequence(QKeySequence.StandardKey.Delete)),
            "retry-failed": (self.tr("Retry &failed"), QKeySequence(self.tr("Ctrl+R"))),
        }
        self.actions: dict[str, QAction] = {}
        for name, (text, keys) in texts.items():
            action = QAction(text, parent)
            action.setObjectName(f"action_{name}")
            action.setShortcut(keys)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _checked=False, n=name: self.trigger(n))
            parent.addAction(action)
            self.actions[name] = action
        self.update()

    # ------------------------------------------------------------ state

    @property
    def batch(self) -> Batch | None:
        return self._batch

    def set_batch(self, batch: Batch | None) -> None:
        """The batch the actions are for now (the selected one), or None."""
        self._batch = batch
        self.update()

    def set_pending(self, batch_id: str, pending: bool) -> None:
        """An action of this batch waits for the server: no second one meanwhile."""
        if pending:
            self._pending.add(batch_id)
        else:
            self._pending.discard(batch_id)
        self.update()

    def update(self) -> None:
        """Enable each action where it applies, and say why where it does not."""
        batch = self._batch
        caps = self.capabilities()
        why = {name: self._why_not(name, batch, caps) for name in self.actions}
        # Ctrl+P is Pause or Resume, whichever applies: only that one holds the key.
        key = QKeySequence(self.tr("Ctrl+P"))
        resumable = why["resume"] is None
        self.actions["pause"].setShortcut(QKeySequence() if resumable else key)
        self.actions["resume"].setShortcut(key if resumable else QKeySequence())
        for name, action in self.actions.items():
            action.setEnabled(why[name] is None)
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            reason = why[name]
            if reason is not None:
                tip = reason
            elif shortcut:
                tip = f"{self._purpose(name)} ({shortcut})"
            else:
                tip = self._purpose(name)
            action.setToolTip(tip)
            action.setStatusTip(tip)

    def _why_not(
        self, name: str, batch: Batch | None, caps: ServerCapabilities | None
    ) -> str | None:
        if caps is None:
            return self.tr("Not known yet whether this server can act on batches.")
        if name not in caps.controls:
            return self.tr(
                "This server cannot pause, resume, cancel or retry batches: the StoryClip "
                "backend it runs answers such requests without doing them."
            )
        if batch is None:
            return self.tr("Select a batch first.")
        if batch.batch_id in self._pending:
            return self.tr("Waiting for the server's answer…")
        if refusal(batch, name) is None:
            return None
        if name == "pause":
            return self.tr("Only a batch that is publishing can be paused.")
        if name == "resume":
            return self.tr("Only a paused batch can be resumed.")
        if name == "cancel":
            return self.tr("This batch has ended: there is nothing left to cancel.")
        if batch.status is BatchStatus.CANCELLED:
            return self.tr("A cancelled batch cannot be retried.")
        return self.tr("No clip of this batch failed.")

    def _purpose(self, name: str) -> str:
        return {
            "pause": self.tr("Pause publishing after the clip in progress"),
            "resume": self.tr("Go on publishing this batch"),
            "cancel": self.tr("Stop publishing this batch (asks first)"),
            "retry-failed": self.tr("Publish this batch's failed clips again"),
        }[name]

    # ------------------------------------------------------------ acting

    def trigger(self, name: str) -> bool:
        """The user chose ``name`` (button, menu or key); False when it does not apply."""
        batch = self._batch
        if batch is None or not self.actions[name].isEnabled():
            return False
        if name == "cancel":
            self._ask_cancel(batch)
            return True
        self.requested.emit(batch.batch_id, name)
        return True

    def menu(self, parent: QWidget) -> QMenu:
        """The row's context menu: the four actions, enabled as above."""
        menu = QMenu(parent)
        menu.setObjectName("batchActionsMenu")
        for name in ACTIONS:
            menu.addAction(self.actions[name])
        return menu

    def _ask_cancel(self, batch: Batch) -> None:
        """Ask before cancelling, without blocking the loop (``open``, not ``exec``)."""
        if self.confirm_box is not None:
            self.confirm_box.close()
        left = max(0, batch.total - batch.published - batch.failed)
        box = QMessageBox(self._parent)
        box.setObjectName("confirmCancel")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Cancel publishing?"))
        box.setText(fill(self.tr("Cancel publishing %1?"), batch_name_text(batch)))
        box.setInformativeText(
            " ".join(
                (
                    self.tr("%n clip(s) already published stay published.", "", batch.published),
                    self.tr("%n clip(s) not published yet will not be published.", "", left),
                )
            )
        )
        yes = box.addButton(self.tr("Cancel publishing"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Keep publishing"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(QMessageBox.StandardButton.NoButton)
        batch_id = batch.batch_id

        def answered() -> None:
            self.confirm_box = None
            if box.clickedButton() is yes:
                self.requested.emit(batch_id, "cancel")
            box.deleteLater()

        box.finished.connect(answered)
        self.confirm_box = box
        box.open()


def outcome_text(outcome: ControlOutcome) -> str:
    """What the user reads when an action did not do what was asked ("" when it did)."""
    return "" if outcome.ok else ControlTexts().outcome(outcome)


class ControlTexts(QObject):
    """Translation context for :func:`outcome_text`.

    Signals:
        none: a QObject for its translation context only.
    """

    def outcome(self, outcome: ControlOutcome) -> str:
        what = {
            "pause": self.tr("Pause"),
            "resume": self.tr("Resume"),
            "cancel": self.tr("Cancel"),
            "retry-failed": self.tr("Retry failed"),
        }.get(outcome.action, outcome.action)
        if outcome.result == "unsupported":
            why = self.tr("this server does not support it, so nothing was asked of it.")
        elif outcome.reason == "unknown_batch":
            why = self.tr("the server does not know this batch (any more).")
        elif outcome.reason == "unchanged":
            why = self.tr(
                "the server answered that it was done, but the batch did not change. "
                "Try again, or do it in the StoryClip web app."
            )
        elif outcome.result == "refused":
            why = self.tr("the batch's state does not allow it now. The list shows its state.")
        else:
            why = self.tr(
                "the server could not be asked; nothing changed. "
                "Check the connection and try again."
            )
        return fill(self.tr("%1 not done: %2"), what, why)
