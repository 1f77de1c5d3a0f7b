"""`vspan up` on a fresh directory: it starts with no configuration, prints its endpoint and a dev
account's keys, and those keys work with both official SDKs. A restart keeps the same keys."""
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from alibabacloud_tea_openapi.models import Config
from alibabacloud_vpc20160428 import models as vpc
from alibabacloud_vpc20160428.client import Client

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("VSPAN_BIN", str(ROOT / "target" / "debug" / "vspan"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_up(cwd, port):
    proc = subprocess.Popen([BIN, "up", "--listen", f"127.0.0.1:{port}", "--settle-delay-ms", "0"],
                            cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    deadline = time.time() + 20
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "demo ENIs" in line:
            break
    text = "".join(lines)
    assert "access_key_secret" in text, f"vspan up printed no keys:\n{text}"
    return proc, text


def field(text, name):
    m = re.search(rf"^\s*{name}\s+(\S+)", text, re.M)
    assert m, f"{name} not in banner:\n{text}"
    return m.group(1)


@pytest.fixture
def up(tmp_path):
    port = free_port()
    proc, text = start_up(tmp_path, port)
    yield tmp_path, port, proc, text
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)


def test_up_prints_working_keys(up):
    cwd, port, _, text = up
    assert f"http://127.0.0.1:{port}" in text
    assert (cwd / "vspan-data" / "vspan.db").exists()
    ak, sk = field(text, "access_key_id"), field(text, "access_key_secret")
    client = Client(Config(access_key_id=ak, access_key_secret=sk, region_id="cn-hangzhou",
                           endpoint=f"127.0.0.1:{port}", protocol="http"))
    assert client.get_traffic_mirror_service_status(
        vpc.GetTrafficMirrorServiceStatusRequest(region_id="cn-hangzhou")).body.enabled is True
    enis = re.search(r"demo ENIs\s+(.*)$", text, re.M).group(1).split()
    assert len(enis) == 4
    f = client.create_traffic_mirror_filter(vpc.CreateTrafficMirrorFilterRequest(region_id="cn-hangzhou")).body
    s = client.create_traffic_mirror_session(vpc.CreateTrafficMirrorSessionRequest(
        region_id="cn-hangzhou", traffic_mirror_filter_id=f.traffic_mirror_filter_id,
        traffic_mirror_source_ids=[enis[0]], traffic_mirror_target_id=enis[3],
        traffic_mirror_target_type="NetworkInterface", priority=1)).body
    listed = client.list_traffic_mirror_sessions(vpc.ListTrafficMirrorSessionsRequest(
        region_id="cn-hangzhou", traffic_mirror_session_ids=[s.traffic_mirror_session_id])).body
    assert listed.traffic_mirror_sessions[0].traffic_mirror_source_ids == [enis[0]]


def test_up_keeps_its_keys_and_state_across_restarts(tmp_path):
    port = free_port()
    proc, first = start_up(tmp_path, port)
    ak, sk = field(first, "access_key_id"), field(first, "access_key_secret")
    client = Client(Config(access_key_id=ak, access_key_secret=sk, region_id="cn-hangzhou",
                           endpoint=f"127.0.0.1:{port}", protocol="http"))
    fid = client.create_traffic_mirror_filter(
        vpc.CreateTrafficMirrorFilterRequest(region_id="cn-hangzhou")).body.traffic_mirror_filter_id
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    proc, second = start_up(tmp_path, port)
    try:
        assert field(second, "access_key_id") == ak and field(second, "access_key_secret") == sk
        got = client.list_traffic_mirror_filters(vpc.ListTrafficMirrorFiltersRequest(
            region_id="cn-hangzhou", traffic_mirror_filter_ids=[fid])).body
        assert [x.traffic_mirror_filter_id for x in got.traffic_mirror_filters] == [fid]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
