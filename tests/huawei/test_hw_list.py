"""List operations (docs/huawei.md, last paragraph): limit/marker pagination with page_info
(next_marker absent on the last page), every filter key, repeated keys (`id=a&id=b`, sent by the
SDK for a Python list)."""
from __future__ import annotations

import pytest

from hw_kit import (
    body, create_filter, create_rule, create_session, expect_hw_error, filt_list, list_all,
    rule_list, sess_list)


@pytest.fixture(scope="module")
def sessions(hw, world):
    """Seven sessions with distinct attributes, on two filters and a shared target."""
    f1, f2 = create_filter(hw, name="lf-one")["id"], create_filter(hw, name="lf-two")["id"]
    t = world.eni()
    out = []
    for i in range(7):
        out.append(create_session(
            hw, world, filter_id=f1 if i % 2 else f2, name=f"list-s{i}",
            description=f"desc-{i % 3}", traffic_mirror_target_id=t if i < 5 else world.eni(),
            virtual_network_id=1000 + i, packet_length=100 + (i % 2), enabled=bool(i % 2)))
    out.append(create_session(hw, world, filter_id=f1, name="list-elb",
                              traffic_mirror_target_id=world.lb_a,
                              traffic_mirror_target_type="elb"))
    return out


def _ids(xs):
    return [x["id"] for x in xs]


def _page(fn, hw, key, **q):
    b = body(fn(hw, **q))
    assert isinstance(b.get("page_info"), dict), b
    return b[key], b["page_info"]


@pytest.mark.parametrize("kind,fn,key", [
    ("sessions", sess_list, "traffic_mirror_sessions"),
    ("filters", filt_list, "traffic_mirror_filters"),
    ("rules", rule_list, "traffic_mirror_filter_rules"),
])
def test_pagination(hw, sessions, kind, fn, key):
    if kind == "filters":
        for _ in range(5):
            create_filter(hw)
    if kind == "rules":
        f = create_filter(hw)
        for p in range(1, 6):
            create_rule(hw, f["id"], priority=p)
    everything, pi = _page(fn, hw, key)
    assert "next_marker" not in pi, pi
    assert pi["current_count"] == len(everything)
    assert len(everything) >= 5
    ids = _ids(everything)
    assert len(set(ids)) == len(ids)
    # limit 0 means everything, like no limit
    assert _ids(_page(fn, hw, key, limit=0)[0]) == ids
    # walk in pages of 2
    walked, marker, pages = [], None, 0
    while True:
        q = {"limit": 2}
        if marker:
            q["marker"] = marker
        items, pi = _page(fn, hw, key, **q)
        pages += 1
        assert pi["current_count"] == len(items)
        assert type(pi["current_count"]) is int
        walked += _ids(items)
        if "next_marker" not in pi:
            break
        assert len(items) == 2
        assert pi["next_marker"] == items[-1]["id"], pi
        if pi.get("previous_marker") is not None:
            assert pi["previous_marker"] == items[0]["id"], pi
        marker = pi["next_marker"]
        assert pages < 1000
    assert walked == ids, "pages do not add up to the whole list in the same order"
    # an exact fit: the page that holds the last object carries no next_marker, or the next
    # page is empty and carries none
    last, pi = _page(fn, hw, key, limit=len(ids))
    assert _ids(last) == ids
    if "next_marker" in pi:
        rest, pi2 = _page(fn, hw, key, limit=len(ids), marker=pi["next_marker"])
        assert rest == [] and "next_marker" not in pi2


def test_limit_larger_than_the_list(hw, sessions):
    items, pi = _page(sess_list, hw, "traffic_mirror_sessions", limit=2000)
    assert "next_marker" not in pi
    assert len(items) == pi["current_count"]


@pytest.mark.parametrize("limit", [-1, 2001, "abc"])
def test_limit_out_of_range(hw, limit):
    e = expect_hw_error("VPC.TM0102", 400, sess_list, hw, limit=limit)
    assert "limit" in e.error_msg


