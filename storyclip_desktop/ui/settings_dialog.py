"""The settings dialog: where the servers are, the API key, language, start-up and
which notifications to show; "Test connection" says precisely what is wrong.

The dialog edits an :class:`~storyclip_desktop.config.AppSettings` and hands the
work to a :class:`SettingsBackend`: the real one is
:class:`~storyclip_desktop.ui.settings_actions.SettingsActions` (QSettings, the
keyring, the autostart entry, the connection check). Every field is checked as it
is typed; server texts are shown as plain text.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from storyclip_desktop.config import (
    AUTOSTART_SUPPORTED,
    DEFAULT_WEB_APP_URL,
    NOTIFICATION_KINDS,
    AppSettings,
    ConfigError,
    check_key,
    check_url,
)
from storyclip_desktop.core.checks import ConnectionReport, ServiceCheck
from storyclip_desktop.core.log import get_logger, log_event

from .batch_card import color_label, plain_label
from .resources import app_icon
from .tasks import spawn
from .texts import fill

__all__ = ["SettingsBackend", "SettingsDialog"]

_log = get_logger("ui.settings")


class SettingsBackend(Protocol):
    """What the dialog asks of the rest of the app (coroutines on the qasync loop)."""

    def current(self) -> AppSettings:
        """The saved settings (start at login as the autostart entry says)."""

    async def load_api_key(self) -> str | None:
        """The API key in the keyring, or None."""

    def keyring_problem(self) -> str | None:
        """None, or why the keyring cannot keep the key (``no_keyring``, ``locked``, ``error``)."""

    async def check(
        self, api_url: str, supabase_url: str, anon_key: str, api_key: str
    ) -> ConnectionReport:
        """Ask both services whether they are there and take these keys."""

    async def save(self, settings: AppSettings, api_key: str | None) -> list[str]:
        """Save; ``api_key`` None leaves the keyring alone, "" removes the key.

        Returns what could not be done: ``keyring`` and/or ``autostart``.
        """


class _Field(QWidget):
    """A line edit with its error line under it (hidden while the text is fine).

    Signals:
        none of its own: the dialog follows ``edit.textChanged``.
    """

    def __init__(self, name: str, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.edit = QLineEdit(self)
        self.edit.setObjectName(name)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setClearButtonEnabled(True)
        self.row = QHBoxLayout()
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.addWidget(self.edit, 1)
        layout.addLayout(self.row)
        self.error = plain_label(parent=self)
        self.error.setObjectName(name + "Error")
        self.error.setWordWrap(True)
        color_label(self.error, "red", self.palette())
        self.error.setVisible(False)
        layout.addWidget(self.error)

    def text(self) -> str:
        return self.edit.text().strip()

    def set_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.edit.setProperty("invalid", bool(text))
        self.edit.setToolTip(text)


class SettingsDialog(QDialog):
    """The settings; on a first launch with nothing configured it also offers the demo.

    Signals:
        applied(object, bool): the settings were saved (an ``AppSettings``) and
            whether the servers or the API key changed (the app then restarts its
            services on them).
        demoRequested(): "Try the demo" (first launch only).
    """

    applied = Signal(object, bool)
    demoRequested = Signal()

    def __init__(
        self,
        backend: SettingsBackend,
        *,
        first_run: bool = False,
        allow_insecure: bool = False,
        api_key_overridden: bool = False,
        servers_required: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        """``servers_required``: Save needs the server fields filled (False where the
        app's servers come from elsewhere: the demo, the command line, the environment)."""
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("StoryClip Desktop settings"))
        self.setWindowIcon(app_icon())
        self.backend = backend
        self.first_run = first_run
        self.allow_insecure = allow_insecure
        self.initial = backend.current()
        self.servers_required = servers_required
        self.api_key_overridden = api_key_overridden
        self._stored_key: str | None = None
        self._key_loaded = False
        self._busy = False
        self.saved_problems: list[str] = []

        outer = QVBoxLayout(self)
        if first_run:
            welcome = QLabel(self.tr("Welcome to StoryClip Desktop"), self)
            font = welcome.font()
            font.setPointSizeF(font.pointSizeF() * 1.3)
            font.setBold(True)
            welcome.setFont(font)
            outer.addWidget(welcome)
            intro = QLabel(
                self.tr(
                    "Tell the app where your StoryClip server is: the addresses and keys "
                    "come from your StoryClip administrator. Or try the demo, which runs "
                    "a small StoryClip server on this computer with sample batches."
                ),
                self,
            )
            intro.setWordWrap(True)
            outer.addWidget(intro)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._server_page(), self.tr("Server"))
        self.tabs.addTab(self._general_page(), self.tr("General"))
        outer.addWidget(self.tabs, 1)

        self.incomplete_note = plain_label(
            self.tr(
                "Fill in the API URL, the Supabase URL, the anon key and the API key "
                "to save, or try the demo."
            )
            if first_run
            else self.tr(
                "Fill in the API URL, the Supabase URL, the anon key and the API key to save."
            ),
            self,
        )
        self.incomplete_note.setObjectName("incompleteNote")
        self.incomplete_note.setWordWrap(True)
        self.incomplete_note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.incomplete_note.setVisible(False)
        outer.addWidget(self.incomplete_note)

        self.save_status = plain_label(parent=self)
        self.save_status.setObjectName("saveStatus")
        self.save_status.setWordWrap(True)
        self.save_status.setVisible(False)
        outer.addWidget(self.save_status)

        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Save"))
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText(self.tr("Cancel"))
        self.demo_button: QPushButton | None = None
        if first_run:
            self.demo_button = self.buttons.addButton(
                self.tr("Try the demo"), QDialogButtonBox.ButtonRole.ResetRole
            )
            self.demo_button.setObjectName("tryDemo")
            self.demo_button.setToolTip(
                self.tr("Start a local StoryClip server with sample batches and sign in to it")
            )
            self.demo_button.clicked.connect(self._try_demo)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        outer.addWidget(self.buttons)
        # Enter always means Save: no other button becomes the default when the one
        # pressed last (Test connection) is disabled while it runs and focus moves on
        # (it moved to "Try the demo", which dropped the typed settings).
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.save_button.setDefault(True)

        self._fill(self.initial)
        if api_key_overridden:
            self.api_key_note.setText(
                self.tr(
                    "An API key given with --api-key or STORYCLIP_API_KEY is in use; "
                    "it wins over the one saved here."
                )
            )
        for field in (self.api_url, self.supabase_url, self.anon_key, self.api_key):
            field.edit.textChanged.connect(self._edited)
        self.validate()
        self.resize(560, self.sizeHint().height())
        spawn(self._load_key(), where="ui.settings.load_key")

    # ------------------------------------------------------------ pages

    def _server_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.api_url = _Field("apiUrl", "https://story.example.app", page)
        self.supabase_url = _Field("supabaseUrl", "https://project.supabase.co", page)
        self.anon_key = _Field("anonKey", self.tr("the project's anon (public) key"), page)
        self.api_key = _Field("apiKey", self.tr("Reading the keyring…"), page)
        self.api_key.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.edit.setEnabled(False)
        self.show_key = QCheckBox(self.tr("Show"), page)
        self.show_key.setObjectName("showApiKey")
        self.show_key.toggled.connect(
            lambda on: self.api_key.edit.setEchoMode(
                QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
            )
        )
        self.api_key.row.addWidget(self.show_key)
        form.addRow(self.tr("StoryClip API URL"), self.api_url)
        form.addRow(self.tr("Supabase URL"), self.supabase_url)
        form.addRow(self.tr("Supabase anon key"), self.anon_key)
        form.addRow(self.tr("StoryClip API key"), self.api_key)
        self.api_key_note = plain_label(
            self.tr("Kept in the system keyring, never in the settings file."), page
        )
        self.api_key_note.setObjectName("apiKeyNote")
        self.api_key_note.setWordWrap(True)
        self.api_key_note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        form.addRow("", self.api_key_note)
        layout.addLayout(form)

        row = QHBoxLayout()
        self.test_button = QPushButton(self.tr("Test connection"), page)
        self.test_button.setObjectName("testConnection")
        self.test_button.clicked.connect(self.test_connection)
        row.addWidget(self.test_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.test_result = plain_label(parent=page)
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.test_result)
        layout.addStretch(1)
        return page

    def _general_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        form = QFormLayout()
        self.language = QComboBox(page)
        self.language.setObjectName("language")
        self.language.addItem(self.tr("System language"), "")
        self.language.addItem("Español", "es")
        self.language.addItem("English", "en")
        form.addRow(self.tr("Language"), self.language)
        self.web_app_url = _Field("webAppUrl", DEFAULT_WEB_APP_URL, page)
        self.web_app_url.edit.setAccessibleName(self.tr("StoryClip web app address"))
        form.addRow(self.tr("StoryClip web app"), self.web_app_url)
        lang_note = plain_label(self.tr("A new language applies the next time the app starts."))
        lang_note.setWordWrap(True)
        lang_note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        form.addRow("", lang_note)
        layout.addLayout(form)

        startup = QGroupBox(self.tr("Start-up"), page)
        box = QVBoxLayout(startup)
        self.start_at_login = QCheckBox(self.tr("Start StoryClip Desktop when I log in"), startup)
        self.start_at_login.setObjectName("startAtLogin")
        if not AUTOSTART_SUPPORTED:
            self.start_at_login.setEnabled(False)
            self.start_at_login.setToolTip(
                self.tr("Use your system's settings to start apps at login.")
            )
        self.start_minimized = QCheckBox(self.tr("Start minimized to the tray"), startup)
        self.start_minimized.setObjectName("startMinimized")
        box.addWidget(self.start_at_login)
        box.addWidget(self.start_minimized)
        layout.addWidget(startup)

        notes = QGroupBox(self.tr("Notifications"), page)
        box = QVBoxLayout(notes)
        about_row = QHBoxLayout()
        about_label = QLabel(self.tr("&Notify me about:"), notes)
        self.notify_about = QComboBox(notes)
        self.notify_about.setObjectName("notifyAbout")
        self.notify_about.addItem(self.tr("Everything"), "everything")
        self.notify_about.addItem(self.tr("Finished and failed publications"), "finished")
        self.notify_about.addItem(self.tr("Failures only"), "failures")
        self.notify_about.setAccessibleName(self.tr("Notify me about"))
        about_label.setBuddy(self.notify_about)
        about_row.addWidget(about_label)
        about_row.addWidget(self.notify_about, 1)
        box.addLayout(about_row)
        labels = {
            "active": self.tr("Publishing in progress when the app starts"),
            "completed": self.tr("A batch finished publishing"),
            "failed": self.tr("A batch failed"),
            "cancelled": self.tr("A batch was cancelled"),
            "unreachable": self.tr("The server cannot be reached"),
        }
        self.notify_boxes: dict[str, QCheckBox] = {}
        for kind in NOTIFICATION_KINDS:
            check = QCheckBox(labels[kind], notes)
            check.setObjectName(f"notify_{kind}")
            box.addWidget(check)
            self.notify_boxes[kind] = check
        layout.addWidget(notes)
        layout.addStretch(1)
        return page

    def _fill(self, settings: AppSettings) -> None:
        self.api_url.edit.setText(settings.api_url)
        self.supabase_url.edit.setText(settings.supabase_url)
        self.anon_key.edit.setText(settings.anon_key)
        index = self.language.findData(settings.language)
        self.language.setCurrentIndex(max(0, index))
        self.start_at_login.setChecked(settings.start_at_login)
        self.start_minimized.setChecked(settings.start_minimized)
        web = settings.web_app_url
        self.web_app_url.edit.setText("" if web == DEFAULT_WEB_APP_URL else web)
        for kind, check in self.notify_boxes.items():
            check.setChecked(kind in settings.notifications)
        self.notify_about.setCurrentIndex(max(0, self.notify_about.findData(settings.notify_about)))

    async def _load_key(self) -> None:
        try:
            key = await self.backend.load_api_key()
        finally:
            self._key_loaded = True
            self.api_key.edit.setEnabled(True)
            self.api_key.edit.setPlaceholderText(self.tr("the key StoryClip gave you"))
        self._stored_key = key
        if key and not self.api_key.edit.text():
            self.api_key.edit.setText(key)
        problem = self.backend.keyring_problem()
        if problem is not None:
            self.api_key_note.setText(self._keyring_text(problem))
            color_label(self.api_key_note, "amber", self.palette())
        self.validate()

    def _keyring_text(self, problem: str) -> str:
        if problem == "no_keyring":
            return self.tr(
                "No system keyring was found, so the API key cannot be saved. "
                "Give it with --api-key or STORYCLIP_API_KEY instead."
            )
        if problem == "locked":
            return self.tr(
                "The system keyring is locked. Unlock it (sign in to your desktop again) "
                "to save the API key."
            )
        return self.tr("The system keyring could not be used, so the API key cannot be saved.")

    # ------------------------------------------------------------ checking

    def _url_error(self, setting: str, text: str) -> str:
        if not text:
            return ""
        try:
            check_url(setting, text, allow_insecure=self.allow_insecure)
        except ConfigError as exc:
            if exc.reason == "insecure":
                return self.tr("Use https:// — plain http:// is only allowed for this computer.")
            if exc.reason == "has_extras":
                return self.tr("Only the address: no ?query, #fragment or user name.")
            return self.tr("Type an address like https://server.example")
        return ""

    def _key_error(self, setting: str, text: str) -> str:
        if not text:
            return ""
        try:
            check_key(setting, text)
        except ConfigError as exc:
            if exc.reason == "too_long":
                return self.tr("This is too long to be a key.")
            return self.tr("A key is one word: no spaces or special characters.")
        return ""

    def _edited(self) -> None:
        # A test result is about the values it tested: a change makes it stale.
        if not self._busy:
            self.test_result.clear()
        self.validate()

    def validate(self) -> bool:
        """Check every field as typed; Save and Test are enabled only when all are fine."""
        errors = {
            self.api_url: self._url_error("api_url", self.api_url.text()),
            self.supabase_url: self._url_error("supabase_url", self.supabase_url.text()),
            self.anon_key: self._key_error("anon_key", self.anon_key.text()),
            self.api_key: self._key_error("api_key", self.api_key.text()),
            self.web_app_url: self._url_error("web_app_url", self.web_app_url.text()),
        }
        for field, error in errors.items():
            field.set_error(error)
        valid = not any(errors.values())
        missing = self.missing_fields()
        self.incomplete_note.setVisible(bool(missing))
        self.save_button.setEnabled(valid and not missing and not self._busy and self._key_loaded)
        complete = bool(self.api_url.text() and self.supabase_url.text())
        self.test_button.setEnabled(valid and complete and not self._busy)
        return valid

    def missing_fields(self) -> list[str]:
        """The server fields Save still needs (none where the servers come from elsewhere):
        empty or partial settings are not saved as if they were a server."""
        if not self.servers_required:
            return []
        fields = {
            "api_url": self.api_url,
            "supabase_url": self.supabase_url,
            "anon_key": self.anon_key,
        }
        if not self.api_key_overridden:
            fields["api_key"] = self.api_key
        return [name for name, field in fields.items() if not field.text()]

    def test_connection(self) -> None:
        if not self.validate() or self._busy:
            return
        self._set_busy(True)
        self.test_result.setText(self.tr("Testing the connection…"))
        color_label(self.test_result, "grey", self.palette())

        async def run() -> None:
            report = await self.backend.check(
                check_url("api_url", self.api_url.text(), allow_insecure=True),
                check_url("supabase_url", self.supabase_url.text(), allow_insecure=True),
                self.anon_key.text(),
                self.api_key.text(),
            )
            self.show_report(report)

        def failed(exc: BaseException) -> None:
            self.test_result.setText(
                self.tr("The test could not run: %1").replace("%1", type(exc).__name__)
            )
            color_label(self.test_result, "red", self.palette())

        spawn(
            run(), where="ui.settings.test", on_error=failed, on_done=lambda: self._set_busy(False)
        )

    def show_report(self, report: ConnectionReport) -> None:
        lines = [self.check_text(report.auth), self.check_text(report.api)]
        self.test_result.setText("\n".join(lines))
        color_label(self.test_result, "green" if report.ok else "red", self.palette())

    def check_text(self, check: ServiceCheck) -> str:
        """One line per service: ✓ or ✗, the service, what is wrong and what to do."""
        auth = check.service == "auth"
        service = self.tr("Sign-in service (Supabase)") if auth else self.tr("StoryClip API")
        host = (self.supabase_url if auth else self.api_url).text()
        outcome = check.outcome
        texts = {
            "ok": self.tr("%1: reachable, anon key accepted.")
            if auth
            else self.tr("%1: reachable, API key accepted."),
            "not_configured": self.tr("%1: no address yet."),
            "unreachable": self.tr("%1: cannot connect to %2. Check the address and your network."),
            "timeout": self.tr(
                "%1: %2 did not answer in time. Check the address and your network."
            ),
            "tls": self.tr(
                "%1: the secure connection to %2 failed (%3). Check the address, and this "
                "computer's date and time."
            ),
            "not_found": self.tr(
                "%1: %2 answered, but it is not a Supabase project address (HTTP 404). "
                "It looks like https://project.supabase.co"
            )
            if auth
            else self.tr(
                "%1: %2 answered, but not as the StoryClip API (HTTP 404). Use the server's "
                "base address, without /api."
            ),
            "unexpected": self.tr("%1: %2 answered something unexpected (%3). Check the address."),
            "missing_anon_key": self.tr("%1: reachable, but it needs the anon key."),
            "bad_anon_key": self.tr(
                "%1: reachable, but the anon key is wrong. Copy it again from the Supabase "
                "project's API settings."
            ),
            "missing_api_key": self.tr("%1: reachable, but it needs the API key."),
            "bad_api_key": self.tr(
                "%1: reachable, but the API key is wrong (INVALID_API_KEY). Check it with "
                "your StoryClip administrator."
            ),
            "insufficient_scope": self.tr(
                "%1: the API key is valid but may not read batches (INSUFFICIENT_SCOPE)."
            ),
            "rate_limited": self.tr("%1: too many requests; try again in a minute."),
            "server_error": self.tr("%1: the server has a problem (%3). Try again later."),
        }
        template = texts.get(outcome, texts["unexpected"])
        mark = "✓" if check.ok else "✗"
        return mark + " " + fill(template, service, host, check.detail or "?")

    # ------------------------------------------------------------ saving

    def collect(self) -> AppSettings:
        return AppSettings(
            api_url=self.api_url.text().rstrip("/"),
            supabase_url=self.supabase_url.text().rstrip("/"),
            anon_key=self.anon_key.text(),
            language=str(self.language.currentData() or ""),
            start_at_login=self.start_at_login.isChecked(),
            start_minimized=self.start_minimized.isChecked(),
            notifications=frozenset(k for k, c in self.notify_boxes.items() if c.isChecked()),
            notify_about=str(self.notify_about.currentData() or "everything"),
            web_app_url=self.web_app_url.text().rstrip("/") or DEFAULT_WEB_APP_URL,
        )

    def save(self) -> None:
        if not self.validate() or self.missing_fields() or self._busy:
            return
        settings = self.collect()
        typed_key = self.api_key.text()
        key_change = None if typed_key == (self._stored_key or "") else typed_key
        servers_changed = (
            settings.saved_servers() != self.initial.saved_servers() or key_change is not None
        )
        self._set_busy(True)

        async def run() -> None:
            problems = await self.backend.save(settings, key_change)
            self.saved_problems = problems
            self.initial = settings
            if key_change is not None and "keyring" not in problems:
                self._stored_key = key_change or None
            self.applied.emit(settings, servers_changed)
            if not problems:
                self.accept()
                return
            texts = []
            if "keyring" in problems:
                texts.append(self._keyring_text(self.backend.keyring_problem() or "error"))
            if "autostart" in problems:
                texts.append(self.tr("The start-at-login entry could not be written."))
            self.save_status.setText(
                self.tr("The other settings were saved.") + " " + " ".join(texts)
            )
            color_label(self.save_status, "red", self.palette())
            self.save_status.setVisible(True)
            self.cancel_button.setText(self.tr("Close"))

        def failed(exc: BaseException) -> None:
            self.save_status.setText(
                self.tr("The settings could not be saved: %1").replace("%1", type(exc).__name__)
            )
            color_label(self.save_status, "red", self.palette())
            self.save_status.setVisible(True)

        spawn(
            run(), where="ui.settings.save", on_error=failed, on_done=lambda: self._set_busy(False)
        )

    def _try_demo(self) -> None:
        log_event(_log, "demo_requested")
        self.demoRequested.emit()
        self.accept()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.validate()
