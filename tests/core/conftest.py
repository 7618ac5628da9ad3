"""Hypothesis profiles for the core tests.

``ci`` (the default) keeps the property tests to a bounded number of examples so
the whole folder stays fast on two cores; ``deep`` runs many more on demand:
``HYPOTHESIS_PROFILE=deep .venv/bin/pytest tests/core/test_fuzz_parsers.py``
(about six minutes on two cores; the per-test timeout is lifted for the property
tests in that profile only, since one of them alone takes about two minutes).
No deadline in either: a loaded CI machine must not turn a slow example into a
failure (timings are the benchmarks' business, not the tests').

The example database lives in the repository's git-ignored ``.hypothesis/``
whatever the working directory, so a failure found once is replayed first next
time on this machine and nothing lands in the tree.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

_REPO = Path(__file__).resolve().parents[2]
_DATABASE = DirectoryBasedExampleDatabase(_REPO / ".hypothesis" / "examples")

settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    print_blob=True,
    database=_DATABASE,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "deep",
    max_examples=5000,
    deadline=None,
    print_blob=True,
    database=_DATABASE,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if PROFILE != "deep":
        return
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.timeout(0))
