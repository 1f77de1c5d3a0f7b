//! Traffic mirror filter rules over Huawei's JSON: one rule per call, `from-to` port ranges,
//! `accept`/`reject`, `ethertype`; absent addresses and ports match everything.

use super::body::{Fields, Query, wrapped};
use super::error::HwError;
use super::{Ctx, Reply, page_info, render};
use axum::http::StatusCode;
use ipnet::IpNet;
use serde_json::{Value, json};
use vspan_control::RuleQuery;
use vspan_control::filter::RulePatch;
use vspan_model::{Direction, Field, IpVersion, PortRange, Protocol, RuleAction, RuleSpec};

const WRAPPER: &str = "traffic_mirror_filter_rule";

fn direction(s: &str) -> Result<Direction, HwError> {
    match s {
        "ingress" => Ok(Direction::Ingress),
        "egress" => Ok(Direction::Egress),
        _ => Err(HwError::invalid("direction", "must be ingress or egress")),
    }
}

fn protocol(s: &str) -> Result<Protocol, HwError> {
    Protocol::parse(s).ok_or_else(|| HwError::invalid("protocol", "must be TCP, UDP, ICMP, ICMPV6 or ALL"))
}

fn ethertype(s: &str) -> Result<IpVersion, HwError> {
    match s {
        "IPv4" => Ok(IpVersion::V4),
        "IPv6" => Ok(IpVersion::V6),
        _ => Err(HwError::invalid("ethertype", "must be IPv4 or IPv6")),
    }
}

fn action(s: &str) -> Result<RuleAction, HwError> {
    match s {
        "accept" => Ok(RuleAction::Accept),
        "reject" => Ok(RuleAction::Drop),
        _ => Err(HwError::invalid("action", "must be accept or reject")),
    }
}

fn cidr(name: &str, s: &str) -> Result<IpNet, HwError> {
    s.parse::<IpNet>().map_err(|_| HwError::invalid(name, "is not a CIDR block"))
}

/// `from-to`, each 1-65535.
fn ports(field: Field, name: &str, s: &str) -> Result<PortRange, HwError> {
    let bad = || HwError::invalid(name, "must be from-to with 1 <= from <= to <= 65535");
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let a = a.trim().parse::<i64>().map_err(|_| bad())?;
    let b = b.trim().parse::<i64>().map_err(|_| bad())?;
    if a < 1 || b < 1 {
        return Err(bad());
    }
    PortRange::from_bounds(field, a, b)?.ok_or_else(bad)
}

fn opt_cidr(f: &Fields<'_>, name: &str) -> Result<Option<IpNet>, HwError> {
    f.str(name)?.filter(|s| !s.is_empty()).map(|s| cidr(name, &s)).transpose()
}

fn opt_ports(f: &Fields<'_>, field: Field, name: &str) -> Result<Option<PortRange>, HwError> {
    f.str(name)?.filter(|s| !s.is_empty()).map(|s| ports(field, name, &s)).transpose()
}

async fn reply(ctx: &Ctx<'_>, status: StatusCode, id: &str) -> Reply {
    let r = ctx.control.get_rule(&ctx.caller, id).await?;
    Ok((status, Some(json!({ WRAPPER: render::rule(&r, ctx.project) }))))
}

pub async fn create(ctx: &Ctx<'_>) -> Reply {
    let o = wrapped(ctx.body, WRAPPER)?;
    let f = Fields(&o);
    let filter_id = f.required_str("traffic_mirror_filter_id")?;
    let spec = RuleSpec {
        direction: direction(&f.required_str("direction")?)?,
        protocol: protocol(&f.required_str("protocol")?)?,
        ip_version: ethertype(&f.required_str("ethertype")?)?,
        action: action(&f.required_str("action")?)?,
        priority: f.required_int("priority")?,
        description: f.str("description")?,
        source_cidr: opt_cidr(&f, "source_cidr_block")?,
        destination_cidr: opt_cidr(&f, "destination_cidr_block")?,
        source_ports: opt_ports(&f, Field::SourcePortRange, "source_port_range")?,
        destination_ports: opt_ports(&f, Field::DestinationPortRange, "destination_port_range")?,
    };
    let out = ctx
        .control
        .create_rules(&ctx.caller, &ctx.opts("CreateTrafficMirrorFilterRule"), &filter_id, vec![spec])
        .await?;
    let id = out.into_iter().next().map(|(_, id)| id).ok_or_else(|| HwError::Internal("no rule was created".into()))?;
    reply(ctx, StatusCode::CREATED, &id).await
}

