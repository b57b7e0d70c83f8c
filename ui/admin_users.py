"""People and roles: add a person, deactivate one who left (or bring them back), and
give a person their own database login or reset its password (PostgreSQL).

Every button calls the CLI's services (``users.add_user``, ``users.set_active``,
``pg_roles.grant_login``) in the op runner; what the database refuses (a role that may
not manage people) comes back as the database's one-line reason.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qualdesk.errors import KnownError
from qualdesk.services.users import add_user, db_logins, list_users, set_active
from ui.what_changed import people_saved

ROLE_WORDS = {"rep": "Qualifying rep", "lead": "Team lead", "sales": "Sales", "admin": "Admin"}
COLUMNS = ("Name", "Role", "Email", "Active", "Database login")


def _load(db: Any) -> tuple[list[Any], dict[str, str]]:
    return list_users(db), db_logins(db)


class AdminUsersView(QWidget):
    def __init__(self, db: Any, runner: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("admin_users")
        self.setWindowTitle("People and roles")
        self.db, self.runner = db, runner
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("admin_users_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selected)

        self.name = QLineEdit()
        self.name.setObjectName("admin_add_name")
        self.email = QLineEdit()
        self.email.setObjectName("admin_add_email")
        self.role = QComboBox()
        self.role.setObjectName("admin_add_role")
        for code, words in ROLE_WORDS.items():
            self.role.addItem(words, code)
        self.add = QPushButton("&Add person")
        self.add.setObjectName("admin_add")
        self.add.clicked.connect(self.add_person)
        self.toggle = QPushButton("&Deactivate")
        self.toggle.setObjectName("admin_toggle_active")
        self.toggle.setToolTip("A deactivated person keeps their history but cannot sign in "
                               "or be given leads; on a team database their own database "
                               "login is closed too (reopened when they come back)")
        self.toggle.clicked.connect(self.toggle_active)
        self.login = QLineEdit()
        self.login.setObjectName("admin_login")
        self.login.setPlaceholderText("e.g. ana_lopez")
        self.password = QLineEdit()
        self.password.setObjectName("admin_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit()
        self.password2.setObjectName("admin_password_again")
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        self.set_login = QPushButton("Set &login and password")
        self.set_login.setObjectName("admin_set_login")
        self.set_login.clicked.connect(self.grant)
        self.message = QLabel("")
        self.message.setObjectName("admin_users_message")
        self.message.setWordWrap(True)

        add_form = QFormLayout()
        add_form.addRow("&Name", self.name)
        add_form.addRow("&Email", self.email)
        add_form.addRow("&Role", self.role)
        add_form.addRow("", self.add)
        login_form = QFormLayout()
        login_form.addRow(QLabel("<b>The selected person</b>"))
        login_form.addRow("", self.toggle)
        login_form.addRow("Database l&ogin", self.login)
        login_form.addRow("New &password", self.password)
        login_form.addRow("Password a&gain", self.password2)
        login_form.addRow("", self.set_login)
        login_form.addRow(QLabel("On a team PostgreSQL database each person can have their "
                                 "own login; what it may change follows the person's role."))
        forms = QHBoxLayout()
        forms.addLayout(add_form, 1)
        forms.addLayout(login_form, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table, 1)
        lay.addLayout(forms)
        lay.addWidget(self.message)
        self.users: list[Any] = []
        self.logins: dict[str, str] = {}
        self._selected()
        self.refresh()

    def refresh(self) -> None:
        self.runner.run(partial(_load, self.db), self._loaded, self._failed)

    def _loaded(self, loaded: tuple[list[Any], dict[str, str]]) -> None:
        chosen = self.selected_name()
        self.users, self.logins = loaded
        self.table.setRowCount(len(self.users))
        for i, u in enumerate(self.users):
            cells = (u.name, ROLE_WORDS.get(u.role, u.role), u.email or "",
                     "yes" if u.active else "no (deactivated)", self.logins.get(u.name, ""))
            for j, v in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(v))
            if u.name == chosen:
                self.table.selectRow(i)
        self._selected()

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(f"⚠ {exc}" if isinstance(exc, KnownError)
                             else f"⚠ {type(exc).__name__}: {exc}")

    def selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.users[rows[0].row()].name if rows else None

    def select(self, name: str) -> None:
        for i, u in enumerate(self.users):
            if u.name == name:
                self.table.selectRow(i)

    def _selected(self) -> None:
        name = self.selected_name()
        user = next((u for u in self.users if u.name == name), None)
        for w in (self.toggle, self.login, self.password, self.password2, self.set_login):
            w.setEnabled(user is not None)
        if user is not None:
            self.toggle.setText("&Deactivate" if user.active else "Re&activate")
            self.login.setText(self.logins.get(user.name, ""))

    def add_person(self) -> None:
        name, email, role = self.name.text().strip(), self.email.text().strip(), self.role.currentData()

        def done(u: Any) -> None:
            self.message.setText(f"Added {u.name} ({ROLE_WORDS[u.role]}).")
            self.name.clear()
            self.email.clear()
            self.refresh()

        self.runner.run_op(partial(add_user, self.db, name, role, email=email or None), self,
                           done, self._failed, changes=people_saved)

    def toggle_active(self) -> None:
        name = self.selected_name()
        user = next((u for u in self.users if u.name == name), None)
        if user is None:
            return

        def done(u: Any) -> None:
            login = self.logins.get(u.name) if self.db.is_postgres else None
            state = "active again" if u.active else "deactivated"
            if login:  # users.set_active opened or closed it in the same step
                can = "can connect again" if u.active else "can no longer connect"
                state += f"; their database login {login} {can}"
            self.message.setText(f"{u.name} is {state}.")
            self.refresh()

        self.runner.run_op(partial(set_active, self.db, user.name, not user.active), self,
                           done, self._failed, changes=people_saved)

    def grant(self) -> None:
        from qualdesk.services.pg_roles import grant_login

        name = self.selected_name()
        if name is None:
            return
        if self.password.text() != self.password2.text():
            self.message.setText("⚠ The two passwords differ: type the same one twice.")
            return

        def done(note: str) -> None:
            self.password.clear()
            self.password2.clear()
            self.message.setText(note)
            self.refresh()

        self.runner.run_op(partial(grant_login, self.db, name, self.login.text(),
                                   self.password.text() or None), self, done, self._failed,
                           changes=people_saved)
