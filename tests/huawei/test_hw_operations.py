"""Every operation of the Huawei dialect through the official SDK (VpcClient v3): status codes,
response fields and their JSON types, defaults, request ids (docs/huawei.md, Wire and Operations)."""
from __future__ import annotations

from hw_kit import (
    HW_TIME_RE, UUID_RE, body, check_filter_shape, check_request_id, check_rule_shape,
    check_session_shape, create_filter, create_rule, create_session, expect_hw_error,
    filt_create, filt_delete, filt_list, filt_show, filt_update, rule_create, rule_delete,
    rule_list, rule_opts, rule_show, rule_update, sess_add, sess_create, sess_delete, sess_list,
    sess_remove, sess_show, sess_update, session_opts, show_filter, show_rule, show_session)


# ------------------------------------------------------------------------------ sessions

def test_create_session_answers_201_with_documented_fields_and_defaults(hw, world, pid):
    fid = create_filter(hw)["id"]
    src, tgt = world.eni(), world.eni()
    prio = world.priority()
    r = sess_create(hw, name="sess-1", description="first session", traffic_mirror_filter_id=fid,
                    traffic_mirror_sources=[src], traffic_mirror_target_id=tgt,
                    traffic_mirror_target_type="eni", priority=prio)
    assert r.status_code == 201
    b = body(r)
    assert set(b) == {"traffic_mirror_session", "request_id"}, b
    check_request_id(hw, b)
    s = check_session_shape(b["traffic_mirror_session"], pid)
    assert UUID_RE.match(s["id"]), s["id"]
    assert s["name"] == "sess-1"
    assert s["description"] == "first session"
    assert s["traffic_mirror_filter_id"] == fid
    assert s["traffic_mirror_sources"] == [src]
    assert s["traffic_mirror_target_id"] == tgt
    assert s["traffic_mirror_target_type"] == "eni"
    assert s["priority"] == prio
    # documented defaults
    assert s["virtual_network_id"] == 1
    assert s["packet_length"] == 96
    assert s["enabled"] is False
    assert s["type"] == "eni"
    # the SDK model parses it too
    assert r.traffic_mirror_session.id == s["id"]
    assert r.request_id == b["request_id"]


def test_create_session_with_every_optional_field(hw, world, pid):
    fid = create_filter(hw)["id"]
    srcs = world.enis(3)
    tgt = world.eni()
    prio = world.priority()
    r = sess_create(hw, name="all_fields.v2", description="", traffic_mirror_filter_id=fid,
                    traffic_mirror_sources=srcs, traffic_mirror_target_id=tgt,
                    traffic_mirror_target_type="eni", virtual_network_id=7, packet_length=1460,
                    priority=prio, enabled=True, type="eni")
    assert r.status_code == 201
    s = check_session_shape(body(r)["traffic_mirror_session"], pid)
    assert s["traffic_mirror_sources"] == srcs, "sources must keep their order"
    assert (s["virtual_network_id"], s["packet_length"], s["enabled"], s["type"]) == \
        (7, 1460, True, "eni")
    assert s["description"] == ""


def test_create_session_with_elb_target(hw, world, pid):
    s = create_session(hw, world, traffic_mirror_target_id=world.lb_a,
                       traffic_mirror_target_type="elb")
    check_session_shape(s, pid)
    assert s["traffic_mirror_target_id"] == world.lb_a
    assert s["traffic_mirror_target_type"] == "elb"
    assert show_session(hw, s["id"])["traffic_mirror_target_type"] == "elb"


def test_show_session(hw, world, pid):
    s = create_session(hw, world, virtual_network_id=42, enabled=True)
    r = sess_show(hw, s["id"])
    assert r.status_code == 200
    b = body(r)
    assert set(b) == {"traffic_mirror_session", "request_id"}
    check_request_id(hw, b)
    got = check_session_shape(b["traffic_mirror_session"], pid)
    assert got == s
    assert got["virtual_network_id"] == 42 and got["enabled"] is True


