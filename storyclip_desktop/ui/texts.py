"""Every sentence the user reads about a status, an error or a time, translated.

Kept in one place so the dialog, the main window, the tray and the
notifications say the same thing the same way. Untrusted values (titles,
server errors, raw statuses) are only ever substituted into plain text.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale, QObject

from storyclip_desktop.core.model import Batch, BatchStatus, ClipStatus, StreamState
from storyclip_desktop.core.names import batch_name, short_id

__all__ = [
    "Texts",
    "batch_name_text",
    "batch_status_text",
    "clip_status_text",
    "fill",
    "format_time",
    "memory_text",
    "plural",
    "short_id",
    "sign_in_error",
    "signed_out_text",
    "stream_state_text",
    "vault_text",
]

_PLACEHOLDER = re.compile(r"%(\d)")


def fill(template: str, *args: object) -> str:
    """Qt-style ``%1 %2`` substitution in one pass, so a value that itself holds
    ``%2`` (an untrusted title, say) is never substituted again."""

    def repl(match: re.Match[str]) -> str:
        i = int(match.group(1)) - 1
        return str(args[i]) if 0 <= i < len(args) else match.group(0)

    return _PLACEHOLDER.sub(repl, template)


translate = QCoreApplication.translate


class Texts(QObject):
    """Sentences with a number in them: ``tr`` with ``n`` picks the plural form.

    Each count sentence is one numerus message (English and Spanish forms in the
    .ts files), never "%1 item(s)": Spanish needs "1 falló" but "2 fallaron".

    Signals:
        none: a QObject for its translation context only.
    """

    def batches_publishing(self, n: int) -> str:
        return self.tr("%n batch(es) publishing", "", n)

    def nothing_publishing(self) -> str:
        return self.tr("Nothing publishing")

    def publications_in_progress(self, n: int) -> str:
        return self.tr("You have %n publication(s) in progress", "", n)

    def clips_label(self, n: int) -> str:
        return self.tr("Clips (%n)", "", n)

    def finished_batches(self, n: int) -> str:
        return self.tr("%n batch(es) finished", "", n)

    def failed_batches(self, n: int) -> str:
        return self.tr("%n batch(es) failed", "", n)

    def failed_clips(self, n: int) -> str:
        """A fragment for a list joined with " · ": "2 clips failed"."""
        return self.tr("%n clip(s) failed", "", n)

    def failed_clips_sentence(self, n: int) -> str:
        """A sentence of its own: "2 clips failed." ("Fallaron 2 clips.")."""
        return self.tr("%n clip(s) failed.", "sentence", n)

    def title_and_more(self, title: str, others: int) -> str:
        """A batch named by its first clip: "Morning recap + 3 more" (the title alone
        when it is the only clip)."""
        if others <= 0:
            return title
        return fill(self.tr("%1 + %n more", "batch name", others), title)

    def publications_finished(self, n: int) -> str:
        """A grouped notice's title: "3 publications finished"."""
        return self.tr("%n publication(s) finished", "", n)

    def clips_published_count(self, published: int, failed: int) -> str:
        """A grouped notice's figures: "52 clips published, 3 failed"."""
        text = self.tr("%n clip(s) published", "", published)
        if failed > 0:
            text = fill(self.tr("%1, %n failed", "published", failed), text)
        return text

    def more_batches(self, n: int) -> str:
        return self.tr("and %n more…", "", n)

    def following_live(self, n: int) -> str:
        return self.tr("Connected — following %n batch(es) live", "", n)

    def clips_done_so_far(self, done: int, total: int) -> str:
        return fill(self.tr("%1 of %n clip(s) done so far.", "", total), done)

    def clips_progress(self, done: int, total: int, failed: int) -> str:
        """A progress bar's text: "12 / 20 clips", "30 / 30 clips · 1 failed"."""
        text = fill(self.tr("%1 / %n clip(s)", "", total), done)
        if failed > 0:
            text = fill(self.tr("%1 · %n failed", "progress", failed), text)
        return text

    def short_progress(self, done: int, total: int, failed: int) -> str:
        """A narrow progress bar's text: "12 / 20", "30 / 30 · 1 failed"."""
        text = f"{done} / {total}"
        if failed > 0:
            text = fill(self.tr("%1 · %n failed", "progress", failed), text)
        return text

    def clips_published(self, published: int, total: int) -> str:
        """The notification's sentence: "18 of 20 clips were published"."""
        if total == 1:
            if published == 1:
                return self.tr("The clip was published")
            return self.tr("The clip was not published")
        return fill(self.tr("%n of %1 clips were published", "", published), total)

    def clips_published_failed(self, published: int, total: int, failed: int) -> str:
        """ "18 of 20 clips were published, 2 failed" (with the failures when there are)."""
        text = self.clips_published(published, total)
        if failed > 0:
            text = fill(self.tr("%1, %n failed", "published", failed), text)
        return text

    def paused_batches(self, n: int) -> str:
        return self.tr("%n batch(es) paused", "", n)

    def batches_summary(
        self, running: int, finished: int, failed_clips: int = 0, paused: int = 0
    ) -> str:
        """ "2 batches publishing · 1 batch paused · 3 batches finished · 1 clip failed";
        "Nothing publishing · …" when nothing runs (never "0 batches publishing")."""
        parts = [self.batches_publishing(running) if running else self.nothing_publishing()]
        if paused:
            parts.append(self.paused_batches(paused))
        if finished:
            parts.append(self.finished_batches(finished))
        if failed_clips:
            parts.append(self.failed_clips(failed_clips))
        return " · ".join(parts)


