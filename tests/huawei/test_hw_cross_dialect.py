"""One model, two dialects (docs/huawei.md, Synchronous, over the shared model): what the Alibaba
SDK creates, the Huawei SDK lists, shows, changes and deletes under the same id, and the other
way round; with a settle delay, the Huawei dialect still answers as if every write were done."""
from __future__ import annotations

import time

import pytest

from hw_kit import (
    make_server,
    UUID_RE, body, check_filter_shape, check_rule_shape, check_session_shape, create_filter,
    create_rule, create_session, expect_hw_error, filt_delete, filt_update, hw_client, list_all,
    project_of, rule_delete, rule_update, sess_add, sess_delete, sess_list, sess_remove,
    sess_update, show_filter, show_rule, show_session)

import aliyun_kit as ak  # noqa: E402  (hw_kit put tests/aliyun on the path)
from aliyun_kit import REGION, vpc  # noqa: E402


def _ali_filter(ali, **kw):
    """An Alibaba-made filter, settled (a session may not use a filter still Creating)."""
    fid = ak.create_filter(ali, **kw)
    ak.wait_filter_status(ali, fid, "Created")
    return fid


def _ali_session(ali, world, **kw):
    kw.setdefault("filter_id", _ali_filter(ali))
    kw.setdefault("traffic_mirror_session_name", "ali-made")
    kw.setdefault("virtual_network_id", 77)
    kw.setdefault("enabled", True)
    kw.setdefault("packet_length", 1400)
    return ak.create_session(ali, world, nsources=2, **kw)


def _ali_update(ali, sid, **kw):
    return ali.update_traffic_mirror_session_attribute(
        vpc.UpdateTrafficMirrorSessionAttributeRequest(region_id=REGION,
                                                       traffic_mirror_session_id=sid, **kw))


def _ali_matches_hw(a, h):
    """The same session as the two dialects show it."""
    assert a["TrafficMirrorSessionId"] == h["id"]
    assert a["TrafficMirrorSessionName"] == h["name"]
    assert (a.get("TrafficMirrorSessionDescription") or "") == h["description"]
    assert a["TrafficMirrorSourceIds"] == h["traffic_mirror_sources"]
    assert a["TrafficMirrorTargetId"] == h["traffic_mirror_target_id"]
    assert a["TrafficMirrorTargetType"] == {"eni": "NetworkInterface",
                                            "elb": "SLB"}[h["traffic_mirror_target_type"]]
    assert a["TrafficMirrorFilterId"] == h["traffic_mirror_filter_id"]
    assert a["VirtualNetworkId"] == h["virtual_network_id"]
    assert a["Priority"] == h["priority"]
    assert a["Enabled"] is h["enabled"]
    assert a["PacketLength"] == h["packet_length"]


def _check_ali_to_hw_session(srv, world):
    ali, hw, pid = srv.client("A"), hw_client(srv), project_of(world)
    sid = _ali_session(ali, world)
    assert ak.SESSION_ID_RE.match(sid)
    # shown at once through Huawei, whatever the Alibaba status
    h = check_session_shape(show_session(hw, sid), pid)
    assert h["id"] == sid
    assert h["name"] == "ali-made" and h["virtual_network_id"] == 77
    assert h["enabled"] is True and h["packet_length"] == 1400
    assert h["traffic_mirror_target_type"] == "eni" and h["type"] == "eni"
    assert len(h["traffic_mirror_sources"]) == 2
    assert sid in {x["id"] for x in list_all(hw, "sessions")}
    assert [x["id"] for x in body(sess_list(hw, id=[sid]))["traffic_mirror_sessions"]] == [sid]
    # changed through Huawei, at once
    p2 = world.priority()
    u = body(sess_update(hw, sid, name="hw-renamed", enabled=False, virtual_network_id=78,
                         priority=p2, description="via huawei"))["traffic_mirror_session"]
    assert (u["name"], u["enabled"], u["virtual_network_id"], u["priority"]) == \
        ("hw-renamed", False, 78, p2)
    extra = world.eni()
    u = body(sess_add(hw, sid, [extra]))["traffic_mirror_session"]
    assert u["traffic_mirror_sources"][-1] == extra
    h = show_session(hw, sid)
    assert h == {**h, "name": "hw-renamed", "enabled": False, "virtual_network_id": 78,
                 "priority": p2, "description": "via huawei"}
    # Alibaba sees the same state once it settled
    a = ak.wait_session_status(ali, sid, "Created")
    _ali_matches_hw(a, h)
    # deleted through Huawei: gone at once there, and gone for Alibaba once settled
    r = sess_delete(hw, sid)
    assert r.status_code == 204
    expect_hw_error("VPC.TM0201", 404, show_session, hw, sid)
    ak.wait_session_gone(ali, sid)