def test_list_sessions_shape(hw, world, pid):
    s = create_session(hw, world)
    r = sess_list(hw, id=[s["id"]])
    assert r.status_code == 200
    b = body(r)
    assert set(b) == {"traffic_mirror_sessions", "page_info", "request_id"}, b
    check_request_id(hw, b)
    assert [x["id"] for x in b["traffic_mirror_sessions"]] == [s["id"]]
    check_session_shape(b["traffic_mirror_sessions"][0], pid)
    assert b["traffic_mirror_sessions"][0] == s
    pi = b["page_info"]
    assert pi["current_count"] == 1 and type(pi["current_count"]) is int
    assert "next_marker" not in pi, pi
    assert "previous_marker" in pi, pi


def test_update_session_every_field(hw, world, pid):
    s = create_session(hw, world, name="before", description="old")
    f2 = create_filter(hw)["id"]
    t2 = world.eni()
    p2 = world.priority()
    r = sess_update(hw, s["id"], name="after", description="new description",
                    traffic_mirror_filter_id=f2, traffic_mirror_target_id=t2,
                    traffic_mirror_target_type="eni", virtual_network_id=4242,
                    packet_length=1000, priority=p2, enabled=True)
    assert r.status_code == 200
    b = body(r)
    assert set(b) == {"traffic_mirror_session", "request_id"}
    check_request_id(hw, b)
    u = check_session_shape(b["traffic_mirror_session"], pid)
    assert u["id"] == s["id"]
    assert (u["name"], u["description"], u["traffic_mirror_filter_id"],
            u["traffic_mirror_target_id"], u["virtual_network_id"], u["packet_length"],
            u["priority"], u["enabled"]) == \
        ("after", "new description", f2, t2, 4242, 1000, p2, True)
    assert u["traffic_mirror_sources"] == s["traffic_mirror_sources"]
    assert u["created_at"] == s["created_at"]
    assert show_session(hw, s["id"]) == u


def test_update_session_keeps_fields_not_sent(hw, world):
    s = create_session(hw, world, virtual_network_id=9, enabled=True)
    u = body(sess_update(hw, s["id"], enabled=False))["traffic_mirror_session"]
    assert u["enabled"] is False
    strip = lambda d: {k: v for k, v in d.items() if k not in ("enabled", "updated_at")}  # noqa
    assert strip(u) == strip(s)
    u2 = body(sess_update(hw, s["id"], description="only this"))["traffic_mirror_session"]
    assert u2["description"] == "only this" and u2["name"] == s["name"]
    assert u2["virtual_network_id"] == 9 and u2["enabled"] is False


def test_delete_session_answers_204_without_body(hw, world):
    s = create_session(hw, world)
    r = sess_delete(hw, s["id"])
    assert r.status_code == 204
    assert not r.raw_content, r.raw_content
    assert hw.recorder.last.headers.get("X-Request-Id"), "204 without X-Request-Id"
    expect_hw_error("VPC.TM0201", 404, sess_show, hw, s["id"])
    expect_hw_error("VPC.TM0201", 404, sess_delete, hw, s["id"])
    assert body(sess_list(hw, id=[s["id"]]))["traffic_mirror_sessions"] == []


def test_deleted_session_frees_priority_and_enis(hw, world):
    src, tgt = world.eni(), world.eni()
    p = world.priority()
    fid = create_filter(hw)["id"]
    s = create_session(hw, world, filter_id=fid, traffic_mirror_sources=[src],
                       traffic_mirror_target_id=tgt, priority=p)
    sess_delete(hw, s["id"])
    # the source may become the target and the other way round; the priority is free again
    s2 = create_session(hw, world, filter_id=fid, traffic_mirror_sources=[tgt],
                        traffic_mirror_target_id=src, priority=p)
    assert s2["priority"] == p


