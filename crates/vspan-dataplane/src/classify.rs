//! The compiled classifier: a session set for one ENI, ready to decide per packet.
//!
//! Semantics (DESIGN.md, "Data plane contract"): enabled sessions are walked by priority,
//! lower number first; within a session the filter's rules for the packet's direction are
//! walked by rule priority; the first rule that matches decides, accept (mirror into this
//! session) or drop (not mirrored at all), and ends the evaluation. Only a session none of
//! whose rules match hands the packet to the next session. No match anywhere: not mirrored.
//! So a packet is mirrored at most once, by construction.
//!
//! Frames that are not IP (ARP, LLDP, cut IP headers) match no rule, as the clouds do not
//! mirror ARP. Rules with port ranges match only packets whose ports were read (TCP/UDP, first
//! fragment, L4 header in the capture). Equal priorities keep the order of the file.
//!
//! Compilation allocates; [`Classifier::classify`] does not.

use crate::parse::{Direction, Family, FlowKey, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP};
use crate::sessions::{Action, Protocol, Rule, SessionSet};

/// Why a session set cannot be compiled.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    #[error("session {session}: filter {filter} is not in the sessions file")]
    UnknownFilter { session: String, filter: String },
    #[error("more than 65535 {0} for one ENI")]
    TooMany(&'static str),
}

/// Protocol wildcard in [`CompiledRule::proto4`] / [`CompiledRule::proto6`].
const PROTO_ANY: u16 = 0x100;
/// A protocol that never matches in this family (ICMPv6 on IPv4).
const PROTO_NONE: u16 = 0x200;

#[inline]
fn family_bit(f: Family) -> u8 {
    match f {
        Family::None => 0,
        Family::V4 => 1,
        Family::V6 => 2,
    }
}

/// A rule reduced to masks and ranges, laid out for a branch-free match. Rules of all
/// sessions of one direction sit in one array in evaluation order, each naming its session:
/// walking that array to the first match is exactly the session-by-session walk.
#[derive(Clone, Copy, Debug)]
struct CompiledRule {
    src_addr: u128,
    src_mask: u128,
    dst_addr: u128,
    dst_mask: u128,
    sport: (u16, u16),
    dport: (u16, u16),
    /// Protocol wanted from IPv4 / IPv6 packets: a number, [`PROTO_ANY`] or [`PROTO_NONE`].
    proto4: u16,
    proto6: u16,
    /// Families the rule applies to, as [`family_bit`] bits.
    families: u8,
    needs_ports: bool,
    accept: bool,
    /// Index of the session in [`Classifier::sessions`].
    session: u16,
    /// Position of the rule in its session's list for this direction.
    rule: u16,
}

impl CompiledRule {
    fn new(r: &Rule, session: u16, rule: u16) -> CompiledRule {
        let (src_addr, src_mask) = r.source.map(|c| (c.addr, c.mask())).unwrap_or((0, 0));
        let (dst_addr, dst_mask) = r.destination.map(|c| (c.addr, c.mask())).unwrap_or((0, 0));
        let (proto4, proto6) = match r.protocol {
            Protocol::All => (PROTO_ANY, PROTO_ANY),
            Protocol::Tcp => (u16::from(IPPROTO_TCP), u16::from(IPPROTO_TCP)),
            Protocol::Udp => (u16::from(IPPROTO_UDP), u16::from(IPPROTO_UDP)),
            Protocol::Icmp => (u16::from(IPPROTO_ICMP), u16::from(IPPROTO_ICMPV6)),
            Protocol::Icmpv6 => (PROTO_NONE, u16::from(IPPROTO_ICMPV6)),
            Protocol::Number(n) => (u16::from(n), u16::from(n)),
        };
        CompiledRule {
            src_addr,
            src_mask,
            dst_addr,
            dst_mask,
            sport: (r.source_ports.lo, r.source_ports.hi),
            dport: (r.destination_ports.lo, r.destination_ports.hi),
            proto4,
            proto6,
            families: r.family.map(family_bit).unwrap_or(1 | 2),
            needs_ports: !(r.source_ports.is_any() && r.destination_ports.is_any()),
            accept: r.action == Action::Accept,
            session,
            rule,
        }
    }

    /// Whether the rule matches an IP packet whose family bit is `fam`. Non-short-circuit
    /// `&` on purpose: every term is cheap, and branches would mispredict on mixed traffic.
    #[inline]
    fn matches(&self, k: &FlowKey, fam: u8) -> bool {
        let want = if fam == 2 { self.proto6 } else { self.proto4 };
        let ports_ok = !self.needs_ports
            | (k.has_ports
                & (self.sport.0 <= k.sport)
                & (k.sport <= self.sport.1)
                & (self.dport.0 <= k.dport)
                & (k.dport <= self.dport.1));
        (self.families & fam != 0)
            & ((want == PROTO_ANY) | (want == u16::from(k.proto)))
            & ((k.src ^ self.src_addr) & self.src_mask == 0)
            & ((k.dst ^ self.dst_addr) & self.dst_mask == 0)
            & ports_ok
    }
}

