"""Tokens running out under open streams, a revoked session, a sleeping machine."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import pytest

from tests.backend import Backend
from tests.faults.conftest import FAST, LogCapture, Rig, Row, assert_finished_once
from tests.monitoring import assert_exact, until

pytestmark = pytest.mark.anyio

TTL = 3  # seconds an access token lives in these scenarios (an hour in production)


async def test_access_token_expires_under_open_streams(
    backend_factory: Callable[..., Backend], rig: Rig, row: Row, logs: LogCapture
) -> None:
    """Access token expires while streams are open (TTL 3 s)."""
    backend = backend_factory(clip_seconds=0.2, token_ttl=TTL)
    client = await rig.client(backend)
    rec = client.recorder
    ids = [backend.create_batch(30), backend.create_batch(26, fail=[5]), backend.create_batch(28)]
    await rig.monitor(client)
    await until(lambda: all(rec.last_state(i) == "live" for i in ids), what="all live")
    start_refreshes = client.sessions.refresh_count
    # Streams reopened after the first token died must carry a fresh one.
    await until(lambda: client.sessions.refresh_count >= start_refreshes + 2, timeout=10,
                what="two refreshes")  # fmt: skip
    expired_at = time.monotonic()
    backend.faults(drop_stream_after=3)
    await until(
        lambda: all(rec.first_state_after(i, expired_at, "reconnecting") for i in ids),
        what="reconnects with a new token",
    )
    backend.faults(drop_stream_after=None)
    ended = time.monotonic()
    lives = await until(
        lambda: [rec.first_state_after(i, ended, "live", "finished") for i in ids]
        if all(rec.first_state_after(i, ended, "live", "finished") for i in ids) else None,
        what="live again",
    )  # fmt: skip
    row.recovered(max(lives) - ended)
    await until(lambda: len(rec.finished) == 3, timeout=30, what="all finished")
    assert_finished_once(rec, ids)
    for batch in rec.finished:
        assert_exact(batch, backend)
    assert client.signed_out == []
    rejected = logs.events("api.token_rejected")
    refreshes = client.sessions.refresh_count
    assert refreshes >= 3
    # Refreshed ahead of expiry on its own clock: no call went out with a dead token.
    assert len(rejected) == 0, rejected
    row.detail = f"{refreshes} refreshes, {len(rejected)} 401s, no sign-out; 3 batches exact"


async def test_refresh_token_revoked_signs_out_once(
    backend_factory: Callable[..., Backend], rig: Rig, row: Row, logs: LogCapture
) -> None:
    """Refresh token revoked on the server (signed out once, no retry storm)."""
    backend = backend_factory(clip_seconds=0.3, token_ttl=TTL)
    client = await rig.client(backend)
    rec = client.recorder
    ids = [backend.create_batch(30), backend.create_batch(30)]
    monitor = await rig.monitor(client)
    await until(lambda: all(rec.last_state(i) == "live" for i in ids), what="all live")
    revoked_at = time.monotonic()
    assert backend.revoke() >= 1
    await until(lambda: client.signed_out, timeout=10, what="signed out")
    row.recovered(time.monotonic() - revoked_at)  # time to notice, here
    await until(
        lambda: all(monitor.follower(i) is None or monitor.follower(i).finished  # type: ignore[union-attr]
                    or rec.last_state(i) == "closed" for i in ids),
        what="streams stopped",
    )  # fmt: skip
    await until(lambda: backend.info()["open_streams"] == 0, what="server sees no stream")
    requests_then = client.sessions.refresh_count
    api_errors_then = len(logs.events("api.error"))
    # An observation window: nothing may keep knocking on the server's door.
    await asyncio.sleep(3 * FAST.max_delay + 1.0)
    assert client.signed_out == ["revoked"]
    assert rec.signed_out_reasons == ["revoked"]
    assert client.sessions.refresh_count == requests_then
    assert len(logs.events("api.error")) == api_errors_then
    failed = logs.events("auth.refresh_failed")
    assert len(failed) == 1, failed
    assert failed[0]["code"] == "refresh_token_not_found"
    assert not rec.finished  # the batches still run on the server; nobody said they ended
    assert all(rec.last_state(i) == "closed" for i in ids)
    row.detail = (
        "noticed at the next refresh (recovery = time to sign-out); 1 refused refresh, "
        "1 signed-out call (revoked), streams closed, 0 requests after"
    )


async def test_machine_sleeps_then_catches_up(
    backend_factory: Callable[..., Backend], rig: Rig, row: Row, logs: LogCapture
) -> None:
    """Machine sleeps: loop frozen past the token TTL and the watchdog."""
    backend = backend_factory(clip_seconds=0.2, token_ttl=TTL)
    client = await rig.client(backend)
    rec = client.recorder
    ids = [backend.create_batch(30), backend.create_batch(28, fail=[3])]
    monitor = await rig.monitor(client)
    await until(lambda: all(rec.published(i) >= 2 for i in ids), what="progress")
    frozen = TTL + 1.5
    assert frozen > FAST.watchdog
    assert frozen > TTL
    # Blocking the loop on purpose is the fault: nothing runs while the "lid" is shut.
    time.sleep(frozen)  # noqa: ASYNC251
    awake = time.time()
    woke = time.monotonic()
    # Caught up = showing at least what the server had done when the lid opened.
    server = {i: backend.batch(i) for i in ids}
    target = {i: s["published"] + s["failed"] for i, s in server.items()}
    shown = {i: rec.latest[i].published + rec.latest[i].failed for i in ids}
    assert any(shown[i] < target[i] for i in ids), "the server moved on while asleep"
    await until(
        lambda: all(rec.latest[i].published + rec.latest[i].failed >= target[i] for i in ids),
        what="caught up",
    )
    row.recovered(time.monotonic() - woke)
    await until(lambda: len(rec.finished) == 2, timeout=30, what="both finished")
    assert_finished_once(rec, ids)
    for batch in rec.finished:
        assert_exact(batch, backend)
    assert client.signed_out == []
    # No burst of errors on waking: at most one warning per batch (a stale stream
    # found by the watchdog is INFO; a 401 answered by a refresh is not an error).
    errors = [r for r in logs.at_least(logging.WARNING, since=awake) if r.name != "storyclip.vault"]
    assert len(errors) <= len(ids), [(r.getMessage(), getattr(r, "fields", "")) for r in errors]
    assert monitor.duplicate_events == 0
    refreshed = logs.events("auth.refreshed", since=awake)
    assert refreshed, "the dead token was replaced on waking"
    row.detail = (
        f"loop frozen {frozen:g} s (TTL {TTL} s, watchdog {FAST.watchdog:g} s); "
        f"{sum(target.values()) - sum(shown.values())} clips behind on waking, "
        f"{len(errors)} warnings after; exact"
    )
