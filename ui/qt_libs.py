"""Before the first window: can Qt's X11 plugin (xcb) load on this machine?

A minimal Linux desktop may lack libxcb-cursor0 and friends; Qt then dies with its own
message, which names the wrong library ("xcb-cursor0 or libxcb-cursor0 is needed" even
when libxcb-icccm4 is what is missing). ``ldd`` on the plugin lists every library the
loader cannot find, so the launcher can name the Debian packages and the one command
that installs them. Nothing here imports Qt: it must run before Qt fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from importlib.util import find_spec
from pathlib import Path

# Shared library (soname) -> the Debian/Ubuntu package that ships it.
DEBIAN_PACKAGES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libEGL.so.1": "libegl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libpng16.so.16": "libpng16-16",
    "libz.so.1": "zlib1g",
    "libzstd.so.1": "libzstd1",
    "libexpat.so.1": "libexpat1",
    "libbrotlidec.so.1": "libbrotli1",
    "libpcre2-8.so.0": "libpcre2-8-0",
}
_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


def xcb_plugin() -> Path | None:
    """The xcb platform plugin of the installed PySide6 (without importing it)."""
    spec = find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(next(iter(spec.submodule_search_locations)))
    plugin = base / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.exists() else None


def missing_libraries(binary: Path) -> list[str]:
    """Sonames the dynamic loader cannot find for ``binary`` and everything it pulls in."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return []
    try:
        out = subprocess.run([ldd, str(binary)], capture_output=True, text=True, timeout=10,
                             check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(set(_NOT_FOUND.findall(out)))


def packages_for(libs: list[str]) -> list[str]:
    """Debian packages for the sonames, in order, each once; unknown ones stay as named."""
    seen: list[str] = []
    for lib in libs:
        pkg = DEBIAN_PACKAGES.get(lib, lib)
        if pkg not in seen:
            seen.append(pkg)
    return seen


def wants_xcb(env: Mapping[str, str]) -> bool:
    """Will Qt pick the xcb plugin? Only then is it worth checking."""
    if not sys.platform.startswith("linux"):
        return False
    platform = env.get("QT_QPA_PLATFORM", "").strip().lower()
    if platform:
        return platform.split(";")[0].split(":")[0] == "xcb"
    return not env.get("WAYLAND_DISPLAY")  # Qt 6 prefers its Wayland plugin there


def message(libs: list[str]) -> str:
    pkgs = packages_for(libs)
    return ("the window cannot open: Qt's X11 screen plugin needs "
            + ", ".join(libs) + ", which this machine lacks.\n"
            + "Install the missing package" + ("s" if len(pkgs) > 1 else "")
            + " (Debian, Ubuntu) and start QualDesk again:\n"
            + "    sudo apt-get install " + " ".join(pkgs))


def xcb_problem(env: Mapping[str, str] | None = None, plugin: Path | None = None) -> str | None:
    """A message saying what to install, or None when the window can open (or we
    cannot tell: then Qt speaks for itself)."""
    env = os.environ if env is None else env
    if not wants_xcb(env):
        return None
    plugin = plugin or xcb_plugin()
    if plugin is None:
        return None
    libs = missing_libraries(plugin)
    if libs:
        return message(libs)
    if not env.get("DISPLAY"):
        return ("the window cannot open: no desktop display was found (DISPLAY is not set). "
                "Start QualDesk from the desktop session, or under `xvfb-run -a qualdesk`.")
    return None