def _check_hw_to_ali_session(srv, world, settle):
    ali, hw = srv.client("A"), hw_client(srv)
    h = create_session(hw, world, name="hw-made", virtual_network_id=5, enabled=True,
                       packet_length=128)
    sid = h["id"]
    assert UUID_RE.match(sid)
    a = ak.wait_session_status(ali, sid, "Created") if settle else ak.get_session(ali, sid)
    assert a is not None, "a Huawei-made session is not listed by the Alibaba dialect"
    if not settle:
        assert a["TrafficMirrorSessionStatus"] == "Created"
    _ali_matches_hw(a, h)
    assert sid in {x["TrafficMirrorSessionId"] for x in ak.list_sessions(ali)}
    # changed through Alibaba
    p2 = world.priority()
    _ali_update(ali, sid, traffic_mirror_session_name="ali-renamed", virtual_network_id=6,
                enabled=False, priority=p2)
    h2 = show_session(hw, sid)   # the Huawei dialect shows the write at once
    assert (h2["name"], h2["virtual_network_id"], h2["enabled"], h2["priority"]) == \
        ("ali-renamed", 6, False, p2)
    a = ak.wait_session_status(ali, sid, "Created")
    _ali_matches_hw(a, h2)
    # sources through Alibaba
    extra = world.eni()
    ali.add_sources_to_traffic_mirror_session(vpc.AddSourcesToTrafficMirrorSessionRequest(
        region_id=REGION, traffic_mirror_session_id=sid, traffic_mirror_source_ids=[extra]))
    assert show_session(hw, sid)["traffic_mirror_sources"] == h["traffic_mirror_sources"] + [extra]
    ak.wait_session_status(ali, sid, "Created")
    # deleted through Alibaba: Huawei treats "being deleted" as gone
    ali.delete_traffic_mirror_session(vpc.DeleteTrafficMirrorSessionRequest(
        region_id=REGION, traffic_mirror_session_id=sid))
    expect_hw_error("VPC.TM0201", 404, show_session, hw, sid)
    assert sid not in {x["id"] for x in list_all(hw, "sessions")}
    ak.wait_session_gone(ali, sid)


def test_alibaba_session_through_huawei(srv, world):
    _check_ali_to_hw_session(srv, world)


def test_huawei_session_through_alibaba(srv, world):
    _check_hw_to_ali_session(srv, world, settle=False)