def test_add_and_remove_sources(hw, world, pid):
    s1, s2, s3 = world.enis(3)
    s = create_session(hw, world, traffic_mirror_sources=[s1])
    r = sess_add(hw, s["id"], [s3, s2])
    assert r.status_code == 200
    b = body(r)
    assert set(b) == {"traffic_mirror_session", "request_id"}
    check_request_id(hw, b)
    got = check_session_shape(b["traffic_mirror_session"], pid)
    assert got["traffic_mirror_sources"] == [s1, s3, s2]
    assert show_session(hw, s["id"])["traffic_mirror_sources"] == [s1, s3, s2]

    r = sess_remove(hw, s["id"], [s3])
    assert r.status_code == 200
    b = body(r)
    check_request_id(hw, b)
    got = check_session_shape(b["traffic_mirror_session"], pid)
    assert got["traffic_mirror_sources"] == [s1, s2]
    # everything else unchanged
    strip = lambda d: {k: v for k, v in d.items()  # noqa
                       if k not in ("traffic_mirror_sources", "updated_at")}
    assert strip(got) == strip(s)

    got = body(sess_remove(hw, s["id"], [s1, s2]))["traffic_mirror_session"]
    assert got["traffic_mirror_sources"] == []
    got = body(sess_add(hw, s["id"], [s2]))["traffic_mirror_session"]
    assert got["traffic_mirror_sources"] == [s2]


# ------------------------------------------------------------------------------ filters

def test_create_filter_answers_201(hw, pid):
    r = filt_create(hw, name="web-filter", description="mirror web traffic")
    assert r.status_code == 201
    b = body(r)
    assert set(b) == {"traffic_mirror_filter", "request_id"}, b
    check_request_id(hw, b)
    f = check_filter_shape(b["traffic_mirror_filter"], pid)
    assert UUID_RE.match(f["id"]), f["id"]
    assert f["name"] == "web-filter"
    assert f["description"] == "mirror web traffic"
    assert f["ingress_rules"] == [] and f["egress_rules"] == []
    if "type" in f:
        assert f["type"] == "eni"


def test_create_filter_without_description(hw, pid):
    f = check_filter_shape(create_filter(hw, name="bare"), pid)
    assert f["description"] == ""


def test_show_filter_with_rules(hw, pid):
    f = create_filter(hw)
    i1 = create_rule(hw, f["id"], direction="ingress", priority=2)
    i2 = create_rule(hw, f["id"], direction="ingress", priority=1)
    e1 = create_rule(hw, f["id"], direction="egress", priority=1)
    r = filt_show(hw, f["id"])
    assert r.status_code == 200
    b = body(r)
    assert set(b) == {"traffic_mirror_filter", "request_id"}
    check_request_id(hw, b)
    g = check_filter_shape(b["traffic_mirror_filter"], pid)
    assert {x["id"] for x in g["ingress_rules"]} == {i1["id"], i2["id"]}
    assert [x["id"] for x in g["egress_rules"]] == [e1["id"]]
    by_id = {x["id"]: x for x in g["ingress_rules"] + g["egress_rules"]}
    assert by_id[i1["id"]] == i1 and by_id[e1["id"]] == e1


def test_list_filters_shape(hw, pid):
    f = create_filter(hw)
    r = filt_list(hw, id=[f["id"]])
    assert r.status_code == 200
    b = body(r)
    assert set(b) == {"traffic_mirror_filters", "page_info", "request_id"}, b
    check_request_id(hw, b)
    assert len(b["traffic_mirror_filters"]) == 1
    check_filter_shape(b["traffic_mirror_filters"][0], pid)
    assert b["traffic_mirror_filters"][0]["id"] == f["id"]
    assert b["page_info"]["current_count"] == 1 and "next_marker" not in b["page_info"]


def test_update_filter(hw, pid):
    f = create_filter(hw, name="old", description="old description")
    r = filt_update(hw, f["id"], name="new", description="new description")
    assert r.status_code == 200
    b = body(r)
    assert set(b) == {"traffic_mirror_filter", "request_id"}
    check_request_id(hw, b)
    g = check_filter_shape(b["traffic_mirror_filter"], pid)
    assert (g["id"], g["name"], g["description"]) == (f["id"], "new", "new description")
    assert show_filter(hw, f["id"]) == g
    # one field alone
    g2 = body(filt_update(hw, f["id"], description="only"))["traffic_mirror_filter"]
    assert g2["name"] == "new" and g2["description"] == "only"


