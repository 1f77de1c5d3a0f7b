//! The Huawei Cloud VPC v3 dialect: `/v3/{project_id}/vpc/traffic-mirror-sessions`,
//! `.../traffic-mirror-filters` and `.../traffic-mirror-filter-rules`, signed with
//! SDK-HMAC-SHA256. A request is routed ([`Route`]), authenticated ([`auth`]), its project
//! mapped to the caller's account and region, then served by [`session`], [`filter`] or
//! [`rule`], which only translate between Huawei's JSON and `vspan-control`.

pub mod auth;
pub mod body;
pub mod error;
pub mod filter;
pub mod render;
pub mod rule;
pub mod session;
pub mod sign;

use crate::ApiState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use error::HwError;
use serde_json::Value;
use vspan_control::{Caller, Control, WriteOpts};
use vspan_model::{Policy, Scope};

pub fn router(state: ApiState) -> Router {
    Router::new().route("/v3/{*rest}", any(handle)).layer(DefaultBodyLimit::max(1 << 20)).with_state(state)
}

/// Which collection a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    Sessions,
    Filters,
    Rules,
}

/// A parsed path: `/v3/{project}/vpc/{collection}[/{id}[/{action}]]`.
#[derive(Debug, PartialEq, Eq)]
pub struct Route {
    pub project: String,
    pub collection: Collection,
    pub id: Option<String>,
    pub action: Option<String>,
}

fn segment(s: &str) -> Option<String> {
    String::from_utf8(crate::wire::decode(s.as_bytes(), false)).ok()
}

impl Route {
    pub fn parse(path: &str) -> Option<Route> {
        let rest = path.strip_prefix("/v3/")?;
        let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
        if parts.len() < 3 || parts.len() > 5 || parts[1] != "vpc" {
            return None;
        }
        let collection = match parts[2] {
            "traffic-mirror-sessions" => Collection::Sessions,
            "traffic-mirror-filters" => Collection::Filters,
            "traffic-mirror-filter-rules" => Collection::Rules,
            _ => return None,
        };
        let id = match parts.get(3) {
            Some(&"") => return None,
            Some(s) => Some(segment(s)?),
            None => None,
        };
        Some(Route { project: segment(parts[0])?, collection, id, action: parts.get(4).map(|s| (*s).to_owned()) })
    }
}

/// Everything a handler needs.
pub struct Ctx<'a> {
    pub control: &'a Control,
    pub caller: Caller,
    pub project: &'a str,
    pub query: &'a str,
    pub body: &'a [u8],
}

impl Ctx<'_> {
    /// Huawei writes carry no client token and no dry run.
    pub fn opts(&self, action: &str) -> WriteOpts {
        WriteOpts { client_token: None, dry_run: false, action: action.to_owned(), request_hash: String::new() }
    }
}

/// A success: the status and the body (before `request_id` is added); `None` for 204.
pub type Reply = Result<(StatusCode, Option<Value>), HwError>;

