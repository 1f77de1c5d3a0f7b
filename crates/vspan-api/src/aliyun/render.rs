//! Model resources as the Alibaba dialect shows them: PascalCase fields, ISO-8601 UTC times.

use serde_json::{Value, json};
use vspan_control::filter::FilterView;
use vspan_model::{BusinessStatus, FilterRule, PortRange, Session, Tag};

/// `2021-06-24T06:23:30Z`.
pub fn time(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.format(&f).unwrap_or_default()
}

pub fn tags(tags: &[Tag]) -> Value {
    Value::Array(tags.iter().map(|t| json!({"Key": t.key, "Value": t.value})).collect())
}

/// `a/b`, or `-1/-1` for every port.
pub fn ports(p: Option<PortRange>) -> String {
    p.map_or_else(|| "-1/-1".to_owned(), |p| format!("{}/{}", p.from, p.to))
}

pub fn session(s: &Session, business: BusinessStatus) -> Value {
    json!({
        "TrafficMirrorSessionId": s.id,
        "TrafficMirrorSessionName": s.name.clone().unwrap_or_default(),
        "TrafficMirrorSessionDescription": s.description.clone().unwrap_or_default(),
        "TrafficMirrorSessionStatus": s.status.as_str(),
        "TrafficMirrorSessionBusinessStatus": business.as_str(),
        "TrafficMirrorFilterId": s.filter_id,
        "TrafficMirrorSourceIds": s.sources,
        "TrafficMirrorTargetId": s.target_id,
        "TrafficMirrorTargetType": s.target_type.as_alibaba(),
        "VirtualNetworkId": s.vni,
        "PacketLength": s.packet_length,
        "Priority": s.priority,
        "Enabled": s.enabled,
        "ResourceGroupId": s.resource_group_id.clone().unwrap_or_default(),
        "CreationTime": time(s.created_ms),
        "Tags": tags(&s.tags),
    })
}

pub fn rule(r: &FilterRule) -> Value {
    json!({
        "TrafficMirrorFilterRuleId": r.id,
        "TrafficMirrorFilterId": r.filter_id,
        "TrafficDirection": r.direction.as_str(),
        "Priority": r.priority,
        "Action": match r.action { vspan_model::RuleAction::Accept => "accept", vspan_model::RuleAction::Drop => "drop" },
        "Protocol": r.protocol.as_str(),
        "IpVersion": r.ip_version.as_str(),
        "SourceCidrBlock": r.source_cidr.map(|c| c.to_string()).unwrap_or_default(),
        "DestinationCidrBlock": r.destination_cidr.map(|c| c.to_string()).unwrap_or_default(),
        "SourcePortRange": ports(r.source_ports),
        "DestinationPortRange": ports(r.destination_ports),
        "TrafficMirrorFilterRuleStatus": r.status.as_str(),
    })
}

pub fn filter(v: &FilterView) -> Value {
    let f = &v.filter;
    let mut rules: Vec<&FilterRule> = v.rules.iter().collect();
    rules.sort_by_key(|r| (r.priority, r.id.clone()));
    let of = |d: vspan_model::Direction| -> Value {
        Value::Array(rules.iter().filter(|r| r.direction == d).map(|r| rule(r)).collect())
    };
    json!({
        "TrafficMirrorFilterId": f.id,
        "TrafficMirrorFilterName": f.name.clone().unwrap_or_default(),
        "TrafficMirrorFilterDescription": f.description.clone().unwrap_or_default(),
        "TrafficMirrorFilterStatus": f.status.as_str(),
        "ResourceGroupId": f.resource_group_id.clone().unwrap_or_default(),
        "CreationTime": time(f.created_ms),
        "Tags": tags(&f.tags),
        "IngressRules": of(vspan_model::Direction::Ingress),
        "EgressRules": of(vspan_model::Direction::Egress),
    })
}