def test_delete_filter_deletes_its_rules(hw):
    f = create_filter(hw)
    x = create_rule(hw, f["id"])
    r = filt_delete(hw, f["id"])
    assert r.status_code == 204
    assert not r.raw_content
    assert hw.recorder.last.headers.get("X-Request-Id")
    expect_hw_error("VPC.TM0202", 404, filt_show, hw, f["id"])
    expect_hw_error("VPC.TM0202", 404, filt_delete, hw, f["id"])
    expect_hw_error("VPC.TM0203", 404, rule_show, hw, x["id"])
    assert body(rule_list(hw, id=[x["id"]]))["traffic_mirror_filter_rules"] == []


# ------------------------------------------------------------------------------ rules

def test_create_rule_answers_201_with_every_field(hw, pid):
    f = create_filter(hw)
    r = rule_create(hw, **rule_opts(
        f["id"], description="web in", direction="ingress", protocol="TCP", ethertype="IPv4",
        source_cidr_block="10.0.0.0/8", destination_cidr_block="10.1.0.0/16",
        source_port_range="1-65535", destination_port_range="80-443", action="accept",
        priority=10))
    assert r.status_code == 201
    b = body(r)
    assert set(b) == {"traffic_mirror_filter_rule", "request_id"}, b
    check_request_id(hw, b)
    x = check_rule_shape(b["traffic_mirror_filter_rule"], pid)
    assert UUID_RE.match(x["id"]), x["id"]
    assert x == {**x, "traffic_mirror_filter_id": f["id"], "description": "web in",
                 "direction": "ingress", "protocol": "TCP", "ethertype": "IPv4",
                 "source_cidr_block": "10.0.0.0/8", "destination_cidr_block": "10.1.0.0/16",
                 "source_port_range": "1-65535", "destination_port_range": "80-443",
                 "action": "accept", "priority": 10}


def test_create_rule_minimal_means_any_address_and_every_port(hw, pid):
    f = create_filter(hw)
    x = check_rule_shape(create_rule(hw, f["id"], direction="egress", protocol="ALL",
                                     ethertype="IPv6", action="reject", priority=65535), pid)
    assert (x["direction"], x["protocol"], x["ethertype"], x["action"], x["priority"]) == \
        ("egress", "ALL", "IPv6", "reject", 65535)
    for k in ("source_cidr_block", "destination_cidr_block"):
        assert x[k] in (None, "", "::/0"), f"{k} of a rule without one: {x[k]!r}"
    for k in ("source_port_range", "destination_port_range"):
        assert x[k] in (None, "", "1-65535"), f"{k} of a rule without one: {x[k]!r}"


def test_create_rule_icmp_and_icmpv6_and_udp(hw, pid):
    f = create_filter(hw)
    a = create_rule(hw, f["id"], protocol="ICMP", priority=1)
    b = create_rule(hw, f["id"], protocol="ICMPV6", ethertype="IPv6", priority=2,
                    source_cidr_block="2001:db8::/32")
    c = create_rule(hw, f["id"], protocol="UDP", priority=3, source_port_range="53-53")
    assert a["protocol"] == "ICMP"
    assert b["protocol"] == "ICMPV6" and b["source_cidr_block"] == "2001:db8::/32"
    assert c["protocol"] == "UDP" and c["source_port_range"] == "53-53"


def test_show_rule(hw, pid):
    f = create_filter(hw)
    x = create_rule(hw, f["id"], source_cidr_block="192.168.0.0/24")
    r = rule_show(hw, x["id"])
    assert r.status_code == 200
    b = body(r)
    assert set(b) == {"traffic_mirror_filter_rule", "request_id"}
    check_request_id(hw, b)
    assert check_rule_shape(b["traffic_mirror_filter_rule"], pid) == x


