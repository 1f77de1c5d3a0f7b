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

use crate::parse::{
    Direction, Family, FlowKey, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP,
};
use crate::sessions::{Action, Protocol, Rule, SessionSet};

/// Why a session set cannot be compiled.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    #[error("session {session}: filter {filter} is not in the sessions file")]
    UnknownFilter { session: String, filter: String },
}

/// A rule reduced to masks and ranges.
#[derive(Clone, Copy, Debug)]
struct CompiledRule {
    accept: bool,
    family: Family,
    any_family: bool,
    proto: Protocol,
    src_addr: u128,
    src_mask: u128,
    dst_addr: u128,
    dst_mask: u128,
    needs_ports: bool,
    sport: (u16, u16),
    dport: (u16, u16),
}

impl CompiledRule {
    fn new(r: &Rule) -> CompiledRule {
        let (src_addr, src_mask) = r.source.map(|c| (c.addr, c.mask())).unwrap_or((0, 0));
        let (dst_addr, dst_mask) = r.destination.map(|c| (c.addr, c.mask())).unwrap_or((0, 0));
        CompiledRule {
            accept: r.action == Action::Accept,
            family: r.family.unwrap_or(Family::None),
            any_family: r.family.is_none(),
            proto: r.protocol,
            src_addr,
            src_mask,
            dst_addr,
            dst_mask,
            needs_ports: !(r.source_ports.is_any() && r.destination_ports.is_any()),
            sport: (r.source_ports.lo, r.source_ports.hi),
            dport: (r.destination_ports.lo, r.destination_ports.hi),
        }
    }

    /// Whether the rule matches an IP packet (the caller has excluded non-IP keys).
    #[inline]
    fn matches(&self, k: &FlowKey) -> bool {
        if !self.any_family && self.family != k.family {
            return false;
        }
        let proto_ok = match self.proto {
            Protocol::All => true,
            Protocol::Tcp => k.proto == IPPROTO_TCP,
            Protocol::Udp => k.proto == IPPROTO_UDP,
            Protocol::Icmp => match k.family {
                Family::V4 => k.proto == IPPROTO_ICMP,
                _ => k.proto == IPPROTO_ICMPV6,
            },
            Protocol::Icmpv6 => k.family == Family::V6 && k.proto == IPPROTO_ICMPV6,
            Protocol::Number(n) => k.proto == n,
        };
        proto_ok
            && (k.src ^ self.src_addr) & self.src_mask == 0
            && (k.dst ^ self.dst_addr) & self.dst_mask == 0
            && (!self.needs_ports
                || (k.has_ports
                    && (self.sport.0..=self.sport.1).contains(&k.sport)
                    && (self.dport.0..=self.dport.1).contains(&k.dport)))
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
    ingress: Vec<CompiledRule>,
    egress: Vec<CompiledRule>,
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
}

impl Classifier {
    /// Compiles the enabled sessions of `set`, ordered by priority.
    pub fn compile(set: &SessionSet) -> Result<Classifier, CompileError> {
        let mut sessions = Vec::new();
        for (index, s) in set.sessions.iter().enumerate() {
            if !s.enabled {
                continue;
            }
            let filter = set
                .filters
                .iter()
                .find(|f| f.id == s.filter_id)
                .ok_or_else(|| CompileError::UnknownFilter {
                    session: s.id.clone(),
                    filter: s.filter_id.clone(),
                })?;
            let compile_rules = |rules: &[Rule]| {
                let mut sorted: Vec<&Rule> = rules.iter().collect();
                // Stable: equal priorities keep file order.
                sorted.sort_by_key(|r| r.priority);
                sorted.into_iter().map(CompiledRule::new).collect()
            };
            sessions.push(CompiledSession {
                index,
                id: s.id.clone(),
                priority: s.priority,
                vni: s.vni,
                packet_length: s
                    .packet_length
                    .and_then(|l| usize::try_from(l).ok())
                    .unwrap_or(usize::MAX),
                target_id: s.target_id.clone(),
                ingress: compile_rules(&filter.ingress),
                egress: compile_rules(&filter.egress),
            });
        }
        sessions.sort_by_key(|s| s.priority);
        Ok(Classifier { sessions })
    }

    /// The enabled sessions in evaluation order.
    pub fn sessions(&self) -> &[CompiledSession] {
        &self.sessions
    }

    /// Decides what happens to a packet with key `key` travelling in `dir`.
    #[inline]
    pub fn classify(&self, key: &FlowKey, dir: Direction) -> Verdict {
        if key.family == Family::None {
            return Verdict::NoMatch;
        }
        for (si, s) in self.sessions.iter().enumerate() {
            let rules = match dir {
                Direction::Ingress => &s.ingress,
                Direction::Egress => &s.egress,
            };
            for (ri, r) in rules.iter().enumerate() {
                if r.matches(key) {
                    return if r.accept {
                        Verdict::Mirror {
                            session: si,
                            rule: ri,
                        }
                    } else {
                        Verdict::Filtered {
                            session: si,
                            rule: ri,
                        }
                    };
                }
            }
        }
        Verdict::NoMatch
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

    fn rule(
        prio: u32,
        action: &str,
        proto: &str,
        src: &str,
        dst: &str,
        sp: &str,
        dp: &str,
    ) -> String {
        format!(
            r#"{{"Priority": {prio}, "Action": "{action}", "Protocol": "{proto}",
               "SourceCidrBlock": "{src}", "DestinationCidrBlock": "{dst}",
               "SourcePortRange": "{sp}", "DestinationPortRange": "{dp}"}}"#
        )
    }

