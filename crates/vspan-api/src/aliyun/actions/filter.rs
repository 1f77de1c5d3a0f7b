//! The filter operations: Create/Delete/List/UpdateTrafficMirrorFilter(Attribute),
//! CreateTrafficMirrorFilterRules, DeleteTrafficMirrorFilterRules and
//! UpdateTrafficMirrorFilterRuleAttribute.

use super::super::error::AliError;
use super::super::render;
use super::{Ctx, Fut, done};
use ipnet::IpNet;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use vspan_control::FilterQuery;
use vspan_control::filter::{FilterCreate, RulePatch};
use vspan_model::{Direction, Field, IpVersion, PortRange, Protocol, RuleAction, RuleSpec};

fn action(name: &str, s: &str) -> Result<RuleAction, AliError> {
    match s {
        "accept" | "Accept" | "ACCEPT" => Ok(RuleAction::Accept),
        "drop" | "Drop" | "DROP" => Ok(RuleAction::Drop),
        _ => Err(AliError::invalid(name, "the value must be accept or drop")),
    }
}

fn protocol(s: &str) -> Result<Protocol, AliError> {
    match Protocol::parse(s) {
        Some(p @ (Protocol::All | Protocol::Tcp | Protocol::Udp | Protocol::Icmp)) => Ok(p),
        _ => Err(AliError::invalid("Protocol", "the value must be ALL, TCP, UDP or ICMP")),
    }
}

fn cidr(name: &str, s: &str) -> Result<IpNet, AliError> {
    s.parse::<IpNet>().map_err(|_| AliError::invalid(name, "the value is not a CIDR block"))
}

/// `start/end`; `-1/-1` is every port.
fn ports(field: Field, name: &str, s: &str) -> Result<Option<PortRange>, AliError> {
    let (a, b) = s.split_once('/').ok_or_else(|| AliError::invalid(name, "a port range is start/end"))?;
    let parse = |x: &str| x.trim().parse::<i64>().map_err(|_| AliError::invalid(name, "a port range is start/end"));
    Ok(PortRange::from_bounds(field, parse(a)?, parse(b)?)?)
}

/// A rule's port range as sent. `-1/-1` is Alibaba's spelling of "every port", which it
/// allows only where ports do not apply (ALL, ICMP); a TCP or UDP rule names real ports.
fn rule_ports(
    protocol: Protocol,
    field: Field,
    name: &str,
    value: Option<&str>,
) -> Result<Option<PortRange>, AliError> {
    let Some(v) = value else { return Ok(None) };
    let parsed = ports(field, name, v)?;
    if parsed.is_none() && protocol.has_ports() {
        return Err(AliError::invalid(name, "a TCP or UDP rule needs a port range between 1 and 65535"));
    }
    Ok(parsed)
}

fn rule_spec(direction: Direction, o: &BTreeMap<String, String>) -> Result<RuleSpec, AliError> {
    let get = |k: &str| o.get(k).map(String::as_str).filter(|s| !s.is_empty());
    let req = |k: &str| get(k).ok_or_else(|| AliError::Missing(k.to_owned()));
    let priority = req("Priority")?
        .trim()
        .parse::<i64>()
        .map_err(|_| AliError::invalid("Priority", "the value is not an integer"))?;
    let action = action("Action", req("Action")?)?;
    let protocol = protocol(req("Protocol")?)?;
    let source_cidr = cidr("SourceCidrBlock", req("SourceCidrBlock")?)?;
    let destination_cidr = cidr("DestinationCidrBlock", req("DestinationCidrBlock")?)?;
    let ip_version = match get("IpVersion") {
        Some(v) => {
            IpVersion::parse(v).ok_or_else(|| AliError::invalid("IpVersion", "the value must be IPv4 or IPv6"))?
        }
        None => IpVersion::V4,
    };
    Ok(RuleSpec {
        direction,
        priority,
        action,
        protocol,
        ip_version,
        source_cidr: Some(source_cidr),
        destination_cidr: Some(destination_cidr),
        source_ports: rule_ports(protocol, Field::SourcePortRange, "SourcePortRange", get("SourcePortRange"))?,
        destination_ports: rule_ports(
            protocol,
            Field::DestinationPortRange,
            "DestinationPortRange",
            get("DestinationPortRange"),
        )?,
        description: None,
    })
}

fn rules(c: &Ctx<'_>) -> Result<Vec<RuleSpec>, AliError> {
    let mut out = Vec::new();
    for (base, dir) in [("IngressRules", Direction::Ingress), ("EgressRules", Direction::Egress)] {
        // More than the quota parses, so that the quota, not the parser, answers.
        for o in c.params.objects(base, 100)? {
            out.push(rule_spec(dir, &o)?);
        }
    }
    Ok(out)
}

fn rule_ids(out: &[(Direction, String)], dir: Direction) -> Value {
    Value::Array(out.iter().filter(|(d, _)| *d == dir).map(|(_, id)| json!({"InstanceId": id})).collect())
}

