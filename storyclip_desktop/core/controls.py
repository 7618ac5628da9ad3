"""Acting on a batch: pause, resume, cancel, retry failed (issue 16).

One path for every place an action comes from (the dialog, a notice, the
command line): the server's advertised capabilities decide whether it is
supported at all (an action is never tried to find out: the deployed backend's
stubs answer success and change nothing); the batch's state decides whether it
applies; the views show the expected state at once, the server's answer and a
re-read confirm it (or take it back), and a "success" the re-read does not show
is said to be one. Each action is logged once as ``control``.
Qt-free, like the rest of the core.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal, Protocol

from .api import CONTROL_ACTIONS, ApiError, ControlAction, StoryClipApi
from .auth import AuthError
from .log import get_logger, log_event
from .model import Batch, BatchStatus, ServerCapabilities
from .names import batch_name

__all__ = [
    "ControlMonitor",
    "ControlOutcome",
    "ControlResultKind",
    "ControlSource",
    "applicable",
    "listing",
    "perform",
    "refusal",
]

_log = get_logger("controls")
_EPOCH = datetime.fromtimestamp(0, UTC)

ControlResultKind = Literal["ok", "refused", "unsupported", "failed"]
ControlSource = Literal["dialog", "notification", "cli"]

#: What each action shows at once (before the server confirms).
_EXPECTED: dict[str, BatchStatus] = {
    "pause": BatchStatus.PAUSED,
    "resume": BatchStatus.PROCESSING,
    "cancel": BatchStatus.CANCELLED,
    "retry-failed": BatchStatus.PROCESSING,
}


class ControlMonitor(Protocol):
    """What an action needs of the monitor (:class:`~.monitor.BatchMonitor`)."""

    def tracked(self, batch_id: str) -> Batch | None: ...

    def show(self, batch: Batch) -> None: ...

    def show_known(self, batch_id: str) -> None: ...

    def confirmed(self, summary: Batch, *, new_run: bool = False) -> None: ...


@dataclass(frozen=True, slots=True)
class ControlOutcome:
    """How an action ended. ``message``: for the user, in English (the ui words its
    own text from ``result`` and ``reason``); ``reason`` a stable key:
    ``not_supported``, ``not_applicable``, ``unknown_batch``, ``server_refused``,
    ``unchanged``, ``error``, ``not_signed_in``, ``capabilities_unknown`` or ``""``
    when ok. ``batch``: the
    batch as re-read after the action, when it was."""

    batch_id: str
    action: str
    result: ControlResultKind
    reason: str = ""
    message: str = ""
    batch: Batch | None = None

    @property
    def ok(self) -> bool:
        return self.result == "ok"


def refusal(batch: Batch, action: str) -> str | None:
    """Why ``action`` does not apply to ``batch`` in its state (None: it applies)."""
    status = batch.status
    if action == "pause":
        return None if status is BatchStatus.PROCESSING else f"the batch is {batch.status_raw}"
    if action == "resume":
        return None if status is BatchStatus.PAUSED else f"the batch is {batch.status_raw}"
    if action == "cancel":
        if status in (BatchStatus.PROCESSING, BatchStatus.PAUSED):
            return None
        return f"the batch is {batch.status_raw}"
    if action == "retry-failed":
        if status is BatchStatus.CANCELLED:
            return "the batch was cancelled"
        return None if batch.failed > 0 else "the batch has no failed clips"
    return f"unknown action {action}"


def applicable(batch: Batch, capabilities: ServerCapabilities) -> frozenset[str]:
    """The actions the server supports that apply to ``batch`` now."""
    return frozenset(
        a for a in CONTROL_ACTIONS if a in capabilities.controls and refusal(batch, a) is None
    )


def _changed(before: Batch, after: Batch, action: str) -> bool:
    """Whether the re-read shows what ``action`` does (a stub's "success" does not)."""
    if action == "pause":
        return after.status is not BatchStatus.PROCESSING
    if action == "resume":
        return after.status is not BatchStatus.PAUSED
    if action == "cancel":
        return after.status is BatchStatus.CANCELLED
    return after.failed < before.failed or after.status is not before.status


async def perform(
    api: StoryClipApi | None,
    monitor: ControlMonitor | None,
    capabilities: ServerCapabilities | None,
    batch_id: str,
    action: str,
    source: ControlSource,
) -> ControlOutcome:
    """Do ``action`` on ``batch_id`` (see the module docstring); never raises.
    ``capabilities`` None: the server could not be asked yet what it supports (the
    action fails, nothing is claimed either way)."""
    outcome = await _perform(api, monitor, capabilities, batch_id, action)
    fields: dict[str, object] = {
        "batch_id": batch_id,
        "action": action,
        "result": outcome.result,
        "source": source,
    }
    if outcome.reason:
        fields["reason"] = outcome.reason
    level = logging.INFO if outcome.result in ("ok", "refused", "unsupported") else logging.WARNING
    log_event(_log, "control", level, **fields)
    return outcome


async def _perform(
    api: StoryClipApi | None,
    monitor: ControlMonitor | None,
    capabilities: ServerCapabilities | None,
    batch_id: str,
    action: str,
) -> ControlOutcome:
    def out(result: ControlResultKind, reason: str, message: str) -> ControlOutcome:
        return ControlOutcome(batch_id, action, result, reason, message)

    if action not in CONTROL_ACTIONS:
        return out("refused", "not_applicable", f"unknown action {action}")
    if not batch_id.strip():
        return out("refused", "unknown_batch", "no batch id")
    if capabilities is None:
        return out(
            "failed",
            "not_signed_in" if api is None else "capabilities_unknown",
            "not signed in" if api is None else "the server has not said yet what it supports",
        )
    if action not in capabilities.controls:
        return out(
            "unsupported",
            "not_supported",
            "this server does not support pausing, resuming, cancelling or retrying batches",
        )
    if api is None or monitor is None:
        return out("failed", "not_signed_in", "not signed in")
    verb: ControlAction = action  # narrowed by the `in CONTROL_ACTIONS` check
    before = monitor.tracked(batch_id)
    try:
        if before is None:
            before = await api.batch(batch_id)
    except ApiError as exc:
        if exc.kind == "not_found":
            return out("refused", "unknown_batch", f"no batch {batch_id} on this server")
        return out("failed", "error", f"the batch could not be read: {exc.kind}")
    except AuthError as exc:
        return out("failed", "error", f"the batch could not be read: {exc.reason}")
    why = refusal(before, action)
    if why is not None:
        return out("refused", "not_applicable", why)
    expected = _EXPECTED[action]
    monitor.show(replace(before, status=expected, status_raw=expected.value))
    try:
        await api.control(batch_id, verb)
    except ApiError as exc:
        monitor.show_known(batch_id)
        if exc.status == 409:
            return out("refused", "server_refused", exc.detail or "the server refused")
        return out("failed", "error", f"the server did not do it: {exc.kind}")
    except AuthError as exc:
        monitor.show_known(batch_id)
        return out("failed", "error", f"the server did not do it: {exc.reason}")
    try:
        after = await api.batch(batch_id)
    except (ApiError, AuthError):
        # Done, says the server; the stream and the next read will show it.
        return ControlOutcome(batch_id, action, "ok")
    new_run = before.is_final and not after.is_final
    monitor.confirmed(after, new_run=new_run)
    if not _changed(before, after, action):
        monitor.show_known(batch_id)
        return ControlOutcome(
            batch_id,
            action,
            "failed",
            "unchanged",
            "the server answered success but the batch did not change",
            after,
        )
    return ControlOutcome(batch_id, action, "ok", batch=after)


def listing(batches: Iterable[Batch]) -> list[str]:
    """The command line's ``--list``: running batches first (oldest first), then the
    finished ones, one per line as ``ID<tab>NAME<tab>STATUS<tab>PUBLISHED/FAILED/TOTAL``."""
    ordered = sorted(batches, key=lambda b: (b.is_final, b.created_at or _EPOCH, b.batch_id))
    return [
        "\t".join(
            (
                b.batch_id,
                " ".join(batch_name(b).plain().split()),  # no tab or newline of the server's
                b.status_raw,
                f"{b.published}/{b.failed}/{b.total}",
            )
        )
        for b in ordered
    ]
