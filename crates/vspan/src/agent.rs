//! `vspan agent`: the host agent in standalone mode. Sessions come from a file in the shape
//! `vspan replay --sessions` takes; `--source` names the interfaces to capture (repeatable,
//! `*` patterns allowed, `IF=ENI_ID` to look sessions up under an ENI id other than the
//! interface name). SIGHUP rereads the file; SIGTERM/SIGINT stop cleanly. `/metrics` is
//! served on `--metrics-listen`; `vspan agent --stats` prints a running agent's counters.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use vspan_agent::{Agent, AgentConfig, RingConfig, Source, TxConfig};
use vspan_dataplane::SessionSet;

#[derive(Args, Debug)]
pub struct AgentArgs {
    /// Sessions file (TrafficMirrorSessions, TrafficMirrorFilters, Targets), as for
    /// `vspan replay`. Reread on SIGHUP.
    #[arg(long, required_unless_present = "stats")]
    sessions: Option<PathBuf>,
    /// Interface to capture, both directions: IFNAME, a pattern such as 'tap*', optionally
    /// with =ENI_ID (the id in TrafficMirrorSourceIds; default: the interface name).
    /// Repeatable. Interfaces that appear later are picked up, vanished ones released.
    #[arg(long = "source", value_name = "IFNAME[=ENI_ID]", required_unless_present = "stats")]
    sources: Vec<String>,
    /// Serve Prometheus metrics at http://ADDR/metrics ('none' to disable). With --stats:
    /// the agent to ask.
    #[arg(long, default_value = "127.0.0.1:9750")]
    metrics_listen: String,
    /// Print the counters of the agent running at --metrics-listen, then exit.
    #[arg(long)]
    stats: bool,
    /// Path MTU to cut copies against (copy + 50 bytes must fit). Default: the route MTU
    /// towards each interface's targets.
    #[arg(long)]
    mtu: Option<usize>,
    /// Capture ring block size, KiB (power of two, at least 128).
    #[arg(long, default_value_t = 1024)]
    ring_block_kib: u32,
    /// Capture ring blocks per interface.
    #[arg(long, default_value_t = 64)]
    ring_blocks: u32,
    /// Milliseconds after which the kernel hands over a partly filled ring block.
    #[arg(long, default_value_t = 10)]
    block_timeout_ms: u32,
    /// UDP sockets (so distinct outer source ports) copies are spread over by flow hash.
    #[arg(long, default_value_t = 16)]
    tx_sockets: usize,
    /// Bind the transmit sockets to ports PORT.. (default: ports the kernel picks).
    #[arg(long)]
    tx_port_base: Option<u16>,
    /// SO_MARK for the copies (lets host policy recognise them).
    #[arg(long)]
    mark: Option<u32>,
    /// Interface discovery period, milliseconds.
    #[arg(long, default_value_t = 500)]
    scan_interval_ms: u64,
}

fn load(path: &PathBuf) -> anyhow::Result<SessionSet> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    SessionSet::from_json(&text).with_context(|| format!("parsing {}", path.display()))
}

fn metrics_addr(s: &str) -> anyhow::Result<Option<SocketAddr>> {
    if s == "none" {
        return Ok(None);
    }
    s.parse().map(Some).with_context(|| format!("--metrics-listen {s:?} is not an IP:PORT address"))
}

pub fn run(args: AgentArgs) -> anyhow::Result<()> {
    if args.stats {
        let Some(addr) = metrics_addr(&args.metrics_listen)? else {
            bail!("--stats needs --metrics-listen ADDR of the running agent");
        };
        let text = vspan_agent::metrics::fetch(addr).with_context(|| format!("asking the agent at {addr}"))?;
        print!("{}", stats_table(&text));
        return Ok(());
    }
    let path = args.sessions.clone().context("--sessions is required")?;
    let set = load(&path)?;
    let sources = args
        .sources
        .iter()
        .map(|s| Source::parse(s).map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let cfg = AgentConfig {
        sources,
        ring: RingConfig {
            block_size: args.ring_block_kib.saturating_mul(1024),
            block_count: args.ring_blocks,
            block_timeout_ms: args.block_timeout_ms,
            fanout_group: None,
        },
        tx: TxConfig { sockets: args.tx_sockets, port_base: args.tx_port_base, mark: args.mark, ..TxConfig::default() },
        mtu: args.mtu,
        ..AgentConfig::default()
    };
    let mut agent = Agent::new(cfg, set)?;
    if let Some(addr) = metrics_addr(&args.metrics_listen)? {
        let (local, _thread) =
            vspan_agent::metrics::serve(addr, agent.stats()).with_context(|| format!("serving metrics on {addr}"))?;
        tracing::info!("metrics on http://{local}/metrics");
    }
    for e in agent.reconcile() {
        tracing::warn!("{e}");
    }
    eprintln!(
        "vspan agent: capturing [{}], copies from UDP ports {:?}",
        agent.captured().join(", "),
        agent.source_ports()
    );
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async {
        use tokio::signal::unix::{SignalKind, signal};
        let mut hup = signal(SignalKind::hangup())?;
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        let mut tick = tokio::time::interval(Duration::from_millis(args.scan_interval_ms.max(50)));
        loop {
            tokio::select! {
                _ = hup.recv() => match load(&path) {
                    Ok(set) => {
                        for e in agent.set_sessions(set) {
                            tracing::warn!("{e}");
                        }
                        tracing::info!(captured = ?agent.captured(), "sessions reloaded");
                    }
                    Err(e) => {
                        agent.stats().lock().reload_errors += 1;
                        tracing::error!("reload refused, previous sessions stay: {e:#}");
                    }
                },
                _ = term.recv() => break,
                _ = int.recv() => break,
                _ = tick.tick() => {
                    agent.reconcile();
                }
            }
        }
        anyhow::Ok(())
    })?;
    agent.shutdown();
    Ok(())
}

