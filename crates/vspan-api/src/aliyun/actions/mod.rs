//! The Alibaba operations of the traffic mirroring family: the dispatch table (which actions
//! exist is answered by [`TABLE`]) and the shared pieces each operation uses to turn its
//! parameters into calls on the control plane.

mod filter;
mod service;
mod session;
mod tag;

use super::error::AliError;
use super::params::Params;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::pin::Pin;
use vspan_control::{Caller, Control, WriteOpts};
use vspan_model::{Account, Policy, Scope, Tag};

/// Everything an operation needs from the request.
pub struct Ctx<'a> {
    pub control: &'a Control,
    pub account: Account,
    pub action: &'a str,
    pub params: &'a Params,
}

pub type Answer = Result<Map<String, Value>, AliError>;
pub type Fut<'a> = Pin<Box<dyn Future<Output = Answer> + Send + 'a>>;
pub type Handler = for<'a> fn(Ctx<'a>) -> Fut<'a>;

/// Every operation this dialect serves.
pub const TABLE: &[(&str, Handler)] = &[
    ("OpenTrafficMirrorService", service::open),
    ("GetTrafficMirrorServiceStatus", service::status),
    ("CreateTrafficMirrorFilter", filter::create),
    ("DeleteTrafficMirrorFilter", filter::delete),
    ("ListTrafficMirrorFilters", filter::list),
    ("UpdateTrafficMirrorFilterAttribute", filter::update),
    ("CreateTrafficMirrorFilterRules", filter::create_rules),
    ("DeleteTrafficMirrorFilterRules", filter::delete_rules),
    ("UpdateTrafficMirrorFilterRuleAttribute", filter::update_rule),
    ("CreateTrafficMirrorSession", session::create),
    ("DeleteTrafficMirrorSession", session::delete),
    ("ListTrafficMirrorSessions", session::list),
    ("UpdateTrafficMirrorSessionAttribute", session::update),
    ("AddSourcesToTrafficMirrorSession", session::add_sources),
    ("RemoveSourcesFromTrafficMirrorSession", session::remove_sources),
    ("TagResources", tag::tag_resources),
    ("UnTagResources", tag::untag_resources),
    ("ListTagResources", tag::list_tag_resources),
    ("MoveResourceGroup", tag::move_resource_group),
];

pub fn find(action: &str) -> Option<Handler> {
    TABLE.iter().find(|(name, _)| *name == action).map(|(_, h)| *h)
}

/// Parameters that are about transport, signing or idempotency, not the operation's content;
/// they do not take part in the client-token comparison.
const NOT_CONTENT: &[&str] = &[
    "Action",
    "Version",
    "Format",
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "SignatureType",
    "Timestamp",
    "SecurityToken",
    "ClientToken",
    "DryRun",
    "OwnerId",
    "OwnerAccount",
    "ResourceOwnerId",
    "ResourceOwnerAccount",
];

impl Ctx<'_> {
    /// The caller in the request's region; `RegionId` is required unless `region_optional`.
    pub fn caller(&self, region_optional: bool) -> Result<Caller, AliError> {
        let region = match self.params.opt("RegionId")?.filter(|r| !r.is_empty()) {
            Some(r) => r,
            None if region_optional => "*".to_owned(),
            None => return Err(AliError::Missing("RegionId".into())),
        };
        Ok(Caller {
            scope: Scope::new(self.account.id.clone(), region),
            account: self.account.clone(),
            policy: Policy::ALIBABA,
        })
    }

    /// Client token, dry run and the digest of the request's content.
    pub fn write_opts(&self) -> Result<WriteOpts, AliError> {
        let mut content: Vec<&(Vec<u8>, Vec<u8>)> = self
            .params
            .pairs
            .iter()
            .filter(|(k, _)| !NOT_CONTENT.iter().any(|n| n.as_bytes() == k.as_slice()))
            .collect();
        content.sort();
        let mut h = Sha256::new();
        for (k, v) in content {
            h.update((k.len() as u64).to_le_bytes());
            h.update(k);
            h.update((v.len() as u64).to_le_bytes());
            h.update(v);
        }
        Ok(WriteOpts {
            client_token: self.params.opt("ClientToken")?,
            dry_run: self.params.bool("DryRun")?.unwrap_or(false),
            action: self.action.to_owned(),
            request_hash: hex::encode(h.finalize()),
        })
    }

    /// `Base.N.Key` / `Base.N.Value` tags (`Tag` on create and tag calls, `Tags` on List*).
    pub fn tags(&self, base: &str) -> Result<Vec<Tag>, AliError> {
        self.params
            .objects(base, 20)?
            .into_iter()
            .map(|mut o| {
                let key = o.remove("Key").unwrap_or_default();
                let value = o.remove("Value").unwrap_or_default();
                if key.is_empty() {
                    return Err(AliError::Missing(format!("{base}.Key")));
                }
                Ok(Tag { key, value })
            })
            .collect()
    }

    /// `MaxResults` within `1..=max` (default `default`) and the `NextToken` cursor.
    pub fn paging(&self, default: i64, max: i64) -> Result<(i64, Option<String>), AliError> {
        let limit = self.params.int("MaxResults")?.unwrap_or(default);
        if !(1..=max).contains(&limit) {
            return Err(AliError::invalid("MaxResults", format!("the value must be between 1 and {max}")));
        }
        Ok((limit, self.params.opt("NextToken")?))
    }
}

/// An empty answer (the RequestId is added by the caller).
pub fn done() -> Answer {
    Ok(Map::new())
}

pub fn one(key: &str, value: impl Into<Value>) -> Answer {
    let mut m = Map::new();
    m.insert(key.to_owned(), value.into());
    Ok(m)
}
