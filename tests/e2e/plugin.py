"""The pytest side of the desktop-session passes: tray modes, deselection, plan, report.

A desktop test (marker `desktop`, in any folder) runs in the sessions named by its
`tray(*modes)` marker (xembed, sni, none), or in the `none` session when it has
none. tests/e2e/run_passes.sh loads this plugin (`-p tests.e2e.plugin`) in every
pytest it starts: at collection it writes the plan ({nodeid: [modes]}) to
$STORYCLIP_E2E_PLAN; inside a pass ($STORYCLIP_E2E_PASS, else the session's own
$STORYCLIP_E2E_SESSION) it deselects, never skips, the desktop tests of other modes,
and writes each test's outcome to $STORYCLIP_E2E_REPORT, so run_passes.sh can prove
the passes together ran every desktop test. tests/e2e/conftest.py registers it too,
so a plain `pytest` or a session.sh run behaves the same.
"""

from __future__ import annotations

import json
import os
from collections.abc import Generator
from pathlib import Path

import pytest

from tests.e2e.desktop import (
    ENV_PASS,
    ENV_PLAN,
    ENV_REPORT,
    ENV_SESSION,
    TRAY_MODES,
    current_session,
)

NAME = "tests.e2e.plugin"
E2E_DIR = Path(__file__).resolve().parent
DEFAULT_MODES = ("none",)

FIGURES: list[str] = []  # measured figures tests report, printed in the summary
_OUTCOMES: dict[str, str] = {}
_RANK = {"passed": 0, "xfailed": 1, "skipped": 2, "failed": 3, "error": 4}


def in_e2e(item: pytest.Item) -> bool:
    return E2E_DIR in Path(item.path).resolve().parents


def is_desktop(item: pytest.Item) -> bool:
    return item.get_closest_marker("desktop") is not None


def tray_modes(item: pytest.Item) -> tuple[str, ...]:
    marker = item.get_closest_marker("tray")
    return tuple(marker.args) if marker else DEFAULT_MODES


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "tray(*modes): the tests/e2e/session.sh tray modes (xembed, sni, none) a desktop "
        "test runs in (default: none); tests/e2e/run_passes.sh runs one session per mode",
    )


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> Generator[None, None, None]:
    """Check the rules on every item before -m/-k hide some; then drop other modes' tests."""
    _check_rules(items)
    yield
    _deselect_other_modes(config, items)


def _check_rules(items: list[pytest.Item]) -> None:
    problems = []
    for item in items:
        if in_e2e(item) and not is_desktop(item):
            problems.append(f"{item.nodeid}: in tests/e2e but not marked desktop (pytestmark)")
        marker = item.get_closest_marker("tray")
        if marker and (not marker.args or not set(marker.args) <= set(TRAY_MODES)):
            problems.append(f"{item.nodeid}: tray(...) takes modes out of {TRAY_MODES}")
        if marker and not is_desktop(item):
            problems.append(f"{item.nodeid}: has tray(...) but is not marked desktop")
    if problems:
        raise pytest.UsageError("desktop test rules broken:\n  " + "\n  ".join(problems))


def _deselect_other_modes(config: pytest.Config, items: list[pytest.Item]) -> None:
    mode = os.environ.get(ENV_PASS) or os.environ.get(ENV_SESSION)
    if not mode:
        return
    kept: list[pytest.Item] = []
    other: list[pytest.Item] = []
    for item in items:
        (other if is_desktop(item) and mode not in tray_modes(item) else kept).append(item)
    if other:
        config.hook.pytest_deselected(items=other)
        items[:] = kept


def pytest_collection_finish(session: pytest.Session) -> None:
    plan_path = os.environ.get(ENV_PLAN)
    if plan_path:
        plan = {item.nodeid: list(tray_modes(item)) for item in session.items if is_desktop(item)}
        Path(plan_path).write_text(json.dumps(plan, indent=1), encoding="utf-8")


def pytest_report_header(config: pytest.Config) -> str | None:
    session = current_session()
    if session is None:
        return None
    return (
        f"desktop session: tray={session.tray_mode} display={session.display} "
        f"artifacts={session.artifacts}"
    )


def _record(nodeid: str, outcome: str) -> None:
    previous = _OUTCOMES.get(nodeid)
    if previous is None or _RANK[outcome] > _RANK[previous]:
        _OUTCOMES[nodeid] = outcome


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not os.environ.get(ENV_REPORT):
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        if report.skipped and hasattr(report, "wasxfail"):
            _record(report.nodeid, "xfailed")
        elif report.failed and report.when == "setup":
            _record(report.nodeid, "error")
        else:
            _record(report.nodeid, report.outcome)
    elif report.when == "teardown" and report.failed:
        _record(report.nodeid, "error")


def pytest_sessionfinish(session: pytest.Session) -> None:
    report_path = os.environ.get(ENV_REPORT)
    if report_path:
        desktop = {item.nodeid for item in session.items if is_desktop(item)}
        ran = {nodeid: outcome for nodeid, outcome in _OUTCOMES.items() if nodeid in desktop}
        Path(report_path).write_text(json.dumps(ran, indent=1), encoding="utf-8")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        session = current_session()
        mode = session.tray_mode if session else "?"
        terminalreporter.section(f"desktop session figures (tray={mode})")
        for line in FIGURES:
            terminalreporter.write_line(line)