/// One parsed sample of the Prometheus text.
fn parse_line(line: &str) -> Option<(&str, BTreeMap<&str, &str>, &str)> {
    let (head, value) = line.rsplit_once(' ')?;
    let (name, labels) = match head.split_once('{') {
        Some((n, rest)) => (n, rest.strip_suffix('}')?),
        None => (head, ""),
    };
    let mut map = BTreeMap::new();
    // Values the agent writes never contain '",' so a plain split is enough here.
    for kv in labels.split("\",").filter(|s| !s.is_empty()) {
        let (k, v) = kv.split_once("=\"")?;
        map.insert(k, v.trim_end_matches('"'));
    }
    Some((name, map, value))
}

/// A one-screen table of the agent's counters.
fn stats_table(text: &str) -> String {
    let mut ifaces: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut sessions: BTreeMap<(String, String, String), BTreeMap<String, String>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some((name, l, v)) = parse_line(line) else {
            continue;
        };
        let short = name.trim_start_matches("vspan_agent_").trim_end_matches("_total").to_string();
        let iface = l.get("interface").copied().unwrap_or("").to_string();
        if let Some(sess) = l.get("session") {
            let key = (iface, (*sess).to_string(), l.get("vni").copied().unwrap_or("").to_string());
            let col = match (l.get("direction"), l.get("reason")) {
                (Some(d), _) => format!("{short}:{d}"),
                (_, Some(r)) => format!("{short}:{r}"),
                _ => short,
            };
            sessions.entry(key).or_default().insert(col, v.to_string());
        } else if !iface.is_empty() {
            let col = match l.get("direction") {
                Some(d) => format!("{short}:{d}"),
                None => short,
            };
            ifaces.entry(iface).or_default().insert(col, v.to_string());
        }
    }
    let get = |m: &BTreeMap<String, String>, k: &str| m.get(k).cloned().unwrap_or_else(|| "-".into());
    let mut o = String::new();
    o.push_str(&format!(
        "{:<12} {:>3} {:>12} {:>12} {:>12} {:>12} {:>10} {:>10} {:>10} {:>10}\n",
        "INTERFACE",
        "UP",
        "SEEN_IN",
        "SEEN_OUT",
        "UNMATCHED",
        "KERNEL_PKTS",
        "KERN_DROP",
        "AGGREG",
        "MTU_CUT",
        "CAP_ERR"
    ));
    for (n, m) in &ifaces {
        let unmatched = ["packets_unmatched:ingress", "packets_unmatched:egress"]
            .iter()
            .filter_map(|k| m.get(*k)?.parse::<u64>().ok())
            .sum::<u64>();
        o.push_str(&format!(
            "{:<12} {:>3} {:>12} {:>12} {:>12} {:>12} {:>10} {:>10} {:>10} {:>10}\n",
            n,
            get(m, "interface_capturing"),
            get(m, "packets_seen:ingress"),
            get(m, "packets_seen:egress"),
            unmatched,
            get(m, "kernel_packets"),
            get(m, "kernel_drops"),
            get(m, "aggregates"),
            get(m, "mtu_truncated"),
            get(m, "capture_errors"),
        ));
    }
    o.push_str(&format!(
        "\n{:<12} {:<24} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>8} {:>8}\n",
        "INTERFACE", "SESSION", "VNI", "MIRR_IN", "MIRR_OUT", "FILT_IN", "FILT_OUT", "TRUNC", "SENT", "ERR_MTU", "ERR"
    ));
    for ((n, s, vni), m) in &sessions {
        let trunc = ["packets_truncated:ingress", "packets_truncated:egress"]
            .iter()
            .filter_map(|k| m.get(*k)?.parse::<u64>().ok())
            .sum::<u64>();
        o.push_str(&format!(
            "{:<12} {:<24} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>8} {:>8}\n",
            n,
            s,
            vni,
            get(m, "packets_mirrored:ingress"),
            get(m, "packets_mirrored:egress"),
            get(m, "packets_filtered:ingress"),
            get(m, "packets_filtered:egress"),
            trunc,
            get(m, "packets_sent"),
            get(m, "send_errors:mtu"),
            get(m, "send_errors:other"),
        ));
    }
    o
}
