//! Filters and their rules: what a session mirrors. Rules of one direction are walked by
//! priority; the first that matches decides, accept or drop.

use crate::error::{Field, ModelError, QuotaKind, Result};
use crate::policy::Policy;
use crate::status::Status;
use crate::tag::Tag;
use crate::validate;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleAction {
    Accept,
    Drop,
}

impl RuleAction {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "accept" => Some(RuleAction::Accept),
            "drop" | "reject" => Some(RuleAction::Drop),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Protocol {
    All,
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
}

impl Protocol {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "ALL" => Some(Protocol::All),
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "ICMP" => Some(Protocol::Icmp),
            "ICMPV6" => Some(Protocol::Icmpv6),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::All => "ALL",
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Icmp => "ICMP",
            Protocol::Icmpv6 => "ICMPV6",
        }
    }

    /// Whether the protocol carries ports a rule can match.
    pub fn has_ports(self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Udp)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IpVersion {
    V4,
    V6,
}

impl IpVersion {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "ipv4" => Some(IpVersion::V4),
            "ipv6" => Some(IpVersion::V6),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            IpVersion::V4 => "IPv4",
            IpVersion::V6 => "IPv6",
        }
    }
}

/// An inclusive port range. A rule without one matches every port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortRange {
    pub from: u16,
    pub to: u16,
}

impl PortRange {
    /// Builds a range from the numbers a dialect parsed; `(-1, -1)` means every port.
    pub fn from_bounds(field: Field, from: i64, to: i64) -> Result<Option<PortRange>> {
        if from == -1 && to == -1 {
            return Ok(None);
        }
        if !(1..=65535).contains(&from) || !(1..=65535).contains(&to) || from > to {
            return Err(ModelError::invalid(field, "a port range is start/end with 1 <= start <= end <= 65535"));
        }
        Ok(Some(PortRange { from: from as u16, to: to as u16 }))
    }
}

/// A rule as a caller describes it; both dialects parse into this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSpec {
    pub direction: Direction,
    pub priority: i64,
    pub action: RuleAction,
    pub protocol: Protocol,
    pub ip_version: IpVersion,
    pub source_cidr: Option<IpNet>,
    pub destination_cidr: Option<IpNet>,
    pub source_ports: Option<PortRange>,
    pub destination_ports: Option<PortRange>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterRule {
    pub id: String,
    pub filter_id: String,
    pub direction: Direction,
    pub priority: u32,
    pub action: RuleAction,
    pub protocol: Protocol,
    pub ip_version: IpVersion,
    pub source_cidr: Option<IpNet>,
    pub destination_cidr: Option<IpNet>,
    pub source_ports: Option<PortRange>,
    pub destination_ports: Option<PortRange>,
    pub description: Option<String>,
    pub status: Status,
    pub created_ms: i64,
    pub updated_ms: i64,
    /// The global revision of the last change.
    pub revision: i64,
    /// When the pending change settles if no agent is concerned; `None` when settled.
    pub settle_at_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub resource_group_id: Option<String>,
    pub tags: Vec<Tag>,
    pub status: Status,
    pub created_ms: i64,
    pub updated_ms: i64,
    /// The global revision of the last change.
    pub revision: i64,
    /// When the pending change settles if no agent is concerned; `None` when settled.
    pub settle_at_ms: Option<i64>,
}

impl RuleSpec {
    /// Checks one rule on its own: priority range, CIDRs of the rule's IP version, ports only
    /// where the protocol has them. Returns the validated priority.
    pub fn validate(&self, policy: &Policy) -> Result<u32> {
        let priority = validate::range(Field::RulePriority, self.priority, policy.rule_priority)?;
        if let Some(d) = &self.description {
            validate::description(Field::RuleDescription, d, policy)?;
        }
        for (cidr, field) in
            [(&self.source_cidr, Field::SourceCidrBlock), (&self.destination_cidr, Field::DestinationCidrBlock)]
        {
            if let Some(net) = cidr {
                let v6 = matches!(net, IpNet::V6(_));
                if v6 != (self.ip_version == IpVersion::V6) {
                    return Err(ModelError::invalid(field, "the CIDR block does not match the rule's IP version"));
                }
            }
        }
        if matches!(self.protocol, Protocol::Icmpv6) && self.ip_version == IpVersion::V4 {
            return Err(ModelError::invalid(Field::Protocol, "ICMPv6 needs an IPv6 rule"));
        }
        if self.protocol.has_ports() && policy.rule_ports_required {
            if self.source_ports.is_none() {
                return Err(ModelError::Missing(Field::SourcePortRange));
            }
            if self.destination_ports.is_none() {
                return Err(ModelError::Missing(Field::DestinationPortRange));
            }
        }
        if !self.protocol.has_ports() {
            if self.source_ports.is_some() {
                return Err(ModelError::invalid(Field::SourcePortRange, "ports are only for TCP and UDP rules"));
            }
            if self.destination_ports.is_some() {
                return Err(ModelError::invalid(Field::DestinationPortRange, "ports are only for TCP and UDP rules"));
            }
        }
        Ok(priority)
    }

