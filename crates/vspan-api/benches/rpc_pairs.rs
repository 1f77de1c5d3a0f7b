//! API benchmark client for `vspan server` (the Alibaba Cloud VPC RPC dialect).
//!
//! Not a test: `bench/api/run.sh` drives it (it is a `harness = false` bench target so CI only
//! builds it). Run bare (`cargo bench -p vspan-api --bench rpc_pairs`) it prints its usage.
//!
//! Modes:
//! - `config`: writes the server configuration the other modes expect (one account, the
//!   service opened, generous quotas, a pool of source and target ENIs per region).
//! - `pairs`: for N seconds, sequential HMAC-SHA1 (V1) signed CreateTrafficMirrorSession +
//!   ListTrafficMirrorSessions(TrafficMirrorSessionIds.1 = the new id) pairs over one
//!   keep-alive HTTP/1.1 connection; pairs/s and latency percentiles.
//! - `levels`: fills the store (several connections) up to each level and measures the List
//!   latency at that level: by one id, and the first unfiltered page (MaxResults=10).
//!
//! The HTTP/1.1 client is hand-written over `std::net::TcpStream` (no extra dependencies, no
//! TLS, one request in flight per connection); signing mirrors `src/aliyun/sign.rs`
//! independently, so a canonicalisation bug on either side fails loudly.

#![allow(clippy::unwrap_used)]

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha1::Sha1;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const ACCOUNT: &str = "1000000000000001";
const AK: &str = "LTAIvspanBenchKey0001";
const SECRET: &str = "vspanBenchSecret000000000000001";
/// Regions the configuration declares; a session Priority is unique per account and region and
/// lies in 1..=32766, so each region holds at most `PER_REGION` sessions.
const REGIONS: [&str; 8] = [
    "cn-hangzhou",
    "cn-shanghai",
    "cn-beijing",
    "cn-shenzhen",
    "cn-qingdao",
    "cn-zhangjiakou",
    "cn-huhehaote",
    "cn-chengdu",
];
const PER_REGION: usize = 32766;

const USAGE: &str = "\
rpc_pairs: API benchmark client for `vspan server` (see bench/api/README.md)

  rpc_pairs config --listen ADDR --data-dir DIR --out FILE [--enis N]
  rpc_pairs pairs  --endpoint HOST:PORT [--seconds 10] [--enis N] [--json FILE]
  rpc_pairs levels --endpoint HOST:PORT [--levels 10,1000,100000] [--samples 2000]
                   [--fill-conns 3] [--fill-budget SECONDS (180)] [--enis N] [--json FILE]

--enis N: source ENIs and target ENIs declared per region (default 1024); session n of a
region uses source n % N and target n % N. Must match between `config` and the others.";

// ------------------------------------------------------------------------------------------
// Arguments
// ------------------------------------------------------------------------------------------

struct Args {
    mode: Option<String>,
    opts: HashMap<String, String>,
}

impl Args {
    fn parse() -> Args {
        let mut mode = None;
        let mut opts = HashMap::new();
        let mut it = std::env::args().skip(1);
        while let Some(a) = it.next() {
            if a == "--bench" {
                continue; // what `cargo bench` passes
            }
            if let Some(k) = a.strip_prefix("--") {
                let v = it.next().unwrap_or_else(|| die(&format!("--{k} needs a value")));
                opts.insert(k.to_owned(), v);
            } else if mode.is_none() {
                mode = Some(a);
            } else {
                die(&format!("unexpected argument {a:?}"));
            }
        }
        Args { mode, opts }
    }

    fn get(&self, k: &str) -> Option<&str> {
        self.opts.get(k).map(String::as_str)
    }

    fn req(&self, k: &str) -> &str {
        self.get(k).unwrap_or_else(|| die(&format!("--{k} is required\n\n{USAGE}")))
    }

    fn num(&self, k: &str, default: usize) -> usize {
        self.get(k).map_or(default, |v| v.parse().unwrap_or_else(|_| die(&format!("--{k}: not a number: {v}"))))
    }
}

