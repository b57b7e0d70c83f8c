"""Dialogs as a rep meets them (issue #17 trap 9): no stray child over the form, widths
that fit what they show, defaults a rep can confirm with Ctrl+Enter."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget


def _stray_children(dialog: QWidget) -> list[str]:
    """Visible input widgets that no layout placed (they lie at (0, 0))."""
    out = []
    for w in dialog.findChildren(QWidget):
        name = w.objectName()
        if not name.startswith("lead_form_") or not w.isVisible():
            continue
        if w.geometry().topLeft().isNull() and w.parentWidget() is dialog:
            out.append(name)
    return out


def _show(qtbot: Any, dialog: QWidget) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)


def test_new_lead_has_no_time_zone_box_over_first_name(qtbot, ctx) -> None:
    from ui.lead_edit_dialog import LeadFormDialog

    dialog = LeadFormDialog(ctx)
    _show(qtbot, dialog)
    assert dialog.findChild(QWidget, "lead_form_time_zone") is None
    assert _stray_children(dialog) == []
    assert dialog.width() >= 520


def test_edit_lead_has_no_hand_raise_box_over_first_name(qtbot, ctx, seeded) -> None:
    from qualdesk.services.leads import lead_detail
    from ui.lead_edit_dialog import LeadFormDialog

    dialog = LeadFormDialog(ctx, lead_detail(ctx.db, seeded.leads["Alice"]))
    _show(qtbot, dialog)
    assert dialog.findChild(QWidget, "lead_form_hand_raise") is None
    assert _stray_children(dialog) == []
    tz = dialog.time_zone
    assert tz is not None
    assert tz.width() >= tz.fontMetrics().horizontalAdvance(tz.placeholderText())
