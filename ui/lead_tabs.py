"""The lead panel's tabs: what each holds, its title and its tooltip.

Every title stays readable at 1280×720 (and at 150 % on a 1920×1080 screen, the same
logical width), with no scroll arrows and no "…": the titles are short, the tooltip
says the rest, and the calls, emails and callbacks share one History page (three lists,
one above the other) instead of three tabs. ``titles_fit`` says whether the bar has
the room (the layout test reads it).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from ui.timeline import AttemptHistory, CallbackList, EmailList

# Title -> tooltip, for the panel's own tabs and the ones features add (``add_tab``).
TOOLTIPS = {
    "Call notes": "Call notes, saved as you type (Ctrl+L)",
    "Script": "The campaign's Level I script and BANT (F3)",
    "Body language": "Digital body language: the lead's hand raises and what they said",
    "Activity": "Every page visit, email open, download and points change, newest first",
    "History": "Calls (attempts), emails and callbacks on this lead",
    "Audit": "Every change to this lead: who, when, old → new",
}


class HistoryPage(QWidget):
    """The lead's calls, emails and callbacks, one list above the other."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lead_history")
        self.attempts = AttemptHistory(self)
        self.emails = EmailList(self)
        self.callbacks = CallbackList(self)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.setObjectName("lead_history_splitter")
        for title, view in (("Calls", self.attempts), ("Emails", self.emails),
                            ("Callbacks", self.callbacks)):
            box = QWidget(split)
            lay = QVBoxLayout(box)
            lay.setContentsMargins(0, 0, 0, 0)
            label = QLabel(f"<b>{title}</b>", box)
            label.setBuddy(view)
            # Three lines each at the least: the page must fit under the card and the call
            # keys at 720 px (the splitter gives them more when there is room).
            view.setMinimumHeight(view.fontMetrics().height() * 4)
            lay.addWidget(label)
            lay.addWidget(view, 1)
            split.addWidget(box)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)


class LeadTabs(QTabWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lead_tabs")
        self.setElideMode(Qt.TextElideMode.ElideNone)
        self.setUsesScrollButtons(True)  # only should the window get narrower than 1280

    def sizeHint(self) -> QSize:
        """As tall as it must be, no taller: the lead's scroll area (``LeadPanel``) sizes
        its content by what the content prefers, and a page's wish (the script, the
        lists) would make the whole lead scroll at 720 px; the room left goes to the tabs
        anyway (their stretch)."""
        hint = super().sizeHint()
        return QSize(hint.width(), min(hint.height(), self.minimumSizeHint().height()))

    def heightForWidth(self, width: int) -> int:
        # QTabWidget asks its page (the script's BANT step wraps tall): same rule as above.
        return min(super().heightForWidth(width), self.minimumSizeHint().height())

    def add_page(self, widget: QWidget, title: str, at: int | None = None) -> int:
        index = self.addTab(widget, title) if at is None else self.insertTab(at, widget, title)
        if title in TOOLTIPS:
            self.setTabToolTip(index, TOOLTIPS[title])
        return index

    def titles_fit(self) -> bool:
        """Every title whole, with no scroll arrows: the bar wants no more than it has."""
        bar = self.tabBar()
        return bar.sizeHint().width() <= self.width() and all(
            bar.tabRect(i).width() >= bar.fontMetrics().horizontalAdvance(self.tabText(i))
            for i in range(self.count()))
