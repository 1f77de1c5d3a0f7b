"""Fixtures of the agent's namespace tests: the vspan binary (VSPAN_BIN, default
target/debug/vspan), tshark, and the root check (without root these tests say loudly that they
were skipped)."""

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import netns  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]


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


@pytest.fixture(scope="session")
def root():
    if not netns.is_root():
        msg = "\n" + "!" * 78 + "\n!!! SKIPPED: the agent's namespace tests need root (netns, AF_PACKET).\n" + "!" * 78
        print(msg, file=sys.stderr)
        pytest.skip("agent namespace tests need root: SKIPPED (not run)")