    fn two_sessions(
        first_rules: &[String],
        second_rules: &[String],
        first_enabled: bool,
    ) -> String {
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
            &[rule(
                1,
                "drop",
                "TCP",
                "0.0.0.0/0",
                "0.0.0.0/0",
                "-1/-1",
                "80/80",
            )],
            &[rule(
                1,
                "accept",
                "ALL",
                "0.0.0.0/0",
                "0.0.0.0/0",
                "-1/-1",
                "-1/-1",
            )],
            true,
        ));
        assert_eq!(c.sessions()[0].id, "high");
        let web = FlowKey::parse(&ipv4_frame(6, [10, 0, 0, 1], [10, 0, 0, 2], 4000, 80));
        assert_eq!(
            c.classify(&web, Direction::Ingress),
            Verdict::Filtered {
                session: 0,
                rule: 0
            }
        );
        // No rule of "high" matches port 443: "low" mirrors it.
        let tls = FlowKey::parse(&ipv4_frame(6, [10, 0, 0, 1], [10, 0, 0, 2], 4000, 443));
        assert_eq!(
            c.classify(&tls, Direction::Ingress),
            Verdict::Mirror {
                session: 1,
                rule: 0
            }
        );
        // Egress has no rules at all: nothing mirrored.
        assert_eq!(c.classify(&tls, Direction::Egress), Verdict::NoMatch);
    }

    #[test]
    fn disabled_session_is_skipped() {
        let c = set(&two_sessions(
            &[rule(
                1,
                "drop",
                "ALL",
                "0.0.0.0/0",
                "0.0.0.0/0",
                "-1/-1",
                "-1/-1",
            )],
            &[rule(
                1,
                "accept",
                "ALL",
                "0.0.0.0/0",
                "0.0.0.0/0",
                "-1/-1",
                "-1/-1",
            )],
            false,
        ));
        let k = FlowKey::parse(&ipv4_frame(17, [10, 0, 0, 1], [10, 0, 0, 2], 1, 2));
        assert_eq!(c.sessions().len(), 1);
        assert_eq!(
            c.classify(&k, Direction::Ingress),
            Verdict::Mirror {
                session: 0,
                rule: 0
            }
        );
    }

    #[test]
    fn rule_priority_not_file_order_decides() {
        let c = set(&two_sessions(
            &[
                rule(
                    20,
                    "accept",
                    "ALL",
                    "0.0.0.0/0",
                    "0.0.0.0/0",
                    "-1/-1",
                    "-1/-1",
                ),
                rule(
                    10,
                    "drop",
                    "UDP",
                    "10.0.0.0/8",
                    "0.0.0.0/0",
                    "-1/-1",
                    "-1/-1",
                ),
            ],
            &[],
            true,
        ));
        let udp = FlowKey::parse(&ipv4_frame(17, [10, 9, 9, 9], [8, 8, 8, 8], 1, 53));
        assert_eq!(
            c.classify(&udp, Direction::Ingress),
            Verdict::Filtered {
                session: 0,
                rule: 0
            }
        );
        let other = FlowKey::parse(&ipv4_frame(17, [11, 9, 9, 9], [8, 8, 8, 8], 1, 53));
        assert_eq!(
            c.classify(&other, Direction::Ingress),
            Verdict::Mirror {
                session: 0,
                rule: 1
            }
        );
    }

    #[test]
    fn ports_need_ports_and_families_must_agree() {
        let c = set(&two_sessions(
            &[rule(
                1,
                "accept",
                "UDP",
                "0.0.0.0/0",
                "0.0.0.0/0",
                "-1/-1",
                "53/53",
            )],
            &[],
            true,
        ));
        let mut f = ipv4_frame(17, [10, 0, 0, 1], [10, 0, 0, 2], 1, 53);
        let k = FlowKey::parse(&f);
        assert!(matches!(
            c.classify(&k, Direction::Ingress),
            Verdict::Mirror { .. }
        ));
        // Later fragment: protocol known, ports not: a port rule cannot match.
        f[14 + 7] = 0x10;
        let k = FlowKey::parse(&f);
        assert_eq!(c.classify(&k, Direction::Ingress), Verdict::NoMatch);
        // IPv6 traffic does not match an IPv4 rule.
        let mut v6 = FlowKey::parse(&ipv4_frame(17, [10, 0, 0, 1], [10, 0, 0, 2], 1, 53));
        v6.family = Family::V6;
        assert_eq!(c.classify(&v6, Direction::Ingress), Verdict::NoMatch);
        // Not IP: never mirrored.
        assert_eq!(
            c.classify(&FlowKey::default(), Direction::Ingress),
            Verdict::NoMatch
        );
    }

    #[test]
    fn unknown_filter_is_an_error() {
        let j = two_sessions(&[], &[], true).replace(
            r#""TrafficMirrorFilterId": "f2", "Ingress"#,
            r#""TrafficMirrorFilterId": "f3", "Ingress"#,
        );
        assert!(Classifier::compile(&SessionSet::from_json(&j).unwrap()).is_err());
    }
}
