"""The launcher names the Debian package a bare desktop lacks before Qt fails.

A real ELF plugin is built with binutils (as, ld) against stand-in libraries that are
then removed, so ``ldd`` really reports them missing (made-up names: the real xcb
libraries are installed here and would resolve from the system).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ui.qt_libs import (
    DEBIAN_PACKAGES,
    message,
    missing_libraries,
    packages_for,
    wants_xcb,
    xcb_plugin,
    xcb_problem,
)


def _plugin_missing(tmp_path: Path, sonames: list[str]) -> Path:
    if not (shutil.which("as") and shutil.which("ld") and shutil.which("ldd")):
        pytest.fail("binutils (as, ld) and ldd are needed: tools/test.sh installs binutils")
    empty = tmp_path / "empty.o"
    subprocess.run(["as", "-o", str(empty), "/dev/null"], check=True)
    libs = tmp_path / "libs"
    libs.mkdir()
    for so in sonames:
        subprocess.run(["ld", "-shared", "-soname", so, "-o", str(libs / so), str(empty)], check=True)
    plugin = tmp_path / "libqxcb.so"
    subprocess.run(["ld", "-shared", "-o", str(plugin), str(empty),
                    *(str(libs / so) for so in sonames)], check=True)
    shutil.rmtree(libs)
    return plugin


def test_a_missing_library_is_named_with_its_package(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    plugin = _plugin_missing(tmp_path, ["libqdtest-cursor.so.0", "libqdtest-icccm.so.4"])
    assert missing_libraries(plugin) == ["libqdtest-cursor.so.0", "libqdtest-icccm.so.4"]
    monkeypatch.setitem(DEBIAN_PACKAGES, "libqdtest-cursor.so.0", "libxcb-cursor0")
    text = xcb_problem({"DISPLAY": ":0"}, plugin)
    assert text is not None
    assert "sudo apt-get install libxcb-cursor0 libqdtest-icccm.so.4" in text
    assert "libqdtest-icccm.so.4" in text and "libqdtest-cursor.so.0" in text


def test_this_machines_plugin_loads_and_needs_nothing() -> None:
    plugin = xcb_plugin()
    assert plugin is not None and plugin.name == "libqxcb.so"
    assert missing_libraries(plugin) == []
    assert xcb_problem({"DISPLAY": ":0"}, plugin) is None


def test_no_display_says_what_to_do() -> None:
    text = xcb_problem({}, xcb_plugin())
    assert text is not None and "DISPLAY" in text and "xvfb-run" in text


def test_only_the_xcb_plugin_is_checked() -> None:
    assert wants_xcb({"DISPLAY": ":0"})
    assert wants_xcb({"QT_QPA_PLATFORM": "xcb"})
    assert not wants_xcb({"QT_QPA_PLATFORM": "offscreen"})
    assert not wants_xcb({"WAYLAND_DISPLAY": "wayland-0"})
    assert xcb_problem({"QT_QPA_PLATFORM": "offscreen"}) is None


def test_packages_are_listed_once_and_unknown_sonames_stay_named() -> None:
    assert packages_for(["libxcb-cursor.so.0", "libxcb-icccm.so.4"]) == ["libxcb-cursor0",
                                                                        "libxcb-icccm4"]
    assert packages_for(["libglib-2.0.so.0", "libgthread-2.0.so.0", "libfoo.so.1"]) == [
        "libglib2.0-0", "libfoo.so.1"]
    assert "packages" in message(["libxcb-cursor.so.0", "libfoo.so.1"])
