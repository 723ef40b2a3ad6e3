"""Choose and configure providers: API keys (OS keyring, shown masked), ComfyUI server
URLs, model, and a Test connection that runs off the GUI thread."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings, Qt, QThreadPool
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pickup.errors import PickupError
from pickup.ui.controller import plain_error
from pickup.ui.services import provider_names, test_connection
from pickup.ui.workers import run

__all__ = ["ProvidersDialog", "provider_options"]

_EXACT = Qt.MatchFlag.MatchExactly
#: providers that talk to servers the editor runs (a list of URLs)
_SERVER_PROVIDERS = frozenset({"comfyui"})


def provider_options(settings: QSettings, name: str) -> dict[str, Any]:
    """The options the panel stored for provider ``name`` (never a secret)."""
    options: dict[str, Any] = {}
    urls = str(settings.value(f"providers/{name}/urls", "") or "").split()
    if urls:
        options["urls"] = urls
    model = str(settings.value(f"providers/{name}/model", "") or "")
    if model:
        options["model"] = model
    return options


class ProvidersDialog(QDialog):
    """See the module docstring.  ``chosen`` is the provider to use for new slots."""

    def __init__(self, settings: QSettings, current: str, parent: QWidget | None = None,
                 pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Providers")
        self.settings = settings
        self.pool = pool or QThreadPool.globalInstance()
        self.chosen = current
        self.names = QListWidget(self)
        self.names.addItems(provider_names())
        self.names.setFixedWidth(130)
        self.heading = QLabel(self)
        self.heading.setObjectName("title")
        self.key = QLineEdit(self)
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("paste the API key")
        self.key_status = QLabel(self)
        self.key_status.setObjectName("muted")
        self.save_key = QPushButton("Save key to keyring", self)
        self.clear_key = QPushButton("Remove key", self)
        self.urls = QPlainTextEdit(self)
        self.urls.setPlaceholderText("http://127.0.0.1:8188  (one server per line)")
        self.urls.setFixedHeight(54)
        self.model = QLineEdit(self)
        self.model.setPlaceholderText("provider default")
        self.test = QPushButton("Test connection", self)
        self.result_label = QLabel(self)
        self.result_label.setWordWrap(True)
        self.use = QPushButton("Use for new slots", self)
        keys = QHBoxLayout()
        keys.addWidget(self.save_key)
        keys.addWidget(self.clear_key)
        form = QFormLayout()
        self.form = form
        form.addRow(self.heading)
        form.addRow("API key", self.key)
        form.addRow("", self.key_status)
        self._key_buttons = _wrap(self, keys)
        form.addRow("", self._key_buttons)
        form.addRow("Server URLs", self.urls)
        form.addRow("Model", self.model)
        form.addRow(self.test, self.result_label)
        form.addRow(self.use)
        right = QWidget(self)
        right.setLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.accept)
        top = QHBoxLayout()
        top.addWidget(self.names)
        top.addWidget(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)
        self.names.currentTextChanged.connect(self._show)
        self.save_key.clicked.connect(self.store_key)
        self.clear_key.clicked.connect(self.remove_key)
        self.test.clicked.connect(self.test_connection)
        self.use.clicked.connect(self._use)
        self.urls.textChanged.connect(self._store_options)
        self.model.editingFinished.connect(self._store_options)
        items = self.names.findItems(current, _EXACT)
        self.names.setCurrentItem(items[0] if items else self.names.item(0))
        for w in (self.result_label, self.key_status):
            w.setWordWrap(True)
        self.setFixedWidth(560)  # long messages wrap; the dialog never jumps wider
        self.resize(560, 320)

    @property
    def name(self) -> str:
        item = self.names.currentItem()
        return item.text() if item else ""

    def _show(self, name: str) -> None:
        from pickup.secrets import KEY_ENV

        self.heading.setText(name + ("  (in use)" if name == self.chosen else ""))
        takes_key = name in KEY_ENV
        # each provider's own fields only: a key for the cloud APIs, servers for ComfyUI
        for w in (self.key, self.key_status, self._key_buttons):
            self.form.setRowVisible(w, takes_key)
        self.form.setRowVisible(self.urls, name in _SERVER_PROVIDERS)
        self.key.clear()
        self.urls.blockSignals(True)
        self.urls.setPlainText("\n".join(provider_options(self.settings, name).get("urls", [])))
        self.urls.blockSignals(False)
        self.model.setText(str(self.settings.value(f"providers/{name}/model", "") or ""))
        self.result_label.clear()
        self._key_status()

    def _key_status(self) -> None:
        from pickup.secrets import KEY_ENV, secret_status

        name = self.name
        if name not in KEY_ENV:
            self.key_status.setText("no key needed")
            return
        status = secret_status(name)
        # saving needs a keyring; removing needs a key in it
        self.save_key.setEnabled(not status.keyring_error)
        self.save_key.setToolTip(status.keyring_error or "Store the key in the OS keyring "
                                 "under service 'pickup' (never in a file)")
        self.clear_key.setEnabled(status.source == "keyring")
        if status.source == "env":
            text = f"{status.masked} from ${status.env_var} (the environment wins)"
        elif status.source == "keyring":
            text = f"{status.masked} in the OS keyring"
        else:
            text = status.keyring_error or f"no key yet (or set ${status.env_var})"
        self.key_status.setText(text)

    def store_key(self) -> None:
        from pickup.secrets import set_secret

        try:
            set_secret(self.name, self.key.text())
        except PickupError as exc:
            self.result_label.setText(plain_error(exc))
            return
        self.key.clear()
        self.result_label.setText("key saved to the OS keyring")
        self._key_status()

    def remove_key(self) -> None:
        from pickup.secrets import delete_secret

        try:
            gone = delete_secret(self.name)
        except PickupError as exc:
            self.result_label.setText(plain_error(exc))
            return
        self.result_label.setText("key removed" if gone else "there was no key in the keyring")
        self._key_status()

    def _store_options(self) -> None:
        name = self.name
        self.settings.setValue(f"providers/{name}/urls",
                               " ".join(self.urls.toPlainText().split()))
        self.settings.setValue(f"providers/{name}/model", self.model.text().strip())

    def test_connection(self) -> None:
        self._store_options()
        name = self.name
        self.result_label.setText("testing…")
        self.test.setEnabled(False)

        def done(text: str) -> None:
            self.test.setEnabled(True)
            self.result_label.setText(f"✓ {text}")

        def failed(exc: BaseException) -> None:
            self.test.setEnabled(True)
            self.result_label.setText(f"✗ {plain_error(exc)}")

        run(self.pool, test_connection, name, provider_options(self.settings, name),
            owner=self, on_done=done, on_error=failed)

    def _use(self) -> None:
        self.chosen = self.name
        self.settings.setValue("provider", self.chosen)
        self.heading.setText(self.chosen + "  (in use)")


def _wrap(parent: QWidget, layout: QHBoxLayout) -> QWidget:
    w = QWidget(parent)
    layout.setContentsMargins(0, 0, 0, 0)
    w.setLayout(layout)
    return w