/// One enabled session, compiled.
#[derive(Clone, Debug)]
pub struct CompiledSession {
    /// Index of the session in the [`SessionSet`] it came from.
    pub index: usize,
    pub id: String,
    pub priority: u32,
    pub vni: u32,
    /// Bytes of the frame kept (`usize::MAX` when the session keeps whole frames).
    pub packet_length: usize,
    pub target_id: String,
    /// Number of rules per direction, for reporting.
    pub ingress_rules: usize,
    pub egress_rules: usize,
}

/// Outcome of classifying one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Mirror into session `session` (index into [`Classifier::sessions`]); `rule` is the
    /// matching rule's position in that session's rule list for the direction.
    Mirror { session: usize, rule: usize },
    /// A drop rule of `session` matched: not mirrored, and later sessions are not consulted.
    Filtered { session: usize, rule: usize },
    /// No rule of any session matched (or the frame is not IP).
    NoMatch,
}

/// The session set of one ENI, ready for per-packet decisions.
#[derive(Clone, Debug, Default)]
pub struct Classifier {
    sessions: Vec<CompiledSession>,
    /// Per direction (ingress, egress): the rules that can match IPv4 packets, compacted to
    /// 32 bits per address so two rules share a cache line.
    v4: [Vec<RuleV4>; 2],
    /// Per direction: the rules that can match IPv6 packets.
    v6: [Vec<CompiledRule>; 2],
}

/// An IPv4-only view of a [`CompiledRule`], reduced to a few word-wide operations:
/// both addresses in one masked 64-bit compare, the protocol as a masked byte, and each
/// port range as one unsigned compare of `port - lo <= span`. A packet without ports carries
/// the out-of-range port [`NO_PORT`], which only a wildcard range (span [`NO_PORT`]) admits.
#[derive(Clone, Copy, Debug)]
struct RuleV4 {
    /// Source address in the high 32 bits, destination in the low 32.
    addrs: u64,
    addr_mask: u64,
    sport_lo: u32,
    sport_span: u32,
    dport_lo: u32,
    dport_span: u32,
    proto: u8,
    /// 0xff to require `proto`, 0 for any protocol.
    proto_mask: u8,
    accept: bool,
    session: u16,
    rule: u16,
}

/// Port value of a packet whose ports were not read.
const NO_PORT: u32 = 0x1_0000;

impl RuleV4 {
    /// `None` when the rule can never match IPv4.
    fn new(r: &CompiledRule) -> Option<RuleV4> {
        if r.families & 1 == 0 || r.proto4 == PROTO_NONE {
            return None;
        }
        let range = |(lo, hi): (u16, u16)| {
            if r.needs_ports { (u32::from(lo), u32::from(hi - lo)) } else { (0, NO_PORT) }
        };
        let (sport_lo, sport_span) = range(r.sport);
        let (dport_lo, dport_span) = range(r.dport);
        // IPv4 CIDRs live in the low 32 bits of the u128s; the casts keep exactly those.
        let pair = |s: u128, d: u128| u64::from(s as u32) << 32 | u64::from(d as u32);
        let (proto, proto_mask) = match r.proto4 {
            PROTO_ANY => (0, 0),
            p => (p as u8, 0xff),
        };
        Some(RuleV4 {
            addrs: pair(r.src_addr, r.dst_addr),
            addr_mask: pair(r.src_mask, r.dst_mask),
            sport_lo,
            sport_span,
            dport_lo,
            dport_span,
            proto,
            proto_mask,
            accept: r.accept,
            session: r.session,
            rule: r.rule,
        })
    }

    /// `addrs`, `sport`, `dport` are the packet's, prepared once per packet by the caller.
    #[inline]
    fn matches(&self, addrs: u64, proto: u8, sport: u32, dport: u32) -> bool {
        ((addrs ^ self.addrs) & self.addr_mask == 0)
            & ((proto ^ self.proto) & self.proto_mask == 0)
            & (sport.wrapping_sub(self.sport_lo) <= self.sport_span)
            & (dport.wrapping_sub(self.dport_lo) <= self.dport_span)
    }
}

fn verdict(accept: bool, session: u16, rule: u16) -> Verdict {
    let (session, rule) = (usize::from(session), usize::from(rule));
    if accept { Verdict::Mirror { session, rule } } else { Verdict::Filtered { session, rule } }
}