fn die(msg: &str) -> ! {
    eprintln!("rpc_pairs: {msg}");
    std::process::exit(2)
}

// ------------------------------------------------------------------------------------------
// The world the configuration declares
// ------------------------------------------------------------------------------------------

fn src_eni(region: usize, j: usize) -> String {
    format!("eni-benchsrc{region}x{j:05}")
}

fn tgt_eni(region: usize, j: usize) -> String {
    format!("eni-benchtgt{region}x{j:05}")
}

/// Session number `n` (0-based, global): its region, priority, source and target.
fn slot(n: usize, enis: usize) -> (usize, u32, String, String) {
    let region = n / PER_REGION;
    if region >= REGIONS.len() {
        die(&format!("session #{n} needs more than {} regions", REGIONS.len()));
    }
    let k = n % PER_REGION;
    (region, (k + 1) as u32, src_eni(region, k % enis), tgt_eni(region, k % enis))
}

fn write_config(a: &Args) {
    let enis = a.num("enis", 1024);
    let mut t = String::new();
    writeln!(t, "# generated by rpc_pairs config (bench/api/run.sh); do not edit").unwrap();
    writeln!(t, "listen = {:?}", a.req("listen")).unwrap();
    writeln!(t, "data_dir = {:?}", a.req("data-dir")).unwrap();
    writeln!(t, "settle_delay_ms = 0\n").unwrap();
    writeln!(t, "[quotas]\nsessions_per_eni = 1000000\nsources_per_target = 100000000\n").unwrap();
    writeln!(t, "[[accounts]]\nid = {ACCOUNT:?}\naccess_key_id = {AK:?}\naccess_key_secret = {SECRET:?}").unwrap();
    writeln!(t, "traffic_mirror_opened = true\n").unwrap();
    for (r, region) in REGIONS.iter().enumerate() {
        for j in 0..enis {
            for (kind, id) in [(0u8, src_eni(r, j)), (1u8, tgt_eni(r, j))] {
                let inst = id.replacen("eni-", "i-", 1);
                writeln!(
                    t,
                    "[[enis]]\nid = {id:?}\naccount = {ACCOUNT:?}\nregion = {:?}\ninstance_id = {inst:?}\n\
                     ip = \"10.{}.{}.{}\"\nmac = \"02:00:{kind:02x}:{r:02x}:{:02x}:{:02x}\"\n",
                    region,
                    r * 2 + usize::from(kind),
                    j >> 8,
                    j & 255,
                    j >> 8,
                    j & 255
                )
                .unwrap();
            }
        }
    }
    std::fs::write(a.req("out"), t).unwrap_or_else(|e| die(&format!("writing {}: {e}", a.req("out"))));
}

// ------------------------------------------------------------------------------------------
// Signing (HMAC-SHA1, signature version 1.0), mirroring src/aliyun/sign.rs
// ------------------------------------------------------------------------------------------

/// RFC 3986: unreserved characters kept, everything else `%XX` upper-case.
fn enc(s: &str, out: &mut String) {
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[(b >> 4) as usize]));
            out.push(char::from(b"0123456789ABCDEF"[(b & 15) as usize]));
        }
    }
}

fn timestamp() -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::OffsetDateTime::now_utc().format(fmt).expect("formatting the timestamp")
}

// ------------------------------------------------------------------------------------------
// A keep-alive HTTP/1.1 client
// ------------------------------------------------------------------------------------------

struct Client {
    endpoint: String,
    conn: Option<BufReader<TcpStream>>,
    nonce_prefix: String,
    nonce: u64,
    req: Vec<u8>,
    line: String,
    body: Vec<u8>,
}

struct Reply {
    status: u16,
    json: Value,
}

impl Client {
    fn new(endpoint: &str) -> Client {
        Client {
            endpoint: endpoint.to_owned(),
            conn: None,
            nonce_prefix: uuid::Uuid::new_v4().simple().to_string(),
            nonce: 0,
            req: Vec::with_capacity(2048),
            line: String::new(),
            body: Vec::with_capacity(8192),
        }
    }

