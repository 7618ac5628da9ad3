"""The local backend's history by finish time (default mode): what a catch-up and a
history view page through. Seeded rows stand for days of publishing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.backend import Backend


def history(backend: Backend, expect: int = 200, **params: Any) -> dict[str, Any]:
    response = backend.http.get(
        f"{backend.url}/api/metricool/batches",
        params=params,
        headers=backend.api_headers(backend.access_token()),
    )
    assert response.status_code == expect, response.text
    body: dict[str, Any] = response.json()
    return body


def test_capabilities_advertise_the_cursor(backend: Backend) -> None:
    body = backend.http.get(
        f"{backend.url}/api/metricool/capabilities", headers=backend.api_headers()
    ).json()
    assert body["history"] is True
    assert body["historyCursor"] is True


def test_a_cursor_pages_by_finish_time_without_gaps_or_repeats(backend: Backend) -> None:
    """Ten batches end in the same second: a page boundary inside that second must
    neither repeat nor skip any of them (``afterId`` breaks the tie)."""
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    spread = backend.seed_history(30, days=1, end=end - timedelta(seconds=5), prefix="a")
    tied = backend.seed_history(10, days=0, end=end, prefix="t")
    read: list[str] = []
    after, after_id = (end - timedelta(days=2)).isoformat(), None
    while True:
        params: dict[str, Any] = {"order": "asc", "limit": 7, "clips": "none"}
        params["finishedAfter"] = after
        if after_id is not None:
            params["afterId"] = after_id
        page = history(backend, **params)["batches"]
        for batch in page:
            assert "clips" not in batch
        read += [b["batchId"] for b in page]
        if len(page) < 7:
            break
        after, after_id = page[-1]["completedAt"], page[-1]["batchId"]
    assert read == spread + sorted(tied)


def test_newest_first_with_a_date_range_search_and_clips(backend: Backend) -> None:
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    ids = backend.seed_history(48, days=2, end=end, clips=3, prefix="r")
    newest = history(backend, limit=5)["batches"]
    assert [b["batchId"] for b in newest] == ids[::-1][:5]
    assert [c["index"] for c in newest[0]["clips"]] == [1, 2, 3]
    # The last day only (ends are an hour apart: 24 of them), failed ones only.
    day = history(
        backend,
        limit=200,
        status="failed",
        finishedAfter=(end - timedelta(hours=23, minutes=30)).isoformat(),
        finishedBefore=(end + timedelta(seconds=1)).isoformat().replace("+00:00", "Z"),
    )["batches"]
    assert {b["status"] for b in day} == {"failed"}
    assert [b["batchId"] for b in day] == [i for i in ids[24:][::-1] if int(i[-6:]) % 7 == 3]
    # Search by a clip title, and by a job id.
    found = history(backend, q="r 17 clip 2", clips="none")["batches"]
    assert [b["batchId"] for b in found] == [ids[17]]
    assert [b["batchId"] for b in history(backend, q="job_r_4")["batches"]] == [
        ids[i] for i in (47, 46, 45, 44, 43, 42, 41, 40, 4)
    ]
    assert history(backend, q="100%_")["batches"] == []


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"order": "sideways"}, "INVALID_ORDER"),
        ({"clips": "some"}, "INVALID_CLIPS"),
        ({"finishedAfter": "yesterday"}, "INVALID_FINISHEDAFTER"),
        ({"afterId": "batch_1"}, "INVALID_AFTER_ID"),
        ({"finishedBefore": "x" * 100}, "INVALID_FINISHEDBEFORE"),
    ],
)
def test_bad_history_queries_are_refused(
    backend: Backend, params: dict[str, str], code: str
) -> None:
    assert history(backend, expect=400, **params)["code"] == code