impl Classifier {
    /// Compiles the enabled sessions of `set`, ordered by priority (equal priorities keep
    /// file order).
    pub fn compile(set: &SessionSet) -> Result<Classifier, CompileError> {
        let mut enabled = Vec::new();
        for (index, s) in set.sessions.iter().enumerate() {
            if !s.enabled {
                continue;
            }
            let filter = set
                .filters
                .iter()
                .find(|f| f.id == s.filter_id)
                .ok_or_else(|| CompileError::UnknownFilter { session: s.id.clone(), filter: s.filter_id.clone() })?;
            enabled.push((index, s, filter));
        }
        enabled.sort_by_key(|(_, s, _)| s.priority);
        if enabled.len() > usize::from(u16::MAX) {
            return Err(CompileError::TooMany("sessions"));
        }
        let mut c = Classifier::default();
        for (si, (index, s, filter)) in enabled.into_iter().enumerate() {
            for (d, rules) in [&filter.ingress, &filter.egress].into_iter().enumerate() {
                if rules.len() > usize::from(u16::MAX) {
                    return Err(CompileError::TooMany("rules"));
                }
                let mut sorted: Vec<&Rule> = rules.iter().collect();
                // Stable: equal priorities keep file order.
                sorted.sort_by_key(|r| r.priority);
                for (ri, r) in sorted.into_iter().enumerate() {
                    // Both casts are bounded by the u16::MAX checks above.
                    let r = CompiledRule::new(r, si as u16, ri as u16);
                    c.v4[d].extend(RuleV4::new(&r));
                    if r.families & 2 != 0 && r.proto6 != PROTO_NONE {
                        c.v6[d].push(r);
                    }
                }
            }
            c.sessions.push(CompiledSession {
                index,
                id: s.id.clone(),
                priority: s.priority,
                vni: s.vni,
                packet_length: s.packet_length.and_then(|l| usize::try_from(l).ok()).unwrap_or(usize::MAX),
                target_id: s.target_id.clone(),
                ingress_rules: filter.ingress.len(),
                egress_rules: filter.egress.len(),
            });
        }
        Ok(c)
    }

    /// The enabled sessions in evaluation order.
    pub fn sessions(&self) -> &[CompiledSession] {
        &self.sessions
    }

    /// Decides what happens to a packet with key `key` travelling in `dir`.
    #[inline]
    pub fn classify(&self, key: &FlowKey, dir: Direction) -> Verdict {
        let d = match dir {
            Direction::Ingress => 0,
            Direction::Egress => 1,
        };
        match key.family {
            Family::None => Verdict::NoMatch,
            Family::V4 => {
                // The key holds IPv4 addresses in the low 32 bits.
                let addrs = u64::from(key.src as u32) << 32 | u64::from(key.dst as u32);
                let (sport, dport) =
                    if key.has_ports { (u32::from(key.sport), u32::from(key.dport)) } else { (NO_PORT, NO_PORT) };
                match self.v4[d].iter().find(|r| r.matches(addrs, key.proto, sport, dport)) {
                    Some(r) => verdict(r.accept, r.session, r.rule),
                    None => Verdict::NoMatch,
                }
            }
            Family::V6 => match self.v6[d].iter().find(|r| r.matches(key, 2)) {
                Some(r) => verdict(r.accept, r.session, r.rule),
                None => Verdict::NoMatch,
            },
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::parse::tests::ipv4_frame;

    fn set(json: &str) -> Classifier {
        Classifier::compile(&SessionSet::from_json(json).unwrap()).unwrap()
    }

    fn rule(prio: u32, action: &str, proto: &str, src: &str, dst: &str, sp: &str, dp: &str) -> String {
        format!(
            r#"{{"Priority": {prio}, "Action": "{action}", "Protocol": "{proto}",
               "SourceCidrBlock": "{src}", "DestinationCidrBlock": "{dst}",
               "SourcePortRange": "{sp}", "DestinationPortRange": "{dp}"}}"#
        )
    }