    fn connect(&mut self) -> &mut BufReader<TcpStream> {
        if self.conn.is_none() {
            let s = TcpStream::connect(&self.endpoint)
                .unwrap_or_else(|e| die(&format!("connecting to {}: {e}", self.endpoint)));
            s.set_nodelay(true).expect("TCP_NODELAY");
            s.set_read_timeout(Some(Duration::from_secs(60))).expect("read timeout");
            self.conn = Some(BufReader::with_capacity(64 * 1024, s));
        }
        self.conn.as_mut().expect("connected")
    }

    /// The signed form body of `action` with `params` (plus the common ones).
    fn sign(&mut self, action: &str, region: &str, params: &[(&str, &str)]) -> String {
        self.nonce += 1;
        let nonce = format!("{}{:x}", self.nonce_prefix, self.nonce);
        let ts = timestamp();
        let mut pairs: Vec<(&str, &str)> = vec![
            ("AccessKeyId", AK),
            ("Action", action),
            ("Format", "JSON"),
            ("RegionId", region),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", &nonce),
            ("SignatureVersion", "1.0"),
            ("Timestamp", &ts),
            ("Version", "2016-04-28"),
        ];
        pairs.extend_from_slice(params);
        pairs.sort();
        let mut canonical = String::with_capacity(512);
        for (i, (k, v)) in pairs.iter().enumerate() {
            if i > 0 {
                canonical.push('&');
            }
            enc(k, &mut canonical);
            canonical.push('=');
            enc(v, &mut canonical);
        }
        let mut sts = String::with_capacity(canonical.len() * 2);
        sts.push_str("POST&%2F&");
        enc(&canonical, &mut sts);
        let mut mac = Hmac::<Sha1>::new_from_slice(format!("{SECRET}&").as_bytes()).expect("HMAC key");
        mac.update(sts.as_bytes());
        let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        canonical.push_str("&Signature=");
        enc(&sig, &mut canonical);
        canonical
    }

    /// One signed call; any transport failure is fatal (a benchmark must not paper over it).
    fn call(&mut self, action: &str, region: &str, params: &[(&str, &str)]) -> Reply {
        let body = self.sign(action, region, params);
        self.req.clear();
        write!(
            self.req,
            "POST / HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            self.endpoint,
            body.len()
        )
        .expect("building the request");
        let req = std::mem::take(&mut self.req);
        let conn = self.connect();
        conn.get_mut().write_all(&req).unwrap_or_else(|e| die(&format!("{action}: writing the request: {e}")));
        self.req = req;
        let (status, close) = self.read_head(action);
        let json = serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            die(&format!("{action}: answer is not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
        });
        if close {
            self.conn = None;
        }
        Reply { status, json }
    }

