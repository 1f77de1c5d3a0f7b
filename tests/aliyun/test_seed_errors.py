"""Acceptance 3: every error code of the seed documents, produced by its situation, through the
SDK. Each checks the code, HTTP 400, and that nothing changed (List before/after)."""
from __future__ import annotations

import contextlib

import pytest
from alibabacloud_vpc20160428 import models as vpc

from aliyun_kit import (REGION, create_filter, create_session, egress, expect_error, get_session,
                        ingress, service_enabled, snapshot, wait_filter_status,
                        wait_session_status)

NO_SESSION = "tms-doesnotexist00000000"
NO_ENI = "eni-doesnotexist000000"


def _strip_status(snap):
    """Drop the fields a settle timer may change while the block runs."""
    def clean(x):
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items() if not k.endswith("Status")}
        if isinstance(x, list):
            return [clean(v) for v in x]
        return x
    return clean(snap)


@contextlib.contextmanager
def unchanged(client, ignore_status=False):
    before = snapshot(client)
    yield
    after = snapshot(client)
    if ignore_status:
        before, after = _strip_status(before), _strip_status(after)
    assert after == before, "a refused request changed state"


@pytest.fixture(scope="module")
def fid(a):
    """One filter for every session of this module: create_session() then creates nothing else."""
    return create_filter(a)


def add(client, sid, sources):
    return client.add_sources_to_traffic_mirror_session(vpc.AddSourcesToTrafficMirrorSessionRequest(
        region_id=REGION, traffic_mirror_session_id=sid, traffic_mirror_source_ids=sources))


def remove(client, sid, sources):
    return client.remove_sources_from_traffic_mirror_session(
        vpc.RemoveSourcesFromTrafficMirrorSessionRequest(
            region_id=REGION, traffic_mirror_session_id=sid, traffic_mirror_source_ids=sources))


def delete(client, sid):
    return client.delete_traffic_mirror_session(vpc.DeleteTrafficMirrorSessionRequest(
        region_id=REGION, traffic_mirror_session_id=sid))


# ------------------------------------------------------------------ account-level

def test_opt_in_required_before_open(srv, world):
    c = srv.client("C")
    e1, e2 = world.enis(2, "C")
    cases = [
        lambda: c.create_traffic_mirror_filter(vpc.CreateTrafficMirrorFilterRequest(region_id=REGION)),
        lambda: c.create_traffic_mirror_session(vpc.CreateTrafficMirrorSessionRequest(
            region_id=REGION, traffic_mirror_source_ids=[e1], traffic_mirror_target_id=e2,
            traffic_mirror_target_type="NetworkInterface",
            traffic_mirror_filter_id="tmf-doesnotexist00000000", priority=1)),
        lambda: add(c, NO_SESSION, [e1]),
        lambda: remove(c, NO_SESSION, [e1]),
        lambda: delete(c, NO_SESSION),
        lambda: c.list_traffic_mirror_sessions(vpc.ListTrafficMirrorSessionsRequest(region_id=REGION)),
        lambda: c.list_traffic_mirror_filters(vpc.ListTrafficMirrorFiltersRequest(region_id=REGION)),
    ]
    for fn in cases:
        expect_error("OptInRequired.TrafficMirror", fn)
    assert service_enabled(c) is False


def test_incorrect_business_status_financial_locked(srv, world):
    lk = srv.client("L")
    e1, e2 = world.enis(2, "L")
    with unchanged(lk):
        expect_error("IncorrectBusinessStatus.TrafficMirror", lk.create_traffic_mirror_filter,
                     vpc.CreateTrafficMirrorFilterRequest(region_id=REGION))
        expect_error("IncorrectBusinessStatus.TrafficMirror", lk.create_traffic_mirror_session,
                     vpc.CreateTrafficMirrorSessionRequest(
                         region_id=REGION, traffic_mirror_source_ids=[e1],
                         traffic_mirror_target_id=e2, traffic_mirror_target_type="NetworkInterface",
                         traffic_mirror_filter_id="tmf-doesnotexist00000000", priority=1))
        expect_error("IncorrectBusinessStatus.TrafficMirror", add, lk, NO_SESSION, [e1])
        expect_error("IncorrectBusinessStatus.TrafficMirror", remove, lk, NO_SESSION, [e1])
        expect_error("IncorrectBusinessStatus.TrafficMirror", delete, lk, NO_SESSION)


