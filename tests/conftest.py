"""Fixtures every suite under tests/ shares: the vspan binary (VSPAN_BIN, default
target/debug/vspan, built if missing) and tshark."""

import os
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def vspan():
    path = pathlib.Path(os.environ.get("VSPAN_BIN", ROOT / "target" / "debug" / "vspan"))
    if not path.exists():
        subprocess.run(["cargo", "build", "-p", "vspan"], cwd=ROOT, check=True)
    return str(path)


@pytest.fixture(scope="session")
def tshark():
    path = shutil.which("tshark")
    if not path:
        pytest.fail("tshark is required (apt-get install tshark)")
    return path
