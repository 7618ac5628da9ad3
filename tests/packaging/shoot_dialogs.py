"""Shows the settings and About dialogs on the session's X display (Qt's xcb
platform, as a user's desktop would) and saves pictures of them.

    python -m tests.packaging.shoot_dialogs OUT_DIR API_URL ANON_KEY API_KEY

Run by tests/ui/test_settings_screenshots.py inside tests/e2e/session.sh: the
settings use the session's real Secret Service for the API key; "Test connection"
runs against the local backend at API_URL. Prints one JSON line of what it did.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import qasync
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from storyclip_desktop.core.secrets import api_key_entry
from storyclip_desktop.ui.about import AboutDialog
from storyclip_desktop.ui.resources import install_translator
from storyclip_desktop.ui.settings_actions import SettingsActions
from storyclip_desktop.ui.settings_dialog import SettingsDialog


async def settle(app: QApplication, seconds: float = 0.3) -> None:
    """Let the window system map and paint the window."""
    end = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < end:
        app.processEvents()
        await asyncio.sleep(0.02)


async def until(predicate: object, limit: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + limit
    while not predicate():  # type: ignore[operator]
        if loop.time() > end:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.05)


def save(widget: QWidget, path: Path) -> str:
    image = widget.grab().toImage()
    image.save(str(path))
    return path.name


async def main(
    app: QApplication, out: Path, url: str, anon: str, api_key: str
) -> dict[str, object]:
    done: dict[str, object] = {"files": []}
    files: list[str] = done["files"]  # type: ignore[assignment]
    for lang in ("en", "es"):
        install_translator(app, lang)
        store = QSettings(str(out / f"settings-{lang}.ini"), QSettings.Format.IniFormat)
        actions = SettingsActions(store, api_key_entry(), env={"HOME": str(out)})
        dialog = SettingsDialog(actions, first_run=True)
        dialog.show()
        await until(lambda d=dialog: d.api_key.edit.isEnabled())
        await settle(app)
        files.append(save(dialog, out / f"settings-first-run-{lang}.png"))
        dialog.api_url.edit.setText(url)
        dialog.supabase_url.edit.setText(url)
        dialog.anon_key.edit.setText(anon)
        dialog.api_key.edit.setText(api_key)
        dialog.test_connection()
        await until(lambda d=dialog: d.test_button.isEnabled() and "✓" in d.test_result.text())
        await settle(app)
        files.append(save(dialog, out / f"settings-{lang}.png"))
        done[f"result_{lang}"] = dialog.test_result.text()
        dialog.api_url.edit.setText("http://story.example.app")
        await settle(app, 0.1)
        files.append(save(dialog, out / f"settings-invalid-{lang}.png"))
        dialog.api_url.edit.setText(url)
        dialog.tabs.setCurrentIndex(1)
        await settle(app)
        files.append(save(dialog, out / f"settings-general-{lang}.png"))
        dialog.save()
        await until(lambda d=dialog: not d.isVisible())
        done[f"problems_{lang}"] = dialog.saved_problems
        about = AboutDialog()
        about.show()
        await settle(app)
        files.append(save(about, out / f"about-{lang}.png"))
        about.close()
    return done


def run() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    QApplication.setOrganizationName("StoryClipScreenshots")
    app.setQuitOnLastWindowClosed(False)
    result: dict[str, object] = {}

    async def go() -> None:
        result.update(await main(app, out, sys.argv[2], sys.argv[3], sys.argv[4]))

    QTimer.singleShot(120_000, app.quit)  # never hang a test run
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(go())
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
