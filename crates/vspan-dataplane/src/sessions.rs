//! The sessions file: a session set in the Alibaba dialect's own response shapes.
//!
//! ```json
//! { "TrafficMirrorSessions": [ ...entries as ListTrafficMirrorSessions returns them... ],
//!   "TrafficMirrorFilters":  [ ...entries as ListTrafficMirrorFilters returns them... ],
//!   "Targets": { "<TrafficMirrorTargetId>": "198.51.100.7" | ["192.0.2.1", "192.0.2.2"] } }
//! ```
//!
//! Users build this file from API output, so parsing is lenient where API outputs are known to
//! vary (numbers and booleans sometimes arrive as strings, lists sometimes wrapped in a
//! one-key object, field name case) and strict where a mistake would silently change what is
//! mirrored (unknown protocol or action, bad CIDR or port range, VNI out of range). Unknown
//! fields are ignored. These types are the data plane's own: it does not depend on the
//! control plane's model.

use std::collections::HashMap;
use std::net::IpAddr;

use serde_json::{Map, Value};

use crate::parse::Family;

/// Errors in a sessions file. Each names the entry and field at fault.
#[derive(Debug, thiserror::Error)]
pub enum SessionsError {
    #[error("sessions file is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("sessions file: {0}")]
    Shape(String),
    #[error("{entry}: field {field}: {msg}")]
    Field { entry: String, field: &'static str, msg: String },
}

fn field_err(entry: &str, field: &'static str, msg: impl Into<String>) -> SessionsError {
    SessionsError::Field { entry: entry.to_string(), field, msg: msg.into() }
}

/// Rule action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Accept,
    Drop,
}

/// Rule protocol. `Icmp` means ICMP for IPv4 packets and ICMPv6 for IPv6 packets, as a rule
/// with `IpVersion=IPv6` and `Protocol=ICMP` does in the Alibaba API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    All,
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    /// Any other IP protocol number.
    Number(u8),
}

/// An address block. IPv4 addresses sit in the low 32 bits, as in [`crate::FlowKey`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    pub family: Family,
    pub addr: u128,
    pub prefix: u8,
}

impl Cidr {
    /// Parses `addr/prefix` or a bare address; host bits are cleared.
    pub fn parse(s: &str) -> Option<Cidr> {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let ip: IpAddr = a.trim().parse().ok()?;
        let (family, addr, max) = match ip {
            IpAddr::V4(v4) => (Family::V4, u128::from(u32::from(v4)), 32u8),
            IpAddr::V6(v6) => (Family::V6, u128::from(v6), 128u8),
        };
        let prefix = match p {
            Some(p) => p.trim().parse::<u8>().ok().filter(|p| *p <= max)?,
            None => max,
        };
        let c = Cidr { family, addr, prefix };
        Some(Cidr { addr: addr & c.mask(), ..c })
    }

    /// Mask over the `u128` representation.
    pub fn mask(&self) -> u128 {
        let width: u32 = if self.family == Family::V4 { 32 } else { 128 };
        let host_bits = width - u32::from(self.prefix);
        let all = if width == 32 { u128::from(u32::MAX) } else { u128::MAX };
        if host_bits >= 128 { 0 } else { all & !((1u128 << host_bits) - 1) }
    }
}

/// An inclusive port range; `-1/-1` (or absent) is every port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortRange {
    pub lo: u16,
    pub hi: u16,
}

impl PortRange {
    pub const ANY: PortRange = PortRange { lo: 0, hi: 65535 };

    pub fn is_any(&self) -> bool {
        *self == Self::ANY
    }

    /// Parses `start/end`, `port`, or `-1/-1`.
    pub fn parse(s: &str) -> Option<PortRange> {
        let s = s.trim();
        if s.is_empty() || s == "-1/-1" || s == "-1" {
            return Some(Self::ANY);
        }
        let (a, b) = s.split_once('/').unwrap_or((s, s));
        let lo: u16 = a.trim().parse().ok()?;
        let hi: u16 = b.trim().parse().ok()?;
        (lo <= hi).then_some(PortRange { lo, hi })
    }
}

/// One filter rule, in one direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub id: Option<String>,
    pub priority: u32,
    pub action: Action,
    pub protocol: Protocol,
    /// Family the rule applies to: `IpVersion`, else the family of its CIDRs, else any IP.
    pub family: Option<Family>,
    pub source: Option<Cidr>,
    pub destination: Option<Cidr>,
    pub source_ports: PortRange,
    pub destination_ports: PortRange,
}

/// A filter: ingress and egress rule lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    pub id: String,
    pub ingress: Vec<Rule>,
    pub egress: Vec<Rule>,
}

