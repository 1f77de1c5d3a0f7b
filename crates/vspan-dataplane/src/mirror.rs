//! The per-packet path: classify, truncate, encapsulate, count.
//!
//! A [`Mirror`] is built once per session-set change (it allocates then); [`Mirror::process`]
//! runs per packet and allocates nothing and locks nothing: it reads the frame, writes the
//! outer frame into a caller-provided buffer and bumps plain counters the caller owns (one
//! [`Counters`] per thread, merged per batch by whoever reports them).

use std::net::IpAddr;

use crate::classify::{Classifier, CompileError, Verdict};
use crate::flowhash::{source_port, symmetric_hash};
use crate::parse::{Direction, FlowKey};
use crate::sessions::SessionSet;
use crate::vxlan::{self, EncapError, OuterV4};

/// Why a session set cannot be turned into a [`Mirror`].
#[derive(Debug, thiserror::Error)]
pub enum MirrorError {
    #[error(transparent)]
    Compile(#[from] CompileError),
    #[error("session {session}: target {target} has no address in Targets")]
    UnknownTarget { session: String, target: String },
    #[error("session {session}: target address {addr} is IPv6; outer IPv6 is not supported yet")]
    Ipv6Target { session: String, addr: IpAddr },
    #[error("MTU {0} leaves no room for a copy after {overhead} bytes of encapsulation", overhead = vxlan::MTU_OVERHEAD_V4)]
    MtuTooSmall(usize),
}

/// Settings of the mirror's output side.
#[derive(Clone, Copy, Debug)]
pub struct MirrorConfig {
    pub outer: OuterV4,
    /// Path MTU towards the targets: copies are cut so copy + 50 bytes fits it.
    pub mtu: usize,
}

impl Default for MirrorConfig {
    fn default() -> Self {
        MirrorConfig {
            outer: OuterV4 {
                src_mac: vxlan::DEFAULT_OUTER_SRC_MAC,
                dst_mac: vxlan::DEFAULT_OUTER_DST_MAC,
                src_ip: [10, 0, 0, 1],
            },
            mtu: 1500,
        }
    }
}

/// Output side of one compiled session.
#[derive(Clone, Debug)]
struct SessionOut {
    vni: u32,
    /// min(session packet length, MTU budget, what one datagram can carry).
    max_copy: usize,
    targets: Vec<[u8; 4]>,
}

/// Counters of one session.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionCounters {
    /// Packets mirrored into this session.
    pub mirrored: u64,
    /// Bytes of inner copies (after truncation) mirrored.
    pub mirrored_bytes: u64,
    /// Packets a drop rule of this session decided not to mirror.
    pub filtered: u64,
    /// Mirrored packets whose copy is shorter than the frame (packet length or MTU).
    pub truncated: u64,
}

/// Counters of one ENI; plain integers, owned by one thread.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Frames given to [`Mirror::process`].
    pub read: u64,
    /// Bytes of those frames.
    pub read_bytes: u64,
    /// Frames that are not the ENI's traffic (set by the caller that decides direction).
    pub foreign: u64,
    /// Frames no rule of any session matched (including non-IP frames).
    pub unmatched: u64,
    /// Frames that could not be encapsulated (output buffer too small).
    pub errors: u64,
    /// Per session, in [`Mirror::session_ids`] order.
    pub sessions: Vec<SessionCounters>,
}

impl Counters {
    /// Packets mirrored, all sessions together.
    pub fn mirrored(&self) -> u64 {
        self.sessions.iter().map(|s| s.mirrored).sum()
    }

    /// Packets filtered by a drop rule, all sessions together.
    pub fn filtered(&self) -> u64 {
        self.sessions.iter().map(|s| s.filtered).sum()
    }

    /// Packets truncated, all sessions together.
    pub fn truncated(&self) -> u64 {
        self.sessions.iter().map(|s| s.truncated).sum()
    }
}

/// What happened to one frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `out[..len]` holds the outer frame for session `session`.
    Mirrored {
        session: usize,
        len: usize,
        truncated: bool,
    },
    Filtered {
        session: usize,
    },
    NoMatch,
    Error(EncapError),
}

