//! The session operations: Create/Delete/List/UpdateTrafficMirrorSession(Attribute),
//! AddSourcesToTrafficMirrorSession and RemoveSourcesFromTrafficMirrorSession.

use super::super::error::AliError;
use super::super::render;
use super::{Ctx, Fut, done};
use serde_json::{Map, Value};
use vspan_control::SessionQuery;
use vspan_model::policy::VNI_MAX;
use vspan_model::session::SessionPatch;
use vspan_model::{Field, SessionSpec, TargetType, validate};

/// At most this many sources in one RemoveSources call (documented N <= 10).
const REMOVE_PER_CALL: usize = 10;
/// Create and AddSources parse more than any quota allows, so the quota answers.
const ADD_PER_CALL: usize = 100;

fn target_type(s: &str) -> Result<TargetType, AliError> {
    match s {
        "NetworkInterface" => Ok(TargetType::NetworkInterface),
        "SLB" => Ok(TargetType::Slb),
        _ => Err(AliError::invalid("TrafficMirrorTargetType", "the value must be NetworkInterface or SLB")),
    }
}

fn sources(c: &Ctx<'_>, max: usize) -> Result<Vec<String>, AliError> {
    let ids = c.params.list("TrafficMirrorSourceIds", max)?;
    if ids.is_empty() {
        return Err(AliError::Missing("TrafficMirrorSourceIds".into()));
    }
    Ok(ids)
}

pub fn create(c: Ctx<'_>) -> Fut<'_> {
    Box::pin(async move {
        let caller = c.caller(false)?;
        let opts = c.write_opts()?;
        let p = c.params;
        let spec = SessionSpec {
            sources: sources(&c, ADD_PER_CALL)?,
            target_id: p.required("TrafficMirrorTargetId")?,
            target_type: Some(target_type(&p.required("TrafficMirrorTargetType")?)?),
            filter_id: p.required("TrafficMirrorFilterId")?,
            priority: p.required_int("Priority")?,
            vni: p.int("VirtualNetworkId")?,
            packet_length: p.int("PacketLength")?,
            enabled: p.bool("Enabled")?,
            name: p.opt("TrafficMirrorSessionName")?,
            description: p.opt("TrafficMirrorSessionDescription")?,
            resource_group_id: p.opt("ResourceGroupId")?,
            tags: c.tags("Tag")?,
        };
        let out = c.control.create_session(&caller, &opts, spec).await?;
        let mut m = Map::new();
        m.insert("TrafficMirrorSessionId".into(), out.id.into());
        m.insert("ResourceGroupId".into(), out.resource_group_id.into());
        Ok(m)
    })
}

pub fn update(c: Ctx<'_>) -> Fut<'_> {
    Box::pin(async move {
        let caller = c.caller(false)?;
        let p = c.params;
        let id = p.required("TrafficMirrorSessionId")?;
        let patch = SessionPatch {
            name: p.opt("TrafficMirrorSessionName")?,
            description: p.opt("TrafficMirrorSessionDescription")?,
            filter_id: p.opt("TrafficMirrorFilterId")?,
            target_id: p.opt("TrafficMirrorTargetId")?,
            target_type: p.opt("TrafficMirrorTargetType")?.map(|s| target_type(&s)).transpose()?,
            priority: p.int("Priority")?,
            vni: p.int("VirtualNetworkId")?,
            packet_length: p.int("PacketLength")?,
            enabled: p.bool("Enabled")?,
        };
        c.control.update_session(&caller, &c.write_opts()?, &id, patch).await?;
        done()
    })
}

pub fn delete(c: Ctx<'_>) -> Fut<'_> {
    Box::pin(async move {
        let caller = c.caller(false)?;
        let id = c.params.required("TrafficMirrorSessionId")?;
        c.control.delete_session(&caller, &c.write_opts()?, &id).await?;
        done()
    })
}

pub fn add_sources(c: Ctx<'_>) -> Fut<'_> {
    Box::pin(async move {
        let caller = c.caller(false)?;
        let id = c.params.required("TrafficMirrorSessionId")?;
        let ids = sources(&c, ADD_PER_CALL)?;
        c.control.add_sources(&caller, &c.write_opts()?, &id, &ids).await?;
        done()
    })
}

pub fn remove_sources(c: Ctx<'_>) -> Fut<'_> {
    Box::pin(async move {
        let caller = c.caller(false)?;
        let id = c.params.required("TrafficMirrorSessionId")?;
        let ids = sources(&c, REMOVE_PER_CALL)?;
        c.control.remove_sources(&caller, &c.write_opts()?, &id, &ids).await?;
        done()
    })
}

pub fn list(c: Ctx<'_>) -> Fut<'_> {
    Box::pin(async move {
        let caller = c.caller(false)?;
        let (limit, after) = c.paging(10, 100)?;
        let p = c.params;
        let policy = &caller.policy;
        let vni = p
            .int("VirtualNetworkId")?
            .map(|v| validate::range(Field::VirtualNetworkId, v, (0, VNI_MAX)))
            .transpose()?;
        let priority =
            p.int("Priority")?.map(|v| validate::range(Field::Priority, v, policy.session_priority)).transpose()?;
        let q = SessionQuery {
            ids: p.list("TrafficMirrorSessionIds", 100)?,
            names: p.opt("TrafficMirrorSessionName")?.into_iter().collect(),
            source_id: p.opt("TrafficMirrorSourceId")?,
            target_ids: p.opt("TrafficMirrorTargetId")?.into_iter().collect(),
            filter_ids: p.opt("TrafficMirrorFilterId")?.into_iter().collect(),
            vnis: vni.into_iter().collect(),
            priorities: priority.into_iter().collect(),
            enabled: p.bool("Enabled")?,
            resource_group_id: p.opt("ResourceGroupId")?,
            tags: c.tags("Tags")?,
            after,
            limit,
            ..Default::default()
        };
        let page = c.control.list_sessions(&caller, &q).await?;
        let business = caller.account.business_status;
        let next = if page.more { page.items.last().map(|s| s.id.clone()).unwrap_or_default() } else { String::new() };
        let mut m = Map::new();
        m.insert(
            "TrafficMirrorSessions".into(),
            Value::Array(page.items.iter().map(|s| render::session(s, business)).collect()),
        );
        m.insert("TotalCount".into(), page.total.to_string().into());
        m.insert("NextToken".into(), next.into());
        Ok(m)
    })
}
