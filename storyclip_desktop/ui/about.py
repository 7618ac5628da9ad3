"""About the app (version, Qt and Python, licences) and the diagnostics a user
copies into a support request.

Diagnostics are built to be pasted anywhere: versions, the settings with the keys
replaced by their presence, and the last log lines scrubbed by the log's own
:class:`~storyclip_desktop.jsonlog.Redactor` (known secrets, JWTs, bearer tokens).
"""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from storyclip_desktop import __version__
from storyclip_desktop.config import LOG_FILE, AppSettings
from storyclip_desktop.jsonlog import REDACTOR, Redactor

from .batch_card import plain_label
from .resources import app_icon

__all__ = ["COMPONENTS", "AboutDialog", "diagnostics_text", "last_log_lines", "versions"]

#: What the app is made of and under which licence (shipped in the frozen build too).
COMPONENTS: tuple[tuple[str, str, str], ...] = (
    # (name shown, distribution name, licence)
    ("StoryClip Desktop", "storyclip-desktop", "MIT"),
    ("Qt", "", "LGPL-3.0-only"),
    ("Qt for Python (PySide6)", "PySide6-Essentials", "LGPL-3.0-only"),
    ("Python", "", "PSF-2.0"),
    ("qasync", "qasync", "BSD-2-Clause"),
    ("HTTPX", "httpx", "BSD-3-Clause"),
    ("keyring", "keyring", "MIT"),
    ("platformdirs", "platformdirs", "MIT"),
    ("SecretStorage", "SecretStorage", "BSD-3-Clause"),
    ("jeepney", "jeepney", "MIT"),
    ("cryptography", "cryptography", "Apache-2.0 OR BSD-3-Clause"),
    ("Starlette", "starlette", "BSD-3-Clause"),
    ("Uvicorn", "uvicorn", "BSD-3-Clause"),
    ("PyJWT", "PyJWT", "MIT"),
)


def _dist_version(name: str) -> str | None:
    if not name:
        return None
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def versions() -> dict[str, str]:
    """The versions a support person asks for first."""
    frozen = "frozen" if getattr(sys, "frozen", False) else "python"
    return {
        "storyclip-desktop": __version__,
        "qt": qVersion(),
        "pyside6": pyside_version,
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "build": frozen,
    }


def last_log_lines(folder: Path, count: int = 200, name: str = LOG_FILE) -> list[str]:
    """The last ``count`` lines of the rotating log, reaching into older files if needed."""
    lines: list[str] = []
    paths = [folder / name, *(folder / f"{name}.{i}" for i in range(1, 10))]
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            break
        lines = text.splitlines() + lines
        if len(lines) >= count:
            break
    return lines[-count:]


#: What the app cannot know on a server without a history (the ``capabilities`` log
#: line says which kind of server this is: ``history: false`` is the deployed backend).
UNSEEN_NOTE = (
    "what the app cannot see: where the server keeps no history (capabilities"
    " history=false, the deployed StoryClip backend), only the batches this app saw"
    " running can be announced and shown; a batch that started and ended while the"
    " app was closed, offline or signed out is never known to it."
)


def diagnostics_text(
    settings: AppSettings,
    log_folder: Path,
    *,
    api_key_stored: bool | None = None,
    secrets: Iterable[str | None] = (),
    lines: int = 200,
    demo_url: str | None = None,
) -> str:
    """Versions, settings (keys redacted) and the last log lines (redacted), as text."""
    redact = Redactor()
    for secret in (*secrets, settings.anon_key):
        redact.add(secret)

    def scrub(text: str) -> str:
        return REDACTOR(redact(text))

    parts = ["StoryClip Desktop diagnostics", ""]
    parts += [f"{key}: {value}" for key, value in versions().items()]
    # In demo mode the saved servers are not the ones in use: say which is.
    parts += ["", f"mode: demo ({demo_url})" if demo_url is not None else "mode: own server"]
    parts += ["", "settings:"]
    for key, value in settings.redacted(api_key_stored).items():
        parts.append(f"  {key}: {json.dumps(value, ensure_ascii=False)}")
    parts += ["", UNSEEN_NOTE]
    parts += ["", f"log folder: {log_folder}"]
    log = last_log_lines(log_folder, lines)
    parts.append(f"last {len(log)} log lines:")
    parts += [scrub(line) for line in log]
    return scrub("\n".join(parts)) + "\n"


class AboutDialog(QDialog):
    """Version, what it runs on, and the licences of what it is made of.

    Signals:
        none of its own (QDialog's).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About StoryClip Desktop"))
        self.setWindowIcon(app_icon())
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        logo = QLabel(self)
        logo.setPixmap(app_icon().pixmap(64, 64))
        top.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        texts = QVBoxLayout()
        title = plain_label(self.tr("StoryClip Desktop %1").replace("%1", __version__), self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        texts.addWidget(title)
        texts.addWidget(
            plain_label(self.tr("Follows your StoryClip publishing from the system tray."), self)
        )
        info = versions()
        self.versions_label = plain_label(
            self.tr("Qt %1 · Qt for Python %2 · Python %3")
            .replace("%1", info["qt"])
            .replace("%2", info["pyside6"])
            .replace("%3", info["python"]),
            self,
        )
        self.versions_label.setObjectName("versions")
        self.versions_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        texts.addWidget(self.versions_label)
        texts.addWidget(plain_label(info["platform"], self))
        top.addLayout(texts, 1)
        layout.addLayout(top)

        unseen = plain_label(
            self.tr(
                "Where the StoryClip server keeps no history of publications (its deployed "
                "backend today), StoryClip Desktop can only announce and show the "
                "publications it saw while running: one that starts and ends while the app "
                "is closed, offline or signed out is never known to it."
            ),
            self,
        )
        unseen.setObjectName("unseenNote")
        unseen.setWordWrap(True)
        layout.addWidget(unseen)
        layout.addWidget(plain_label(self.tr("Licences"), self))
        self.licences = QPlainTextEdit(self)
        self.licences.setObjectName("licences")
        self.licences.setReadOnly(True)
        rows = []
        for shown, dist, licence in COMPONENTS:
            version = _dist_version(dist)
            if dist == "" and shown == "Qt":
                version = info["qt"]
            elif dist == "" and shown == "Python":
                version = info["python"]
            rows.append(f"{shown} {version or ''}".strip() + f" — {licence}")
        rows += [
            "",
            self.tr(
                "StoryClip Desktop is free software under the MIT licence. Qt and Qt for "
                "Python are used under the GNU LGPL version 3; their source is available "
                "from the Qt Project."
            ),
        ]
        self.licences.setPlainText("\n".join(rows))
        layout.addWidget(self.licences, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Close"))
        layout.addWidget(buttons)
        self.resize(520, 440)