def _names(hw, **q):
    return sorted(x["name"] for x in list_all(hw, "sessions", **q)
                  if x["name"].startswith("list-"))


def test_session_filter_id_repeated(hw, sessions):
    a, b = sessions[0], sessions[3]
    got = body(sess_list(hw, id=[b["id"], a["id"]]))["traffic_mirror_sessions"]
    assert sorted(_ids(got)) == sorted([a["id"], b["id"]])
    assert body(sess_list(hw, id=a["id"]))["traffic_mirror_sessions"] == [a]


def test_session_filter_unknown_id_is_empty(hw, sessions):
    b = body(sess_list(hw, id=["00000000-0000-4000-8000-000000000000"]))
    assert b["traffic_mirror_sessions"] == []
    assert b["page_info"]["current_count"] == 0 and "next_marker" not in b["page_info"]


@pytest.mark.parametrize("q,want", [
    ({"name": "list-s2"}, ["list-s2"]),
    ({"name": ["list-s2", "list-s5"]}, ["list-s2", "list-s5"]),
    ({"description": "desc-1"}, ["list-s1", "list-s4"]),
    ({"description": ["desc-1", "desc-2"]}, ["list-s1", "list-s2", "list-s4", "list-s5"]),
    ({"virtual_network_id": "1003"}, ["list-s3"]),
    ({"virtual_network_id": ["1003", "1006"]}, ["list-s3", "list-s6"]),
    ({"packet_length": "101"}, ["list-s1", "list-s3", "list-s5"]),
    ({"enabled": True}, ["list-s1", "list-s3", "list-s5"]),
    ({"traffic_mirror_target_type": "elb"}, ["list-elb"]),
    ({"type": "eni"}, ["list-elb"] + [f"list-s{i}" for i in range(7)]),
])
def test_session_filters(hw, sessions, q, want):
    assert _names(hw, **q) == sorted(want)


def test_session_filter_enabled_false(hw, sessions):
    assert _names(hw, enabled=False) == sorted(["list-elb"] + [f"list-s{i}" for i in (0, 2, 4, 6)])


def test_session_filter_by_filter_target_priority(hw, sessions):
    s0, s1 = sessions[0], sessions[1]
    f_even, f_odd = s0["traffic_mirror_filter_id"], s1["traffic_mirror_filter_id"]
    assert _names(hw, traffic_mirror_filter_id=f_even) == ["list-s0", "list-s2", "list-s4",
                                                           "list-s6"]
    assert _names(hw, traffic_mirror_filter_id=[f_even, f_odd]) == \
        sorted(["list-elb"] + [f"list-s{i}" for i in range(7)])
    t = s0["traffic_mirror_target_id"]
    assert _names(hw, traffic_mirror_target_id=t) == [f"list-s{i}" for i in range(5)]
    assert _names(hw, traffic_mirror_target_id=[sessions[5]["traffic_mirror_target_id"],
                                                sessions[6]["traffic_mirror_target_id"]]) == \
        ["list-s5", "list-s6"]
    assert _names(hw, priority=str(s1["priority"])) == ["list-s1"]
    assert _names(hw, priority=[str(s1["priority"]), str(sessions[2]["priority"])]) == \
        ["list-s1", "list-s2"]


def test_session_filters_combine(hw, sessions):
    assert _names(hw, description="desc-1", enabled=True) == ["list-s1"]
    assert _names(hw, name=["list-s1", "list-s2"], enabled=False) == ["list-s2"]


def test_session_list_filter_with_pagination(hw, sessions):
    f_even = sessions[0]["traffic_mirror_filter_id"]
    got = list_all(hw, "sessions", limit=1, traffic_mirror_filter_id=f_even)
    assert sorted(x["name"] for x in got) == ["list-s0", "list-s2", "list-s4", "list-s6"]