_texts: Texts | None = None


def plural() -> Texts:
    global _texts
    if _texts is None:
        _texts = Texts()
    return _texts


# ---------------------------------------------------------------- statuses


def batch_name_text(batch: Batch) -> str:
    """The batch's name as every view and notice shows it (parts: ``core.names``):
    its job id, else "First clip + 3 more", else "Batch abc123"."""
    name = batch_name(batch)
    if name.job_id:
        return name.job_id
    if name.title:
        return plural().title_and_more(name.title, name.others)
    return fill(translate("Texts", "Batch %1"), name.short_id)


def batch_status_text(batch: Batch) -> str:
    status = batch.status
    if status is BatchStatus.PROCESSING:
        return translate("Texts", "Processing")
    if status is BatchStatus.COMPLETED:
        return translate("Texts", "Completed")
    if status is BatchStatus.FAILED:
        return translate("Texts", "Failed")
    if status is BatchStatus.PAUSED:
        return translate("Texts", "Paused")
    if status is BatchStatus.CANCELLED:
        return translate("Texts", "Cancelled")
    return fill(translate("Texts", "Unknown (%1)"), batch.status_raw[:40])


def clip_status_text(status: ClipStatus, raw: str) -> str:
    if status is ClipStatus.PENDING:
        return translate("Texts", "Pending")
    if status is ClipStatus.UPLOADING:
        return translate("Texts", "Uploading")
    if status is ClipStatus.WAITING_CONFIRMATION:
        return translate("Texts", "Waiting for confirmation")
    if status is ClipStatus.SCHEDULING:
        return translate("Texts", "Scheduling")
    if status is ClipStatus.SCHEDULED:
        return translate("Texts", "Scheduled")
    if status is ClipStatus.PUBLISHED:
        return translate("Texts", "Published")
    if status is ClipStatus.FAILED:
        return translate("Texts", "Failed")
    return fill(translate("Texts", "Unknown (%1)"), raw[:40])


