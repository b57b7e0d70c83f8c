"""Icons and the countdown's state colours.

The state icons are painted (a shape per state, so they differ in black and white
too), and the state colours come in a light and a dark set chosen from the palette, so
the clock stays readable on either desktop theme. These are the only hard-coded colours
in the app.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication

from qualdesk.domain.countdown import CountdownState
from qualdesk.paths import resources_dir

# (background, foreground) per state, light theme then dark theme. Okabe–Ito hues
# (bluish green / orange / vermillion) stay apart for the common colour-vision types.
_LIGHT: dict[CountdownState, tuple[str, str]] = {
    CountdownState.COMFORTABLE: ("#cdeee2", "#004d38"),
    CountdownState.WARNING: ("#fde3a7", "#5c3d00"),
    CountdownState.BREACHED: ("#c84f00", "#ffffff"),
}
_DARK: dict[CountdownState, tuple[str, str]] = {
    CountdownState.COMFORTABLE: ("#0e4535", "#a8ecd3"),
    CountdownState.WARNING: ("#6b4800", "#ffe3a3"),
    CountdownState.BREACHED: ("#b84a00", "#ffffff"),
}

_ICON_FILL = {
    CountdownState.COMFORTABLE: "#009e73",
    CountdownState.WARNING: "#e69f00",
    CountdownState.BREACHED: "#d55e00",
}


def is_dark(palette: QPalette | None = None) -> bool:
    pal = palette or QApplication.palette()
    return pal.color(QPalette.ColorRole.Window).lightness() < 128


# An email is read on its own page: white, as the recipient's mail client shows it, so
# its own dark text stays readable when the desktop is dark (the preview must not lie).
_PAPER = ("#ffffff", "#222222")


def paper_palette(base: QPalette) -> QPalette:
    """``base`` with a mail page's background and text, for an email's preview."""
    pal = QPalette(base)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        pal.setColor(group, QPalette.ColorRole.Base, QColor(_PAPER[0]))
        pal.setColor(group, QPalette.ColorRole.Text, QColor(_PAPER[1]))
    return pal


def state_colours(state: CountdownState, dark: bool | None = None) -> tuple[QColor, QColor] | None:
    """(background, foreground) for a countdown state; ``None`` for no clock."""
    if state is CountdownState.NONE:
        return None
    table = _DARK if (is_dark() if dark is None else dark) else _LIGHT
    bg, fg = table[state]
    return QColor(bg), QColor(fg)


@cache
def state_icon(state: CountdownState, dark: bool = False) -> QIcon:
    """Circle-with-tick, triangle-with-bang, octagon-with-cross; empty for no clock."""
    if state is CountdownState.NONE:
        return QIcon()
    size = 64
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(QColor("#f0f0f0") if dark else QColor("#202020"), 3))
    p.setBrush(QColor(_ICON_FILL[state]))
    mark = QPen(QColor("#ffffff") if state is not CountdownState.WARNING else QColor("#202020"), 7)
    mark.setCapStyle(Qt.PenCapStyle.RoundCap)
    if state is CountdownState.COMFORTABLE:
        p.drawEllipse(QRectF(4, 4, size - 8, size - 8))
        p.setPen(mark)
        p.drawPolyline([QPointF(18, 33), QPointF(28, 44), QPointF(47, 21)])
    elif state is CountdownState.WARNING:
        path = QPainterPath(QPointF(size / 2, 4))
        path.lineTo(size - 3, size - 6)
        path.lineTo(3, size - 6)
        path.closeSubpath()
        p.drawPath(path)
        p.setPen(mark)
        p.drawLine(QPointF(32, 24), QPointF(32, 40))
        p.drawPoint(QPointF(32, 50))
    else:
        s, c = size - 8, 4.0
        k = s * 0.29
        pts = [QPointF(c + k, c), QPointF(c + s - k, c), QPointF(c + s, c + k),
               QPointF(c + s, c + s - k), QPointF(c + s - k, c + s), QPointF(c + k, c + s),
               QPointF(c, c + s - k), QPointF(c, c + k)]
        p.drawPolygon(pts)
        p.setPen(mark)
        p.drawLine(QPointF(22, 22), QPointF(42, 42))
        p.drawLine(QPointF(42, 22), QPointF(22, 42))
    p.end()
    return QIcon(pm)


def app_icon() -> QIcon:
    path = resources_dir() / "icons" / "qualdesk.svg"
    return QIcon(str(path)) if path.exists() else QIcon()