@pytest.mark.parametrize("key,code", [
    ("NR", "Order.NoRealNameAuthentication"),
    ("BI", "OperationFailed.BasicInfoUncompleted"),
    ("IG", "OperationFailed.AliGroupUserCanNotBuyInnerCommodity"),
    ("QN", "OperationFailed.QuotaNotEnough"),
    ("PL", "OperationFailed.ExceedPurchaseLimit"),
])
def test_open_errors(srv, key, code):
    c = srv.client(key)
    assert service_enabled(c) is False
    expect_error(code, c.open_traffic_mirror_service, vpc.OpenTrafficMirrorServiceRequest(region_id=REGION))
    expect_error(code, c.open_traffic_mirror_service, vpc.OpenTrafficMirrorServiceRequest())
    assert service_enabled(c) is False


def test_open_forbidden_ram(srv):
    reader = srv.ram_client("C", "reader")
    assert service_enabled(reader) is False          # vpc:Get* is allowed
    expect_error("Forbidden.RAM", reader.open_traffic_mirror_service,
                 vpc.OpenTrafficMirrorServiceRequest(region_id=REGION))
    assert service_enabled(srv.client("C")) is False


def test_forbidden_ram_on_writes(srv, a, world):
    reader = srv.ram_client("A", "reader")
    with unchanged(a):
        reader.list_traffic_mirror_sessions(vpc.ListTrafficMirrorSessionsRequest(region_id=REGION))
        expect_error("Forbidden.RAM", reader.create_traffic_mirror_filter,
                     vpc.CreateTrafficMirrorFilterRequest(region_id=REGION))
        expect_error("Forbidden.RAM", create_session, reader, world,
                     filter_id="tmf-doesnotexist00000000")
    # a RAM user allowed vpc:* acts on the account's resources
    writer = srv.ram_client("A", "writer", v1=True)
    fid = create_filter(writer)
    assert fid in {f["TrafficMirrorFilterId"] for f in snapshot(a)["filters"]}


# ------------------------------------------------------------------ AddSources / RemoveSources

def test_duplicated_source_ids(a, world, fid):
    s1, s2 = world.eni(), world.eni()
    sid = create_session(a, world, filter_id=fid, sources=[s1])
    with unchanged(a):
        expect_error("DuplicatedParam.SourceInstanceIds", add, a, sid, [s2, s2])
        expect_error("DuplicatedParam.SourceInstanceIds", remove, a, sid, [s1, s1])
        expect_error("DuplicatedParam.SourceInstanceIds", create_session, a, world, filter_id=fid,
                     sources=[s2, s2])


def test_session_not_found(a, world, fid):
    e = world.eni()
    with unchanged(a):
        expect_error("ResourceNotFound.TrafficMirrorSession", add, a, NO_SESSION, [e])
        expect_error("ResourceNotFound.TrafficMirrorSession", remove, a, NO_SESSION, [e])
        expect_error("ResourceNotFound.TrafficMirrorSession", delete, a, NO_SESSION)


def test_source_already_associated(a, world, fid):
    s1 = world.eni()
    sid = create_session(a, world, filter_id=fid, sources=[s1])
    with unchanged(a):
        expect_error("ResourceAlreadyAssociated.TrafficMirrorSource", add, a, sid, [s1])
        expect_error("ResourceAlreadyAssociated.TrafficMirrorSource", add, a, sid, [world.eni(), s1])


def test_source_not_associated(a, world, fid):
    s1, other = world.eni(), world.eni()
    sid = create_session(a, world, filter_id=fid, sources=[s1])
    with unchanged(a):
        expect_error("ResourceNotAssociated.TrafficMirrorSource", remove, a, sid, [other])
        expect_error("ResourceNotAssociated.TrafficMirrorSource", remove, a, sid, [s1, other])
    assert get_session(a, sid)["TrafficMirrorSourceIds"] == [s1]


def test_network_interface_not_found(a, world, fid):
    sid = create_session(a, world, filter_id=fid)
    with unchanged(a):
        expect_error("ResourceNotFound.NetworkInterface", add, a, sid, [NO_ENI])
        expect_error("ResourceNotFound.NetworkInterface", remove, a, sid, [NO_ENI])
        expect_error("ResourceNotFound.NetworkInterface", create_session, a, world, filter_id=fid, sources=[NO_ENI])


def test_ecs_instance_not_found(a, world, fid):
    sid = create_session(a, world, filter_id=fid)
    with unchanged(a):
        expect_error("ResourceNotFound.EcsInstance", add, a, sid, [world.released_eni])
        expect_error("ResourceNotFound.EcsInstance", create_session, a, world, filter_id=fid,
                     sources=[world.released_eni])


def test_ecs_not_support_traffic_mirror(a, world, fid):
    sid = create_session(a, world, filter_id=fid)
    with unchanged(a):
        expect_error("OperationDenied.EcsNotSupportTrafficMirror", add, a, sid, [world.nosupport_eni])
        expect_error("OperationDenied.EcsNotSupportTrafficMirror", create_session, a, world, filter_id=fid,
                     sources=[world.nosupport_eni])


