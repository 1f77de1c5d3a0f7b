//! The agent's counters, per interface and per (interface, session), and their Prometheus
//! text rendering for `/metrics`.
//!
//! Capture workers count in plain integers of their own and add them here once per wake-up
//! (after a run of ring blocks), under one short lock: nothing is shared or locked per
//! packet. Totals survive session reloads and worker restarts because they live here, keyed
//! by names, not in the workers.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex, MutexGuard};

use vspan_dataplane::Counters;

use crate::transmit::SendCounters;

/// Per-direction counts of one interface.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DirStats {
    /// Frames read from the ring.
    pub seen: u64,
    pub seen_bytes: u64,
    /// Frames no session's rule matched (non-IP frames included).
    pub unmatched: u64,
}

/// Counts of one captured interface.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IfaceStats {
    /// Whether a capture worker currently runs on it.
    pub capturing: bool,
    pub ifindex: u32,
    /// ENI id its sessions are looked up by.
    pub eni: String,
    /// Indexed by direction: 0 ingress, 1 egress.
    pub dir: [DirStats; 2],
    /// Packets the kernel passed to the ring (PACKET_STATISTICS tp_packets, drops included).
    pub kernel_packets: u64,
    /// Packets the kernel dropped because the ring was full (tp_drops).
    pub kernel_drops: u64,
    /// Frames longer than the interface MTU: GRO/TSO aggregates, cut like any frame.
    pub aggregates: u64,
    /// Frames whose checksum was left to offload (TP_STATUS_CSUMNOTREADY).
    pub csum_not_ready: u64,
    /// Copies cut to fit the path MTU (copy + 50 bytes of encapsulation).
    pub mtu_truncated: u64,
    /// Copies that could not be encapsulated (internal sizing error; should stay 0).
    pub encap_errors: u64,
    /// Capture errors reported by the socket (e.g. ENETDOWN).
    pub capture_errors: u64,
    /// Times a capture worker was started on it.
    pub starts: u64,
}

/// Counts of one session on one interface.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionStats {
    pub vni: u32,
    /// Indexed by direction: 0 ingress, 1 egress.
    pub mirrored: [u64; 2],
    pub mirrored_bytes: [u64; 2],
    pub filtered: [u64; 2],
    pub truncated: [u64; 2],
    pub send: SendCounters,
}

/// Everything the agent counts.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub interfaces: BTreeMap<String, IfaceStats>,
    /// Keyed by (interface, session id).
    pub sessions: BTreeMap<(String, String), SessionStats>,
    /// Sessions-file loads that applied / failed.
    pub reloads: u64,
    pub reload_errors: u64,
}

/// Stats shared between the workers and the `/metrics` server.
#[derive(Clone, Debug, Default)]
pub struct SharedStats(Arc<Mutex<Stats>>);

impl SharedStats {
    /// Locks the stats. A worker that panicked while holding the lock leaves counts that
    /// are still integers, so the poison is ignored rather than propagated.
    pub fn lock(&self) -> MutexGuard<'_, Stats> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of the current counts.
    pub fn snapshot(&self) -> Stats {
        self.lock().clone()
    }
}

/// What one worker counted since its last merge.
pub struct WorkerCounts<'a> {
    pub iface: &'a str,
    /// Data plane counters, one per direction, for the worker's current mirror.
    pub dir: &'a [Counters; 2],
    /// Session ids and VNIs in the mirror's index order.
    pub session_ids: &'a [(String, u32)],
    pub send: &'a [SendCounters],
    pub kernel_packets: u64,
    pub kernel_drops: u64,
    pub aggregates: u64,
    pub csum_not_ready: u64,
    pub mtu_truncated: u64,
    pub capture_errors: u64,
}