def test_alibaba_filter_and_rules_through_huawei(srv, world):
    ali, hw, pid = srv.client("A"), hw_client(srv), project_of(world)
    fid = ak.create_filter(ali, traffic_mirror_filter_name="ali-filter",
                           traffic_mirror_filter_description="made by alibaba",
                           ingress_rules=[ak.ingress(priority=1)],
                           egress_rules=[ak.egress(priority=2, action="drop", protocol="UDP",
                                                   source_port_range="53/53")])
    f = check_filter_shape(show_filter(hw, fid), pid)
    assert (f["id"], f["name"], f["description"]) == (fid, "ali-filter", "made by alibaba")
    assert len(f["ingress_rules"]) == 1 and len(f["egress_rules"]) == 1
    i, e = f["ingress_rules"][0], f["egress_rules"][0]
    assert ak.RULE_ID_RE.match(i["id"]) and ak.RULE_ID_RE.match(e["id"])
    assert i == {**i, "direction": "ingress", "protocol": "TCP", "ethertype": "IPv4",
                 "action": "accept", "priority": 1, "source_cidr_block": "10.0.0.0/8",
                 "destination_cidr_block": "0.0.0.0/0", "source_port_range": "1-65535",
                 "destination_port_range": "80-80"}
    # Alibaba "drop" is Huawei "reject"
    assert e == {**e, "direction": "egress", "protocol": "UDP", "action": "reject",
                 "priority": 2, "source_port_range": "53-53"}
    assert check_rule_shape(show_rule(hw, i["id"]), pid) == i
    assert fid in {x["id"] for x in list_all(hw, "filters")}
    assert {x["id"] for x in list_all(hw, "rules", traffic_mirror_filter_id=[fid])} == \
        {i["id"], e["id"]}
    # changed through Huawei
    u = body(rule_update(hw, i["id"], priority=3, action="reject",
                         destination_port_range="443-443"))["traffic_mirror_filter_rule"]
    assert (u["priority"], u["action"], u["destination_port_range"]) == (3, "reject", "443-443")
    body(filt_update(hw, fid, name="hw-renamed"))
    af = ak.wait_filter_status(ali, fid, "Created")
    assert af["TrafficMirrorFilterName"] == "hw-renamed"
    ai = af["IngressRules"][0]
    assert (ai["TrafficMirrorFilterRuleId"], ai["Priority"], ai["Action"],
            ai["DestinationPortRange"]) == (i["id"], 3, "drop", "443/443")
    # a rule deleted through Huawei
    assert rule_delete(hw, e["id"]).status_code == 204
    expect_hw_error("VPC.TM0203", 404, show_rule, hw, e["id"])
    af = ak.wait_filter_status(ali, fid, "Created")
    assert af["EgressRules"] == []
    # the filter deleted through Huawei
    assert filt_delete(hw, fid).status_code == 204
    expect_hw_error("VPC.TM0202", 404, show_filter, hw, fid)
    ak.wait_for(lambda: ak.get_filter(ali, fid) is None, what="filter gone for Alibaba")


def test_huawei_filter_and_rules_through_alibaba(srv, world):
    ali, hw = srv.client("A"), hw_client(srv)
    f = create_filter(hw, name="hw-filter", description="made by huawei")
    x = create_rule(hw, f["id"], direction="egress", protocol="UDP", action="reject", priority=3,
                    source_cidr_block="192.168.0.0/24", destination_cidr_block="0.0.0.0/0",
                    source_port_range="53-53", destination_port_range="1-65535")
    af = ak.get_filter(ali, f["id"])
    assert af is not None, "a Huawei-made filter is not listed by the Alibaba dialect"
    assert af["TrafficMirrorFilterName"] == "hw-filter"
    assert af["TrafficMirrorFilterDescription"] == "made by huawei"
    assert af["IngressRules"] == []
    ae = af["EgressRules"][0]
    assert ae == {**ae, "TrafficMirrorFilterRuleId": x["id"], "TrafficDirection": "egress",
                  "Protocol": "UDP", "Action": "drop", "Priority": 3, "IpVersion": "IPv4",
                  "SourceCidrBlock": "192.168.0.0/24", "DestinationCidrBlock": "0.0.0.0/0",
                  "SourcePortRange": "53/53", "DestinationPortRange": "1/65535"}
    # changed through Alibaba
    ali.update_traffic_mirror_filter_rule_attribute(
        vpc.UpdateTrafficMirrorFilterRuleAttributeRequest(
            region_id=REGION, traffic_mirror_filter_rule_id=x["id"], rule_action="accept",
            priority=4))
    ali.update_traffic_mirror_filter_attribute(vpc.UpdateTrafficMirrorFilterAttributeRequest(
        region_id=REGION, traffic_mirror_filter_id=f["id"], traffic_mirror_filter_name="ali-renamed"))
    r = show_rule(hw, x["id"])
    assert (r["action"], r["priority"]) == ("accept", 4)
    assert show_filter(hw, f["id"])["name"] == "ali-renamed"
    ak.wait_filter_status(ali, f["id"], "Created")
    # deleted through Alibaba
    ali.delete_traffic_mirror_filter_rules(vpc.DeleteTrafficMirrorFilterRulesRequest(
        region_id=REGION, traffic_mirror_filter_id=f["id"], traffic_mirror_filter_rule_ids=[x["id"]]))
    expect_hw_error("VPC.TM0203", 404, show_rule, hw, x["id"])
    ak.wait_filter_status(ali, f["id"], "Created")
    ali.delete_traffic_mirror_filter(vpc.DeleteTrafficMirrorFilterRequest(
        region_id=REGION, traffic_mirror_filter_id=f["id"]))
    expect_hw_error("VPC.TM0202", 404, show_filter, hw, f["id"])