    /// Reads the status line, headers and body of one answer into `self.body`.
    fn read_head(&mut self, action: &str) -> (u16, bool) {
        let conn = self.conn.as_mut().expect("connected");
        let fail = |what: &str| -> ! { die(&format!("{action}: {what}")) };
        self.line.clear();
        if conn.read_line(&mut self.line).unwrap_or_else(|e| fail(&format!("reading the answer: {e}"))) == 0 {
            fail("the server closed the connection");
        }
        let status: u16 = self
            .line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| fail(&format!("bad status line {:?}", self.line)));
        let (mut length, mut chunked, mut close) = (None, false, false);
        loop {
            self.line.clear();
            conn.read_line(&mut self.line).unwrap_or_else(|e| fail(&format!("reading headers: {e}")));
            let l = self.line.trim_end();
            if l.is_empty() {
                break;
            }
            let Some((k, v)) = l.split_once(':') else { fail(&format!("bad header {l:?}")) };
            let v = v.trim();
            if k.eq_ignore_ascii_case("content-length") {
                length = Some(v.parse::<usize>().unwrap_or_else(|_| fail("bad Content-Length")));
            } else if k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked") {
                chunked = true;
            } else if k.eq_ignore_ascii_case("connection") && v.eq_ignore_ascii_case("close") {
                close = true;
            }
        }
        self.body.clear();
        if chunked {
            loop {
                self.line.clear();
                conn.read_line(&mut self.line).unwrap_or_else(|e| fail(&format!("reading a chunk: {e}")));
                let n = usize::from_str_radix(self.line.trim_end().split(';').next().unwrap_or(""), 16)
                    .unwrap_or_else(|_| fail("bad chunk size"));
                let start = self.body.len();
                self.body.resize(start + n + 2, 0);
                conn.read_exact(&mut self.body[start..]).unwrap_or_else(|e| fail(&format!("reading a chunk: {e}")));
                self.body.truncate(start + n);
                if n == 0 {
                    break;
                }
            }
        } else {
            let n = length.unwrap_or_else(|| fail("answer without Content-Length"));
            self.body.resize(n, 0);
            conn.read_exact(&mut self.body).unwrap_or_else(|e| fail(&format!("reading the body: {e}")));
        }
        (status, close)
    }

    fn ok(&mut self, action: &str, region: &str, params: &[(&str, &str)]) -> Value {
        let r = self.call(action, region, params);
        if r.status != 200 {
            die(&format!("{action} answered HTTP {}: {}", r.status, r.json));
        }
        r.json
    }

    fn create_filter(&mut self, region: usize) -> String {
        let v = self.ok("CreateTrafficMirrorFilter", REGIONS[region], &[("TrafficMirrorFilterName", "bench")]);
        v["TrafficMirrorFilterId"].as_str().unwrap_or_else(|| die(&format!("no filter id in {v}"))).to_owned()
    }

    fn create_session(&mut self, n: usize, enis: usize, filters: &[String]) -> (usize, String) {
        let (region, prio, src, tgt) = slot(n, enis);
        let prio = prio.to_string();
        let v = self.ok(
            "CreateTrafficMirrorSession",
            REGIONS[region],
            &[
                ("TrafficMirrorSourceIds.1", &src),
                ("TrafficMirrorTargetId", &tgt),
                ("TrafficMirrorTargetType", "NetworkInterface"),
                ("TrafficMirrorFilterId", &filters[region]),
                ("Priority", &prio),
            ],
        );
        let id = v["TrafficMirrorSessionId"].as_str().unwrap_or_else(|| die(&format!("no session id in {v}")));
        (region, id.to_owned())
    }

    /// ListTrafficMirrorSessions by one id; it must answer exactly that session.
    fn list_by_id(&mut self, region: usize, id: &str) {
        let v = self.ok("ListTrafficMirrorSessions", REGIONS[region], &[("TrafficMirrorSessionIds.1", id)]);
        let got = v["TrafficMirrorSessions"]
            .as_array()
            .map(|a| a.iter().map(|s| s["TrafficMirrorSessionId"].as_str().unwrap_or("")).collect::<Vec<_>>());
        if got.as_deref() != Some(&[id][..]) {
            die(&format!("List by id {id} answered {v}"));
        }
    }

    /// The first page (MaxResults=10, no filter); it must hold 10 sessions (or all) and count
    /// `expected_total`.
    fn list_first_page(&mut self, region: usize, expected_total: usize) {
        let v = self.ok("ListTrafficMirrorSessions", REGIONS[region], &[("MaxResults", "10")]);
        let n = v["TrafficMirrorSessions"].as_array().map_or(0, Vec::len);
        let total = v["TotalCount"].as_str().and_then(|s| s.parse::<usize>().ok());
        if n != expected_total.min(10) || total != Some(expected_total) {
            die(&format!("first page: {n} sessions, TotalCount {total:?}, expected {expected_total}: {v}"));
        }
    }
}

// ------------------------------------------------------------------------------------------
// Statistics
// ------------------------------------------------------------------------------------------

struct Stats {
    n: usize,
    mean: f64,
    p50: f64,
    p90: f64,
    p99: f64,
    p999: f64,
    max: f64,
}

