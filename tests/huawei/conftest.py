"""Fixtures for the Huawei dialect: one `vspan server` per test module (settle_delay_ms = 0
unless a module says otherwise), started by the Alibaba suite's harness (aliyun_kit)."""
from __future__ import annotations

import pytest

from hw_kit import HwRaw, hw_client, make_server, project_of


@pytest.fixture(scope="module")
def srv(request, tmp_path_factory):
    s = make_server(tmp_path_factory, "hw_" + request.module.__name__.rsplit(".", 1)[-1])
    yield s
    s.stop()


@pytest.fixture(scope="module")
def world(srv):
    return srv.world


@pytest.fixture(scope="module")
def hw(srv):
    """The official Huawei VpcClient of account A (its own project)."""
    return hw_client(srv, "A")


@pytest.fixture(scope="module")
def hw_b(srv):
    return hw_client(srv, "B")


@pytest.fixture(scope="module")
def pid(world):
    return project_of(world, "A")


@pytest.fixture(scope="module")
def raw(srv):
    return HwRaw(srv, "A")


@pytest.fixture
def server_factory(tmp_path_factory):
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
    yield
    if "srv" in request.fixturenames:
        s = request.getfixturevalue("srv")
        assert s.alive(), f"vspan server died during the test; log:\n{s.log_tail()}"
