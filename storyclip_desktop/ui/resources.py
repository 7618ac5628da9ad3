"""Icons and translations shipped inside the package, and choosing the language.

Resources live in ``storyclip_desktop/resources`` so that ``importlib.resources``
finds them in a checkout, a wheel or a frozen build alike; icons are SVG so Qt's
SVG icon engine renders them sharp at any device pixel ratio.
"""

from __future__ import annotations

import contextlib
import enum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QIcon

if TYPE_CHECKING:
    # Not imported at run time: the first window loads this module, the core's
    # model is not needed until batches are shown (start-up time).
    from storyclip_desktop.core.model import ClipStatus

__all__ = [
    "LANGUAGES",
    "TrayState",
    "app_icon",
    "choose_language",
    "clip_status_icon",
    "icon",
    "icon_path",
    "install_translator",
    "translations_dir",
]

LANGUAGES = ("es", "en")

# Files extracted from a zip import stay valid for the life of the process.
_extracted = contextlib.ExitStack()


@cache
def _resource_dir(name: str) -> Path:
    # Files on disk (a checkout, a wheel, a frozen build's folder): used as they are,
    # without loading importlib.resources before the first window (start-up time).
    here = Path(__file__).parent.parent / "resources" / name
    if here.is_dir():
        return here
    from importlib import resources

    root = resources.files("storyclip_desktop").joinpath("resources", name)
    if isinstance(root, Path):
        return root
    return Path(_extracted.enter_context(resources.as_file(root)))


def icon_path(name: str) -> Path:
    """Path of ``resources/icons/<name>.svg`` (a real file, for Qt and D-Bus)."""
    return _resource_dir("icons") / f"{name}.svg"


def translations_dir() -> Path:
    return _resource_dir("translations")


@cache
def icon(name: str) -> QIcon:
    """A cached QIcon for one SVG; needs a QGuiApplication."""
    return QIcon(str(icon_path(name)))


def app_icon() -> QIcon:
    return icon("app")


class TrayState(enum.Enum):
    """What the tray icon shows."""

    IDLE = "idle"
    PUBLISHING = "publishing"
    PROBLEM = "problem"


# By ClipStatus name (see the import above).
_CLIP_ICONS = {
    "PENDING": "clip-pending",
    "UPLOADING": "clip-uploading",
    "WAITING_CONFIRMATION": "clip-waiting",
    "SCHEDULING": "clip-scheduling",
    "SCHEDULED": "clip-scheduled",
    "PUBLISHED": "clip-published",
    "FAILED": "clip-failed",
    "UNKNOWN": "clip-unknown",
}


def clip_status_icon(status: ClipStatus) -> QIcon:
    return icon(_CLIP_ICONS.get(status.name, "clip-unknown"))


# ---------------------------------------------------------------- language

# Kept alive here: a QTranslator that is garbage-collected silently stops translating.
_installed: list[QTranslator] = []


def choose_language(lang: str | None = None) -> str:
    """``--lang`` when given (``es``, ``es_MX``, ``en-GB``...), else the system's:
    Spanish for a Spanish system, English for everything else."""
    if lang:
        code = lang.strip().lower().replace("-", "_")
        return "es" if code.startswith("es") else "en"
    system = QLocale.system()
    if system.language() == QLocale.Language.Spanish:
        return "es"
    return "en"


def install_translator(app: QCoreApplication, lang: str | None = None) -> str:
    """Install the app's and Qt's own translations for the chosen language.

    Returns the language code used (``"es"`` or ``"en"``). Calling it again
    replaces the previous translators. Dates and numbers follow the chosen
    language when the system's differs, so a Spanish UI never shows English dates.
    """
    chosen = choose_language(lang)
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()

    own = QTranslator(app)
    if own.load(f"storyclip_{chosen}", str(translations_dir())):
        app.installTranslator(own)
        _installed.append(own)
    qt = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt.load(f"qtbase_{chosen}", qt_dir):
        app.installTranslator(qt)
        _installed.append(qt)

    wanted = QLocale.Language.Spanish if chosen == "es" else QLocale.Language.English
    if QLocale.system().language() != wanted:
        QLocale.setDefault(QLocale(wanted))
    else:
        QLocale.setDefault(QLocale.system())
    return chosen
