"""The signed-in user's batches: discovery, one follower each, one merged state.

The monitor finds the batches, keeps a follower on each running one and hands
every REST summary and stream event to :mod:`.merge` (the pure rules that
reconcile the two); it keeps the merged batch, decides what is news and tells a
:class:`MonitorListener`. A batch is reported finished
exactly once per user, across restarts, through :class:`MonitorMemory`.

Where the server offers an account stream (``capabilities.account_stream``) one
:class:`~.account_stream.AccountStream` replaces the per-batch followers. Either
way, reachability is one :class:`~.connectivity.Connectivity`: followers and
discovery wait for it while offline, and its return rediscovers and reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from .account_stream import AccountStream
from .api import ApiError, StoryClipApi
from .auth import AuthError
from .catchup import CatchUpResult, read_history
from .connectivity import PROBE_MAX_DELAY, Connectivity
from .events import MonitorListener
from .log import get_logger, log_event
from .memory import MonitorMemory
from .merge import NOTHING_SEEN, MergeResult, Seen, apply_event, apply_summary, is_new_run
from .model import PART_ONE, Batch, ServerCapabilities, StreamEvent, StreamState, UnknownEvent
from .stream import BatchFollower, FollowPolicy, failure_fields

__all__ = ["BatchMonitor"]

_log = get_logger("monitor")


@dataclass(slots=True)
class _Tracked:
    batch: Batch
    seen: Seen = NOTHING_SEEN  # what the stream said, for the next merge
    finished: bool = False
    follower: BatchFollower | None = None


#: How many times the server may say it does not know a remembered batch before
#: the memory drops it (twice: one answer could come from a server mid-restart).
FORGET_AFTER = 2


def _gone_reason(exc: ApiError) -> str | None:
    """Why the server says a batch is not the user's to ask for; None for any other
    error (a network failure or an outage proves nothing about the batch)."""
    if exc.kind == "not_found" and exc.code == "BATCH_NOT_FOUND":
        return "not_found"
    if exc.kind == "forbidden" and exc.code == "FORBIDDEN_USER":
        return "another_user"
    return None


class BatchMonitor:
    """Follows every running batch of one user until each one ends.

    Owns its followers and its discovery task; ``stop()`` closes them all
    (sign-out, quit). Runs on the event loop's thread only.
    """

    def __init__(
        self,
        api: StoryClipApi,
        user_id: str,
        listener: MonitorListener,
        memory: MonitorMemory,
        *,
        policy: FollowPolicy | None = None,
        discovery_interval: float = 30.0,
        capabilities: ServerCapabilities = PART_ONE,
        connectivity: Connectivity | None = None,
    ) -> None:
        """``capabilities``: what the server has beyond Part 1; with a history that
        pages by finish time the catch-up reads it, else it re-reads remembered batches."""
        self._api = api
        self.user_id = user_id
        self._listener = listener
        self._memory = memory
        self._policy = policy or FollowPolicy()
        self._interval = discovery_interval
        self._history = capabilities.history and capabilities.history_cursor
        self._discovery_hold = 0.0  # loop time before which discovery must not ask again
        self._tracked: dict[str, _Tracked] = {}
        self._reachable = True
        self._discovery: asyncio.Task[None] | None = None
        self._discover_lock = asyncio.Lock()
        self._stopped = False
        self._background: set[asyncio.Task[None]] = set()
        self.duplicate_events = 0
        self._own_connectivity = connectivity is None
        self.connectivity = connectivity or Connectivity(
            api.probe,
            base_delay=self._policy.base_delay,
            max_delay=min(self._policy.max_delay, PROBE_MAX_DELAY),
        )
        self.connectivity.add_listener(self)
        self._told_unreachable = False
        #: The account stream, where the server has one; else one follower per batch.
        self.account: AccountStream | None = None
        if capabilities.account_stream:
            self.account = AccountStream(api, self, self.connectivity, self._policy)
        self._news_pending: set[str] = set()
        # The account stream's first connection: True once it discovered, False if it failed.
        self._first: asyncio.Future[bool] | None = None
        # On the account stream, REST reads share two connections (a burst of
        # ends must not open ten): with the stream, at most three to the server.
        self._read_slots: asyncio.Semaphore | None = (
            asyncio.Semaphore(2) if self.account is not None else None
        )

    # ------------------------------------------------------------ public

    @property
    def batches(self) -> dict[str, Batch]:
        return {bid: t.batch for bid, t in self._tracked.items()}

    @property
    def memory(self) -> MonitorMemory:
        """What this monitor remembers (the history view's source where the server
        keeps no history)."""
        return self._memory

    @property
    def reachable(self) -> bool:
        return self._reachable

    def follower(self, batch_id: str) -> BatchFollower | None:
        tracked = self._tracked.get(batch_id)
        return tracked.follower if tracked else None

    def tracked(self, batch_id: str) -> Batch | None:
        """The batch as shown now (None: not followed)."""
        tracked = self._tracked.get(batch_id)
        return tracked.batch if tracked else None

    def show(self, batch: Batch) -> None:
        """Show ``batch`` as an action expects it to become, at once (optimistic, issue
        16): the views see it, the merged state does not change, so nothing is
        announced before the server confirms; :meth:`show_known` takes it back."""
        if batch.batch_id in self._tracked:
            self._listener.batch_updated(batch, ())

    def show_known(self, batch_id: str) -> None:
        """Show the batch as the server last said again (an action failed)."""
        tracked = self._tracked.get(batch_id)
        if tracked is not None:
            self._listener.batch_updated(tracked.batch, ())

    def confirmed(self, summary: Batch, *, new_run: bool = False) -> None:
        """A summary read right after an action. ``new_run``: the action started a
        finished batch again (retry failed, resume), which is followed anew and whose
        next end is announced once more, even where the server keeps ``startedAt``."""
        tracked = self._tracked.get(summary.batch_id)
        if tracked is not None and new_run and tracked.batch.is_final and not summary.is_final:
            self._reopen(tracked, summary)
        else:
            self._consider(summary)
        if self._needs_follower(summary.batch_id):
            self._follow(summary.batch_id)

    def _reopen(self, tracked: _Tracked, summary: Batch) -> None:
        """A finished batch runs again: a new run, shown as running and followed."""
        first = apply_summary(None, summary)
        tracked.batch, tracked.seen = first.batch, first.seen
        tracked.finished = False
        self._memory.remember(self.user_id, first.batch)  # final -> running: a new run
        self._save_memory()
        known = self._memory.get(self.user_id, summary.batch_id)
        log_event(
            _log,
            "batch_reopened",
            batch_id=summary.batch_id,
            status=summary.status_raw,
            run=known.run if known is not None else 1,
        )
        self._listener.batch_updated(first.batch, first.changed_clips)
        if self.account is not None:
            self.account.adopt(summary.batch_id)  # its events flow on the account stream
        elif self._needs_follower(summary.batch_id):
            self._follow(summary.batch_id)

    async def start(self) -> None:
        """Discover now (remembered batches included), then every ``discovery_interval``.

        On the account stream the stream opens first and the discovery runs once
        it is open (nothing created in between is missed, and the batches found
        are live at once); if it cannot open, the discovery runs anyway."""
        self._memory.since(self.user_id)  # the first sign-in here: nothing before it is news
        if self.account is not None and self._first is None and not self._stopped:
            self._first = asyncio.get_running_loop().create_future()
            self.account.start()
            if not await asyncio.shield(self._first):
                await self.discover()
        else:
            await self.discover()
        if self._discovery is None and not self._stopped:
            self._discovery = asyncio.ensure_future(self._discover_forever())

    async def refresh(self) -> None:
        """Re-read everything: the active list, remembered batches, every summary."""
        await self.discover()
        if self.account is not None:
            self.account.poke()  # the active list just re-read every running summary
            return
        open_ids = [bid for bid, t in self._tracked.items() if not t.finished]
        await asyncio.gather(*(self._reread(bid) for bid in open_ids))
        for bid in open_ids:
            tracked = self._tracked.get(bid)
            if tracked is not None and tracked.follower is not None:
                tracked.follower.poke()

    async def stop(self) -> None:
        self._stopped = True
        self._first_done(False)
        task, self._discovery = self._discovery, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for pending in list(self._background):
            pending.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        followers = [t.follower for t in self._tracked.values() if t.follower is not None]
        for tracked in self._tracked.values():
            tracked.follower = None
        await asyncio.gather(*(f.stop() for f in followers), return_exceptions=True)
        if self.account is not None:
            await self.account.stop()
        self.connectivity.remove_listener(self)
        if self._own_connectivity:
            await self.connectivity.aclose()

    async def suspend(self) -> None:
        """The machine is about to sleep: close every stream cleanly (no watchdog
        needed after the wake to find them dead)."""
        self.connectivity.sleeping()
        if self.account is not None:
            await self.account.stop()
            return
        followers = [t.follower for t in self._tracked.values() if t.follower is not None]
        for tracked in self._tracked.values():
            tracked.follower = None
        await asyncio.gather(*(f.stop() for f in followers), return_exceptions=True)

    async def wake(self) -> None:
        """The machine woke: rediscover, re-read and reconnect at once (the session
        dropped the pooled connections first)."""
        if self._stopped:
            return
        self.connectivity.woke()
        if self.account is not None:
            self.account.start()  # its connection re-reads the summaries (one listing)
            return
        try:
            await self.refresh()
        except AuthError:
            return

    # ------------------------------------------------------------ discovery

    async def _discover_forever(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopped:
            # The interval, or longer when the server asked for a pause (the
            # Retry-After of a 503 or 429 that the last discovery got).
            await asyncio.sleep(max(self._interval, self._discovery_hold - loop.time()))
            await self.connectivity.wait_online()
            try:
                await self.discover()
            except AuthError as exc:
                if exc.reason == "session_expired":
                    return  # signed out: the session manager tells the app
                self._auth_failed("discovery", exc)
            except Exception as exc:  # keep discovering; the log says what broke
                log_event(_log, "error", logging.ERROR, where="discovery", message=repr(exc))

    async def discover(self) -> None:
        """Find running batches: the active list plus every remembered unfinished one.

        The deployed active list can be empty while the user's batches run (it
        filters on a user id nothing stores), so remembered ids are checked too.
        """
        async with self._discover_lock:
            if self._stopped:
                return
            active: list[Batch] = []
            answered = False
            try:
                async with self._slot():
                    active = await self._api.active_batches(self.user_id)
                answered = True
                self._set_reachable(True)
            except ApiError as exc:
                self._hold_discovery(exc.retry_after)
                self._api_failed("discovery", exc)
            except AuthError as exc:
                self._hold_discovery(exc.retry_after)
                self._auth_failed("discovery", exc)
            log_event(
                _log,
                "batches_found",
                count=len(active),
                batch_ids=[b.batch_id for b in active],
            )
            listed = set()
            for batch in active:
                listed.add(batch.batch_id)
                self._consider(batch)
            # Not while the server does not answer: the reconnect's discovery catches up.
            caught = await self._catch_up_history() if self._history and answered else None
            # Remembered batches the list did not give (the deployed list can miss
            # them) or whose follower ended; the listed ones were just read.
            remembered = [
                bid
                for bid, known in self._memory.batches(self.user_id).items()
                if not (known.final and known.announced)
                and bid not in listed
                and (bid not in self._tracked or self._needs_reread(bid))
            ]
            reread = await asyncio.gather(*(self._reread(bid) for bid in remembered))
            if caught is None and not self._history:
                caught = self._caught_up_remembered(reread)
            for bid in list(self._tracked):
                if self._needs_follower(bid):
                    self._follow(bid)
            self._save_memory()
            if caught is not None:
                log_event(
                    _log,
                    "catch_up",
                    found=caught.found,
                    announced=caught.announced,
                    source=caught.source,
                    requests=caught.requests,
                )

    # ------------------------------------------------------------ catch-up

    async def _catch_up_history(self) -> CatchUpResult | None:
        """Announce what the history says ended since the last look (None: it could
        not be read now; the next discovery tries again from the same cursor)."""
        try:
            return await read_history(self._api, self.user_id, self._memory, self)
        except ApiError as exc:
            self._api_failed("catch_up", exc)
        except AuthError as exc:
            self._auth_failed("catch_up", exc)
        return None

    def _caught_up_remembered(self, reread: list[Batch | None]) -> CatchUpResult:
        """Without a history: the remembered batches just re-read that had ended."""
        ended = [b for b in reread if b is not None and b.is_final]
        announced = 0
        for batch in ended:
            known = self._memory.get(self.user_id, batch.batch_id)
            announced += int(known is not None and known.announced)
        return CatchUpResult("remembered", len(ended), announced, len(reread))

    async def caught_up(self, batch: Batch) -> None:
        """A batch the history says ended and was never announced (CatchUpSink)."""
        tracked = self._tracked.get(batch.batch_id)
        if tracked is None:
            self._announce(batch, save=False)  # discovery saves once, after the catch-up
        elif not tracked.finished:
            await self._reread(batch.batch_id)  # its full summary, through the merge

    def _hold_discovery(self, retry_after: float | None) -> None:
        """No discovery before the server's Retry-After has passed (capped as the
        followers cap theirs: a typo must not stop discovery for a day)."""
        if retry_after:
            wait = min(retry_after, self._policy.max_delay * 4)
            self._discovery_hold = asyncio.get_running_loop().time() + wait

    def _needs_follower(self, batch_id: str) -> bool:
        tracked = self._tracked.get(batch_id)
        if tracked is None or tracked.finished or self.account is not None:
            return False
        return tracked.follower is None or tracked.follower.finished

    def _needs_reread(self, batch_id: str) -> bool:
        """A known batch the active list no longer gives: with per-batch followers,
        one whose follower ended; on the account stream, any that is still open
        (it ended, or changed, while the stream could not say so)."""
        if self.account is not None:
            tracked = self._tracked.get(batch_id)
            return tracked is not None and not tracked.finished
        return self._needs_follower(batch_id)

    def _slot(self) -> contextlib.AbstractAsyncContextManager[Any]:
        return self._read_slots if self._read_slots is not None else contextlib.nullcontext()

    async def _reread(self, batch_id: str) -> Batch | None:
        try:
            async with self._slot():
                batch = await self._api.batch(batch_id)
        except ApiError as exc:
            gone = _gone_reason(exc)
            if gone is not None and batch_id not in self._tracked:
                self._not_found(batch_id, gone)  # nothing to show
                return None
            self._api_failed("batch", exc, batch_id)
            return None
        except AuthError as exc:
            self._auth_failed("batch", exc, batch_id)
            return None
        self._set_reachable(True)
        self._consider(batch)
        return batch

    def _not_found(self, batch_id: str, reason: str) -> None:
        """A remembered id the server does not know (another server's, or deleted) is
        asked for at most :data:`FORGET_AFTER` times in all, then dropped."""
        if self._memory.missed(self.user_id, batch_id) >= FORGET_AFTER:
            self._memory.forget(self.user_id, batch_id)
            log_event(_log, "batch_forgotten", batch_id=batch_id, reason=reason)

    def _consider(self, summary: Batch) -> None:
        tracked = self._tracked.get(summary.batch_id)
        if tracked is None:
            known = self._memory.get(self.user_id, summary.batch_id)
            first = apply_summary(None, summary)  # shown as the summary says
            tracked = _Tracked(batch=first.batch, seen=first.seen)
            self._tracked[summary.batch_id] = tracked
            self._memory.remember(self.user_id, first.batch)
            if known is not None and known.final and known.announced and first.batch.is_final:
                tracked.finished = True
            self._listener.batch_added(first.batch)
            if self.account is not None and not tracked.finished:
                self.account.adopt(summary.batch_id)
            self._check_finished(tracked)
        else:
            self._summary(tracked, summary)

    def _follow(self, batch_id: str) -> None:
        tracked = self._tracked[batch_id]
        if self._stopped or tracked.finished:
            return
        follower = BatchFollower(
            self._api,
            batch_id,
            self,
            self._policy,
            last_summary=tracked.batch,
            gate=self.connectivity,
        )
        tracked.follower = follower
        follower.start()

    # ------------------------------------------------------------ follower sink

    def follower_summary(self, batch: Batch) -> None:
        tracked = self._tracked.get(batch.batch_id)
        if tracked is not None:
            self._summary(tracked, batch)

    def follower_event(self, batch_id: str, event: StreamEvent) -> None:
        tracked = self._tracked.get(batch_id)
        if tracked is None or tracked.finished:
            return
        result = apply_event(tracked.batch, event, tracked.seen)
        if result.ignored is not None:
            if result.ignored == "duplicate_event":
                self.duplicate_events += 1
            elif isinstance(event, UnknownEvent):
                log_event(
                    _log, "unknown_event", logging.DEBUG, batch_id=batch_id, type=event.type[:40]
                )
        self._merged(tracked, result)

    def follower_state(self, batch_id: str, state: StreamState) -> None:
        if batch_id in self._tracked:
            self._listener.stream_state_changed(batch_id, state)

    def follower_reachable(self, reachable: bool) -> None:
        self._set_reachable(reachable)

    def follower_signed_out(self, batch_id: str) -> None:
        tracked = self._tracked.get(batch_id)
        if tracked is not None:
            tracked.follower = None

    # ------------------------------------------------------------ account sink

    async def account_connected(self) -> None:
        """The account stream (re)opened: the active list re-reads every running
        summary, and what it misses (ended meanwhile) is re-read by id."""
        try:
            await self.discover()
        except AuthError:
            return
        finally:
            self._first_done(True)

    def account_failed(self) -> None:
        """A connection of the account stream failed (it retries by itself)."""
        self._first_done(False)

    def _first_done(self, connected: bool) -> None:
        if self._first is not None and not self._first.done():
            self._first.set_result(connected)

    def account_event(self, batch_id: str, event: StreamEvent) -> None:
        if batch_id in self._tracked:
            self.follower_event(batch_id, event)
        elif not isinstance(event, UnknownEvent):
            self.account_batch_news(batch_id, "unknown batch")

    def account_batch_news(self, batch_id: str, kind: str) -> None:
        """Created, ended or controlled: read that summary now (once at a time)."""
        if self._stopped or batch_id in self._news_pending:
            return
        tracked = self._tracked.get(batch_id)
        if tracked is not None and tracked.finished and kind != "retrying":
            return
        self._news_pending.add(batch_id)
        self._spawn(self._read_news(batch_id, kind))

    async def _read_news(self, batch_id: str, kind: str) -> None:
        try:
            settle = kind in ("completed", "error", "cancelled")
            for delay in (0.0, *(self._policy.settle_delays if settle else ())):
                if delay:
                    await asyncio.sleep(delay)
                tracked = self._tracked.get(batch_id)
                if kind == "retrying" and tracked is not None and tracked.finished:
                    tracked.finished = False  # a finished batch runs again
                await self._reread(batch_id)
                tracked = self._tracked.get(batch_id)
                if tracked is None or tracked.finished or not settle:
                    break
            tracked = self._tracked.get(batch_id)
            if tracked is not None and not tracked.finished and self.account is not None:
                self.account.adopt(batch_id)
        finally:
            self._news_pending.discard(batch_id)

    def account_signed_out(self) -> None:
        pass  # the token manager tells the session, which stops this monitor

    # ------------------------------------------------------------ merging

    def _merged(self, tracked: _Tracked, result: MergeResult) -> None:
        """Keep what :mod:`.merge` made of a summary or an event, and tell the
        listener when the batch changed."""
        tracked.seen = result.seen
        if not result.changed:
            return
        batch = tracked.batch = result.batch
        save = self._memory.remember(self.user_id, batch) and (
            result.status_changed or batch.is_final
        )
        if save and not self._announcing(tracked):
            self._save_memory()  # else _check_finished saves it, announced, once
        self._listener.batch_updated(batch, result.changed_clips)
        self._check_finished(tracked)

    def _summary(self, tracked: _Tracked, summary: Batch) -> None:
        if is_new_run(tracked.batch, summary):
            self._reopen(tracked, summary)  # the server started it again
            return
        result = apply_summary(tracked.batch, summary, tracked.seen)
        if result.ignored == "stale_summary":
            log_event(
                _log,
                "stale_summary",
                logging.DEBUG,
                batch_id=summary.batch_id,
                status=summary.status_raw[:40],
            )
        self._merged(tracked, result)

    def _announcing(self, tracked: _Tracked) -> bool:
        """Whether :meth:`_check_finished` will announce (and save) this batch now."""
        if tracked.finished or not tracked.batch.is_final:
            return False
        known = self._memory.get(self.user_id, tracked.batch.batch_id)
        return known is None or not known.announced

    def _check_finished(self, tracked: _Tracked) -> None:
        batch = tracked.batch
        if not batch.is_final:
            return
        follower, tracked.follower = tracked.follower, None
        if follower is not None and not follower.finished:
            self._spawn(follower.stop())
        if self.account is not None:
            self.account.release(batch.batch_id)
        if tracked.finished:
            return
        tracked.finished = True
        known = self._memory.get(self.user_id, batch.batch_id)
        if known is not None and known.announced:
            return
        self._announce(batch)

    def _announce(self, batch: Batch, *, save: bool = True) -> None:
        """The one way a batch's end is told: remembered as announced, logged, heard."""
        self._memory.remember(self.user_id, batch, announced=True)
        if save:
            self._save_memory()
        known = self._memory.get(self.user_id, batch.batch_id)
        log_event(
            _log,
            "batch_finished",
            batch_id=batch.batch_id,
            status=batch.status_raw,
            published=batch.published,
            failed=batch.failed,
            total=batch.total,
            run=known.run if known is not None else 1,
        )
        self._listener.batch_finished(batch)

    # ------------------------------------------------------------ reachability

    def _api_failed(self, where: str, exc: ApiError, batch_id: str | None = None) -> None:
        if exc.kind in ("network", "unavailable"):
            self._set_reachable(False, exc.kind)
        # Precisely what failed (status, content type, field, timeout kind): issue 13.
        fields: dict[str, object] = {"where": where, **failure_fields(exc)}
        if batch_id:
            fields["batch_id"] = batch_id
        log_event(_log, "error", logging.WARNING, **fields)

    def _auth_failed(self, where: str, exc: AuthError, batch_id: str | None = None) -> None:
        """No token for this call. Signed out propagates (the caller stops); a
        passing refresh failure (offline, rate limited) is logged and retried on
        the next round, like a failed API call, instead of ending discovery."""
        if exc.reason == "session_expired":
            raise exc
        if exc.reason == "network":
            self._set_reachable(False)
        fields: dict[str, object] = {"where": where, "message": f"auth {exc.reason}"}
        if batch_id:
            fields["batch_id"] = batch_id
        log_event(_log, "error", logging.WARNING, **fields)

    def _set_reachable(self, reachable: bool, reason: str = "network") -> None:
        """What one request found; the app's one state is :attr:`connectivity`'s."""
        if self._stopped:
            return
        if reachable:
            self.connectivity.succeeded()
        else:
            self.connectivity.failed(reason)

    def connectivity_changed(self, online: bool, announce: bool) -> None:
        """Offline once per outage, back once (core.connectivity.ConnectivityListener)."""
        if self._stopped:
            return
        if online != self._reachable:
            self._reachable = online
            log_event(_log, "server_reachable", reachable=online)
        if not online and announce and not self._told_unreachable:
            self._told_unreachable = True
            self._listener.server_reachable_changed(False)
        elif online and self._told_unreachable:
            self._told_unreachable = False
            self._listener.server_reachable_changed(True)
        if online:
            # Back from an outage: what started meanwhile must be found now, and
            # every stream reconnects at once.
            self._spawn(self._rediscover())

    async def _rediscover(self) -> None:
        # No sooner than a Retry-After the server gave (the probe's answer says it
        # is reachable, not that it wants the list again now).
        hold = self._discovery_hold - asyncio.get_running_loop().time()
        if hold > 0:
            await asyncio.sleep(hold)
        try:
            # The followers waiting for the connectivity go on by themselves (and
            # re-read their summary as they connect); one in its backoff keeps the
            # server's Retry-After. The account stream reconnects now.
            await self.discover()
        except AuthError:
            return
        if self.account is not None:
            self.account.poke()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _save_memory(self) -> None:
        self._memory.save()