/// A compiled session set with its output addressing: the data plane of one ENI.
#[derive(Clone, Debug)]
pub struct Mirror {
    classifier: Classifier,
    out: Vec<SessionOut>,
    config: MirrorConfig,
}

impl Mirror {
    /// Compiles `set`'s enabled sessions and resolves their targets.
    pub fn new(set: &SessionSet, config: MirrorConfig) -> Result<Mirror, MirrorError> {
        let budget = config
            .mtu
            .checked_sub(vxlan::MTU_OVERHEAD_V4)
            .filter(|b| *b > 0)
            .ok_or(MirrorError::MtuTooSmall(config.mtu))?;
        let classifier = Classifier::compile(set)?;
        let mut out = Vec::with_capacity(classifier.sessions().len());
        for s in classifier.sessions() {
            let addrs = set
                .targets
                .get(&s.target_id)
                .ok_or_else(|| MirrorError::UnknownTarget { session: s.id.clone(), target: s.target_id.clone() })?;
            let mut targets = Vec::with_capacity(addrs.len());
            for a in addrs {
                match a {
                    IpAddr::V4(v4) => targets.push(v4.octets()),
                    IpAddr::V6(_) => {
                        return Err(MirrorError::Ipv6Target { session: s.id.clone(), addr: *a });
                    }
                }
            }
            out.push(SessionOut {
                vni: s.vni,
                max_copy: s.packet_length.min(budget).min(vxlan::MAX_INNER_V4),
                targets,
            });
        }
        Ok(Mirror { classifier, out, config })
    }

    /// The classifier inside.
    pub fn classifier(&self) -> &Classifier {
        &self.classifier
    }

    /// Ids of the enabled sessions, in evaluation order (the index used everywhere else).
    pub fn session_ids(&self) -> impl Iterator<Item = &str> {
        self.classifier.sessions().iter().map(|s| s.id.as_str())
    }

    /// VNI of session `i`.
    pub fn vni(&self, i: usize) -> Option<u32> {
        self.out.get(i).map(|s| s.vni)
    }

    /// Fresh counters sized for this mirror's sessions.
    pub fn counters(&self) -> Counters {
        Counters { sessions: vec![SessionCounters::default(); self.out.len()], ..Counters::default() }
    }

    /// Output buffer size that fits any copy this mirror makes.
    pub fn max_frame_len(&self) -> usize {
        vxlan::OUTER_V4_LEN + self.out.iter().map(|s| s.max_copy).max().unwrap_or(0)
    }

    /// Classifies `frame` travelling in `dir` and counts what the classifier decided; for a
    /// mirrored frame, answers everything either encapsulation needs. Shared by [`Mirror::process`]
    /// and [`Mirror::process_payload`], so both decide and count alike.
    #[inline(always)]
    fn decide(&self, frame: &[u8], dir: Direction, counters: &mut Counters) -> Decision {
        counters.read += 1;
        counters.read_bytes += frame.len() as u64;
        let key = FlowKey::parse(frame);
        match self.classifier.classify(&key, dir) {
            Verdict::Mirror { session, .. } => {
                let (Some(s), true) = (self.out.get(session), session < counters.sessions.len()) else {
                    // Counters from another mirror: refuse rather than index out of bounds.
                    counters.errors += 1;
                    return Decision::NoMatch;
                };
                let hash = symmetric_hash(&key);
                // Backend from the high hash bits (the port uses the low ones), by
                // multiply-shift rather than a division: (h32 * n) >> 32 < n.
                let n = s.targets.len() as u64;
                let pick = ((hash >> 32) * n) >> 32;
                Decision::Mirror {
                    session,
                    vni: s.vni,
                    copy: s.max_copy.min(frame.len()),
                    dst: s.targets.get(pick as usize).copied().unwrap_or_default(),
                    src_port: source_port(hash),
                }
            }
            Verdict::Filtered { session, .. } => {
                if let Some(c) = counters.sessions.get_mut(session) {
                    c.filtered += 1;
                }
                Decision::Filtered { session }
            }
            Verdict::NoMatch => {
                counters.unmatched += 1;
                Decision::NoMatch
            }
        }
    }

