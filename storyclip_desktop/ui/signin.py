"""The sign-in form: email, password, remember me; busy while the core works."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .labels import color_label, plain_label
from .resources import app_icon

__all__ = ["SignInView"]


class SignInView(QWidget):
    """Collects the credentials and shows the outcome; it does not sign in itself.

    Signals:
        submitted(str, str, bool): email, password, remember me. Emitted once per
            attempt: a second Enter while busy is ignored.
        setupRequested(): "Set up the server…" (no server is configured yet).
        demoRequested(): "Try the demo" (no server is configured yet).
    """

    submitted = Signal(str, str, bool)
    setupRequested = Signal()
    demoRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInView")
        self._busy = False

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        column = QVBoxLayout()
        column.setSpacing(10)
        row.addLayout(column)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        logo = QLabel(self)
        logo.setPixmap(app_icon().pixmap(QSize(64, 64), self.devicePixelRatioF()))
        logo.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(logo)

        heading = QLabel(self.tr("Sign in to StoryClip"), self)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        heading.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(heading)
        self.hint = hint = QLabel(self)
        self.set_tray_available(True)
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        column.addWidget(hint)
        column.addSpacing(6)

        # Shown while no server is set up (the welcome was cancelled): signing in
        # could only fail, so say why and offer the two ways forward.
        self.setup_box = QWidget(self)
        self.setup_box.setObjectName("setupBox")
        setup = QVBoxLayout(self.setup_box)
        setup.setContentsMargins(0, 0, 0, 0)
        self.setup_note = QLabel(
            self.tr(
                "There is no StoryClip server set up yet. Set it up with the addresses "
                "your StoryClip administrator gave you, or try the demo on this computer."
            ),
            self.setup_box,
        )
        self.setup_note.setTextFormat(Qt.TextFormat.PlainText)
        self.setup_note.setWordWrap(True)
        setup.addWidget(self.setup_note)
        buttons = QHBoxLayout()
        self.setup_button = QPushButton(self.tr("&Set up the server…"), self.setup_box)
        self.setup_button.setObjectName("setupServer")
        self.setup_button.clicked.connect(self.setupRequested)
        self.demo_button = QPushButton(self.tr("&Try the demo"), self.setup_box)
        self.demo_button.setObjectName("tryDemo")
        self.demo_button.clicked.connect(self.demoRequested)
        buttons.addWidget(self.setup_button)
        buttons.addWidget(self.demo_button)
        setup.addLayout(buttons)
        self.setup_box.setVisible(False)
        column.addWidget(self.setup_box)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(4)
        self.email = QLineEdit(self)
        self.email.setObjectName("email")
        self.email.setPlaceholderText(self.tr("you@example.com"))
        self.email.setInputMethodHints(Qt.InputMethodHint.ImhEmailCharactersOnly)
        self.email.setClearButtonEnabled(True)
        self.password = QLineEdit(self)
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setInputMethodHints(
            Qt.InputMethodHint.ImhHiddenText | Qt.InputMethodHint.ImhSensitiveData
        )
        form.addRow(self.tr("&Email"), self.email)
        form.addRow(self.tr("&Password"), self.password)
        column.addLayout(form)

        self.remember = QCheckBox(self.tr("&Remember me on this computer"), self)
        self.remember.setChecked(True)
        column.addWidget(self.remember)

        self.error = plain_label(parent=self)
        self.error.setObjectName("signInError")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        column.addWidget(self.error)

        self.button = QPushButton(self.tr("Sign in"), self)
        self.button.setObjectName("signInButton")
        self.button.setDefault(True)
        self.button.setMinimumHeight(self.button.sizeHint().height() + 6)
        self.button.clicked.connect(self.submit)
        column.addWidget(self.button)

        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setMaximumHeight(6)
        self.busy_bar.setVisible(False)
        column.addWidget(self.busy_bar)

        for widget in (self.email, self.password, self.remember, self.button, self.error):
            widget.setMinimumWidth(320)
        self.email.returnPressed.connect(self.submit)
        self.password.returnPressed.connect(self.submit)
        self.setTabOrder(self.email, self.password)
        self.setTabOrder(self.password, self.remember)
        self.setTabOrder(self.remember, self.button)

    # ------------------------------------------------------------ state

    @property
    def busy(self) -> bool:
        return self._busy

    def submit(self) -> None:
        """Validate and emit ``submitted``; nothing happens while already busy."""
        if self._busy or self.needs_server:
            return
        email = self.email.text().strip()
        password = self.password.text()
        if not email or not password:
            self.show_error(self.tr("Enter your email and your password."))
            (self.email if not email else self.password).setFocus()
            return
        self.set_busy(True)
        self.submitted.emit(email, password, self.remember.isChecked())

    @property
    def needs_server(self) -> bool:
        return not self.setup_box.isHidden()

    def set_needs_server(self, needed: bool) -> None:
        """No server is set up: the form waits, "Set up the server…" and the demo show."""
        self.setup_box.setVisible(needed)
        self.set_busy(self._busy)
        if needed:
            self.error.setVisible(False)
            self.setup_button.setFocus()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        usable = not busy and not self.needs_server
        for widget in (self.email, self.password, self.remember):
            widget.setEnabled(usable)
        self.button.setEnabled(usable)
        self.button.setText(self.tr("Signing in…") if busy else self.tr("Sign in"))
        self.busy_bar.setVisible(busy)
        if busy:
            self.error.setVisible(False)

    def show_error(self, text: str, *, notice: bool = False) -> None:
        """Show a sentence under the form; ``notice`` for information, not failure."""
        self.error.setText(text)
        color_label(self.error, "amber" if notice else "red", self.palette())
        self.error.setVisible(bool(text))

    def failed(self, text: str, *, clear_password: bool) -> None:
        """The attempt failed: leave busy, say why, put the cursor where to act."""
        self.set_busy(False)
        self.show_error(text)
        if clear_password:
            self.password.clear()
            self.password.setFocus()
        else:
            self.button.setFocus()

    def set_tray_available(self, available: bool) -> None:
        """Promise the tray only on a desktop that has one."""
        if available:
            text = self.tr("Follow your publishing from the tray, even with every window closed.")
        else:
            text = self.tr("StoryClip Desktop tells you when each of your batches finishes.")
        self.hint.setText(text)

    def reset(self, notice: str = "") -> None:
        """Back to an empty form (after sign-out), with an optional reason."""
        self.set_busy(False)
        self.password.clear()
        self.show_error(notice, notice=True)
        if not notice:
            self.error.setVisible(False)
        (self.password if self.email.text() else self.email).setFocus()
