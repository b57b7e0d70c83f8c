"""What a feature sees of the main window: a small protocol, so the features (``ui/features.py``,
the phone, the Settings menu) never import ``ui.main_window`` and the window is the only
module that knows them all."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMenuBar, QStatusBar, QTabWidget, QToolBar, QWidget

    from ui.context import AppContext
    from ui.lead_panel import LeadPanel
    from ui.queue_view import QueueView


class Host(Protocol):
    """``ui.main_window.MainWindow`` is one; a test may hand any object with these."""

    ctx: AppContext
    queue: QueueView
    lead_panel: LeadPanel
    pages: QTabWidget
    workspace: QWidget  # the rep's queue and lead panel: the first page

    def window(self) -> QWidget:
        """The window itself (``QWidget.window``): the parent of the features' widgets."""
        ...

    def menuBar(self) -> QMenuBar: ...

    def statusBar(self) -> QStatusBar: ...

    def addAction(self, action: QAction) -> None: ...

    def addToolBar(self, area: Qt.ToolBarArea, toolbar: QToolBar) -> None: ...

    def add_page(self, title: str, widget: QWidget, object_name: str) -> int: ...

    def show_status(self, message: str) -> None: ...

    def close(self) -> bool: ...