    pub fn into_rule(self, id: String, filter_id: &str, priority: u32) -> FilterRule {
        FilterRule {
            id,
            filter_id: filter_id.to_owned(),
            direction: self.direction,
            priority,
            action: self.action,
            protocol: self.protocol,
            ip_version: self.ip_version,
            source_cidr: self.source_cidr,
            destination_cidr: self.destination_cidr,
            source_ports: self.source_ports,
            destination_ports: self.destination_ports,
            description: self.description,
            status: Status::Creating,
            created_ms: 0,
            updated_ms: 0,
            revision: 0,
            settle_at_ms: None,
        }
    }
}

impl FilterRule {
    pub fn spec(&self) -> RuleSpec {
        RuleSpec {
            direction: self.direction,
            priority: i64::from(self.priority),
            action: self.action,
            protocol: self.protocol,
            ip_version: self.ip_version,
            source_cidr: self.source_cidr,
            destination_cidr: self.destination_cidr,
            source_ports: self.source_ports,
            destination_ports: self.destination_ports,
            description: self.description.clone(),
        }
    }
}

/// Checks that `new` rules fit next to `existing` ones (all of one filter, `existing` already
/// without any rule being replaced): the per-direction quota and unique priorities per
/// direction. Returns each new rule's validated priority.
pub fn check_rule_set(
    existing: &[FilterRule],
    new: &[RuleSpec],
    policy: &Policy,
    max_per_direction: usize,
) -> Result<Vec<u32>> {
    let mut priorities = Vec::with_capacity(new.len());
    for spec in new {
        priorities.push(spec.validate(policy)?);
    }
    for dir in [Direction::Ingress, Direction::Egress] {
        let mut used: Vec<u32> = existing.iter().filter(|r| r.direction == dir).map(|r| r.priority).collect();
        // The quota first: with priorities 1-10 and 10 rules per direction, an 11th rule would
        // otherwise always be reported as a duplicate priority.
        if used.len() + new.iter().filter(|s| s.direction == dir).count() > max_per_direction {
            return Err(ModelError::QuotaExceeded(QuotaKind::RulesPerDirection));
        }
        for (spec, &p) in new.iter().zip(&priorities) {
            if spec.direction != dir {
                continue;
            }
            if used.contains(&p) {
                return Err(ModelError::DuplicatedPriority(p));
            }
            used.push(p);
        }
    }
    Ok(priorities)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(dir: Direction, prio: i64) -> RuleSpec {
        RuleSpec {
            direction: dir,
            priority: prio,
            action: RuleAction::Accept,
            protocol: Protocol::Tcp,
            ip_version: IpVersion::V4,
            source_cidr: "10.0.0.0/8".parse().ok(),
            destination_cidr: "0.0.0.0/0".parse().ok(),
            source_ports: Some(PortRange { from: 1, to: 65535 }),
            destination_ports: Some(PortRange { from: 80, to: 80 }),
            description: None,
        }
    }

    #[test]
    fn port_ranges() {
        assert_eq!(PortRange::from_bounds(Field::SourcePortRange, -1, -1), Ok(None));
        assert_eq!(PortRange::from_bounds(Field::SourcePortRange, 1, 200), Ok(Some(PortRange { from: 1, to: 200 })));
        assert!(PortRange::from_bounds(Field::SourcePortRange, 0, 200).is_err());
        assert!(PortRange::from_bounds(Field::SourcePortRange, 300, 200).is_err());
        assert!(PortRange::from_bounds(Field::SourcePortRange, 1, 65536).is_err());
    }

    #[test]
    fn rule_checks() {
        let p = Policy::ALIBABA;
        assert_eq!(spec(Direction::Ingress, 1).validate(&p), Ok(1));
        assert!(spec(Direction::Ingress, 11).validate(&p).is_err());
        let mut v6 = spec(Direction::Ingress, 1);
        v6.ip_version = IpVersion::V6;
        assert!(v6.validate(&p).is_err());
        let mut anyport = spec(Direction::Ingress, 1);
        anyport.source_ports = None;
        assert_eq!(anyport.validate(&p), Err(ModelError::Missing(Field::SourcePortRange)));
        assert_eq!(anyport.validate(&Policy::HUAWEI), Ok(1));
        let mut icmp = spec(Direction::Ingress, 1);
        icmp.protocol = Protocol::Icmp;
        assert!(icmp.validate(&p).is_err());
        icmp.source_ports = None;
        icmp.destination_ports = None;
        assert!(icmp.validate(&p).is_ok());
    }

    #[test]
    fn rule_sets() {
        let p = Policy::ALIBABA;
        let new = vec![spec(Direction::Ingress, 1), spec(Direction::Egress, 1)];
        assert_eq!(check_rule_set(&[], &new, &p, 10), Ok(vec![1, 1]));
        let dup = vec![spec(Direction::Ingress, 1), spec(Direction::Ingress, 1)];
        assert_eq!(check_rule_set(&[], &dup, &p, 10), Err(ModelError::DuplicatedPriority(1)));
        let many: Vec<_> = (1..=3).map(|i| spec(Direction::Egress, i)).collect();
        assert_eq!(check_rule_set(&[], &many, &p, 2), Err(ModelError::QuotaExceeded(QuotaKind::RulesPerDirection)));
    }
}
