"""Prints the API benchmark's summary from the JSON files run.sh leaves in bench/out."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform


def load(out, name):
    p = os.path.join(out, name)
    if not os.path.exists(p):
        return None
    with open(p) as f:
        return json.load(f)


def ms(us):
    return f"{us / 1000:.3f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--pinned", default="")
    ap.add_argument("--seconds", default="")
    a = ap.parse_args()
    moto, rust, sdk, lv = (load(a.out, n) for n in
                           ("api-moto.json", "api-vspan-rust.json", "api-vspan-sdk.json", "api-levels.json"))
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    except OSError:
        pass
    print(f"vspan API benchmark, {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M UTC}, "
          f"{os.cpu_count()} CPUs ({cpu}), {platform.python_implementation()} {platform.python_version()}, "
          f"{a.pinned}, {a.seconds} s per pair run")
    print()
    print("Sequential signed Create + List(by id) pairs from one client")
    print(f"{'server + client':<44} {'pairs/s':>9} {'calls/s':>9} {'pair p50 ms':>12} {'pair p99 ms':>12}")
    rows = [("moto_server + boto3 (Create+Describe)", moto),
            ("vspan + Rust client (V1 HMAC-SHA1)", rust),
            (f"vspan + Python SDK ({(sdk or {}).get('signature', '')})", sdk)]
    for name, r in rows:
        if r:
            print(f"{name:<44} {r['pairs_per_s']:>9.0f} {2 * r['pairs_per_s']:>9.0f} "
                  f"{ms(r['pair']['p50_us']):>12} {ms(r['pair']['p99_us']):>12}")
    if moto:
        print()
        for name, r in (("vspan (Rust client) / moto", rust), ("vspan (Python SDK) / moto", sdk)):
            if r:
                x = r["pairs_per_s"] / moto["pairs_per_s"]
                goal = "meets" if x >= 50 else "BELOW"
                print(f"ratio {name:<28} {x:8.1f}x   ({goal} the 50x goal)" if "Rust" in name
                      else f"ratio {name:<28} {x:8.1f}x   (for information)")
    if rust:
        print(f"\nvspan Rust client, per call: Create p50 {ms(rust['create']['p50_us'])} ms "
              f"p99 {ms(rust['create']['p99_us'])} ms; List(by id) p50 {ms(rust['list']['p50_us'])} ms "
              f"p99 {ms(rust['list']['p99_us'])} ms")
    if lv:
        print()
        print("ListTrafficMirrorSessions latency (vspan, Rust client, sequential, ms)")
        print(f"{'wanted':>9} {'stored':>9} {'in region':>10} {'by id p50':>10} {'by id p99':>10} "
              f"{'page p50':>10} {'page p99':>10} {'fill creates/s':>15}")
        for l in lv["levels"]:
            fr = l.get("fill_creates_per_s")
            print(f"{l['target']:>9,} {l['stored']:>9,} {l['in_listed_region']:>10,} {ms(l['by_id']['p50_us']):>10} "
                  f"{ms(l['by_id']['p99_us']):>10} {ms(l['first_page']['p50_us']):>10} "
                  f"{ms(l['first_page']['p99_us']):>10} {fr if fr is None else round(fr):>15}"
                  + ("" if l["reached"] else "   <- NOT REACHED (fill budget ran out)"))
        first, last = lv["levels"][0], lv["levels"][-1]
        g_id = last["by_id"]["p50_us"] / first["by_id"]["p50_us"]
        g_pg = last["first_page"]["p50_us"] / first["first_page"]["p50_us"]
        print(f"p50 growth {first['stored']:,} -> {last['stored']:,} stored: by id x{g_id:.2f}, "
              f"first page x{g_pg:.2f}")
        print("(by id: a random stored session; first page: MaxResults=10, no filter, in the region "
              "filled first, whose TotalCount is 'in region')")


if __name__ == "__main__":
    main()
