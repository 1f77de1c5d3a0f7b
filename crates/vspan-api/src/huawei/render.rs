//! Model resources as the Huawei dialect shows them: snake_case fields, UUID-style ids as
//! stored, times like `2023-02-23T06:57:39.000+00:00`, no status field (calls are synchronous).

use serde_json::{Value, json};
use vspan_control::filter::FilterView;
use vspan_model::{Direction, FilterRule, PortRange, RuleAction, Session, TargetType};

pub fn time(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    format!("{}.{:03}+00:00", t.format(&f).unwrap_or_default(), ms.rem_euclid(1000))
}

pub fn target_type(t: TargetType) -> &'static str {
    match t {
        TargetType::NetworkInterface => "eni",
        TargetType::Slb => "elb",
    }
}

pub fn ports(p: Option<PortRange>) -> Value {
    p.map_or(Value::Null, |p| Value::String(format!("{}-{}", p.from, p.to)))
}

pub fn session(s: &Session, project: &str) -> Value {
    json!({
        "id": s.id,
        "project_id": project,
        "name": s.name.clone().unwrap_or_default(),
        "description": s.description.clone().unwrap_or_default(),
        "traffic_mirror_filter_id": s.filter_id,
        "traffic_mirror_sources": s.sources,
        "traffic_mirror_target_id": s.target_id,
        "traffic_mirror_target_type": target_type(s.target_type),
        "virtual_network_id": s.vni,
        "packet_length": s.packet_length,
        "priority": s.priority,
        "enabled": s.enabled,
        "type": "eni",
        "created_at": time(s.created_ms),
        "updated_at": time(s.updated_ms),
    })
}

pub fn rule(r: &FilterRule, project: &str) -> Value {
    json!({
        "id": r.id,
        "project_id": project,
        "traffic_mirror_filter_id": r.filter_id,
        "description": r.description.clone().unwrap_or_default(),
        "direction": r.direction.as_str(),
        "protocol": r.protocol.as_str(),
        "ethertype": r.ip_version.as_str(),
        "action": match r.action { RuleAction::Accept => "accept", RuleAction::Drop => "reject" },
        "priority": r.priority,
        "source_cidr_block": r.source_cidr.map(|c| c.to_string()),
        "destination_cidr_block": r.destination_cidr.map(|c| c.to_string()),
        "source_port_range": ports(r.source_ports),
        "destination_port_range": ports(r.destination_ports),
        "created_at": time(r.created_ms),
        "updated_at": time(r.updated_ms),
    })
}

pub fn filter(v: &FilterView, project: &str) -> Value {
    let f = &v.filter;
    let mut rules: Vec<&FilterRule> = v.rules.iter().collect();
    rules.sort_by_key(|r| (r.priority, r.id.clone()));
    let of = |d: Direction| -> Value {
        Value::Array(rules.iter().filter(|r| r.direction == d).map(|r| rule(r, project)).collect())
    };
    json!({
        "id": f.id,
        "project_id": project,
        "name": f.name.clone().unwrap_or_default(),
        "description": f.description.clone().unwrap_or_default(),
        "ingress_rules": of(Direction::Ingress),
        "egress_rules": of(Direction::Egress),
        "type": "eni",
        "created_at": time(f.created_ms),
        "updated_at": time(f.updated_ms),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_look_like_huawei_s() {
        assert_eq!(super::time(1_677_135_459_000), "2023-02-23T06:57:39.000+00:00");
        assert_eq!(super::time(1_677_135_459_042), "2023-02-23T06:57:39.042+00:00");
    }
}
