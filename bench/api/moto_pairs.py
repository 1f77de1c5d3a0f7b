"""moto_server side of the API benchmark (bench/api/run.sh): AWS's equivalent of the pair,
CreateTrafficMirrorSession + DescribeTrafficMirrorSessions(TrafficMirrorSessionIds=[id]),
through boto3, sequentially from one client for N seconds (recipe: reference/peers.md §1.3)."""
from __future__ import annotations

import argparse
import json
import time


def pct(xs, q):
    xs = sorted(xs)
    return xs[max(1, min(len(xs), int(-(-len(xs) * q // 1)))) - 1]


def stats(xs):
    us = [x * 1e6 for x in xs]
    return {"n": len(us), "mean_us": sum(us) / len(us), "p50_us": pct(us, .5), "p90_us": pct(us, .9),
            "p99_us": pct(us, .99), "p999_us": pct(us, .999), "max_us": max(us)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True, help="http://127.0.0.1:PORT")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--json")
    a = ap.parse_args()

    import boto3
    ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=a.endpoint,
                       aws_access_key_id="test", aws_secret_access_key="test")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    sub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    src = ec2.create_network_interface(SubnetId=sub)["NetworkInterface"]["NetworkInterfaceId"]
    dst = ec2.create_network_interface(SubnetId=sub)["NetworkInterface"]["NetworkInterfaceId"]
    fid = ec2.create_traffic_mirror_filter(Description="f")["TrafficMirrorFilter"]["TrafficMirrorFilterId"]
    tid = ec2.create_traffic_mirror_target(NetworkInterfaceId=dst)["TrafficMirrorTarget"]["TrafficMirrorTargetId"]

    def pair(n):
        sid = ec2.create_traffic_mirror_session(
            NetworkInterfaceId=src, TrafficMirrorTargetId=tid, TrafficMirrorFilterId=fid,
            SessionNumber=n % 32766 + 1)["TrafficMirrorSession"]["TrafficMirrorSessionId"]
        got = ec2.describe_traffic_mirror_sessions(TrafficMirrorSessionIds=[sid])["TrafficMirrorSessions"]
        if [s["TrafficMirrorSessionId"] for s in got] != [sid]:
            raise SystemExit(f"moto: describe by id {sid} answered {got}")

    for i in range(20):                      # warm-up, not counted
        pair(i)
    lat, n, t0 = [], 0, time.perf_counter()
    while time.perf_counter() - t0 < a.seconds:
        s = time.perf_counter()
        pair(n)
        lat.append(time.perf_counter() - s)
        n += 1
    el = time.perf_counter() - t0
    st = stats(lat)
    print(f"moto_server, boto3: {n} Create+Describe(by id) pairs in {el:.2f} s = {n / el:.0f} pairs/s "
          f"(pair p50 {st['p50_us'] / 1e3:.2f} ms, p99 {st['p99_us'] / 1e3:.2f} ms)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"client": "boto3", "pairs": n, "seconds": el, "pairs_per_s": n / el, "pair": st}, f, indent=1)


if __name__ == "__main__":
    main()
