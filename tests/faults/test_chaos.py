"""The chaos run, short and with a fixed seed (tests/faults/chaos.py has the full one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.chaos import chaos
from tests.faults.conftest import Row

SEED = 1


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_chaos_short_fixed_seed(tmp_path: Path, row: Row) -> None:
    """Chaos (seed 1, about 2 minutes): kills, outages, slow answers, drops, restarts."""
    lines: list[str] = []
    outcomes = chaos(SEED, minutes=2.0, batches=14, folder=tmp_path, say=lines.append)
    problems = [f"[{o.mode}] {p}" for o in outcomes for p in o.problems]
    assert not problems, (
        f"seed {SEED} (replay: python -m tests.faults.chaos --minutes 2 --batches 14 "
        f"--seed {SEED}):\n" + "\n".join(problems + lines)
    )
    for o in outcomes:
        assert o.batches >= 5, o  # the schedule really created batches
        assert o.ended >= 1, o
        # Catch-up (a batch that starts and ends while the app is closed) is a
        # later issue; the schedule makes such batches rare, not impossible.
        # (In upstream mode a 2-minute run leaves many short batches unseen: list
        # outages and restarts outlast them. The full run's note gives the ratio.)
        assert o.ended - o.unseen >= 1, o
    row.detail = "; ".join(
        f"{o.mode}: {o.batches} batches, {o.ended} ended exact once, {o.orphaned} orphaned, "
        f"{o.unseen} unseen, {sum(o.actions.values()) - o.actions.get('create', 0)} faults"
        for o in outcomes
    )