def stream_state_text(state: StreamState, remaining: float | None = None) -> str:
    """The stream's state line; ``remaining`` overrides ``retry_in`` for a countdown."""
    name = state.state
    if name == "connecting":
        return translate("Texts", "Connecting…")
    if name == "live":
        return translate("Texts", "Live")
    if name == "reconnecting":
        wait = state.retry_in if remaining is None else remaining
        if wait is not None and wait >= 0.5:
            return fill(translate("Texts", "Reconnecting in %1 s"), math.ceil(wait - 0.05))
        return translate("Texts", "Reconnecting…")
    if name == "polling":
        return translate("Texts", "Server restarted, following by polling")
    if name == "stalled":
        return translate("Texts", "Stalled: the server stopped working on this batch")
    if name == "finished":
        return translate("Texts", "Finished")
    return translate("Texts", "Not following")


# ---------------------------------------------------------------- time


def format_time(when: datetime | None, *, with_date: bool | None = None) -> str:
    """Local time in the UI's locale; the date is added when it is not today."""
    if when is None:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    local = QDateTime.fromMSecsSinceEpoch(int(when.timestamp() * 1000)).toLocalTime()
    locale = QLocale()
    if with_date is None:
        with_date = local.date() != QDateTime.currentDateTime().date()
    time_text = locale.toString(local.time(), QLocale.FormatType.ShortFormat)
    if not with_date:
        return time_text
    return f"{locale.toString(local.date(), QLocale.FormatType.ShortFormat)} {time_text}"


# ---------------------------------------------------------------- sign-in


def sign_in_error(reason: str | None) -> str:
    """What went wrong and what to do next, by ``AuthError.reason``."""
    if reason == "invalid_credentials":
        return translate(
            "Texts",
            "The email or password is not correct. Check them and try again, "
            "or reset your password on the StoryClip website.",
        )
    if reason == "email_not_confirmed":
        return translate(
            "Texts",
            "Your email address is not confirmed yet. Open the link in the confirmation "
            "email from StoryClip, then sign in again.",
        )
    if reason == "session_expired":
        return translate(
            "Texts", "Your session has expired. Sign in again to keep following your batches."
        )
    if reason == "rate_limited":
        return translate("Texts", "Too many sign-in attempts. Wait a minute, then try again.")
    if reason == "network":
        return translate(
            "Texts",
            "Could not reach the StoryClip server. Check your internet connection and try again.",
        )
    if reason == "server":
        return translate("Texts", "The StoryClip server had a problem. Try again in a few minutes.")
    return translate(
        "Texts",
        "Something went wrong while signing in. Try again; if it keeps happening, "
        "contact StoryClip support.",
    )


def signed_out_text(reason: str) -> str:
    """Why the session ended, when the user did not ask for it ("" when they did)."""
    if reason == "session_expired":
        return translate(
            "Texts", "Your session has expired. Sign in again to keep following your batches."
        )
    if reason == "revoked":
        return translate(
            "Texts",
            "You were signed out by the server (perhaps from another device). Sign in again.",
        )
    if reason == "error":
        return translate("Texts", "You were signed out because of an error. Sign in again.")
    return ""


def vault_text(code: str | None) -> str:
    """Why the session is kept only in memory (no usable keyring)."""
    if code is None:
        return ""
    if code == "no_keyring":
        return translate(
            "Texts",
            "This computer has no password keyring, so your session is kept only until "
            "you quit StoryClip Desktop; you will have to sign in again next time.",
        )
    if code == "locked":
        return translate(
            "Texts",
            "Your password keyring is locked, so your session is kept only until you quit "
            "StoryClip Desktop. Unlock the keyring to stay signed in.",
        )
    return translate(
        "Texts",
        "Your session could not be saved in the password keyring, so it is kept only "
        "until you quit StoryClip Desktop.",
    )


def memory_text(code: str | None) -> str:
    """What the app cannot remember when its data folder cannot be written or read."""
    if code is None:
        return ""
    if code == "unreadable":
        return translate(
            "Texts",
            "StoryClip Desktop could not read its list of announced batches; it may "
            "announce a finished batch again.",
        )
    return translate(
        "Texts",
        "StoryClip Desktop cannot save its list of announced batches; after a restart "
        "it may announce a finished batch again.",
    )
