"""vspan driven by the official Python Alibaba Cloud SDK (alibabacloud-vpc20160428, Tea
OpenAPI, its default ACS3-HMAC-SHA256 signature): the same sequential
CreateTrafficMirrorSession + ListTrafficMirrorSessions(by id) pairs as the Rust client, for a
like-for-like Python-client figure next to moto + boto3. Uses the world `rpc_pairs config`
declares (same account, regions and ENI naming)."""
from __future__ import annotations

import argparse
import json
import time

from moto_pairs import stats

REGIONS = ["cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen", "cn-qingdao",
           "cn-zhangjiakou", "cn-huhehaote", "cn-chengdu"]
PER_REGION = 32766


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True, help="127.0.0.1:PORT")
    ap.add_argument("--ak", required=True)
    ap.add_argument("--secret", required=True)
    ap.add_argument("--enis", type=int, default=1024)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--v1", action="store_true", help="HMAC-SHA1 (signature_algorithm='v2') instead of V3")
    ap.add_argument("--json")
    a = ap.parse_args()

    from alibabacloud_tea_openapi.models import Config
    from alibabacloud_vpc20160428 import models as vpc
    from alibabacloud_vpc20160428.client import Client

    kw = dict(access_key_id=a.ak, access_key_secret=a.secret, region_id=REGIONS[0],
              endpoint=a.endpoint, protocol="http", read_timeout=60000, connect_timeout=5000)
    if a.v1:
        kw["signature_algorithm"] = "v2"
    c = Client(Config(**kw))
    filters = [c.create_traffic_mirror_filter(vpc.CreateTrafficMirrorFilterRequest(
        region_id=r, traffic_mirror_filter_name="bench")).body.traffic_mirror_filter_id for r in REGIONS]

    def pair(n):
        region, k = divmod(n, PER_REGION)
        j = k % a.enis
        sid = c.create_traffic_mirror_session(vpc.CreateTrafficMirrorSessionRequest(
            region_id=REGIONS[region], traffic_mirror_source_ids=[f"eni-benchsrc{region}x{j:05d}"],
            traffic_mirror_target_id=f"eni-benchtgt{region}x{j:05d}",
            traffic_mirror_target_type="NetworkInterface", traffic_mirror_filter_id=filters[region],
            priority=k + 1)).body.traffic_mirror_session_id
        got = c.list_traffic_mirror_sessions(vpc.ListTrafficMirrorSessionsRequest(
            region_id=REGIONS[region], traffic_mirror_session_ids=[sid])).body.traffic_mirror_sessions
        if [s.traffic_mirror_session_id for s in got] != [sid]:
            raise SystemExit(f"SDK: list by id {sid} answered {got}")

    warm = (len(REGIONS) - 1) * PER_REGION      # warm-up sessions live in the last region
    for i in range(50):
        pair(warm + i)
    lat, n, t0 = [], 0, time.perf_counter()
    while time.perf_counter() - t0 < a.seconds and n < warm:
        s = time.perf_counter()
        pair(n)
        lat.append(time.perf_counter() - s)
        n += 1
    el = time.perf_counter() - t0
    st = stats(lat)
    sig = "V1 HMAC-SHA1" if a.v1 else "V3 ACS3-HMAC-SHA256"
    print(f"vspan, Python SDK ({sig}): {n} Create+List(by id) pairs in {el:.2f} s = {n / el:.0f} pairs/s "
          f"(pair p50 {st['p50_us'] / 1e3:.2f} ms, p99 {st['p99_us'] / 1e3:.2f} ms)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"client": "python-sdk", "signature": sig, "pairs": n, "seconds": el,
                       "pairs_per_s": n / el, "pair": st}, f, indent=1)


if __name__ == "__main__":
    main()
