//! Tags and resource groups on mirror resources: TagResources, UnTagResources,
//! ListTagResources (UPPER-CASE resource types) and MoveResourceGroup (CamelCase types).

use super::super::error::AliError;
use super::{Ctx, Fut, done};
use serde_json::{Map, Value, json};
use vspan_control::TagQuery;
use vspan_control::tag::Taggable;

fn tag_type(s: &str) -> Result<Taggable, AliError> {
    match s.to_ascii_uppercase().as_str() {
        "TRAFFICMIRRORSESSION" => Ok(Taggable::Session),
        "TRAFFICMIRRORFILTER" => Ok(Taggable::Filter),
        _ => Err(AliError::invalid("ResourceType", "the value must be TRAFFICMIRRORSESSION or TRAFFICMIRRORFILTER")),
    }
}

fn resource_ids(c: &Ctx<'_>) -> Result<Vec<String>, AliError> {
    let ids = c.params.list("ResourceId", 50)?;
    if ids.is_empty() {
        return Err(AliError::Missing("ResourceId".into()));
    }
    Ok(ids)
}

pub fn tag_resources(c: Ctx<'_>) -> Fut<'_> {
    Box::pin(async move {
        let caller = c.caller(false)?;
        let kind = tag_type(&c.params.required("ResourceType")?)?;
        let ids = resource_ids(&c)?;
        let tags = c.tags("Tag")?;
        if tags.is_empty() {
            return Err(AliError::Missing("Tag".into()));
        }
        c.control.tag_resources(&caller, &c.write_opts()?, kind, &ids, &tags).await?;
        done()
    })
}

pub fn untag_resources(c: Ctx<'_>) -> Fut<'_> {
    Box::pin(async move {
        let caller = c.caller(false)?;
        let kind = tag_type(&c.params.required("ResourceType")?)?;
        let ids = resource_ids(&c)?;
        let keys = c.params.list("TagKey", 20)?;
        let all = c.params.bool("All")?.unwrap_or(false);
        if keys.is_empty() && !all {
            return Err(AliError::Missing("TagKey".into()));
        }
        c.control.untag_resources(&caller, &c.write_opts()?, kind, &ids, &keys, all).await?;
        done()
    })
}

pub fn list_tag_resources(c: Ctx<'_>) -> Fut<'_> {
    Box::pin(async move {
        let caller = c.caller(false)?;
        let kind = tag_type(&c.params.required("ResourceType")?)?;
        let (limit, token) = c.paging(50, 50)?;
        let after = match token {
            None => None,
            Some(t) => {
                let raw = hex::decode(&t).ok().and_then(|b| String::from_utf8(b).ok());
                let pair = raw.as_deref().and_then(|s| s.split_once('\n')).map(|(a, b)| (a.to_owned(), b.to_owned()));
                Some(pair.ok_or_else(|| AliError::invalid("NextToken", "the token was not issued by this server"))?)
            }
        };
        let ids = c.params.list("ResourceId", 50)?;
        let tags = c.tags("Tag")?;
        if ids.is_empty() && tags.is_empty() {
            return Err(AliError::Missing("ResourceId".into()));
        }
        let q = TagQuery { resource_type: kind.stored().to_owned(), ids, tags, after, limit };
        let page = c.control.list_tags(&caller, &q).await?;
        let type_name = match kind {
            Taggable::Session => "TRAFFICMIRRORSESSION",
            Taggable::Filter => "TRAFFICMIRRORFILTER",
        };
        let rows: Vec<Value> = page
            .items
            .iter()
            .map(|r| json!({"ResourceId": r.resource_id, "ResourceType": type_name, "TagKey": r.key, "TagValue": r.value}))
            .collect();
        let next = match (page.more, page.items.last()) {
            (true, Some(r)) => hex::encode(format!("{}\n{}", r.resource_id, r.key)),
            _ => String::new(),
        };
        let mut m = Map::new();
        m.insert("TagResources".into(), json!({ "TagResource": rows }));
        m.insert("NextToken".into(), next.into());
        Ok(m)
    })
}

pub fn move_resource_group(c: Ctx<'_>) -> Fut<'_> {
    Box::pin(async move {
        let caller = c.caller(false)?;
        let kind = match c.params.required("ResourceType")?.as_str() {
            "TrafficMirrorSession" => Taggable::Session,
            "TrafficMirrorFilter" => Taggable::Filter,
            _ => {
                return Err(AliError::invalid(
                    "ResourceType",
                    "the value must be TrafficMirrorSession or TrafficMirrorFilter",
                ));
            }
        };
        let id = c.params.required("ResourceId")?;
        let group = c.params.required("NewResourceGroupId")?;
        if !group.starts_with("rg-") || group.len() > 64 {
            return Err(AliError::invalid("NewResourceGroupId", "a resource group id looks like rg-..."));
        }
        c.control.move_resource_group(&caller, &c.write_opts()?, kind, &id, &group).await?;
        done()
    })
}