/// A mirror session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub priority: u32,
    pub vni: u32,
    /// Bytes of the original frame kept; `None` keeps the whole frame.
    pub packet_length: Option<u32>,
    pub enabled: bool,
    pub filter_id: String,
    pub target_id: String,
    pub source_ids: Vec<String>,
}

/// Everything the sessions file holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionSet {
    pub sessions: Vec<Session>,
    pub filters: Vec<Filter>,
    /// Outer destination addresses per target id (several for a load-balancer target).
    pub targets: HashMap<String, Vec<IpAddr>>,
}

/// Looks a field up by its exact name, then case-insensitively (outputs of some tools
/// lower-case the first letter).
fn get<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.get(name).or_else(|| obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

fn get_str(obj: &Map<String, Value>, name: &str) -> Option<String> {
    match get(obj, name)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn get_u32(obj: &Map<String, Value>, entry: &str, name: &'static str) -> Result<Option<u32>, SessionsError> {
    match get(obj, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|v| u32::try_from(v).ok())
            .map(Some)
            .ok_or_else(|| field_err(entry, name, format!("not a non-negative integer: {n}"))),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse::<u32>()
            .map(Some)
            .map_err(|_| field_err(entry, name, format!("not a non-negative integer: {s:?}"))),
        Some(v) => Err(field_err(entry, name, format!("not an integer: {v}"))),
    }
}

fn get_bool(obj: &Map<String, Value>, entry: &str, name: &'static str) -> Result<Option<bool>, SessionsError> {
    match get(obj, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::Number(n)) => Ok(Some(n.as_f64() != Some(0.0))),
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(Some(true)),
            "false" | "0" | "no" => Ok(Some(false)),
            _ => Err(field_err(entry, name, format!("not a boolean: {s:?}"))),
        },
        Some(v) => Err(field_err(entry, name, format!("not a boolean: {v}"))),
    }
}

/// A list, accepting the XML-style wrapping `{"Item": [...]}` too.
fn as_list(v: &Value) -> Option<&Vec<Value>> {
    match v {
        Value::Array(a) => Some(a),
        Value::Object(o) if o.len() == 1 => o.values().next().and_then(as_list),
        _ => None,
    }
}

fn get_list<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Vec<Value>> {
    get(obj, name).and_then(as_list)
}

fn parse_protocol(s: &str) -> Option<Protocol> {
    Some(match s.trim().to_ascii_lowercase().as_str() {
        "all" | "-1" | "" => Protocol::All,
        "tcp" => Protocol::Tcp,
        "udp" => Protocol::Udp,
        "icmp" => Protocol::Icmp,
        "icmpv6" | "icmp6" => Protocol::Icmpv6,
        other => Protocol::Number(other.parse().ok()?),
    })
}

fn parse_rule(v: &Value, filter: &str, dir: &str, n: usize) -> Result<Rule, SessionsError> {
    let entry = format!("filter {filter} {dir} rule {}", n + 1);
    let obj = v.as_object().ok_or_else(|| SessionsError::Shape(format!("{entry} is not an object")))?;
    let id = get_str(obj, "TrafficMirrorFilterRuleId");
    let entry = match &id {
        Some(id) => format!("filter {filter} {dir} rule {id}"),
        None => entry,
    };
    let priority = get_u32(obj, &entry, "Priority")?.ok_or_else(|| field_err(&entry, "Priority", "missing"))?;
    let action_s = get_str(obj, "Action")
        .or_else(|| get_str(obj, "RuleAction"))
        .ok_or_else(|| field_err(&entry, "Action", "missing"))?;
    let action = match action_s.trim().to_ascii_lowercase().as_str() {
        "accept" => Action::Accept,
        "drop" => Action::Drop,
        _ => {
            return Err(field_err(&entry, "Action", format!("{action_s:?} is neither accept nor drop")));
        }
    };
    let proto_s = get_str(obj, "Protocol").unwrap_or_else(|| "ALL".into());
    let protocol = parse_protocol(&proto_s)
        .ok_or_else(|| field_err(&entry, "Protocol", format!("unknown protocol {proto_s:?}")))?;
    let ip_version = match get_str(obj, "IpVersion") {
        None => None,
        Some(s) => match s.trim().to_ascii_lowercase().as_str() {
            "ipv4" | "4" => Some(Family::V4),
            "ipv6" | "6" => Some(Family::V6),
            "" => None,
            _ => return Err(field_err(&entry, "IpVersion", format!("unknown {s:?}"))),
        },
    };
    let cidr = |name: &'static str| -> Result<Option<Cidr>, SessionsError> {
        match get_str(obj, name) {
            None => Ok(None),
            Some(s) if s.trim().is_empty() => Ok(None),
            Some(s) => {
                Cidr::parse(&s).map(Some).ok_or_else(|| field_err(&entry, name, format!("not a CIDR block: {s:?}")))
            }
        }
    };
    let source = cidr("SourceCidrBlock")?;
    let destination = cidr("DestinationCidrBlock")?;
    let mut family = ip_version;
    for c in [source, destination].into_iter().flatten() {
        match family {
            None => family = Some(c.family),
            Some(f) if f != c.family => {
                return Err(field_err(
                    &entry,
                    "SourceCidrBlock/DestinationCidrBlock",
                    "address family differs from IpVersion or from the other CIDR block",
                ));
            }
            Some(_) => {}
        }
    }
    let ports = |name: &'static str| -> Result<PortRange, SessionsError> {
        match get_str(obj, name) {
            None => Ok(PortRange::ANY),
            Some(s) => PortRange::parse(&s).ok_or_else(|| field_err(&entry, name, format!("not a port range: {s:?}"))),
        }
    };
    Ok(Rule {
        priority,
        action,
        protocol,
        family,
        source,
        destination,
        source_ports: ports("SourcePortRange")?,
        destination_ports: ports("DestinationPortRange")?,
        id,
    })
}

