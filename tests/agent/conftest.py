"""Fixtures of the agent's namespace tests: the root check (without root these tests say loudly
that they were skipped). The vspan binary and tshark come from tests/conftest.py."""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import netns  # noqa: E402


@pytest.fixture(scope="session")
def root():
    if not netns.is_root():
        msg = "\n" + "!" * 78 + "\n!!! SKIPPED: the agent's namespace tests need root (netns, AF_PACKET).\n" + "!" * 78
        print(msg, file=sys.stderr)
        pytest.skip("agent namespace tests need root: SKIPPED (not run)")