/// Latency statistics in microseconds.
fn stats(samples: &mut [Duration]) -> Stats {
    samples.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let pick = |q: f64| us(samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1]);
    let mean = samples.iter().map(|d| us(*d)).sum::<f64>() / samples.len() as f64;
    Stats {
        n: samples.len(),
        mean,
        p50: pick(0.50),
        p90: pick(0.90),
        p99: pick(0.99),
        p999: pick(0.999),
        max: us(*samples.last().expect("samples")),
    }
}

fn stats_json(s: &Stats) -> Value {
    serde_json::json!({"n": s.n, "mean_us": s.mean, "p50_us": s.p50, "p90_us": s.p90, "p99_us": s.p99,
                       "p999_us": s.p999, "max_us": s.max})
}

fn show(label: &str, s: &Stats) {
    println!(
        "  {label:<28} n={:<7} mean {:>8.1} us  p50 {:>8.1}  p90 {:>8.1}  p99 {:>8.1}  p99.9 {:>8.1}  max {:>8.1}",
        s.n, s.mean, s.p50, s.p90, s.p99, s.p999, s.max
    );
}

fn write_json(a: &Args, v: &Value) {
    if let Some(path) = a.get("json") {
        std::fs::write(path, serde_json::to_string_pretty(v).expect("JSON"))
            .unwrap_or_else(|e| die(&format!("writing {path}: {e}")));
    }
}

// ------------------------------------------------------------------------------------------
// Modes
// ------------------------------------------------------------------------------------------

