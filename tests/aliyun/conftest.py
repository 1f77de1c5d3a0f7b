"""Fixtures: one `vspan server` per test module (settle_delay_ms = 0 unless a module says
otherwise), started from the binary at $VSPAN_BIN (default <repo>/target/debug/vspan)."""
from __future__ import annotations

import pytest

from aliyun_kit import VspanServer, World


def make_server(tmp_path_factory, name, *, settle_delay_ms=0, quotas=None, overrides=None):
    world = World(quotas=quotas)
    srv = VspanServer(world, tmp_path_factory.mktemp(name), settle_delay_ms=settle_delay_ms,
                      overrides=overrides)
    return srv.start()


@pytest.fixture(scope="module")
def srv(request, tmp_path_factory):
    """A server with the standard world, writes settled before they answer."""
    s = make_server(tmp_path_factory, request.module.__name__.rsplit(".", 1)[-1])
    yield s
    s.stop()


@pytest.fixture(scope="module")
def world(srv):
    return srv.world


@pytest.fixture(scope="module")
def a(srv):
    """SDK client (V3 signer) of account A."""
    return srv.client("A")


@pytest.fixture(scope="module")
def b(srv):
    return srv.client("B")


@pytest.fixture
def server_factory(tmp_path_factory):
    """For tests that need their own server (other config, restarts)."""
    started = []

    def factory(name="srv", **kw):
        s = make_server(tmp_path_factory, name, **kw)
        started.append(s)
        return s

    yield factory
    for s in started:
        s.stop()


@pytest.fixture(autouse=True)
def _server_still_alive(request):
    """After each test, the module's server must still be running (no crash on any input)."""
    yield
    if "srv" in request.fixturenames:
        s = request.getfixturevalue("srv")
        assert s.alive(), f"vspan server died during the test; log:\n{s.log_tail()}"