fn parse_filter(v: &Value, n: usize) -> Result<Filter, SessionsError> {
    let obj = v.as_object().ok_or_else(|| SessionsError::Shape(format!("filter {} is not an object", n + 1)))?;
    let id = get_str(obj, "TrafficMirrorFilterId")
        .ok_or_else(|| field_err(&format!("filter {}", n + 1), "TrafficMirrorFilterId", "missing"))?;
    let rules = |name: &str, dir: &str| -> Result<Vec<Rule>, SessionsError> {
        get_list(obj, name)
            .map(|l| l.iter().enumerate().map(|(i, r)| parse_rule(r, &id, dir, i)).collect())
            .unwrap_or(Ok(Vec::new()))
    };
    Ok(Filter { ingress: rules("IngressRules", "ingress")?, egress: rules("EgressRules", "egress")?, id })
}

fn parse_session(v: &Value, n: usize) -> Result<Session, SessionsError> {
    let obj = v.as_object().ok_or_else(|| SessionsError::Shape(format!("session {} is not an object", n + 1)))?;
    let id = get_str(obj, "TrafficMirrorSessionId")
        .ok_or_else(|| field_err(&format!("session {}", n + 1), "TrafficMirrorSessionId", "missing"))?;
    let entry = format!("session {id}");
    let priority = get_u32(obj, &entry, "Priority")?.ok_or_else(|| field_err(&entry, "Priority", "missing"))?;
    let vni =
        get_u32(obj, &entry, "VirtualNetworkId")?.ok_or_else(|| field_err(&entry, "VirtualNetworkId", "missing"))?;
    if vni > 0x00ff_ffff {
        return Err(field_err(&entry, "VirtualNetworkId", format!("{vni} does not fit in 24 bits")));
    }
    let packet_length = get_u32(obj, &entry, "PacketLength")?;
    if packet_length == Some(0) {
        return Err(field_err(&entry, "PacketLength", "must be at least 1"));
    }
    let source_ids = get_list(obj, "TrafficMirrorSourceIds")
        .map(|l| l.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    Ok(Session {
        priority,
        vni,
        packet_length,
        enabled: get_bool(obj, &entry, "Enabled")?.unwrap_or(false),
        filter_id: get_str(obj, "TrafficMirrorFilterId")
            .ok_or_else(|| field_err(&entry, "TrafficMirrorFilterId", "missing"))?,
        target_id: get_str(obj, "TrafficMirrorTargetId")
            .ok_or_else(|| field_err(&entry, "TrafficMirrorTargetId", "missing"))?,
        source_ids,
        id,
    })
}

impl SessionSet {
    /// Parses a sessions file.
    pub fn from_json(text: &str) -> Result<SessionSet, SessionsError> {
        let root: Value = serde_json::from_str(text)?;
        let obj = root.as_object().ok_or_else(|| SessionsError::Shape("top level is not an object".into()))?;
        let sessions = get_list(obj, "TrafficMirrorSessions")
            .ok_or_else(|| SessionsError::Shape("TrafficMirrorSessions list missing".into()))?
            .iter()
            .enumerate()
            .map(|(i, v)| parse_session(v, i))
            .collect::<Result<Vec<_>, _>>()?;
        let filters = get_list(obj, "TrafficMirrorFilters")
            .map(|l| l.iter().enumerate().map(|(i, v)| parse_filter(v, i)).collect::<Result<Vec<_>, _>>())
            .unwrap_or(Ok(Vec::new()))?;
        let mut targets = HashMap::new();
        if let Some(t) = get(obj, "Targets") {
            let t = t.as_object().ok_or_else(|| SessionsError::Shape("Targets is not an object".into()))?;
            for (id, v) in t {
                let entry = format!("target {id}");
                let strs: Vec<&str> = match v {
                    Value::String(s) => vec![s.as_str()],
                    Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                    _ => Vec::new(),
                };
                if strs.is_empty() {
                    return Err(field_err(&entry, "Targets", "no address"));
                }
                let addrs = strs
                    .iter()
                    .map(|s| {
                        s.trim()
                            .parse::<IpAddr>()
                            .map_err(|_| field_err(&entry, "Targets", format!("bad address {s:?}")))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                targets.insert(id.clone(), addrs);
            }
        }
        Ok(SessionSet { sessions, filters, targets })
    }

    /// Keeps only the sessions whose sources include `eni` (the sessions of one ENI).
    pub fn retain_source(&mut self, eni: &str) {
        self.sessions.retain(|s| s.source_ids.iter().any(|id| id == eni));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"{
      "TrafficMirrorSessions": [
        {"TrafficMirrorSessionId": "tms-a", "Priority": "2", "VirtualNetworkId": 100,
         "PacketLength": "96", "Enabled": "True", "TrafficMirrorFilterId": "tmf-1",
         "TrafficMirrorTargetId": "eni-t", "TrafficMirrorTargetType": "NetworkInterface",
         "TrafficMirrorSourceIds": ["eni-src"], "TrafficMirrorSessionStatus": "Created",
         "Tags": []}
      ],
      "TrafficMirrorFilters": [
        {"TrafficMirrorFilterId": "tmf-1",
         "IngressRules": [{"TrafficMirrorFilterRuleId": "tmr-1", "Priority": 1,
            "Action": "drop", "Protocol": "TCP", "SourceCidrBlock": "10.0.0.0/8",
            "DestinationCidrBlock": "0.0.0.0/0", "SourcePortRange": "1/200",
            "DestinationPortRange": "-1/-1"}],
         "EgressRules": {"TrafficMirrorRule": [{"Priority": 3, "RuleAction": "Accept",
            "Protocol": "icmp", "IpVersion": "IPv6", "SourceCidrBlock": "::/0",
            "DestinationCidrBlock": "fd00::1/64"}]}}
      ],
      "Targets": {"eni-t": "198.51.100.7", "lb-1": ["192.0.2.1", "192.0.2.2"]}
    }"#;

    #[test]
    fn parses_api_shapes_leniently() {
        let s = SessionSet::from_json(EXAMPLE).unwrap();
        let sess = &s.sessions[0];
        assert_eq!(sess.priority, 2);
        assert_eq!(sess.vni, 100);
        assert_eq!(sess.packet_length, Some(96));
        assert!(sess.enabled);
        assert_eq!(sess.source_ids, vec!["eni-src"]);
        let f = &s.filters[0];
        let r = &f.ingress[0];
        assert_eq!(r.action, Action::Drop);
        assert_eq!(r.protocol, Protocol::Tcp);
        assert_eq!(r.family, Some(Family::V4));
        assert_eq!(r.source_ports, PortRange { lo: 1, hi: 200 });
        assert!(r.destination_ports.is_any());
        let e = &f.egress[0];
        assert_eq!(e.action, Action::Accept);
        assert_eq!(e.protocol, Protocol::Icmp);
        assert_eq!(e.family, Some(Family::V6));
        assert_eq!(e.destination.unwrap().prefix, 64);
        assert_eq!(s.targets["lb-1"].len(), 2);
    }

    #[test]
    fn rejects_what_would_silently_change_mirroring() {
        for (from, to) in [
            (r#""Action": "drop""#, r#""Action": "dropp""#),
            (r#""Protocol": "TCP""#, r#""Protocol": "SCTPX""#),
            (r#""10.0.0.0/8""#, r#""10.0.0.0/33""#),
            (r#""1/200""#, r#""200/1""#),
            (r#""VirtualNetworkId": 100"#, r#""VirtualNetworkId": 16777216"#),
            (r#""Enabled": "True""#, r#""Enabled": "maybe""#),
            (r#""::/0""#, r#""0.0.0.0/0""#),
        ] {
            let text = EXAMPLE.replace(from, to);
            assert_ne!(text, EXAMPLE, "{from}");
            assert!(SessionSet::from_json(&text).is_err(), "{to} accepted");
        }
    }

    #[test]
    fn cidr_masks() {
        let c = Cidr::parse("10.1.2.3/8").unwrap();
        assert_eq!(c.addr, 0x0a00_0000);
        assert_eq!(c.mask(), 0xff00_0000);
        assert_eq!(Cidr::parse("0.0.0.0/0").unwrap().mask(), 0);
        assert_eq!(Cidr::parse("::/0").unwrap().mask(), 0);
        assert_eq!(Cidr::parse("::1").unwrap().mask(), u128::MAX);
        assert!(Cidr::parse("nonsense").is_none());
    }
}
