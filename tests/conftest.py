"""Fixtures shared by every test folder: the local backend as a real process.

* ``backend_factory(**kwargs)`` starts a :class:`tests.backend.Backend` with those
  keyword arguments (``mode``, ``clip_seconds``, ``failure_rate``, ``token_ttl``,
  ``reuse_interval``, ``heartbeat``, ``seed_demo``, ``extra_args`` …) on its own
  database in the test's temporary folder, and stops every one at teardown.
* ``backend``: one started in default mode with fast clips (0.05 s each).

A test that fails prints the server's standard error (pytest shows captured
output), which is where the backend logs what it did.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.backend import Backend


@pytest.fixture
def backend_factory(tmp_path: Path) -> Iterator[Callable[..., Backend]]:
    created: list[Backend] = []

    def make(**kwargs: Any) -> Backend:
        kwargs.setdefault("db_path", tmp_path / f"backend-{len(created)}.sqlite3")
        backend = Backend(**kwargs)
        created.append(backend)
        return backend.start()

    yield make
    for backend in created:
        backend.stop()
        log = backend.log()
        if log:
            print(f"--- backend {backend.url} stderr ---\n{log}", file=sys.stderr)


@pytest.fixture
def backend(backend_factory: Callable[..., Backend]) -> Backend:
    return backend_factory()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, so a fixture can see whether the test passed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def _no_unexpected_app_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test whose app process logged an error it did not declare fails
    (tests/app_process.py): the error lines are printed with the failure."""
    from tests import app_process

    app_process.LIVE.clear()
    yield
    apps, app_process.LIVE[:] = list(app_process.LIVE), []
    call = getattr(request.node, "report_call", None)
    if call is None or not call.passed:
        return  # the test's own failure says more
    found = [(app.log_path, e) for app in apps for e in app.unexpected_errors()]
    if found:
        lines = "\n".join(f"{path}: {json.dumps(event)}" for path, event in found[:20])
        pytest.fail(f"the app logged {len(found)} error line(s) the test did not expect:\n{lines}")
