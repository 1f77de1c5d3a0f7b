//! Traffic mirror filters over Huawei's JSON: create, show, list, update, delete. A filter
//! shows its rules inline; rules are created through their own collection.

use super::body::{Fields, Query, wrapped};
use super::{Ctx, Reply, page_info, render};
use axum::http::StatusCode;
use serde_json::{Value, json};
use vspan_control::FilterQuery;
use vspan_control::filter::FilterCreate;

const WRAPPER: &str = "traffic_mirror_filter";

async fn reply(ctx: &Ctx<'_>, status: StatusCode, id: &str) -> Reply {
    let v = ctx.control.get_filter(&ctx.caller, id).await?;
    Ok((status, Some(json!({ WRAPPER: render::filter(&v, ctx.project) }))))
}

pub async fn create(ctx: &Ctx<'_>) -> Reply {
    let o = wrapped(ctx.body, WRAPPER)?;
    let f = Fields(&o);
    let req = FilterCreate {
        name: Some(f.required_str("name")?),
        description: f.str("description")?,
        resource_group_id: None,
        tags: Vec::new(),
        rules: Vec::new(),
    };
    let out = ctx.control.create_filter(&ctx.caller, &ctx.opts("CreateTrafficMirrorFilter"), req).await?;
    reply(ctx, StatusCode::CREATED, &out.id).await
}

pub async fn show(ctx: &Ctx<'_>, id: &str) -> Reply {
    reply(ctx, StatusCode::OK, id).await
}

pub async fn update(ctx: &Ctx<'_>, id: &str) -> Reply {
    let o = wrapped(ctx.body, WRAPPER)?;
    let f = Fields(&o);
    let (name, description) = (f.str("name")?, f.str("description")?);
    ctx.control.update_filter(&ctx.caller, &ctx.opts("UpdateTrafficMirrorFilter"), id, name, description).await?;
    reply(ctx, StatusCode::OK, id).await
}

pub async fn delete(ctx: &Ctx<'_>, id: &str) -> Reply {
    ctx.control.delete_filter(&ctx.caller, &ctx.opts("DeleteTrafficMirrorFilter"), id).await?;
    Ok((StatusCode::NO_CONTENT, None))
}

pub async fn list(ctx: &Ctx<'_>) -> Reply {
    let q = Query::parse(ctx.query)?;
    let (limit, after) = q.paging()?;
    let query = FilterQuery {
        ids: q.all("id"),
        names: q.all("name"),
        descriptions: q.all("description"),
        after,
        limit,
        ..Default::default()
    };
    let page = ctx.control.list_filters(&ctx.caller, &query).await?;
    let ids: Vec<&str> = page.items.iter().map(|v| v.filter.id.as_str()).collect();
    let items: Vec<Value> = page.items.iter().map(|v| render::filter(v, ctx.project)).collect();
    Ok((StatusCode::OK, Some(json!({ "traffic_mirror_filters": items, "page_info": page_info(&ids, page.more) }))))
}