impl Stats {
    /// Adds a worker's counts.
    pub fn merge(&mut self, w: &WorkerCounts<'_>) {
        let i = self.interfaces.entry(w.iface.to_string()).or_default();
        for (d, c) in w.dir.iter().enumerate() {
            i.dir[d].seen += c.read;
            i.dir[d].seen_bytes += c.read_bytes;
            i.dir[d].unmatched += c.unmatched;
            i.encap_errors += c.errors;
        }
        i.kernel_packets += w.kernel_packets;
        i.kernel_drops += w.kernel_drops;
        i.aggregates += w.aggregates;
        i.csum_not_ready += w.csum_not_ready;
        i.mtu_truncated += w.mtu_truncated;
        i.capture_errors += w.capture_errors;
        for (idx, (id, vni)) in w.session_ids.iter().enumerate() {
            let key = (w.iface.to_string(), id.clone());
            let s = self.sessions.entry(key).or_default();
            s.vni = *vni;
            for (d, c) in w.dir.iter().enumerate() {
                if let Some(sc) = c.sessions.get(idx) {
                    s.mirrored[d] += sc.mirrored;
                    s.mirrored_bytes[d] += sc.mirrored_bytes;
                    s.filtered[d] += sc.filtered;
                    s.truncated[d] += sc.truncated;
                }
            }
            if let Some(t) = w.send.get(idx) {
                s.send.sent += t.sent;
                s.send.mtu_errors += t.mtu_errors;
                s.send.errors += t.errors;
            }
        }
    }

    /// Prometheus text exposition format (version 0.0.4).
    pub fn render_prometheus(&self) -> String {
        let mut o = String::with_capacity(4096);
        const DIRS: [&str; 2] = ["ingress", "egress"];
        let family = |o: &mut String, name: &str, kind: &str, help: &str| {
            let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}");
        };
        family(&mut o, "vspan_agent_interface_capturing", "gauge", "1 while a capture worker runs on the interface.");
        for (n, i) in &self.interfaces {
            let _ = writeln!(
                o,
                "vspan_agent_interface_capturing{{interface=\"{}\",eni=\"{}\",ifindex=\"{}\"}} {}",
                esc(n),
                esc(&i.eni),
                i.ifindex,
                u8::from(i.capturing)
            );
        }
        let per_dir: [Metric<DirStats>; 3] = [
            ("vspan_agent_packets_seen_total", "Frames read from the capture ring.", |d| d.seen),
            ("vspan_agent_bytes_seen_total", "Bytes of the frames read from the capture ring.", |d| d.seen_bytes),
            ("vspan_agent_packets_unmatched_total", "Frames no session's rule matched (not mirrored).", |d| {
                d.unmatched
            }),
        ];
        for (name, help, get) in per_dir {
            family(&mut o, name, "counter", help);
            for (n, i) in &self.interfaces {
                for (d, dn) in DIRS.iter().enumerate() {
                    let _ = writeln!(o, "{name}{{interface=\"{}\",direction=\"{dn}\"}} {}", esc(n), get(&i.dir[d]));
                }
            }
        }
        let per_if: [Metric<IfaceStats>; 8] = [
            (
                "vspan_agent_kernel_packets_total",
                "Packets the kernel passed to the capture socket, drops included (PACKET_STATISTICS).",
                |i| i.kernel_packets,
            ),
            ("vspan_agent_kernel_drops_total", "Packets the kernel dropped because the capture ring was full.", |i| {
                i.kernel_drops
            }),
            (
                "vspan_agent_aggregates_total",
                "Captured frames longer than the interface MTU (GRO/TSO aggregates); cut like any frame.",
                |i| i.aggregates,
            ),
            ("vspan_agent_checksum_not_ready_total", "Captured frames whose checksum was left to offload.", |i| {
                i.csum_not_ready
            }),
            (
                "vspan_agent_mtu_truncated_total",
                "Copies cut so copy + 50 bytes of encapsulation fits the path MTU.",
                |i| i.mtu_truncated,
            ),
            ("vspan_agent_encap_errors_total", "Copies that could not be encapsulated.", |i| i.encap_errors),
            ("vspan_agent_capture_errors_total", "Errors reported by the capture socket (e.g. interface down).", |i| {
                i.capture_errors
            }),
            ("vspan_agent_capture_starts_total", "Capture workers started on the interface.", |i| i.starts),
        ];
        for (name, help, get) in per_if {
            family(&mut o, name, "counter", help);
            for (n, i) in &self.interfaces {
                let _ = writeln!(o, "{name}{{interface=\"{}\"}} {}", esc(n), get(i));
            }
        }
        let per_sess_dir: [DirMetric<SessionStats>; 4] = [
            ("vspan_agent_packets_mirrored_total", "Copies made for the session.", |s, d| s.mirrored[d]),
            (
                "vspan_agent_bytes_mirrored_total",
                "Bytes of inner frames copied for the session (after truncation).",
                |s, d| s.mirrored_bytes[d],
            ),
            (
                "vspan_agent_packets_filtered_total",
                "Packets a drop rule of the session kept from being mirrored.",
                |s, d| s.filtered[d],
            ),
            (
                "vspan_agent_packets_truncated_total",
                "Copies shorter than the frame (packet length or path MTU).",
                |s, d| s.truncated[d],
            ),
        ];
        for (name, help, get) in per_sess_dir {
            family(&mut o, name, "counter", help);
            for ((n, id), s) in &self.sessions {
                for (d, dn) in DIRS.iter().enumerate() {
                    let _ = writeln!(
                        o,
                        "{name}{{interface=\"{}\",session=\"{}\",vni=\"{}\",direction=\"{dn}\"}} {}",
                        esc(n),
                        esc(id),
                        s.vni,
                        get(s, d)
                    );
                }
            }
        }
        family(&mut o, "vspan_agent_packets_sent_total", "counter", "Copies the kernel accepted for sending.");
        for ((n, id), s) in &self.sessions {
            let _ = writeln!(
                o,
                "vspan_agent_packets_sent_total{{interface=\"{}\",session=\"{}\",vni=\"{}\"}} {}",
                esc(n),
                esc(id),
                s.vni,
                s.send.sent
            );
        }
        family(
            &mut o,
            "vspan_agent_send_errors_total",
            "counter",
            "Copies the kernel refused to send, by reason (mtu: EMSGSIZE).",
        );
        for ((n, id), s) in &self.sessions {
            for (reason, v) in [("mtu", s.send.mtu_errors), ("other", s.send.errors)] {
                let _ = writeln!(
                    o,
                    "vspan_agent_send_errors_total{{interface=\"{}\",session=\"{}\",vni=\"{}\",reason=\"{reason}\"}} {v}",
                    esc(n),
                    esc(id),
                    s.vni
                );
            }
        }
        family(&mut o, "vspan_agent_reloads_total", "counter", "Sessions-file loads applied.");
        let _ = writeln!(o, "vspan_agent_reloads_total {}", self.reloads);
        family(
            &mut o,
            "vspan_agent_reload_errors_total",
            "counter",
            "Sessions-file loads refused (the previous sessions stay).",
        );
        let _ = writeln!(o, "vspan_agent_reload_errors_total {}", self.reload_errors);
        o
    }
}