def test_list_rules_shape(hw, pid):
    f = create_filter(hw)
    x = create_rule(hw, f["id"])
    y = create_rule(hw, f["id"], direction="egress")
    r = rule_list(hw, traffic_mirror_filter_id=[f["id"]])
    assert r.status_code == 200
    b = body(r)
    assert set(b) == {"traffic_mirror_filter_rules", "page_info", "request_id"}, b
    check_request_id(hw, b)
    got = b["traffic_mirror_filter_rules"]
    for g in got:
        check_rule_shape(g, pid)
    assert sorted(g["id"] for g in got) == sorted([x["id"], y["id"]])
    assert b["page_info"]["current_count"] == 2 and "next_marker" not in b["page_info"]


def test_update_rule_every_field(hw, pid):
    f = create_filter(hw)
    x = create_rule(hw, f["id"], direction="ingress", protocol="TCP", priority=1,
                    source_port_range="22-22")
    r = rule_update(hw, x["id"], description="changed", protocol="UDP", ethertype="IPv4",
                    source_cidr_block="172.16.0.0/12", destination_cidr_block="10.9.0.0/16",
                    source_port_range="1000-2000", destination_port_range="8080-8081",
                    priority=5, action="reject")
    assert r.status_code == 200
    b = body(r)
    assert set(b) == {"traffic_mirror_filter_rule", "request_id"}
    check_request_id(hw, b)
    u = check_rule_shape(b["traffic_mirror_filter_rule"], pid)
    assert u == {**u, "id": x["id"], "traffic_mirror_filter_id": f["id"], "direction": "ingress",
                 "description": "changed", "protocol": "UDP", "ethertype": "IPv4",
                 "source_cidr_block": "172.16.0.0/12", "destination_cidr_block": "10.9.0.0/16",
                 "source_port_range": "1000-2000", "destination_port_range": "8080-8081",
                 "priority": 5, "action": "reject"}
    assert show_rule(hw, x["id"]) == u
    assert [y["id"] for y in show_filter(hw, f["id"])["ingress_rules"]] == [x["id"]]
    # switch to IPv6
    u2 = body(rule_update(hw, x["id"], ethertype="IPv6", source_cidr_block="::/0",
                          destination_cidr_block="2001:db8::/32"))["traffic_mirror_filter_rule"]
    assert u2["ethertype"] == "IPv6" and u2["destination_cidr_block"] == "2001:db8::/32"
    assert u2["priority"] == 5 and u2["action"] == "reject"


def test_delete_rule(hw):
    f = create_filter(hw)
    x = create_rule(hw, f["id"], priority=1)
    r = rule_delete(hw, x["id"])
    assert r.status_code == 204
    assert not r.raw_content
    assert hw.recorder.last.headers.get("X-Request-Id")
    expect_hw_error("VPC.TM0203", 404, rule_show, hw, x["id"])
    expect_hw_error("VPC.TM0203", 404, rule_delete, hw, x["id"])
    assert show_filter(hw, f["id"])["ingress_rules"] == []
    # its priority is free again
    assert create_rule(hw, f["id"], priority=1)["priority"] == 1


def test_times_are_in_the_documented_format(hw, world):
    s = create_session(hw, world)
    f = show_filter(hw, s["traffic_mirror_filter_id"])
    for t in (s["created_at"], s["updated_at"], f["created_at"], f["updated_at"]):
        assert HW_TIME_RE.match(t), t


def test_request_ids_differ_between_calls(hw, world):
    s = create_session(hw, world)
    ids = {body(sess_show(hw, s["id"]))["request_id"] for _ in range(3)}
    assert len(ids) == 3, ids


def test_session_options_helper_is_what_create_sends(hw, world):
    # guards the helpers the other modules rely on
    fid = create_filter(hw)["id"]
    opts = session_opts(world, filter_id=fid)
    s = body(sess_create(hw, **opts))["traffic_mirror_session"]
    assert s["traffic_mirror_sources"] == opts["traffic_mirror_sources"]
    assert s["priority"] == opts["priority"]
