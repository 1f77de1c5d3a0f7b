//! `vspan replay`: the data plane offline. A capture is taken as the traffic of one ENI, the
//! session set of the sessions file is applied to it, and the VXLAN frames the agent would
//! send are written, as complete outer Ethernet/IPv4/UDP/VXLAN frames, to a pcap file.
//!
//! Outer Ethernet addresses are fixed locally administered ones
//! (src 02:00:00:00:00:01, dst 02:00:00:00:00:02): offline there is no next hop to resolve.

use std::cell::Cell;
use std::io::{BufReader, IsTerminal, Read};
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::rc::Rc;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use vspan_dataplane::pcap::{CaptureReader, PacketSink, PacketSource, PcapWriter};
use vspan_dataplane::vxlan::{DEFAULT_OUTER_DST_MAC, DEFAULT_OUTER_SRC_MAC, OuterV4};
use vspan_dataplane::{Counters, Direction, Mirror, MirrorConfig, Outcome, SessionSet};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DirectionArg {
    Ingress,
    Egress,
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("dir").required(true).args(["direction", "eni_mac"])))]
pub struct ReplayArgs {
    /// Sessions file (TrafficMirrorSessions, TrafficMirrorFilters, Targets).
    #[arg(long)]
    sessions: PathBuf,
    /// Input capture, pcap or pcapng, Ethernet.
    input: PathBuf,
    /// Output pcap of VXLAN frames.
    #[arg(short, long)]
    output: PathBuf,
    /// Treat every frame as travelling in this direction.
    #[arg(long, value_enum)]
    direction: Option<DirectionArg>,
    /// The ENI's MAC: frames to it (and broadcast/multicast) are ingress, from it egress,
    /// others are not the ENI's and are skipped.
    #[arg(long, value_parser = parse_mac)]
    eni_mac: Option<[u8; 6]>,
    /// Only apply the sessions whose TrafficMirrorSourceIds include this ENI id.
    #[arg(long)]
    eni_id: Option<String>,
    /// Outer IPv4 source address.
    #[arg(long, default_value = "10.0.0.1")]
    source_ip: Ipv4Addr,
    /// Path MTU towards the targets: copies longer than MTU - 50 are cut.
    #[arg(long, default_value_t = 1500)]
    mtu: usize,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Never show a progress bar.
    #[arg(long)]
    no_progress: bool,
}

fn parse_mac(s: &str) -> Result<[u8; 6], String> {
    let parts: Vec<&str> = s.split([':', '-']).collect();
    if parts.len() != 6 {
        return Err(format!("{s:?} is not a MAC address like 02:00:00:00:00:0a"));
    }
    let mut mac = [0u8; 6];
    for (b, p) in mac.iter_mut().zip(parts) {
        *b = u8::from_str_radix(p, 16).map_err(|_| format!("{s:?}: bad byte {p:?}"))?;
    }
    Ok(mac)
}

/// Counts bytes read, for the progress bar.
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Inputs below this size finish before a bar is worth drawing.
const PROGRESS_MIN_BYTES: u64 = 32 << 20;

