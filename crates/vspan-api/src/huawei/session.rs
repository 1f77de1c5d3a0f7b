//! Traffic mirror sessions over Huawei's JSON: create, show, list, update, delete,
//! add-sources, remove-sources.

use super::body::{Fields, Query, wrapped};
use super::error::HwError;
use super::{Ctx, Reply, page_info, render};
use axum::http::StatusCode;
use serde_json::{Value, json};
use vspan_control::SessionQuery;
use vspan_model::policy::VNI_MAX;
use vspan_model::session::SessionPatch;
use vspan_model::{SessionSpec, TargetType};

const WRAPPER: &str = "traffic_mirror_session";

fn target_type(s: &str) -> Result<TargetType, HwError> {
    match s {
        "eni" => Ok(TargetType::NetworkInterface),
        "elb" => Ok(TargetType::Slb),
        _ => Err(HwError::invalid("traffic_mirror_target_type", "must be eni or elb")),
    }
}

/// `type` names the source type; only `eni` exists.
fn check_type(f: &Fields<'_>) -> Result<(), HwError> {
    match f.str("type")?.as_deref() {
        None | Some("eni") => Ok(()),
        Some(_) => Err(HwError::invalid("type", "must be eni")),
    }
}

async fn reply(ctx: &Ctx<'_>, status: StatusCode, id: &str) -> Reply {
    let s = ctx.control.get_session(&ctx.caller, id).await?;
    Ok((status, Some(json!({ WRAPPER: render::session(&s, ctx.project) }))))
}

pub async fn create(ctx: &Ctx<'_>) -> Reply {
    let o = wrapped(ctx.body, WRAPPER)?;
    let f = Fields(&o);
    let spec = SessionSpec {
        name: Some(f.required_str("name")?),
        description: f.str("description")?,
        filter_id: f.required_str("traffic_mirror_filter_id")?,
        sources: f
            .str_list("traffic_mirror_sources")?
            .ok_or_else(|| HwError::Missing("traffic_mirror_sources".into()))?,
        target_id: f.required_str("traffic_mirror_target_id")?,
        target_type: Some(target_type(&f.required_str("traffic_mirror_target_type")?)?),
        priority: f.required_int("priority")?,
        vni: f.int("virtual_network_id")?,
        packet_length: f.int("packet_length")?,
        enabled: f.bool("enabled")?,
        resource_group_id: None,
        tags: Vec::new(),
    };
    check_type(&f)?;
    let out = ctx.control.create_session(&ctx.caller, &ctx.opts("CreateTrafficMirrorSession"), spec).await?;
    reply(ctx, StatusCode::CREATED, &out.id).await
}

pub async fn show(ctx: &Ctx<'_>, id: &str) -> Reply {
    reply(ctx, StatusCode::OK, id).await
}

pub async fn update(ctx: &Ctx<'_>, id: &str) -> Reply {
    let o = wrapped(ctx.body, WRAPPER)?;
    let f = Fields(&o);
    let patch = SessionPatch {
        name: f.str("name")?,
        description: f.str("description")?,
        filter_id: f.str("traffic_mirror_filter_id")?,
        target_id: f.str("traffic_mirror_target_id")?,
        target_type: f.str("traffic_mirror_target_type")?.map(|s| target_type(&s)).transpose()?,
        priority: f.int("priority")?,
        vni: f.int("virtual_network_id")?,
        packet_length: f.int("packet_length")?,
        enabled: f.bool("enabled")?,
    };
    check_type(&f)?;
    ctx.control.update_session(&ctx.caller, &ctx.opts("UpdateTrafficMirrorSession"), id, patch).await?;
    reply(ctx, StatusCode::OK, id).await
}

pub async fn delete(ctx: &Ctx<'_>, id: &str) -> Reply {
    ctx.control.delete_session(&ctx.caller, &ctx.opts("DeleteTrafficMirrorSession"), id).await?;
    Ok((StatusCode::NO_CONTENT, None))
}

fn sources(ctx: &Ctx<'_>) -> Result<Vec<String>, HwError> {
    let o = wrapped(ctx.body, WRAPPER)?;
    let list = Fields(&o).str_list("traffic_mirror_sources")?;
    list.filter(|l| !l.is_empty()).ok_or_else(|| HwError::Missing("traffic_mirror_sources".into()))
}

pub async fn add_sources(ctx: &Ctx<'_>, id: &str) -> Reply {
    let ids = sources(ctx)?;
    ctx.control.add_sources(&ctx.caller, &ctx.opts("AddSourcesToTrafficMirrorSession"), id, &ids).await?;
    reply(ctx, StatusCode::OK, id).await
}

pub async fn remove_sources(ctx: &Ctx<'_>, id: &str) -> Reply {
    let ids = sources(ctx)?;
    ctx.control.remove_sources(&ctx.caller, &ctx.opts("RemoveSourcesFromTrafficMirrorSession"), id, &ids).await?;
    reply(ctx, StatusCode::OK, id).await
}

pub async fn list(ctx: &Ctx<'_>) -> Reply {
    let q = Query::parse(ctx.query)?;
    let (limit, after) = q.paging()?;
    let policy = &ctx.caller.policy;
    let query = SessionQuery {
        ids: q.all("id"),
        names: q.all("name"),
        descriptions: q.all("description"),
        filter_ids: q.all("traffic_mirror_filter_id"),
        target_ids: q.all("traffic_mirror_target_id"),
        target_types: q.all("traffic_mirror_target_type").iter().map(|t| target_type(t)).collect::<Result<_, _>>()?,
        vnis: q.ints("virtual_network_id", 0, i64::from(VNI_MAX))?,
        packet_lengths: q.ints("packet_length", 0, i64::from(u32::MAX))?,
        priorities: q.ints("priority", i64::from(policy.session_priority.0), i64::from(policy.session_priority.1))?,
        enabled: q.bool("enabled")?,
        after,
        limit,
        ..Default::default()
    };
    if let Some(t) = q.one("type")
        && t != "eni"
    {
        return Err(HwError::invalid("type", "must be eni"));
    }
    let page = ctx.control.list_sessions(&ctx.caller, &query).await?;
    let ids: Vec<&str> = page.items.iter().map(|s| s.id.as_str()).collect();
    let items: Vec<Value> = page.items.iter().map(|s| render::session(s, ctx.project)).collect();
    Ok((StatusCode::OK, Some(json!({ "traffic_mirror_sessions": items, "page_info": page_info(&ids, page.more) }))))
}