def test_free_network_interface(a, world, fid):
    sid = create_session(a, world, filter_id=fid)
    with unchanged(a):
        expect_error("OperationDenied.FreeNetworkInterface", add, a, sid, [world.free_eni])
        expect_error("OperationDenied.FreeNetworkInterface", create_session, a, world, filter_id=fid,
                     sources=[world.free_eni])


def test_bonding_network_interface(a, world, fid):
    sid = create_session(a, world, filter_id=fid)
    with unchanged(a):
        expect_error("OperationUnsupported.BondingNetworkInterface", add, a, sid, [world.bond_eni])
        expect_error("OperationUnsupported.BondingNetworkInterface", create_session, a, world, filter_id=fid,
                     sources=[world.bond_eni])


def test_duplicate_role(a, world, fid):
    src, tgt = world.eni(), world.eni()
    sid = create_session(a, world, filter_id=fid, sources=[src], target=tgt)
    other = create_session(a, world, filter_id=fid)
    with unchanged(a):
        # a target used as a source
        expect_error("OperationDenied.DuplicateRole", add, a, other, [tgt])
        expect_error("OperationDenied.DuplicateRole", create_session, a, world, filter_id=fid, sources=[tgt])
        # a source used as a target
        expect_error("OperationDenied.DuplicateRole", create_session, a, world, filter_id=fid, target=src)
        # the same ENI as source and target of one session
        e = world.eni()
        expect_error("OperationDenied.DuplicateRole", create_session, a, world, filter_id=fid, sources=[e], target=e)
    assert get_session(a, sid)["TrafficMirrorSourceIds"] == [src]


def test_quota_sessions_per_eni_default_3(a, world, fid):
    e = world.eni()
    for _ in range(3):
        create_session(a, world, filter_id=fid, sources=[e])
    fourth = create_session(a, world, filter_id=fid)
    with unchanged(a):
        expect_error("QuotaExceeded.NetworkInterfaceRelatedSession", add, a, fourth, [e])
        expect_error("QuotaExceeded.NetworkInterfaceRelatedSession", create_session, a, world, filter_id=fid,
                     sources=[e])


def test_quota_sources_per_session_default_10(a, world, fid):
    sid = create_session(a, world, filter_id=fid, nsources=10)
    assert len(get_session(a, sid)["TrafficMirrorSourceIds"]) == 10
    with unchanged(a):
        expect_error("QuotaExceeded.SourceNumPerSession", add, a, sid, [world.eni()])
        expect_error("QuotaExceeded.SourceNumPerSession", create_session, a, world, filter_id=fid, nsources=11)


def test_quota_sources_per_target_default_20(a, world, fid):
    t = world.eni()
    create_session(a, world, filter_id=fid, nsources=10, target=t)
    s2 = create_session(a, world, filter_id=fid, nsources=9, target=t)
    add(a, s2, [world.eni()])                       # 20 sources feed t now
    s3 = create_session(a, world, filter_id=fid, nsources=1)
    with unchanged(a):
        expect_error("QuotaExceeded.SourceNumPerTarget", create_session, a, world, filter_id=fid, target=t)
        expect_error("QuotaExceeded.SourceNumPerTarget", a.update_traffic_mirror_session_attribute,
                     vpc.UpdateTrafficMirrorSessionAttributeRequest(
                         region_id=REGION, traffic_mirror_session_id=s3,
                         traffic_mirror_target_id=t, traffic_mirror_target_type="NetworkInterface"))


def test_configured_quotas(server_factory):
    srv = server_factory("quotas", quotas=dict(sources_per_session=2, sessions_per_eni=1,
                                               sources_per_target=3, rules_per_direction=2))
    a, world = srv.client("A"), srv.world
    fid = create_filter(a)
    sid = create_session(a, world, filter_id=fid, nsources=2)
    expect_error("QuotaExceeded.SourceNumPerSession", add, a, sid, [world.eni()])
    e = get_session(a, sid)["TrafficMirrorSourceIds"][0]
    expect_error("QuotaExceeded.NetworkInterfaceRelatedSession", create_session, a, world, filter_id=fid, sources=[e])
    t = world.eni()
    create_session(a, world, filter_id=fid, nsources=2, target=t)
    create_session(a, world, filter_id=fid, nsources=1, target=t)
    expect_error("QuotaExceeded.SourceNumPerTarget", create_session, a, world, filter_id=fid, nsources=1, target=t)
    fid = create_filter(a, ingress_rules=[ingress(priority=1), ingress(priority=2)])
    expect_error("QuotaExceeded.TrafficMirrorRule", a.create_traffic_mirror_filter_rules,
                 vpc.CreateTrafficMirrorFilterRulesRequest(
                     region_id=REGION, traffic_mirror_filter_id=fid,
                     ingress_rules=[vpc.CreateTrafficMirrorFilterRulesRequestIngressRules(
                         action="accept", priority=3, protocol="ALL",
                         source_cidr_block="0.0.0.0/0", destination_cidr_block="0.0.0.0/0")]))
    expect_error("QuotaExceeded.TrafficMirrorRule", create_filter, a,
                 egress_rules=[egress(priority=p) for p in (1, 2, 3)])