    fn two_sessions(first_rules: &[String], second_rules: &[String], first_enabled: bool) -> String {
        format!(
            r#"{{"TrafficMirrorSessions": [
                {{"TrafficMirrorSessionId": "low", "Priority": 5, "VirtualNetworkId": 2,
                  "Enabled": true, "TrafficMirrorFilterId": "f2", "TrafficMirrorTargetId": "t"}},
                {{"TrafficMirrorSessionId": "high", "Priority": 1, "VirtualNetworkId": 1,
                  "Enabled": {first_enabled}, "TrafficMirrorFilterId": "f1", "TrafficMirrorTargetId": "t"}}],
              "TrafficMirrorFilters": [
                {{"TrafficMirrorFilterId": "f1", "IngressRules": [{}]}},
                {{"TrafficMirrorFilterId": "f2", "IngressRules": [{}]}}],
              "Targets": {{"t": "192.0.2.9"}}}}"#,
            first_rules.join(","),
            second_rules.join(",")
        )
    }

    #[test]
    fn drop_in_higher_priority_session_wins_over_lower_accept() {
        let c = set(&two_sessions(
            &[rule(1, "drop", "TCP", "0.0.0.0/0", "0.0.0.0/0", "-1/-1", "80/80")],
            &[rule(1, "accept", "ALL", "0.0.0.0/0", "0.0.0.0/0", "-1/-1", "-1/-1")],
            true,
        ));
        assert_eq!(c.sessions()[0].id, "high");
        let web = FlowKey::parse(&ipv4_frame(6, [10, 0, 0, 1], [10, 0, 0, 2], 4000, 80));
        assert_eq!(c.classify(&web, Direction::Ingress), Verdict::Filtered { session: 0, rule: 0 });
        // No rule of "high" matches port 443: "low" mirrors it.
        let tls = FlowKey::parse(&ipv4_frame(6, [10, 0, 0, 1], [10, 0, 0, 2], 4000, 443));
        assert_eq!(c.classify(&tls, Direction::Ingress), Verdict::Mirror { session: 1, rule: 0 });
        // Egress has no rules at all: nothing mirrored.
        assert_eq!(c.classify(&tls, Direction::Egress), Verdict::NoMatch);
    }

    #[test]
    fn disabled_session_is_skipped() {
        let c = set(&two_sessions(
            &[rule(1, "drop", "ALL", "0.0.0.0/0", "0.0.0.0/0", "-1/-1", "-1/-1")],
            &[rule(1, "accept", "ALL", "0.0.0.0/0", "0.0.0.0/0", "-1/-1", "-1/-1")],
            false,
        ));
        let k = FlowKey::parse(&ipv4_frame(17, [10, 0, 0, 1], [10, 0, 0, 2], 1, 2));
        assert_eq!(c.sessions().len(), 1);
        assert_eq!(c.classify(&k, Direction::Ingress), Verdict::Mirror { session: 0, rule: 0 });
    }

    #[test]
    fn rule_priority_not_file_order_decides() {
        let c = set(&two_sessions(
            &[
                rule(20, "accept", "ALL", "0.0.0.0/0", "0.0.0.0/0", "-1/-1", "-1/-1"),
                rule(10, "drop", "UDP", "10.0.0.0/8", "0.0.0.0/0", "-1/-1", "-1/-1"),
            ],
            &[],
            true,
        ));
        let udp = FlowKey::parse(&ipv4_frame(17, [10, 9, 9, 9], [8, 8, 8, 8], 1, 53));
        assert_eq!(c.classify(&udp, Direction::Ingress), Verdict::Filtered { session: 0, rule: 0 });
        let other = FlowKey::parse(&ipv4_frame(17, [11, 9, 9, 9], [8, 8, 8, 8], 1, 53));
        assert_eq!(c.classify(&other, Direction::Ingress), Verdict::Mirror { session: 0, rule: 1 });
    }

    #[test]
    fn ports_need_ports_and_families_must_agree() {
        let c = set(&two_sessions(&[rule(1, "accept", "UDP", "0.0.0.0/0", "0.0.0.0/0", "-1/-1", "53/53")], &[], true));
        let mut f = ipv4_frame(17, [10, 0, 0, 1], [10, 0, 0, 2], 1, 53);
        let k = FlowKey::parse(&f);
        assert!(matches!(c.classify(&k, Direction::Ingress), Verdict::Mirror { .. }));
        // Later fragment: protocol known, ports not: a port rule cannot match.
        f[14 + 7] = 0x10;
        let k = FlowKey::parse(&f);
        assert_eq!(c.classify(&k, Direction::Ingress), Verdict::NoMatch);
        // IPv6 traffic does not match an IPv4 rule.
        let mut v6 = FlowKey::parse(&ipv4_frame(17, [10, 0, 0, 1], [10, 0, 0, 2], 1, 53));
        v6.family = Family::V6;
        assert_eq!(c.classify(&v6, Direction::Ingress), Verdict::NoMatch);
        // Not IP: never mirrored.
        assert_eq!(c.classify(&FlowKey::default(), Direction::Ingress), Verdict::NoMatch);
    }

    #[test]
    fn unknown_filter_is_an_error() {
        let j = two_sessions(&[], &[], true)
            .replace(r#""TrafficMirrorFilterId": "f2", "Ingress"#, r#""TrafficMirrorFilterId": "f3", "Ingress"#);
        assert!(Classifier::compile(&SessionSet::from_json(&j).unwrap()).is_err());
    }
}
