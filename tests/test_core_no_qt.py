"""The core never imports Qt: importing every qualdesk module with Qt blocked must work."""

from __future__ import annotations

import subprocess
import sys

CODE = r"""
import importlib, pkgutil, sys

class BlockQt:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "shiboken6", "ui", "pyqtgraph"):
            raise ImportError(f"blocked: {name}")
        return None

sys.meta_path.insert(0, BlockQt())
import qualdesk
seen = 0
for m in pkgutil.walk_packages(qualdesk.__path__, "qualdesk."):
    if ".migrations" in m.name or m.name.endswith("__main__"):
        continue
    importlib.import_module(m.name)
    seen += 1
assert not any(k.startswith("PySide6") for k in sys.modules)
print(seen)
"""


def test_every_core_module_imports_without_qt() -> None:
    p = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert int(p.stdout.strip()) > 20