pub fn run(args: ReplayArgs) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(&args.sessions).with_context(|| format!("reading {}", args.sessions.display()))?;
    let mut set = SessionSet::from_json(&text).with_context(|| format!("in {}", args.sessions.display()))?;
    if let Some(eni) = &args.eni_id {
        set.retain_source(eni);
    }
    let config = MirrorConfig {
        outer: OuterV4 {
            src_mac: DEFAULT_OUTER_SRC_MAC,
            dst_mac: DEFAULT_OUTER_DST_MAC,
            src_ip: args.source_ip.octets(),
        },
        mtu: args.mtu,
    };
    let mirror = Mirror::new(&set, config)?;
    if mirror.classifier().sessions().is_empty() {
        eprintln!("warning: no enabled session applies; nothing will be mirrored");
    }

    let file = std::fs::File::open(&args.input).with_context(|| format!("opening {}", args.input.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let read_bytes = Rc::new(Cell::new(0u64));
    let reader = BufReader::with_capacity(1 << 20, Counting { inner: file, count: read_bytes.clone() });
    let mut source = CaptureReader::new(reader).with_context(|| format!("reading {}", args.input.display()))?;
    let mut sink = PcapWriter::create(&args.output).with_context(|| format!("creating {}", args.output.display()))?;

    let bar = (!args.no_progress && std::io::stderr().is_terminal() && size >= PROGRESS_MIN_BYTES).then(|| {
        let b = ProgressBar::new(size);
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}") {
            b.set_style(style);
        }
        b
    });

    let mut counters = mirror.counters();
    let mut out = vec![0u8; mirror.max_frame_len()];
    let started = std::time::Instant::now();
    while let Some(p) = source.next_packet().with_context(|| format!("reading {}", args.input.display()))? {
        let dir = match (args.direction, args.eni_mac) {
            (Some(DirectionArg::Ingress), _) => Direction::Ingress,
            (Some(DirectionArg::Egress), _) => Direction::Egress,
            (None, Some(mac)) => match Direction::from_macs(p.data, mac) {
                Some(d) => d,
                None => {
                    counters.read += 1;
                    counters.foreign += 1;
                    continue;
                }
            },
            (None, None) => bail!("--direction or --eni-mac is required"),
        };
        if let Outcome::Mirrored { len, .. } = mirror.process(p.data, dir, &mut out, &mut counters) {
            sink.write_packet(p.timestamp, len as u32, &out[..len])
                .with_context(|| format!("writing {}", args.output.display()))?;
        }
        if let Some(b) = &bar
            && counters.read % 16384 == 0
        {
            b.set_position(read_bytes.get());
        }
    }
    sink.into_inner().with_context(|| format!("writing {}", args.output.display()))?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let elapsed = started.elapsed();
    if args.json {
        println!("{}", summary_json(&mirror, &counters, source.skipped_link_type));
    } else {
        print_summary(&mirror, &counters, source.skipped_link_type, elapsed);
    }
    Ok(())
}

fn summary_json(mirror: &Mirror, c: &Counters, skipped: u64) -> serde_json::Value {
    let sessions: Vec<_> = mirror
        .classifier()
        .sessions()
        .iter()
        .zip(&c.sessions)
        .map(|(s, sc)| {
            serde_json::json!({
                "TrafficMirrorSessionId": s.id,
                "Priority": s.priority,
                "VirtualNetworkId": s.vni,
                "mirrored": sc.mirrored,
                "mirrored_bytes": sc.mirrored_bytes,
                "filtered": sc.filtered,
                "truncated": sc.truncated,
            })
        })
        .collect();
    serde_json::json!({
        "read": c.read,
        "read_bytes": c.read_bytes,
        "foreign": c.foreign,
        "skipped_link_type": skipped,
        "unmatched": c.unmatched,
        "filtered": c.filtered(),
        "mirrored": c.mirrored(),
        "truncated": c.truncated(),
        "errors": c.errors,
        "sessions": sessions,
    })
}

fn print_summary(mirror: &Mirror, c: &Counters, skipped: u64, elapsed: std::time::Duration) {
    let secs = elapsed.as_secs_f64().max(1e-9);
    println!("packets read       {:>12}  ({:.0} packets/s)", c.read, c.read as f64 / secs);
    if c.foreign > 0 {
        println!("  not this ENI's   {:>12}", c.foreign);
    }
    if skipped > 0 {
        println!("  not Ethernet     {:>12}", skipped);
    }
    println!("  no rule matched  {:>12}", c.unmatched);
    println!("  filtered (drop)  {:>12}", c.filtered());
    println!("  mirrored         {:>12}", c.mirrored());
    println!("    truncated      {:>12}", c.truncated());
    if c.errors > 0 {
        println!("  errors           {:>12}", c.errors);
    }
    println!();
    println!(
        "{:<24} {:>8} {:>9} {:>12} {:>14} {:>10} {:>10}",
        "session", "priority", "vni", "mirrored", "bytes", "filtered", "truncated"
    );
    for (s, sc) in mirror.classifier().sessions().iter().zip(&c.sessions) {
        println!(
            "{:<24} {:>8} {:>9} {:>12} {:>14} {:>10} {:>10}",
            s.id, s.priority, s.vni, sc.mirrored, sc.mirrored_bytes, sc.filtered, sc.truncated
        );
    }
}
