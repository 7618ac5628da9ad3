"""The monitor's memory: what makes "announced exactly once" survive a restart."""

from __future__ import annotations

import json
from pathlib import Path

from storyclip_desktop.core.memory import MAX_PER_USER, MonitorMemory
from storyclip_desktop.core.model import Batch, BatchStatus


def _batch(batch_id: str, status: str = "processing", published: int = 1) -> Batch:
    return Batch(
        batch_id=batch_id,
        status=BatchStatus.from_raw(status),
        status_raw=status,
        total=5,
        published=published,
        failed=0,
    )


def test_announced_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "data" / "memory.json"
    first = MonitorMemory(path)
    first.remember("u1", _batch("b1", "completed", 5), announced=True)
    first.remember("u1", _batch("b2"))
    assert first.save()

    second = MonitorMemory(path)
    b1 = second.get("u1", "b1")
    b2 = second.get("u1", "b2")
    assert b1 is not None
    assert b1.announced
    assert b1.final
    assert b1.published == 5
    assert b2 is not None
    assert not b2.announced
    assert not b2.final
    assert second.batches("someone-else") == {}


def test_remember_keeps_the_announced_flag(tmp_path: Path) -> None:
    memory = MonitorMemory(tmp_path / "m.json")
    memory.remember("u", _batch("b", "completed", 5), announced=True)
    assert not memory.remember("u", _batch("b", "completed", 5))
    entry = memory.get("u", "b")
    assert entry is not None
    assert entry.announced


def test_file_holds_no_secrets_and_is_small(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    memory = MonitorMemory(path)
    for i in range(MAX_PER_USER + 50):
        memory.remember("u", _batch(f"b{i}", "completed", 5), announced=True)
    memory.save()
    data = json.loads(path.read_text())
    assert len(data["users"]["u"]) == MAX_PER_USER
    assert set(next(iter(data["users"]["u"].values()))) == {
        "status",
        "published",
        "failed",
        "total",
        "final",
        "announced",
        "seen_at",
    }


def test_unfinished_batches_are_never_forgotten(tmp_path: Path) -> None:
    memory = MonitorMemory(tmp_path / "m.json")
    memory.remember("u", _batch("running"))
    for i in range(MAX_PER_USER + 10):
        memory.remember("u", _batch(f"b{i}", "completed", 5), announced=True)
    assert memory.get("u", "running") is not None


def test_unwritable_path_is_reported_not_fatal(tmp_path: Path) -> None:
    """A file where the data directory should be: fails for root too."""
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    memory = MonitorMemory(blocker / "m.json")
    memory.remember("u", _batch("b"))
    assert memory.save() is False
    assert memory.problem == "read_only"
    assert memory.get("u", "b") is not None  # still remembered in memory


def test_corrupt_file_is_reported_and_replaced(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text("{not json")
    memory = MonitorMemory(path)
    assert memory.problem == "unreadable"
    memory.remember("u", _batch("b"))
    assert memory.save()
    assert MonitorMemory(path).get("u", "b") is not None


def test_a_finished_batch_that_runs_again_is_a_new_run_whose_end_is_not_yet_told(
    tmp_path: Path,
) -> None:
    """Retry failed / resume after the end (issue 16): the memory counts runs, so the
    second end is announced too; a file written before runs existed still reads."""
    path = tmp_path / "memory.json"
    path.write_text(
        json.dumps(
            {
                "version": 1,
                "users": {
                    "u1": {
                        "b1": {
                            "status": "completed",
                            "published": 2,
                            "failed": 1,
                            "total": 3,
                            "final": True,
                            "announced": True,
                            "seen_at": 1.0,
                        }
                    }
                },
            }
        )
    )
    memory = MonitorMemory(path)
    old = memory.get("u1", "b1")
    assert old is not None
    assert (old.run, old.announced) == (1, True)
    # A stale non-final read never reaches the memory (the merge keeps the end); a
    # real new run does: not announced, run 2.
    assert memory.remember("u1", _batch("b1", "processing"))
    again = memory.get("u1", "b1")
    assert again is not None
    assert (again.run, again.announced, again.final) == (2, False, False)
    memory.remember("u1", _batch("b1", "completed", published=3), announced=True)
    memory.save()
    reread = MonitorMemory(path).get("u1", "b1")
    assert reread is not None
    assert (reread.run, reread.announced, reread.published) == (2, True, 3)