def test_filter_list_filters(hw):
    a = create_filter(hw, name="flt-a", description="fd-1")
    b = create_filter(hw, name="flt-b", description="fd-2")
    c = create_filter(hw, name="flt-c", description="fd-2")
    ids = lambda **q: sorted(_ids(list_all(hw, "filters", **q)))  # noqa: E731
    assert ids(id=[a["id"], c["id"]]) == sorted([a["id"], c["id"]])
    assert ids(id=b["id"]) == [b["id"]]
    assert ids(name="flt-a") == [a["id"]]
    assert ids(name=["flt-a", "flt-b"]) == sorted([a["id"], b["id"]])
    assert ids(description="fd-2") == sorted([b["id"], c["id"]])
    assert ids(description=["fd-1", "fd-2"]) == sorted([a["id"], b["id"], c["id"]])
    assert ids(id=["00000000-0000-4000-8000-000000000000"]) == []
    got = list_all(hw, "filters", limit=1, description="fd-2")
    assert sorted(_ids(got)) == sorted([b["id"], c["id"]])


def test_rule_list_filters(hw):
    f = create_filter(hw)
    g = create_filter(hw)
    r1 = create_rule(hw, f["id"], direction="ingress", protocol="TCP", priority=1,
                     description="rd-1", source_cidr_block="10.0.0.0/8",
                     destination_cidr_block="10.1.0.0/16", source_port_range="1-1024",
                     destination_port_range="80-80", action="accept")
    r2 = create_rule(hw, f["id"], direction="egress", protocol="UDP", priority=2,
                     description="rd-2", source_cidr_block="192.168.0.0/16",
                     destination_cidr_block="0.0.0.0/0", source_port_range="53-53",
                     destination_port_range="1-65535", action="reject")
    r3 = create_rule(hw, f["id"], direction="ingress", protocol="ICMP", priority=3,
                     description="rd-1", action="reject")
    r4 = create_rule(hw, g["id"], direction="ingress", protocol="TCP", priority=1,
                     description="rd-9", source_cidr_block="10.0.0.0/8")
    mine = {r1["id"], r2["id"], r3["id"], r4["id"]}

    def ids(**q):
        return sorted(x["id"] for x in list_all(hw, "rules", **q) if x["id"] in mine)

    S = lambda *rs: sorted(r["id"] for r in rs)  # noqa: E731
    assert ids(id=[r1["id"], r4["id"]]) == S(r1, r4)
    assert ids(id=r2["id"]) == S(r2)
    assert ids(traffic_mirror_filter_id=f["id"]) == S(r1, r2, r3)
    assert ids(traffic_mirror_filter_id=[f["id"], g["id"]]) == S(r1, r2, r3, r4)
    assert ids(description="rd-1") == S(r1, r3)
    assert ids(description=["rd-2", "rd-9"]) == S(r2, r4)
    assert ids(direction="egress") == S(r2)
    assert ids(direction=["ingress", "egress"]) == S(r1, r2, r3, r4)
    assert ids(protocol="TCP") == S(r1, r4)
    assert ids(protocol=["UDP", "ICMP"]) == S(r2, r3)
    assert ids(source_cidr_block="10.0.0.0/8") == S(r1, r4)
    assert ids(destination_cidr_block=["10.1.0.0/16", "0.0.0.0/0"]) == S(r1, r2)
    assert ids(source_port_range="53-53") == S(r2)
    assert ids(destination_port_range=["80-80", "1-65535"]) == S(r1, r2)
    assert ids(action="reject") == S(r2, r3)
    assert ids(priority="1") == S(r1, r4)
    assert ids(priority=["2", "3"]) == S(r2, r3)
    assert ids(traffic_mirror_filter_id=f["id"], direction="ingress", protocol="TCP") == S(r1)


def test_lists_are_per_project(hw, hw_b, sessions):
    assert not set(_ids(list_all(hw_b, "sessions"))) & set(_ids(sessions))
    assert not set(_ids(list_all(hw_b, "filters"))) & {s["traffic_mirror_filter_id"]
                                                       for s in sessions}
