"""Fixtures for desktop-session tests, and the registration of tests/e2e/plugin.py.

Outside tests/e2e/session.sh every test here skips with a reason naming what is
missing (the Debian package) — or fails when STORYCLIP_REQUIRE_DESKTOP=1 (CI), so CI
can never pass on skipped desktop tests. Which tray mode a test runs in, and the
bookkeeping that proves every desktop test ran, live in plugin.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from tests.e2e import plugin
from tests.e2e.desktop import (
    ENV_PASS,
    DesktopSession,
    current_session,
    desktop_required,
    dunst_clear,
    dunst_history,
    dunst_history_with_ids,
    keyring_get,
    not_in_session_reason,
    screenshot,
    wait_until,
)

__all__ = [
    "dunst_clear",
    "dunst_history",
    "dunst_history_with_ids",
    "keyring_get",
    "screenshot",
    "wait_until",
]


def pytest_configure(config: pytest.Config) -> None:
    # run_passes.sh loads the plugin with -p; a plain pytest run gets it from here.
    if config.pluginmanager.get_plugin(plugin.NAME) is None:
        config.pluginmanager.register(plugin, plugin.NAME)


@pytest.fixture
def desktop_session(request: pytest.FixtureRequest) -> DesktopSession:
    """The desktop session this test runs in; skips (fails in CI) outside session.sh."""
    modes = plugin.tray_modes(request.node)
    session = current_session()
    if session is None:
        mode = os.environ.get(ENV_PASS) or modes[0]
        reason = not_in_session_reason(mode)
        if desktop_required():
            pytest.fail(f"STORYCLIP_REQUIRE_DESKTOP=1 and {reason}", pytrace=False)
        pytest.skip(reason)
    if session.tray_mode not in modes:
        pytest.fail(f"runs in tray modes {modes}, but the session is {session.tray_mode}")
    return session


@pytest.fixture(autouse=True)
def _needs_desktop_session(request: pytest.FixtureRequest) -> None:
    """Every test here needs the session, whether or not it asks for the fixture."""
    request.getfixturevalue("desktop_session")


@pytest.fixture
def clean_notifications(desktop_session: DesktopSession) -> None:
    """Start the test with an empty dunst history (see dunst_clear)."""
    dunst_clear()


@pytest.fixture
def report_figure(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Print a measured figure (a latency, a duration) in the run's summary."""

    def report(text: str) -> None:
        plugin.FIGURES.append(f"{request.node.name}: {text}")

    return report