# ------------------------------------------------------------------ transitional states

@pytest.fixture(scope="module")
def slow(tmp_path_factory):
    from conftest import make_server
    s = make_server(tmp_path_factory, "slow", settle_delay_ms=500)
    yield s
    s.stop()


def test_incorrect_status_session(slow):
    a, world = slow.client("A"), slow.world
    fid = create_filter(a)
    wait_filter_status(a, fid, "Created")
    sid = create_session(a, world, filter_id=fid)          # Creating for 500 ms
    expect_error("IncorrectStatus.TrafficMirrorSession", add, a, sid, [world.eni()])
    wait_session_status(a, sid, "Created")
    add(a, sid, [world.eni()])                             # Modifying for 500 ms
    with unchanged(a, ignore_status=True):
        expect_error("IncorrectStatus.TrafficMirrorSession", add, a, sid, [world.eni()])
        expect_error("IncorrectStatus.TrafficMirrorSession", remove, a, sid,
                     get_session(a, sid)["TrafficMirrorSourceIds"][:1])
        expect_error("IncorrectStatus.TrafficMirrorSession", delete, a, sid)
        expect_error("IncorrectStatus.TrafficMirrorSession", a.update_traffic_mirror_session_attribute,
                     vpc.UpdateTrafficMirrorSessionAttributeRequest(
                         region_id=REGION, traffic_mirror_session_id=sid, enabled=True))
    wait_session_status(a, sid, "Created")


def test_incorrect_status_filter_on_session_delete(slow):
    a, world = slow.client("A"), slow.world
    fid = create_filter(a)
    wait_filter_status(a, fid, "Created")
    sid = create_session(a, world, filter_id=fid)
    wait_session_status(a, sid, "Created")
    a.update_traffic_mirror_filter_attribute(vpc.UpdateTrafficMirrorFilterAttributeRequest(
        region_id=REGION, traffic_mirror_filter_id=fid, traffic_mirror_filter_name="busy"))
    with unchanged(a, ignore_status=True):
        expect_error("IncorrectStatus.TrafficMirrorFilter", delete, a, sid)
    wait_filter_status(a, fid, "Created")
    delete(a, sid)


def test_incorrect_status_filter_writes(slow):
    a = slow.client("A")
    fid = create_filter(a)
    expect_error("IncorrectStatus.TrafficMirrorFilter", a.update_traffic_mirror_filter_attribute,
                 vpc.UpdateTrafficMirrorFilterAttributeRequest(
                     region_id=REGION, traffic_mirror_filter_id=fid, traffic_mirror_filter_name="x"))
    wait_filter_status(a, fid, "Created")
    a.create_traffic_mirror_filter_rules(vpc.CreateTrafficMirrorFilterRulesRequest(
        region_id=REGION, traffic_mirror_filter_id=fid,
        ingress_rules=[vpc.CreateTrafficMirrorFilterRulesRequestIngressRules(
            action="accept", priority=1, protocol="ALL", source_cidr_block="0.0.0.0/0",
            destination_cidr_block="0.0.0.0/0")]))
    # a rule change puts the filter in Modifying: concurrent rule changes are refused
    with unchanged(a, ignore_status=True):
        expect_error("IncorrectStatus.TrafficMirrorFilter", a.create_traffic_mirror_filter_rules,
                     vpc.CreateTrafficMirrorFilterRulesRequest(
                         region_id=REGION, traffic_mirror_filter_id=fid,
                         ingress_rules=[vpc.CreateTrafficMirrorFilterRulesRequestIngressRules(
                             action="accept", priority=2, protocol="ALL",
                             source_cidr_block="0.0.0.0/0", destination_cidr_block="0.0.0.0/0")]))
        expect_error("IncorrectStatus.TrafficMirrorFilter", a.delete_traffic_mirror_filter,
                     vpc.DeleteTrafficMirrorFilterRequest(region_id=REGION,
                                                          traffic_mirror_filter_id=fid))
    wait_filter_status(a, fid, "Created")