pub async fn show(ctx: &Ctx<'_>, id: &str) -> Reply {
    reply(ctx, StatusCode::OK, id).await
}

pub async fn update(ctx: &Ctx<'_>, id: &str) -> Reply {
    let o = wrapped(ctx.body, WRAPPER)?;
    let f = Fields(&o);
    for fixed in ["direction", "traffic_mirror_filter_id"] {
        if f.str(fixed)?.is_some() {
            let current = ctx.control.get_rule(&ctx.caller, id).await?;
            let same = match fixed {
                "direction" => f.str(fixed)?.as_deref() == Some(current.direction.as_str()),
                _ => f.str(fixed)?.as_deref() == Some(current.filter_id.as_str()),
            };
            if !same {
                return Err(HwError::invalid(fixed, "cannot be changed"));
            }
        }
    }
    let description = f.str("description")?;
    let patch = RulePatch {
        action: f.str("action")?.map(|s| action(&s)).transpose()?,
        priority: f.int("priority")?,
        protocol: f.str("protocol")?.map(|s| protocol(&s)).transpose()?,
        ip_version: f.str("ethertype")?.map(|s| ethertype(&s)).transpose()?,
        source_cidr: opt_cidr(&f, "source_cidr_block")?,
        destination_cidr: opt_cidr(&f, "destination_cidr_block")?,
        source_ports: opt_ports(&f, Field::SourcePortRange, "source_port_range")?.map(Some),
        destination_ports: opt_ports(&f, Field::DestinationPortRange, "destination_port_range")?.map(Some),
        description,
    };
    ctx.control.update_rule(&ctx.caller, &ctx.opts("UpdateTrafficMirrorFilterRule"), id, patch).await?;
    reply(ctx, StatusCode::OK, id).await
}

pub async fn delete(ctx: &Ctx<'_>, id: &str) -> Reply {
    ctx.control.delete_rule(&ctx.caller, &ctx.opts("DeleteTrafficMirrorFilterRule"), id).await?;
    Ok((StatusCode::NO_CONTENT, None))
}

pub async fn list(ctx: &Ctx<'_>) -> Reply {
    let q = Query::parse(ctx.query)?;
    let (limit, after) = q.paging()?;
    let ports_of = |name: &str, field: Field| -> Result<Vec<PortRange>, HwError> {
        q.all(name).iter().map(|s| ports(field, name, s)).collect()
    };
    let query = RuleQuery {
        ids: q.all("id"),
        filter_ids: q.all("traffic_mirror_filter_id"),
        descriptions: q.all("description"),
        directions: q.all("direction").iter().map(|s| direction(s)).collect::<Result<_, _>>()?,
        protocols: q.all("protocol").iter().map(|s| protocol(s)).collect::<Result<_, _>>()?,
        actions: q.all("action").iter().map(|s| action(s)).collect::<Result<_, _>>()?,
        priorities: q.ints("priority", 1, 65535)?,
        source_cidrs: q.all("source_cidr_block"),
        destination_cidrs: q.all("destination_cidr_block"),
        source_ports: ports_of("source_port_range", Field::SourcePortRange)?,
        destination_ports: ports_of("destination_port_range", Field::DestinationPortRange)?,
        after,
        limit,
        ..Default::default()
    };
    let page = ctx.control.list_rules(&ctx.caller, &query).await?;
    let ids: Vec<&str> = page.items.iter().map(|r| r.id.as_str()).collect();
    let items: Vec<Value> = page.items.iter().map(|r| render::rule(r, ctx.project)).collect();
    Ok((StatusCode::OK, Some(json!({ "traffic_mirror_filter_rules": items, "page_info": page_info(&ids, page.more) }))))
}