def test_huawei_session_on_alibaba_filter(srv, world):
    ali, hw = srv.client("A"), hw_client(srv)
    fid = ak.create_filter(ali)
    h = create_session(hw, world, filter_id=fid)
    assert h["traffic_mirror_filter_id"] == fid
    # the filter is in use, for both dialects
    expect_hw_error("VPC.TM0304", 409, filt_delete, hw, fid)
    ak.expect_error("DependencyViolation.TrafficMirrorSession", ali.delete_traffic_mirror_filter,
                    vpc.DeleteTrafficMirrorFilterRequest(region_id=REGION,
                                                         traffic_mirror_filter_id=fid))


def test_priorities_are_shared_between_dialects(srv, world):
    ali, hw = srv.client("A"), hw_client(srv)
    p = world.priority()
    ak.create_session(ali, world, priority=p)
    fid = create_filter(hw)["id"]
    from hw_kit import sess_create, session_opts
    expect_hw_error("VPC.TM0301", 409, sess_create, hw,
                    **session_opts(world, filter_id=fid, priority=p))


# ------------------------------------------------------------------------------ settle delays

@pytest.fixture(scope="module")
def slow300(tmp_path_factory):
    s = make_server(tmp_path_factory, "hw_cross_300", settle_delay_ms=300)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def slow500(tmp_path_factory):
    s = make_server(tmp_path_factory, "hw_cross_500", settle_delay_ms=500)
    yield s
    s.stop()


def test_alibaba_session_through_huawei_with_300ms_settle(slow300):
    _check_ali_to_hw_session(slow300, slow300.world)


def test_huawei_session_through_alibaba_with_300ms_settle(slow300):
    _check_hw_to_ali_session(slow300, slow300.world, settle=True)


def test_huawei_changes_an_alibaba_session_still_creating(slow300):
    srv, world = slow300, slow300.world
    ali, hw = srv.client("A"), hw_client(srv)
    sid = _ali_session(ali, world)
    assert ak.get_session(ali, sid)["TrafficMirrorSessionStatus"] == "Creating"
    u = body(sess_update(hw, sid, name="while-creating"))["traffic_mirror_session"]
    assert u["name"] == "while-creating"
    assert show_session(hw, sid)["name"] == "while-creating"
    a = ak.wait_session_status(ali, sid, "Created")
    assert a["TrafficMirrorSessionName"] == "while-creating"


