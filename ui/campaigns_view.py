"""The team lead's configuration page: campaigns (script, templates, SLA, attempt policy,
Level I rule) on one tab, dispositions and hand-raise kinds on the other.

Reads and saves go through the context's runner; the services check every value (a
script that does not load, a broken template folder...) and their one-line refusal is
shown under the form. The Level I rule is checked as it is typed: parsing it is pure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from qualdesk.domain.records import Changes
from qualdesk.errors import InvalidInput
from qualdesk.services import template_drafts as drafts
from qualdesk.services.campaigns import (
    RANGES,
    CampaignRecord,
    add_campaign,
    check_level1_rule,
    list_campaigns,
    update_campaign,
)
from qualdesk.services.codes_admin import (
    HOTKEYS,
    DispositionRow,
    KindRow,
    list_dispositions,
    list_kinds,
    set_disposition,
    set_kind,
)
from ui import labels
from ui.context import AppContext
from ui.record_table import Col, RecordTableModel, record_table, select_record, selected_record
from ui.what_changed import CONFIGURATION


def _n(attr: str) -> Col:
    return Col(attr, lambda r: str(getattr(r, attr)), lambda r: getattr(r, attr))


def _script_titles(db: Any) -> list[tuple[str, str]]:
    """(name, title) of every script a campaign may use; a script that does not load
    shows its name in words (saving it is refused with the reason)."""
    from qualdesk.services.script_library import load_script

    out = []
    with db.session(write=False) as s:
        for name in drafts.script_names(db):
            try:
                out.append((name, load_script(name, s).title))
            except Exception:  # noqa: BLE001 - a broken script still needs a line in the list
                out.append((name, labels.humanize(name)))
    titles = [t for _, t in out]  # a team's copy keeps the title: tell the two apart
    return [(n, f"{t} ({labels.humanize(n)})" if titles.count(t) > 1 else t) for n, t in out]


def _options_of(db: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    return _script_titles(db), [(n, labels.template_folder(n)) for n in drafts.folder_names(db)]


def campaign_columns(script_titles: dict[str, str]) -> tuple[Col, ...]:
    """The campaigns table; ``script_titles`` (a script's title by its name, what reps see
    on the Script tab) is the page's own, filled when it reads the team's scripts."""
    return (
        Col("Campaign", lambda r: r.name + (" (default)" if r.is_default else "")),
        Col("Leads", lambda r: str(r.leads), lambda r: r.leads),
        Col("Script", lambda r: script_titles.get(r.script) or labels.humanize(r.script)),
        *_TEMPLATES_AND_POLICY,
    )


_TEMPLATES_AND_POLICY = (
    Col("Templates", lambda r: labels.template_folder(r.templates)),
    Col("SLA", lambda r: f"{r.sla_minutes} min", lambda r: r.sla_minutes),
    Col("Live attempts", lambda r: str(r.same_day_live_attempts),
        lambda r: r.same_day_live_attempts),
    Col("Gap", lambda r: f"{r.min_gap_minutes} min", lambda r: r.min_gap_minutes),
    Col("Daily cap", lambda r: str(r.daily_cap), lambda r: r.daily_cap),
    Col("Lifetime cap", lambda r: str(r.lifetime_cap), lambda r: r.lifetime_cap),
    Col("Level I rule", lambda r: r.level1_rule or "(the script's)"),
)
CAMPAIGN_COLUMNS = campaign_columns({})  # names in words, for a table without titles
DISPOSITION_COLUMNS = (
    Col("Code", lambda r: r.code),
    Col("Label", lambda r: r.label),
    Col("Key", lambda r: r.hotkey or ""),
    Col("Contact", lambda r: "yes" if r.is_contact else "no", lambda r: r.is_contact),
)
KIND_COLUMNS = (
    Col("Code", lambda r: r.code),
    Col("Label", lambda r: r.label),
    Col("Strength", lambda r: str(r.strength), lambda r: r.strength),
)


def _spin(field: str, name: str, parent: QWidget) -> QSpinBox:
    low, high, unit = RANGES[field]
    s = QSpinBox(parent)
    s.setObjectName(name)
    s.setRange(low, high)
    if unit == "minutes":
        s.setSuffix(" min")
    return s


class CampaignsView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("campaigns_view")
        self.ctx = ctx
        self._select_next: str | None = None  # a campaign just added, once the list has it
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("campaigns_tabs")
        self.tabs.addTab(self._campaigns_tab(), "Campaigns")
        self.tabs.addTab(self._codes_tab(), "Dispositions && hand-raise kinds")
        lay = QVBoxLayout(self)
        lay.addWidget(self.tabs)
        ctx.sig_operation_executed.connect(self._on_operation)
        self._campaign_selected()
        self._disposition_selected()
        self._kind_selected()
        self.refresh()

    # --- building -------------------------------------------------------------------

    def _campaigns_tab(self) -> QWidget:
        page = QWidget(self)
        self._script_titles: dict[str, str] = {}
        self.campaign_model = RecordTableModel(campaign_columns(self._script_titles), self)
        self.campaign_table = record_table(self.campaign_model, "campaigns_table", page)
        self.campaign_table.selectionModel().selectionChanged.connect(self._campaign_selected)

        self.script = QComboBox(page)
        self.script.setObjectName("campaign_script")
        self.templates = QComboBox(page)
        self.templates.setObjectName("campaign_templates")
        self.sla = _spin("sla_minutes", "campaign_sla", page)
        self.live_attempts = _spin("same_day_live_attempts", "campaign_live_attempts", page)
        self.live_attempts.setToolTip("Live attempts the same day before the voicemail + email")
        self.min_gap = _spin("min_gap_minutes", "campaign_min_gap", page)
        self.daily_cap = _spin("daily_cap", "campaign_daily_cap", page)
        self.lifetime_cap = _spin("lifetime_cap", "campaign_lifetime_cap", page)
        self.level1 = QLineEdit(page)
        self.level1.setObjectName("campaign_level1_rule")
        self.level1.setPlaceholderText("empty: the script's own rule")
        self.level1.textChanged.connect(self._check_rule)
        self.level1_status = QLabel("", page)
        self.level1_status.setObjectName("campaign_level1_status")
        self.level1_status.setWordWrap(True)
        self.lead_source = QLineEdit(page)
        self.lead_source.setObjectName("campaign_lead_source")
        self.lead_source.setMaxLength(40)
        self.save_button = QPushButton("&Save campaign", page)
        self.save_button.setObjectName("campaign_save")
        self.save_button.clicked.connect(self.save_campaign)
        self.new_name = QLineEdit(page)
        self.new_name.setObjectName("campaign_new_name")
        self.new_name.setPlaceholderText("New campaign name")
        self.add_button = QPushButton("&Add campaign", page)
        self.add_button.setObjectName("campaign_add")
        self.add_button.clicked.connect(self.add_campaign)
        self.campaign_message = QLabel("", page)
        self.campaign_message.setObjectName("campaign_message")
        self.campaign_message.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Script", self.script)
        form.addRow("Follow-up templates", self.templates)
        form.addRow("SLA (follow-up clock)", self.sla)
        form.addRow("Live attempts before voicemail + email", self.live_attempts)
        form.addRow("Gap between attempts", self.min_gap)
        form.addRow("Attempts per day", self.daily_cap)
        form.addRow("Attempts in total", self.lifetime_cap)
        self.level1_build = QPushButton("&Build from choices…", page)
        self.level1_build.setObjectName("campaign_level1_build")
        self.level1_build.clicked.connect(self.open_rule_builder)
        rule_row = QHBoxLayout()
        rule_row.addWidget(self.level1, 1)
        rule_row.addWidget(self.level1_build)
        form.addRow("Level I rule", rule_row)
        form.addRow("", self.level1_status)
        form.addRow("Lead source", self.lead_source)
        self.editor = QGroupBox("Selected campaign", page)
        self.editor.setObjectName("campaign_editor")
        ev = QVBoxLayout(self.editor)
        ev.addLayout(form)
        ev.addWidget(self.save_button)
        add = QHBoxLayout()
        add.addWidget(self.new_name, 1)
        add.addWidget(self.add_button)
        lay = QVBoxLayout(page)
        lay.addWidget(self.campaign_table, 1)
        lay.addLayout(add)
        lay.addWidget(self.editor)
        lay.addWidget(self.campaign_message)
        return page

    def _codes_tab(self) -> QWidget:
        page = QWidget(self)
        self.disposition_model = RecordTableModel(DISPOSITION_COLUMNS, self)
        self.disposition_table = record_table(self.disposition_model, "dispositions_table", page)
        self.disposition_table.selectionModel().selectionChanged.connect(self._disposition_selected)
        self.disp_code = QLineEdit(page)
        self.disp_code.setObjectName("disposition_code")
        self.disp_code.setPlaceholderText("code (a new one adds it)")
        self.disp_label = QLineEdit(page)
        self.disp_label.setObjectName("disposition_label")
        self.disp_hotkey = QComboBox(page)
        self.disp_hotkey.setObjectName("disposition_hotkey")
        self.disp_hotkey.addItem("(none)", "none")
        for k in HOTKEYS:
            self.disp_hotkey.addItem(k, k)
        self.disp_contact = QCheckBox("Counts as a live connect", page)
        self.disp_contact.setObjectName("disposition_contact")
        self.disp_save = QPushButton("Save disposition", page)
        self.disp_save.setObjectName("disposition_save")
        self.disp_save.clicked.connect(self.save_disposition)

        self.kind_model = RecordTableModel(KIND_COLUMNS, self)
        self.kind_table = record_table(self.kind_model, "kinds_table", page)
        self.kind_table.selectionModel().selectionChanged.connect(self._kind_selected)
        self.kind_code = QLineEdit(page)
        self.kind_code.setObjectName("kind_code")
        self.kind_code.setPlaceholderText("code (a new one adds it)")
        self.kind_label = QLineEdit(page)
        self.kind_label.setObjectName("kind_label")
        self.kind_strength = QSpinBox(page)
        self.kind_strength.setObjectName("kind_strength")
        self.kind_strength.setRange(1, 100)
        self.kind_strength.setValue(40)
        self.kind_strength.setToolTip("100 = called in; applies to hand raises that arrive "
                                      "from now on")
        self.kind_save = QPushButton("Save hand-raise kind", page)
        self.kind_save.setObjectName("kind_save")
        self.kind_save.clicked.connect(self.save_kind)
        self.codes_message = QLabel("", page)
        self.codes_message.setObjectName("codes_message")
        self.codes_message.setWordWrap(True)

        disp = QGroupBox("Dispositions (every open QualDesk picks up a change within seconds)", page)
        dl = QVBoxLayout(disp)
        dl.addWidget(self.disposition_table, 1)
        row = QHBoxLayout()
        for w in (self.disp_code, self.disp_label, self.disp_hotkey, self.disp_contact,
                  self.disp_save):
            row.addWidget(w)
        dl.addLayout(row)
        kinds = QGroupBox("Hand-raise kinds", page)
        kl = QVBoxLayout(kinds)
        kl.addWidget(self.kind_table, 1)
        row = QHBoxLayout()
        for w in (self.kind_code, self.kind_label, self.kind_strength, self.kind_save):
            row.addWidget(w)
        kl.addLayout(row)
        lay = QVBoxLayout(page)
        lay.addWidget(disp, 3)
        lay.addWidget(kinds, 2)
        lay.addWidget(self.codes_message)
        return page

    # --- loading --------------------------------------------------------------------

    def refresh(self) -> None:
        db, key = self.ctx.db, f"campaigns_view_{id(self)}"
        # the team's scripts and template folders (in the database) with the shipped ones
        self.ctx.run_query(lambda: _options_of(db), self._options,
                           key=key + "_options", on_error=self._campaign_failed)
        self.ctx.run_query(lambda: list_campaigns(db), self._campaigns_loaded,
                           key=key + "_campaigns", on_error=self._campaign_failed)
        self.ctx.run_query(lambda: (list_dispositions(db), list_kinds(db)), self._codes_loaded,
                           key=key + "_codes", on_error=self._codes_failed)

    def _options(self, options: tuple[list[tuple[str, str]], list[tuple[str, str]]]) -> None:
        self._script_titles.update(options[0])
        for combo, pairs in zip((self.script, self.templates), options, strict=True):
            keep = combo.currentData()
            combo.clear()
            for name, words in pairs:
                combo.addItem(words, name)  # words shown, the name kept as the data
            if keep:
                self._choose(combo, keep)
        m = self.campaign_model
        if m.rowCount():  # the Script column now has the titles (the editor keeps its edits)
            m.dataChanged.emit(m.index(0, 0), m.index(m.rowCount() - 1, m.columnCount() - 1))

    @staticmethod
    def _choose(combo: QComboBox, name: str) -> None:
        """Show ``name`` even when its file is gone, so saving does not silently change it."""
        if combo.findData(name) < 0:
            combo.addItem(labels.humanize(name), name)
        combo.setCurrentIndex(combo.findData(name))

    def _campaigns_loaded(self, rows: list[CampaignRecord]) -> None:
        keep = self.selected_campaign()
        self.campaign_model.set_rows(rows)
        wanted = self._select_next or (keep.name if keep is not None else None)
        if not (wanted and select_record(self.campaign_table, self.campaign_model,
                                   lambda r: r.name == wanted)) and rows:
            self.campaign_table.selectRow(0)
        self._select_next = None
        self._campaign_selected()

    def _codes_loaded(self, data: tuple[list[DispositionRow], list[KindRow]]) -> None:
        for table, model, rows, selected in (
                (self.disposition_table, self.disposition_model, data[0], self.selected_disposition()),
                (self.kind_table, self.kind_model, data[1], self.selected_kind())):
            model.set_rows(rows)
            if selected is not None:
                select_record(table, model, lambda r, c=selected.code: r.code == c)
        self._disposition_selected()
        self._kind_selected()

    def _on_operation(self, changes: Changes, initiator: object) -> None:
        if changes.settings:
            self.refresh()

    # --- campaigns ------------------------------------------------------------------

    def selected_campaign(self) -> CampaignRecord | None:
        return selected_record(self.campaign_table, self.campaign_model)

    def select_campaign(self, name: str) -> bool:
        return select_record(self.campaign_table, self.campaign_model, lambda r: r.name == name)

    def _campaign_selected(self, *_args: object) -> None:
        r = self.selected_campaign()
        self.editor.setEnabled(r is not None)
        if r is None:
            self.editor.setTitle("Selected campaign")
            return
        self.editor.setTitle(f"Campaign: {r.name}")
        self._choose(self.script, r.script)
        self._choose(self.templates, r.templates)
        for spin, value in ((self.sla, r.sla_minutes), (self.live_attempts, r.same_day_live_attempts),
                            (self.min_gap, r.min_gap_minutes), (self.daily_cap, r.daily_cap),
                            (self.lifetime_cap, r.lifetime_cap)):
            spin.setValue(value)
        self.level1.setText(r.level1_rule or "")
        self.lead_source.setText(r.lead_source or "")
        self._check_rule()

    def open_rule_builder(self) -> None:
        from ui.level1_rule_builder import Level1RuleBuilder

        self.rule_builder = Level1RuleBuilder(self.level1.text(), self)
        self.rule_builder.sig_rule_chosen.connect(self.level1.setText)
        self.rule_builder.open()

    def _check_rule(self, *_args: object) -> None:
        try:
            rule = check_level1_rule(self.level1.text())
        except InvalidInput as exc:
            self.level1_status.setText(f"✗ {exc}")
            self.save_button.setEnabled(False)
            return
        self.level1_status.setText("✓ the rule parses" if rule else "✓ the script's own rule")
        self.save_button.setEnabled(True)

    def campaign_fields(self) -> dict[str, Any]:
        return {"script": self.script.currentData(), "templates": self.templates.currentData(),
                "sla_minutes": self.sla.value(),
                "same_day_live_attempts": self.live_attempts.value(),
                "min_gap_minutes": self.min_gap.value(), "daily_cap": self.daily_cap.value(),
                "lifetime_cap": self.lifetime_cap.value(), "level1_rule": self.level1.text(),
                "lead_source": self.lead_source.text()}

    def save_campaign(self) -> None:
        r = self.selected_campaign()
        if r is None:
            return
        db, by, fields, name = self.ctx.db, self.ctx.rep_name, self.campaign_fields(), r.name

        def op() -> Changes:
            update_campaign(db, name, by=by, **fields)
            return CONFIGURATION

        self.campaign_message.setText("")
        self.ctx.run_op(op, initiator=self,
                        on_done=lambda _c: self.campaign_message.setText(f"Saved {name}."),
                        on_error=self._campaign_failed)

    def add_campaign(self) -> None:
        name = " ".join(self.new_name.text().split())
        if not name:
            self.campaign_message.setText("Type the new campaign's name first.")
            return
        db, by = self.ctx.db, self.ctx.rep_name

        def op() -> Changes:
            add_campaign(db, name, by=by)
            return CONFIGURATION

        self.campaign_message.setText("")
        self.ctx.run_op(op, initiator=self, on_done=lambda _c: self._added(name),
                        on_error=self._campaign_failed)

    def _added(self, name: str) -> None:
        self.new_name.clear()
        self.campaign_message.setText(f"Added {name} (default script, templates and policy).")
        if not self.select_campaign(name):
            self._select_next = name  # the reload is still on its way

    def _campaign_failed(self, exc: BaseException) -> None:
        self.campaign_message.setText(str(exc))

    # --- dispositions and kinds -----------------------------------------------------

    def selected_disposition(self) -> DispositionRow | None:
        return selected_record(self.disposition_table, self.disposition_model)

    def selected_kind(self) -> KindRow | None:
        return selected_record(self.kind_table, self.kind_model)

    def _disposition_selected(self, *_args: object) -> None:
        d = self.selected_disposition()
        if d is None:
            return
        self.disp_code.setText(d.code)
        self.disp_label.setText(d.label)
        self.disp_hotkey.setCurrentIndex(max(0, self.disp_hotkey.findData(d.hotkey or "none")))
        self.disp_contact.setChecked(d.is_contact)

    def _kind_selected(self, *_args: object) -> None:
        k = self.selected_kind()
        if k is None:
            return
        self.kind_code.setText(k.code)
        self.kind_label.setText(k.label)
        self.kind_strength.setValue(k.strength)

    def save_disposition(self) -> None:
        db, by = self.ctx.db, self.ctx.rep_name
        code, label = self.disp_code.text(), self.disp_label.text()
        hotkey, contact = str(self.disp_hotkey.currentData()), self.disp_contact.isChecked()

        def op() -> Changes:
            set_disposition(db, code, label=label or None, hotkey=hotkey, is_contact=contact,
                            by=by)
            return CONFIGURATION

        self._save_code(op, f"Saved disposition {code.strip()}.")

    def save_kind(self) -> None:
        db, by = self.ctx.db, self.ctx.rep_name
        code, label, strength = self.kind_code.text(), self.kind_label.text(), \
            self.kind_strength.value()

        def op() -> Changes:
            set_kind(db, code, label=label or None, strength=strength, by=by)
            return CONFIGURATION

        self._save_code(op, f"Saved hand-raise kind {code.strip()}.")

    def _save_code(self, op: Callable[[], Changes], done: str) -> None:
        self.codes_message.setText("")
        self.ctx.run_op(op, initiator=self, on_done=lambda _c: self.codes_message.setText(done),
                        on_error=self._codes_failed)

    def _codes_failed(self, exc: BaseException) -> None:
        self.codes_message.setText(str(exc))
