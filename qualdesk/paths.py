"""Where things live: user data/config dirs and the shipped resources.

One resolver finds ``resources/`` and ``scripts_library/`` in a dev checkout and in a
PyInstaller bundle (``sys._MEIPASS``); ``build_installer.spec`` mirrors these paths.
Every location can be overridden by environment variables (tests never touch the real
user directories).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "QualDesk"


def bundle_root() -> Path:
    meipass = getattr(sys, "_MEIPASS", None)
    if meipass:
        return Path(meipass)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return bundle_root() / "resources"


def scripts_library_dir() -> Path:
    return bundle_root() / "scripts_library"


def migrations_dir() -> Path:
    return Path(__file__).resolve().parent / "db" / "migrations"


def data_dir() -> Path:
    override = os.environ.get("QUALDESK_DATA_DIR")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    override = os.environ.get("QUALDESK_CONFIG_DIR")
    path = Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_templates_dir() -> Path:
    """Team leads drop their own templates here; they shadow the shipped ones."""
    return data_dir() / "templates"


def user_scripts_dir() -> Path:
    return data_dir() / "scripts"


def default_db_url() -> str:
    return f"sqlite:///{data_dir() / 'qualdesk.sqlite3'}"
