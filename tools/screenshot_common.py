"""What every screenshot tool shares: writing a widget's picture, loudly.

``QWidget.grab().save()`` returns False — and says nothing — when the folder is missing
or the file cannot be written, so a run could "finish" with no picture. ``save`` makes
the folder and stops the tool with the path when the file is not written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def save(widget: Any, path: Path | str) -> Path:
    """``widget``'s picture as PNG at ``path`` (its folder made first); exits non-zero,
    naming the file, when it cannot be written."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SystemExit(f"cannot make the folder {path.parent}: {exc.strerror or exc}") from None
    if not widget.grab().save(str(path)):
        raise SystemExit(f"cannot write {path} (is the folder writable?)")
    return path