/// A metric family: name, help, and how to read it from a stats value.
type Metric<T> = (&'static str, &'static str, fn(&T) -> u64);
/// A metric family with a direction index.
type DirMetric<T> = (&'static str, &'static str, fn(&T, usize) -> u64);

/// Escapes a label value (backslash, double quote, newline).
fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_escapes() {
        let mut st = Stats::default();
        let mut c = Counters {
            read: 3,
            read_bytes: 300,
            sessions: vec![vspan_dataplane::SessionCounters::default()],
            ..Counters::default()
        };
        c.sessions[0].mirrored = 2;
        let dir = [c, Counters::default()];
        let ids = vec![("s\"1".to_string(), 7)];
        let send = [SendCounters { sent: 2, ..SendCounters::default() }];
        st.merge(&WorkerCounts {
            iface: "a0",
            dir: &dir,
            session_ids: &ids,
            send: &send,
            kernel_packets: 3,
            kernel_drops: 0,
            aggregates: 0,
            csum_not_ready: 0,
            mtu_truncated: 0,
            capture_errors: 0,
        });
        let t = st.render_prometheus();
        assert!(t.contains("vspan_agent_packets_seen_total{interface=\"a0\",direction=\"ingress\"} 3\n"));
        assert!(t.contains(
            "vspan_agent_packets_mirrored_total{interface=\"a0\",session=\"s\\\"1\",vni=\"7\",direction=\"ingress\"} 2\n"
        ));
        assert!(t.contains("vspan_agent_packets_sent_total{interface=\"a0\",session=\"s\\\"1\",vni=\"7\"} 2\n"));
    }
}
