"""The steps of the welcome page (``ui/welcome_page.py``): the database, you, your reps,
email, leads. Each step is a small form whose buttons call ``qualdesk.services`` through
the op runner (never on the GUI thread) and say what happened in words.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from qualdesk.errors import KnownError
from qualdesk.services import first_run, team_settings
from qualdesk.services.users import add_user, get_user, list_users
from ui import labels
from ui.ops import ChangesOf, changes_in
from ui.what_changed import people_saved, settings_saved

if TYPE_CHECKING:
    from ui.welcome_page import WelcomePage


class Step(QWidget):
    """One step: a heading, what it is for, its form, and a line saying what happened."""

    title = ""
    intro = ""

    def __init__(self, page: WelcomePage) -> None:
        super().__init__(page)
        self.page = page
        self.setObjectName(f"welcome_step_{type(self).__name__.lower()}")
        self.setMaximumWidth(980)  # a form across a 1920-px screen is hard to read
        head = QLabel(f"<h2>{self.title}</h2>")
        intro = QLabel(self.intro)
        intro.setWordWrap(True)
        self.result = QLabel("")
        self.result.setObjectName(f"{self.objectName()}_result")
        self.result.setWordWrap(True)
        self.body = QVBoxLayout()
        lay = QVBoxLayout(self)
        lay.addWidget(head)
        lay.addWidget(intro)
        lay.addLayout(self.body)
        lay.addWidget(self.result)
        lay.addStretch(1)

    def button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        b = QPushButton(text, self)
        b.setObjectName(name)
        b.clicked.connect(slot)
        return b

    def run(self, fn: Callable[[], Any], done: Callable[[Any], None]) -> None:
        self.result.setText("Working…")
        self.page.runner.run(fn, done, self.failed)

    def write(self, fn: Callable[[], Any], done: Callable[[Any], None],
              changes: ChangesOf = changes_in) -> None:
        """A write runs through ``run_op``: the runner says what it changed."""
        self.result.setText("Working…")
        self.page.runner.run_op(fn, self, done, self.failed, changes)

    def failed(self, exc: BaseException) -> None:
        self.result.setText(f"⚠ {exc}" if isinstance(exc, KnownError)
                            else f"⚠ Something went wrong: {type(exc).__name__}: {exc}")

    def primary(self) -> None:
        """What Next does before moving on (nothing, by default)."""

    def advance(self, go_on: Callable[[], None]) -> None:
        """Next: do the step's part, then ``go_on``; a step whose write must land first
        (You) calls ``go_on`` only once it has, and otherwise stays with the error."""
        self.primary()
        go_on()

    def refresh(self) -> None:
        """Called when the step is shown."""


class DatabaseStep(Step):
    title = "Where the team's data lives"
    intro = ("Working alone, QualDesk keeps everything in a file on this computer. A team "
             "shares one PostgreSQL database: every rep's app points at it and sees the "
             "others' work within seconds. You can change this later under Settings.")

    def __init__(self, page: WelcomePage) -> None:
        super().__init__(page)
        self.solo = QRadioButton("Just me, on this computer (SQLite file)")
        self.solo.setObjectName("welcome_db_solo")
        self.team = QRadioButton("A team: a shared PostgreSQL database")
        self.team.setObjectName("welcome_db_team")
        group = QButtonGroup(self)
        group.addButton(self.solo)
        group.addButton(self.team)
        self.where = QLabel("")
        self.where.setObjectName("welcome_db_where")
        self.url = QLineEdit()
        self.url.setObjectName("welcome_db_url")
        self.url.setPlaceholderText("postgresql://USER:PASSWORD@HOST:5432/qualdesk")
        self.test = self.button("&Test connection", "welcome_db_test", self.test_connection)
        self.upgrade = self.button("&Upgrade schema", "welcome_db_upgrade", self.upgrade_schema)
        self.use = self.button("Use &this database", "welcome_db_use", self.use_database)
        row = QHBoxLayout()
        for b in (self.test, self.upgrade, self.use):
            row.addWidget(b)
        row.addStretch(1)
        for w in (self.solo, self.where, self.team, self.url):
            self.body.addWidget(w)
        self.body.addLayout(row)
        self.solo.toggled.connect(self._mode)
        self.solo.setChecked(page.db.is_sqlite)
        self.team.setChecked(not page.db.is_sqlite)
        if not page.db.is_sqlite:
            self.url.setText(page.db.url)
        self._mode()

    def refresh(self) -> None:
        self.where.setText(f"    Now: {self.page.db.display_name()}")

    def _mode(self) -> None:
        team = self.team.isChecked()
        for w in (self.url, self.test, self.upgrade, self.use):
            w.setEnabled(team)

    def test_connection(self) -> None:
        self.run(partial(first_run.check_database, self.url.text()),
                 lambda c: self.result.setText(c.describe()))

    def upgrade_schema(self) -> None:
        self.write(partial(first_run.upgrade_database, self.url.text()),
                   lambda c: self.result.setText("Schema upgraded. " + c.describe()))

    def use_database(self) -> None:
        url = self.url.text().strip()

        def done(check: first_run.DatabaseCheck) -> None:
            if check.needs_upgrade:
                self.result.setText(check.describe())
                return
            self.page.switch_database(url)
            self.result.setText(f"This app now uses {check.display}."
                                + (f" It already has {check.people} people: press Sign in "
                                   "if you are one of them." if check.people else ""))

        self.run(partial(first_run.check_database, url), done)


class YouStep(Step):
    title = "You"
    intro = ("You are the team lead (you watch the floor, write scripts and templates, run "
             "reports) or the admin (you also manage users and the database).")

    def __init__(self, page: WelcomePage) -> None:
        super().__init__(page)
        self.name = QLineEdit()
        self.name.setObjectName("welcome_you_name")
        self.email = QLineEdit()
        self.email.setObjectName("welcome_you_email")
        self.email.setPlaceholderText("you@example.com (replies to follow-ups come here)")
        self.role = QComboBox()
        self.role.setObjectName("welcome_you_role")
        self.role.addItem("Team lead", "lead")
        self.role.addItem("Admin", "admin")
        self.create = self.button("&Create me", "welcome_you_create", self.primary)
        form = QFormLayout()
        form.addRow("Your &name", self.name)
        form.addRow("Your &email", self.email)
        form.addRow("You are the", self.role)
        self.body.addLayout(form)
        self.body.addWidget(self.create)

    def refresh(self) -> None:
        user = self.page.user
        for w in (self.name, self.email, self.role, self.create):
            w.setEnabled(user is None)
        if user is not None:
            self.name.setText(user.name)
            self.email.setText(user.email or "")
            self.result.setText(f"You are {user.name} ({labels.role(user.role)}).")

    def primary(self) -> None:
        self.advance(lambda: None)

    def advance(self, go_on: Callable[[], None]) -> None:
        """Next (or Create me) moves on only once I exist: an empty name or a refused
        email keeps the step, with the reason under the form and the field to fix."""
        if self.page.user is not None:
            go_on()
            return
        db, name = self.page.db, self.name.text().strip()
        if not name:
            self.result.setText("⚠ Type your name first: the reps and reports show it.")
            self.name.setFocus()
            return
        email, role = self.email.text(), self.role.currentData()

        def create() -> Any:
            first_run.create_first_user(db, name, email, role)
            return get_user(db, name)

        def done(user: Any) -> None:
            self.page.user = user
            self.refresh()
            go_on()

        def refused(exc: BaseException) -> None:
            self.failed(exc)
            field = self.email if "mail" in str(exc).lower() else self.name
            field.setFocus()
            field.selectAll()

        self.result.setText("Working…")
        self.page.runner.run_op(create, self, done, refused, people_saved)


class RepsStep(Step):
    title = "Your reps"
    intro = ("Add the qualifying reps who will work the queue. Each opens the app and signs "
             "in under their name. More can be added any time under Settings.")

    def __init__(self, page: WelcomePage) -> None:
        super().__init__(page)
        self.name = QLineEdit()
        self.name.setObjectName("welcome_rep_name")
        self.email = QLineEdit()
        self.email.setObjectName("welcome_rep_email")
        self.add = self.button("&Add rep", "welcome_rep_add", self.primary)
        self.list = QListWidget()
        self.list.setObjectName("welcome_rep_list")
        form = QFormLayout()
        form.addRow("Rep's &name", self.name)
        form.addRow("Rep's &email", self.email)
        self.body.addLayout(form)
        self.body.addWidget(self.add)
        self.body.addWidget(self.list)
        self.name.returnPressed.connect(self.primary)
        self.email.returnPressed.connect(self.primary)

    def refresh(self) -> None:
        self.run(partial(list_users, self.page.db, "rep"), self._show)

    def _show(self, reps: list[Any]) -> None:
        self.list.clear()
        for r in reps:
            self.list.addItem(f"{r.name} — {r.email or 'no email'}")
        self.result.setText("" if reps else "No reps yet.")

    def primary(self) -> None:
        name = self.name.text().strip()
        if not name:
            return
        db, email = self.page.db, self.email.text().strip() or None

        def done(_: Any) -> None:
            self.name.clear()
            self.email.clear()
            self.name.setFocus()
            self.refresh()

        self.write(partial(add_user, db, name, "rep", email=email), done, people_saved)


class EmailStep(Step):
    title = "Email"
    intro = ("Follow-up emails go out through your company's mail server (SMTP). The "
             "password is kept in this computer's keyring, never in the database.")

    sig_saved = Signal()

    def __init__(self, page: WelcomePage) -> None:
        super().__init__(page)
        self.host = QLineEdit()
        self.host.setObjectName("welcome_smtp_host")
        self.host.setPlaceholderText("smtp.example.com")
        self.port = QLineEdit("587")
        self.port.setObjectName("welcome_smtp_port")
        self.security = QComboBox()
        self.security.setObjectName("welcome_smtp_security")
        for text, code in (("STARTTLS (port 587)", "starttls"), ("SSL/TLS (port 465)", "ssl"),
                           ("None (a server inside your network)", "none")):
            self.security.addItem(text, code)
        self.login = QLineEdit()
        self.login.setObjectName("welcome_smtp_user")
        self.password = QLineEdit()
        self.password.setObjectName("welcome_smtp_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("kept in this computer's keyring")
        self.sender = QLineEdit()
        self.sender.setObjectName("welcome_smtp_from")
        self.sender.setPlaceholderText("used when a rep has no email of their own")
        self.to = QLineEdit()
        self.to.setObjectName("welcome_smtp_test_to")
        form = QFormLayout()
        form.addRow("Mail &server", self.host)
        form.addRow("&Port", self.port)
        form.addRow("&Security", self.security)
        form.addRow("&Login (optional)", self.login)
        form.addRow("Pass&word", self.password)
        form.addRow("&From address", self.sender)
        form.addRow("Send the test &to", self.to)
        self.save = self.button("&Save", "welcome_smtp_save", self.primary)
        self.test = self.button("Send me a &test email", "welcome_smtp_test", self.send_test)
        row = QHBoxLayout()
        row.addWidget(self.save)
        row.addWidget(self.test)
        row.addStretch(1)
        self.body.addLayout(form)
        self.body.addLayout(row)

    def refresh(self) -> None:
        if self.page.user is not None and not self.to.text():
            self.to.setText(self.page.user.email or "")
        self.run(partial(team_settings.get_all, self.page.db), self._show)

    def _show(self, values: dict[str, Any]) -> None:
        self.result.setText("")
        if values.get("smtp.host") and not self.host.text():
            self.host.setText(str(values["smtp.host"]))
            self.port.setText(str(values["smtp.port"]))
            self.security.setCurrentIndex(max(0, self.security.findData(values["smtp.security"])))
            self.login.setText(str(values.get("smtp.user") or ""))
            self.sender.setText(str(values.get("smtp.from") or ""))

    def _save_fn(self) -> Callable[[], None]:
        save = partial(first_run.save_smtp, self.page.db, self.host.text(), self.port.text(),
                       self.security.currentData(), self.login.text(), self.sender.text())
        login, password = self.login.text().strip(), self.password.text()

        def both() -> None:
            save()
            if login and password:
                from qualdesk.services.mailer import set_password

                set_password(login, password)

        return both

    def primary(self) -> None:
        if not self.host.text().strip():
            return
        self.write(self._save_fn(), lambda _: self.result.setText("Saved."), settings_saved)

    def send_test(self) -> None:
        save, db, to = self._save_fn(), self.page.db, self.to.text()

        def both() -> str:
            save()
            return first_run.send_test_email(db, to)

        self.write(both, self.result.setText, settings_saved)


class LeadsStep(Step):
    title = "Leads"
    intro = ("Bring in the leads you have (a CSV from Salesforce, HubSpot or a spreadsheet), "
             "or let them arrive live from your forms and marketing automation on the intake "
             "page. Or look around first with the demo data.")

    def __init__(self, page: WelcomePage) -> None:
        super().__init__(page)
        self.imp = self.button("&Import a file…", "welcome_leads_import",
                               lambda: page.finish("import"))
        self.intake = self.button("Open the &intake page", "welcome_leads_intake",
                                  lambda: page.finish("intake"))
        self.demo = self.button("Load the &demo data", "welcome_leads_demo", self.load_demo)
        for b in (self.imp, self.intake, self.demo):
            self.body.addWidget(b)

    def load_demo(self) -> None:
        from qualdesk.services.demo import load_demo

        self.run(partial(load_demo, self.page.db),
                 lambda _: self.result.setText("The demo data is loaded."))