pub fn create(c: Ctx<'_>) -> Fut<'_> {
    Box::pin(async move {
        let caller = c.caller(false)?;
        let opts = c.write_opts()?;
        let req = FilterCreate {
            name: c.params.opt("TrafficMirrorFilterName")?,
            description: c.params.opt("TrafficMirrorFilterDescription")?,
            resource_group_id: c.params.opt("ResourceGroupId")?,
            tags: c.tags("Tag")?,
            rules: rules(&c)?,
        };
        let out = c.control.create_filter(&caller, &opts, req).await?;
        let mut m = Map::new();
        m.insert("TrafficMirrorFilterId".into(), out.id.into());
        m.insert("ResourceGroupId".into(), out.resource_group_id.into());
        Ok(m)
    })
}

pub fn delete(c: Ctx<'_>) -> Fut<'_> {
    Box::pin(async move {
        let caller = c.caller(false)?;
        let id = c.params.required("TrafficMirrorFilterId")?;
        c.control.delete_filter(&caller, &c.write_opts()?, &id).await?;
        done()
    })
}

pub fn update(c: Ctx<'_>) -> Fut<'_> {
    Box::pin(async move {
        let caller = c.caller(false)?;
        let id = c.params.required("TrafficMirrorFilterId")?;
        let name = c.params.opt("TrafficMirrorFilterName")?;
        let description = c.params.opt("TrafficMirrorFilterDescription")?;
        c.control.update_filter(&caller, &c.write_opts()?, &id, name, description).await?;
        done()
    })
}

pub fn list(c: Ctx<'_>) -> Fut<'_> {
    Box::pin(async move {
        let caller = c.caller(false)?;
        let (limit, after) = c.paging(10, 100)?;
        let q = FilterQuery {
            ids: c.params.list("TrafficMirrorFilterIds", 100)?,
            names: c.params.opt("TrafficMirrorFilterName")?.into_iter().collect(),
            resource_group_id: c.params.opt("ResourceGroupId")?,
            tags: c.tags("Tags")?,
            after,
            limit,
            ..Default::default()
        };
        let page = c.control.list_filters(&caller, &q).await?;
        let next =
            if page.more { page.items.last().map(|v| v.filter.id.clone()).unwrap_or_default() } else { String::new() };
        let mut m = Map::new();
        m.insert("TrafficMirrorFilters".into(), Value::Array(page.items.iter().map(render::filter).collect()));
        m.insert("TotalCount".into(), page.total.to_string().into());
        m.insert("Count".into(), page.items.len().into());
        m.insert("MaxResults".into(), limit.into());
        m.insert("NextToken".into(), next.into());
        Ok(m)
    })
}

pub fn create_rules(c: Ctx<'_>) -> Fut<'_> {
    Box::pin(async move {
        let caller = c.caller(false)?;
        let id = c.params.required("TrafficMirrorFilterId")?;
        let specs = rules(&c)?;
        let out = c.control.create_rules(&caller, &c.write_opts()?, &id, specs).await?;
        let mut m = Map::new();
        m.insert("IngressRules".into(), rule_ids(&out, Direction::Ingress));
        m.insert("EgressRules".into(), rule_ids(&out, Direction::Egress));
        Ok(m)
    })
}

pub fn delete_rules(c: Ctx<'_>) -> Fut<'_> {
    Box::pin(async move {
        let caller = c.caller(false)?;
        let id = c.params.required("TrafficMirrorFilterId")?;
        let ids = c.params.list("TrafficMirrorFilterRuleIds", 100)?;
        if ids.is_empty() {
            return Err(AliError::Missing("TrafficMirrorFilterRuleIds".into()));
        }
        c.control.delete_rules(&caller, &c.write_opts()?, &id, &ids).await?;
        done()
    })
}

pub fn update_rule(c: Ctx<'_>) -> Fut<'_> {
    Box::pin(async move {
        let caller = c.caller(false)?;
        let id = c.params.required("TrafficMirrorFilterRuleId")?;
        let p = c.params;
        let patch = RulePatch {
            action: p.opt("RuleAction")?.map(|s| action("RuleAction", &s)).transpose()?,
            priority: p.int("Priority")?,
            protocol: p.opt("Protocol")?.map(|s| protocol(&s)).transpose()?,
            source_cidr: p.opt("SourceCidrBlock")?.map(|s| cidr("SourceCidrBlock", &s)).transpose()?,
            destination_cidr: p.opt("DestinationCidrBlock")?.map(|s| cidr("DestinationCidrBlock", &s)).transpose()?,
            source_ports: p
                .opt("SourcePortRange")?
                .map(|s| ports(Field::SourcePortRange, "SourcePortRange", &s))
                .transpose()?,
            destination_ports: p
                .opt("DestinationPortRange")?
                .map(|s| ports(Field::DestinationPortRange, "DestinationPortRange", &s))
                .transpose()?,
            description: None,
            ip_version: None,
        };
        c.control.update_rule(&caller, &c.write_opts()?, &id, patch).await?;
        done()
    })
}
