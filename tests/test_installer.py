"""The installer: PyInstaller builds the one-folder app from build_installer.spec; the
frozen binary creates its SQLite database, loads the demo and shows it offscreen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_frozen_app_builds_starts_and_shows_the_demo(tmp_path: Path) -> None:
    dist, work = tmp_path / "dist", tmp_path / "build"
    build = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(dist), "--workpath", str(work), str(ROOT / "build_installer.spec")],
        capture_output=True, text=True, timeout=900, cwd=ROOT,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    exe = dist / "qualdesk" / ("qualdesk.exe" if os.name == "nt" else "qualdesk")
    assert exe.exists()
    bundle = dist / "qualdesk" / "_internal"
    for shipped in ("resources/templates/default/email.txt.j2", "scripts_library/default.toml",
                    "qualdesk/db/migrations/versions/0001_initial_schema.py"):
        assert (bundle / shipped).exists(), shipped

    env = dict(os.environ, QUALDESK_DATA_DIR=str(tmp_path / "data"),
               QUALDESK_CONFIG_DIR=str(tmp_path / "config"), QT_QPA_PLATFORM="offscreen")
    env.pop("QUALDESK_DB", None)

    def frozen(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=300,
                              env=env, cwd=tmp_path)

    assert frozen("--version").stdout.strip().startswith("qualdesk ")
    demo = frozen("demo", "--json")
    assert demo.returncode == 0, demo.stderr
    assert json.loads(demo.stdout)["leads_added"] > 50
    assert (tmp_path / "data" / "qualdesk.sqlite3").exists()
    # Templates and scripts are found inside the bundle.
    check = frozen("template", "check", str(bundle / "resources" / "templates"))
    assert check.returncode == 0, check.stdout + check.stderr
    leads = json.loads(frozen("leads", "--json").stdout)
    assert len(leads) == json.loads(demo.stdout)["leads_added"]
    rep = next(u["name"] for u in json.loads(frozen("users", "--json").stdout) if u["role"] == "rep")
    smoke = frozen("app", "--rep", rep, "--smoke-test", "60")
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr[-3000:]
    seen = json.loads(smoke.stdout.strip().splitlines()[-1])
    assert seen["window"] and seen["queue_loaded"]