def test_huawei_is_synchronous_with_500ms_settle(slow500):
    srv, world = slow500, slow500.world
    hw = hw_client(srv)
    t0 = time.monotonic()
    s = create_session(hw, world)
    sid = s["id"]
    # at once: update, add-sources, remove-sources; each shows its change immediately
    u = body(sess_update(hw, sid, name="changed-at-once", enabled=True,
                         virtual_network_id=99))["traffic_mirror_session"]
    assert (u["name"], u["enabled"], u["virtual_network_id"]) == ("changed-at-once", True, 99)
    extra = world.eni()
    u = body(sess_add(hw, sid, [extra]))["traffic_mirror_session"]
    assert u["traffic_mirror_sources"] == s["traffic_mirror_sources"] + [extra]
    h = show_session(hw, sid)
    assert (h["name"], h["enabled"], h["virtual_network_id"]) == ("changed-at-once", True, 99)
    assert h["traffic_mirror_sources"] == s["traffic_mirror_sources"] + [extra]
    listed = body(sess_list(hw, id=[sid]))["traffic_mirror_sessions"]
    assert listed == [h]
    u = body(sess_remove(hw, sid, [extra]))["traffic_mirror_session"]
    assert u["traffic_mirror_sources"] == s["traffic_mirror_sources"]
    assert time.monotonic() - t0 < 0.5 * 3, "the Huawei calls waited for the settle delay"
    # delete: 404 at once
    assert sess_delete(hw, sid).status_code == 204
    expect_hw_error("VPC.TM0201", 404, show_session, hw, sid)
    expect_hw_error("VPC.TM0201", 404, sess_update, hw, sid, name="too-late")
    assert body(sess_list(hw, id=[sid]))["traffic_mirror_sessions"] == []


def test_filters_and_rules_are_synchronous_with_500ms_settle(slow500):
    srv, world = slow500, slow500.world
    hw = hw_client(srv)
    f = create_filter(hw)
    x = create_rule(hw, f["id"], priority=1)
    y = create_rule(hw, f["id"], priority=2)        # right after another rule change
    u = body(rule_update(hw, x["id"], priority=5))["traffic_mirror_filter_rule"]
    assert u["priority"] == 5
    assert show_rule(hw, x["id"])["priority"] == 5
    body(filt_update(hw, f["id"], name="renamed-at-once"))
    g = show_filter(hw, f["id"])
    assert g["name"] == "renamed-at-once"
    assert {r["id"]: r["priority"] for r in g["ingress_rules"]} == {x["id"]: 5, y["id"]: 2}
    assert rule_delete(hw, y["id"]).status_code == 204
    expect_hw_error("VPC.TM0203", 404, show_rule, hw, y["id"])
    assert [r["id"] for r in show_filter(hw, f["id"])["ingress_rules"]] == [x["id"]]
    # a session on it, then deleted, then the filter deleted, all at once
    s = create_session(hw, world, filter_id=f["id"])
    assert sess_delete(hw, s["id"]).status_code == 204
    assert filt_delete(hw, f["id"]).status_code == 204
    expect_hw_error("VPC.TM0202", 404, show_filter, hw, f["id"])
    expect_hw_error("VPC.TM0203", 404, show_rule, hw, x["id"])


def test_alibaba_delete_is_gone_for_huawei_at_once_with_500ms_settle(slow500):
    srv, world = slow500, slow500.world
    ali, hw = srv.client("A"), hw_client(srv)
    sid = ak.create_session(ali, world, filter_id=_ali_filter(ali))
    ak.wait_session_status(ali, sid, "Created")
    ali.delete_traffic_mirror_session(vpc.DeleteTrafficMirrorSessionRequest(
        region_id=REGION, traffic_mirror_session_id=sid))
    assert ak.get_session(ali, sid)["TrafficMirrorSessionStatus"] == "Deleting"
    expect_hw_error("VPC.TM0201", 404, show_session, hw, sid)
    assert sid not in {x["id"] for x in list_all(hw, "sessions")}


def test_deleted_session_frees_priority_and_source_at_once_with_500ms_settle(slow500):
    srv, world = slow500, slow500.world
    hw = hw_client(srv)
    s = create_session(hw, world)
    assert sess_delete(hw, s["id"]).status_code == 204
    # gone means gone: its priority and its ENIs are free for the next call
    s2 = create_session(hw, world, filter_id=s["traffic_mirror_filter_id"],
                        priority=s["priority"],
                        traffic_mirror_sources=[s["traffic_mirror_target_id"]],
                        traffic_mirror_target_id=s["traffic_mirror_sources"][0])
    assert s2["priority"] == s["priority"]