fn pairs(a: &Args) {
    let endpoint = a.req("endpoint");
    let seconds = a.num("seconds", 10);
    let enis = a.num("enis", 1024);
    let mut c = Client::new(endpoint);
    let filters: Vec<String> = (0..REGIONS.len()).map(|r| c.create_filter(r)).collect();
    // Warm-up (connection, caches), not counted; its sessions use the last region.
    let warm_base = (REGIONS.len() - 1) * PER_REGION;
    for i in 0..200 {
        let (r, id) = c.create_session(warm_base + i, enis, &filters);
        c.list_by_id(r, &id);
    }
    let (mut pair, mut create, mut list) = (Vec::new(), Vec::new(), Vec::new());
    let limit = Duration::from_secs(seconds as u64);
    let t0 = Instant::now();
    let mut n = 0;
    while t0.elapsed() < limit {
        let s = Instant::now();
        let (r, id) = c.create_session(n, enis, &filters);
        let m = Instant::now();
        c.list_by_id(r, &id);
        let e = Instant::now();
        pair.push(e - s);
        create.push(m - s);
        list.push(e - m);
        n += 1;
        if n >= warm_base {
            break;
        }
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let rate = n as f64 / elapsed;
    let (sp, sc, sl) = (stats(&mut pair), stats(&mut create), stats(&mut list));
    println!("vspan, Rust client: {n} Create+List(by id) pairs in {elapsed:.2} s = {rate:.0} pairs/s");
    show("pair", &sp);
    show("CreateTrafficMirrorSession", &sc);
    show("ListTrafficMirrorSessions", &sl);
    write_json(
        a,
        &serde_json::json!({"client": "rust", "pairs": n, "seconds": elapsed, "pairs_per_s": rate,
            "pair": stats_json(&sp), "create": stats_json(&sc), "list": stats_json(&sl)}),
    );
}

/// Creates sessions `from..to` over `conns` connections until `deadline`; returns (region, id)
/// of those created, in order (always a prefix of `from..to`).
fn fill(
    endpoint: &str,
    enis: usize,
    filters: &Arc<Vec<String>>,
    (from, to): (usize, usize),
    conns: usize,
    deadline: Instant,
) -> Vec<(usize, String)> {
    let next = Arc::new(AtomicUsize::new(from));
    let handles: Vec<_> = (0..conns)
        .map(|_| {
            let (next, filters, endpoint) = (next.clone(), filters.clone(), endpoint.to_owned());
            std::thread::spawn(move || {
                let mut c = Client::new(&endpoint);
                let mut out = Vec::new();
                while Instant::now() < deadline {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= to {
                        break;
                    }
                    out.push((n, c.create_session(n, enis, &filters)));
                }
                out
            })
        })
        .collect();
    let mut all: Vec<(usize, (usize, String))> =
        handles.into_iter().flat_map(|h| h.join().expect("a fill thread panicked")).collect();
    all.sort_by_key(|(n, _)| *n);
    assert!(all.iter().enumerate().all(|(i, (n, _))| *n == from + i), "fill left a gap");
    all.into_iter().map(|(_, v)| v).collect()
}

fn levels(a: &Args) {
    let endpoint = a.req("endpoint");
    let enis = a.num("enis", 1024);
    let samples = a.num("samples", 2000);
    let conns = a.num("fill-conns", 3);
    // Filling stops when this budget is spent; a level not reached is reported as such.
    let budget = Duration::from_secs(a.num("fill-budget", 180) as u64);
    let levels: Vec<usize> = a
        .get("levels")
        .unwrap_or("10,1000,100000")
        .split(',')
        .map(|s| s.trim().parse().unwrap_or_else(|_| die(&format!("--levels: bad number {s:?}"))))
        .collect();
    let mut c = Client::new(endpoint);
    let filters = Arc::new((0..REGIONS.len()).map(|r| c.create_filter(r)).collect::<Vec<_>>());
    let mut stored: Vec<(usize, String)> = Vec::new();
    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    let mut out = Vec::new();
    let deadline = Instant::now() + budget;
    for &target in &levels {
        let mut fill_rate = None;
        if target > stored.len() {
            let t = Instant::now();
            let from = stored.len();
            stored.extend(fill(endpoint, enis, &filters, (from, target), conns, deadline));
            let el = t.elapsed().as_secs_f64();
            let rate = (stored.len() - from) as f64 / el;
            fill_rate = Some(rate);
            println!(
                "filled {from} -> {} sessions in {el:.1} s ({rate:.0} creates/s over {conns} connections)",
                stored.len()
            );
        }
        let level = stored.len();
        let reached = level >= target;
        if !reached {
            println!(
                "LEVEL NOT REACHED: {target} sessions wanted, {level} stored when the fill budget of {} s ran out",
                budget.as_secs()
            );
        }
        // Region 0 fills first, so it holds min(level, 32766) sessions: the first page is listed there.
        let in_region0 = level.min(PER_REGION);
        for i in 0..200 {
            let (r, id) = &stored[i % stored.len()];
            c.list_by_id(*r, id);
            c.list_first_page(0, in_region0);
        }
        let mut by_id = Vec::with_capacity(samples);
        for _ in 0..samples {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let (r, id) = &stored[(rng % stored.len() as u64) as usize];
            let t = Instant::now();
            c.list_by_id(*r, id);
            by_id.push(t.elapsed());
        }
        let mut page = Vec::with_capacity(samples);
        for _ in 0..samples {
            let t = Instant::now();
            c.list_first_page(0, in_region0);
            page.push(t.elapsed());
        }
        let (si, sp) = (stats(&mut by_id), stats(&mut page));
        println!("{level} sessions stored ({in_region0} in the listed region):");
        show("List by id", &si);
        show("List first page (10)", &sp);
        out.push(serde_json::json!({"target": target, "stored": level, "reached": reached,
            "in_listed_region": in_region0, "fill_creates_per_s": fill_rate,
            "by_id": stats_json(&si), "first_page": stats_json(&sp)}));
        if !reached {
            break;
        }
    }
    write_json(a, &serde_json::json!({"levels": out}));
}

fn main() {
    let a = Args::parse();
    match a.mode.as_deref() {
        Some("config") => write_config(&a),
        Some("pairs") => pairs(&a),
        Some("levels") => levels(&a),
        Some(m) => die(&format!("unknown mode {m:?}\n\n{USAGE}")),
        None => println!("{USAGE}"),
    }
}