pub fn request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn with_request_id(status: StatusCode, body: Option<Value>, rid: &str) -> Response {
    let mut resp = match body {
        None => status.into_response(),
        Some(mut v) => {
            if let Value::Object(m) = &mut v {
                m.insert("request_id".into(), Value::String(rid.to_owned()));
            }
            let mut r = (status, v.to_string()).into_response();
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json;charset=UTF-8"));
            r
        }
    };
    if let Ok(v) = HeaderValue::from_str(rid) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

async fn handle(State(state): State<ApiState>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let rid = request_id();
    match serve(&state, &method, &uri, &headers, &body).await {
        Ok((status, out)) => with_request_id(status, out, &rid),
        Err(e) => {
            let (status, code, msg) = error::describe(&e);
            with_request_id(status, Some(serde_json::json!({"error_code": code, "error_msg": msg})), &rid)
        }
    }
}

async fn serve(state: &ApiState, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Reply {
    let route = Route::parse(uri.path()).ok_or(HwError::NoRoute)?;
    let query = uri.query().unwrap_or_default();
    let cred = auth::authenticate(&state.credentials, method, uri.path(), query, headers, body)?;
    let project = state
        .credentials
        .project(&route.project)
        .filter(|p| p.account == cred.account)
        .ok_or_else(|| HwError::Project(format!("project {} does not belong to the caller", route.project)))?;
    if let Some(p) = headers.get("x-project-id").and_then(|v| v.to_str().ok())
        && p != route.project
    {
        return Err(HwError::Project(format!("X-Project-Id {p} differs from the path's project")));
    }
    let account = state
        .control
        .account(&cred.account)
        .cloned()
        .ok_or_else(|| HwError::Internal(format!("access key {} names unknown account", cred.access_key_id)))?;
    let caller =
        Caller { scope: Scope::new(project.account.clone(), project.region.clone()), account, policy: Policy::HUAWEI };
    let ctx = Ctx { control: &state.control, caller, project: &route.project, query, body };
    let id = route.id.as_deref();
    match (route.collection, method.clone(), id, route.action.as_deref()) {
        (Collection::Sessions, Method::POST, None, None) => session::create(&ctx).await,
        (Collection::Sessions, Method::GET, None, None) => session::list(&ctx).await,
        (Collection::Sessions, Method::GET, Some(id), None) => session::show(&ctx, id).await,
        (Collection::Sessions, Method::PUT, Some(id), None) => session::update(&ctx, id).await,
        (Collection::Sessions, Method::DELETE, Some(id), None) => session::delete(&ctx, id).await,
        (Collection::Sessions, Method::PUT, Some(id), Some("add-sources")) => session::add_sources(&ctx, id).await,
        (Collection::Sessions, Method::PUT, Some(id), Some("remove-sources")) => {
            session::remove_sources(&ctx, id).await
        }
        (Collection::Filters, Method::POST, None, None) => filter::create(&ctx).await,
        (Collection::Filters, Method::GET, None, None) => filter::list(&ctx).await,
        (Collection::Filters, Method::GET, Some(id), None) => filter::show(&ctx, id).await,
        (Collection::Filters, Method::PUT, Some(id), None) => filter::update(&ctx, id).await,
        (Collection::Filters, Method::DELETE, Some(id), None) => filter::delete(&ctx, id).await,
        (Collection::Rules, Method::POST, None, None) => rule::create(&ctx).await,
        (Collection::Rules, Method::GET, None, None) => rule::list(&ctx).await,
        (Collection::Rules, Method::GET, Some(id), None) => rule::show(&ctx, id).await,
        (Collection::Rules, Method::PUT, Some(id), None) => rule::update(&ctx, id).await,
        (Collection::Rules, Method::DELETE, Some(id), None) => rule::delete(&ctx, id).await,
        _ => Err(HwError::NoRoute),
    }
}

/// `page_info` of a list answer: `next_marker` only when more follow.
pub fn page_info(ids: &[&str], more: bool) -> Value {
    let mut m = serde_json::Map::new();
    if let Some(first) = ids.first() {
        m.insert("previous_marker".into(), Value::from(*first));
    }
    m.insert("current_count".into(), Value::from(ids.len()));
    if more && let Some(last) = ids.last() {
        m.insert("next_marker".into(), Value::from(*last));
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let r = Route::parse("/v3/p1/vpc/traffic-mirror-sessions/s-1/remove-sources").unwrap();
        assert_eq!(r.project, "p1");
        assert_eq!(r.collection, Collection::Sessions);
        assert_eq!(r.id.as_deref(), Some("s-1"));
        assert_eq!(r.action.as_deref(), Some("remove-sources"));
        assert_eq!(Route::parse("/v3/%7Bproject_id%7D/vpc/traffic-mirror-filters").unwrap().project, "{project_id}");
        assert!(Route::parse("/v3/p1/vpc/ports").is_none());
        assert!(Route::parse("/v3/p1/nat/traffic-mirror-sessions").is_none());
        assert!(Route::parse("/v2/p1/vpc/traffic-mirror-sessions").is_none());
    }
}