    /// Counts a copy of `copy` bytes of a `frame_len`-byte frame as sent by `session`;
    /// answers whether it was cut.
    #[inline(always)]
    fn count_copy(counters: &mut Counters, session: usize, copy: usize, frame_len: usize) -> bool {
        let truncated = copy < frame_len;
        if let Some(c) = counters.sessions.get_mut(session) {
            c.mirrored += 1;
            c.mirrored_bytes += copy as u64;
            c.truncated += u64::from(truncated);
        }
        truncated
    }

    /// Classifies `frame` travelling in `dir`; when a session mirrors it, writes the outer
    /// VXLAN frame into `out`. `counters` must come from [`Mirror::counters`].
    #[inline]
    pub fn process(&self, frame: &[u8], dir: Direction, out: &mut [u8], counters: &mut Counters) -> Outcome {
        match self.decide(frame, dir, counters) {
            Decision::Mirror { session, vni, copy, dst, src_port } => {
                match vxlan::encap_frame_v4(&self.config.outer, dst, src_port, vni, &frame[..copy], out) {
                    Ok(len) => {
                        let truncated = Self::count_copy(counters, session, copy, frame.len());
                        Outcome::Mirrored { session, len, truncated }
                    }
                    Err(e) => {
                        counters.errors += 1;
                        Outcome::Error(e)
                    }
                }
            }
            Decision::Filtered { session } => Outcome::Filtered { session },
            Decision::NoMatch => Outcome::NoMatch,
        }
    }
}

/// What the classifier decided for one frame, before any encapsulation.
enum Decision {
    Mirror { session: usize, vni: u32, copy: usize, dst: [u8; 4], src_port: u16 },
    Filtered { session: usize },
    NoMatch,
}

/// What [`Mirror::process_payload`] did with one frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadOutcome {
    /// `out[..len]` holds the VXLAN header and the (cut) inner frame for session `session`,
    /// to be sent in a UDP datagram from source port `src_port` to `dst`:4789.
    Mirrored {
        session: usize,
        len: usize,
        truncated: bool,
        dst: [u8; 4],
        src_port: u16,
    },
    Filtered {
        session: usize,
    },
    NoMatch,
    Error(EncapError),
}

impl Mirror {
    /// [`Mirror::process`] for senders whose kernel builds the outer headers (a UDP socket):
    /// writes only the VXLAN header and the cut inner frame into `out` and returns the outer
    /// destination and UDP source port the contract asks for. Same classification, cut and
    /// counters as [`Mirror::process`]; allocates nothing.
    #[inline]
    pub fn process_payload(
        &self,
        frame: &[u8],
        dir: Direction,
        out: &mut [u8],
        counters: &mut Counters,
    ) -> PayloadOutcome {
        match self.decide(frame, dir, counters) {
            Decision::Mirror { session, vni, copy, dst, src_port } => {
                match vxlan::encap_payload(vni, &frame[..copy], out) {
                    Ok(len) => {
                        let truncated = Self::count_copy(counters, session, copy, frame.len());
                        PayloadOutcome::Mirrored { session, len, truncated, dst, src_port }
                    }
                    Err(e) => {
                        counters.errors += 1;
                        PayloadOutcome::Error(e)
                    }
                }
            }
            Decision::Filtered { session } => PayloadOutcome::Filtered { session },
            Decision::NoMatch => PayloadOutcome::NoMatch,
        }
    }

    /// Largest inner copy any session of this mirror makes (packet length and MTU budget
    /// applied): the capture never needs more of a frame than this to mirror it.
    pub fn max_copy_len(&self) -> usize {
        self.out.iter().map(|s| s.max_copy).max().unwrap_or(0)
    }

    /// The MTU this mirror cuts copies against.
    pub fn mtu(&self) -> usize {
        self.config.mtu
    }
}
