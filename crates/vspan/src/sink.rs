//! `vspan sink`: the receiving end of mirroring. VXLAN arrives over UDP (or from a capture of
//! VXLAN traffic), is decapsulated, and each inner frame is written to the pcap series of its
//! VNI (`DIR/vni-<VNI>-<NNNNN>.pcap`, rotated by size), with live counts per VNI.
//!
//! A copy's pcap original length is what its inner IP header states when that is more than
//! the bytes received, so analyzers show truncated copies as "cut at capture", not as short
//! packets. The sink only receives; it never sends.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use clap::Args;
use vspan_dataplane::FlowKey;
use vspan_dataplane::pcap::{CaptureReader, PacketSource, VniPcapDir};
use vspan_dataplane::vxlan::{self, VXLAN_PORT};

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("from").required(true).args(["listen", "pcap"])))]
pub struct SinkArgs {
    /// Receive VXLAN on this UDP address, e.g. 127.0.0.1:4789.
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Read VXLAN traffic from this capture (pcap or pcapng) instead of a socket.
    #[arg(long)]
    pcap: Option<PathBuf>,
    /// Directory for the per-VNI pcap files.
    #[arg(long)]
    out: PathBuf,
    /// UDP destination port of VXLAN in --pcap captures.
    #[arg(long, default_value_t = VXLAN_PORT)]
    port: u16,
    /// Start a new file for a VNI when its current one would exceed this many MiB.
    #[arg(long, default_value_t = 100)]
    rotate_mib: u64,
    /// With --listen: stop after this many seconds (default: run until interrupted).
    #[arg(long)]
    duration: Option<f64>,
    /// With --listen: stop after this many datagrams.
    #[arg(long)]
    count: Option<u64>,
    /// Print the final counts as JSON on stdout.
    #[arg(long)]
    json: bool,
}

/// Counts per VNI, plus what could not be decapsulated.
#[derive(Default)]
struct Tally {
    per_vni: BTreeMap<u32, (u64, u64)>,
    not_vxlan: u64,
}

impl Tally {
    fn line(&self) -> String {
        let mut s: Vec<String> = self.per_vni.iter().map(|(vni, (p, _))| format!("vni {vni}: {p}")).collect();
        if self.not_vxlan > 0 {
            s.push(format!("not VXLAN: {}", self.not_vxlan));
        }
        if s.is_empty() { "no packets yet".into() } else { s.join("  ") }
    }

    fn print(&self, json: bool) {
        if json {
            let per: serde_json::Map<String, serde_json::Value> = self
                .per_vni
                .iter()
                .map(|(v, (p, b))| (v.to_string(), serde_json::json!({"packets": p, "bytes": b})))
                .collect();
            println!("{}", serde_json::json!({"vni": per, "not_vxlan": self.not_vxlan}));
        } else {
            println!("{:>9} {:>12} {:>14}", "vni", "packets", "bytes");
            for (v, (p, b)) in &self.per_vni {
                println!("{v:>9} {p:>12} {b:>14}");
            }
            if self.not_vxlan > 0 {
                println!("not VXLAN / malformed: {}", self.not_vxlan);
            }
        }
    }
}

/// Decapsulates one VXLAN UDP payload into the VNI's file.
fn deliver(payload: &[u8], timestamp: Duration, out: &mut VniPcapDir, tally: &mut Tally) -> anyhow::Result<()> {
    let Ok((vni, inner)) = vxlan::decap(payload) else {
        tally.not_vxlan += 1;
        return Ok(());
    };
    let stated = FlowKey::parse(inner).stated_len(inner).unwrap_or(0);
    let orig_len = u32::try_from(stated.max(inner.len())).unwrap_or(u32::MAX);
    out.write(vni, timestamp, orig_len, inner)?;
    let e = tally.per_vni.entry(vni).or_default();
    e.0 += 1;
    e.1 += inner.len() as u64;
    Ok(())
}

pub fn run(args: SinkArgs) -> anyhow::Result<()> {
    let mut out = VniPcapDir::new(&args.out, args.rotate_mib.saturating_mul(1 << 20))
        .with_context(|| format!("creating {}", args.out.display()))?;
    let mut tally = Tally::default();
    if let Some(path) = &args.pcap {
        let mut src = CaptureReader::open(path).with_context(|| format!("reading {}", path.display()))?;
        while let Some(p) = src.next_packet().with_context(|| format!("reading {}", path.display()))? {
            match vxlan::udp_payload_to_port(p.data, args.port) {
                Some(payload) => deliver(payload, p.timestamp, &mut out, &mut tally)?,
                None => tally.not_vxlan += 1,
            }
        }
    } else if let Some(addr) = args.listen {
        listen(addr, &args, &mut out, &mut tally)?;
    }
    out.flush()?;
    tally.print(args.json);
    Ok(())
}

fn listen(addr: SocketAddr, args: &SinkArgs, out: &mut VniPcapDir, tally: &mut Tally) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async {
        let sock = tokio::net::UdpSocket::bind(addr).await.with_context(|| format!("binding {addr}"))?;
        eprintln!("listening on {}", sock.local_addr()?);
        let deadline = args.duration.map(|s| Instant::now() + Duration::from_secs_f64(s.max(0.0)));
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut buf = vec![0u8; 65536];
        let mut received = 0u64;
        loop {
            if args.count.is_some_and(|c| received >= c) || deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
            tokio::select! {
                r = sock.recv_from(&mut buf) => {
                    let (n, _) = r?;
                    received += 1;
                    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
                    deliver(&buf[..n], now, out, tally)?;
                }
                _ = tick.tick() => {
                    // Flushing each second keeps the files readable while the sink runs.
                    out.flush()?;
                    eprintln!("{}", tally.line());
                }
                _ = tokio::signal::ctrl_c() => break,
            }
        }
        anyhow::Ok(())
    })
}
