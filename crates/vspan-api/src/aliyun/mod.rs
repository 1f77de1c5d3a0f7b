//! The Alibaba Cloud VPC RPC dialect (API version 2016-04-28): one endpoint, `/`, GET or POST,
//! parameters in the query string and form body, the operation in `Action` (or the
//! `x-acs-action` header with ACS3 signatures). Each request is authenticated ([`auth`]),
//! dispatched through the table in [`actions`], and answered with a flat JSON object carrying
//! `RequestId`, or the error envelope of [`error`].

pub mod actions;
pub mod auth;
pub mod error;
pub mod params;
pub mod render;
pub mod sign;

use crate::ApiState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use error::AliError;
use params::{Params, parse_urlencoded};
use serde_json::{Map, Value};

pub const VERSION: &str = "2016-04-28";
const HOST_ID: &str = "vpc.aliyuncs.com";

pub fn router(state: ApiState) -> Router {
    Router::new().route("/", any(handle)).layer(DefaultBodyLimit::max(1 << 20)).with_state(state)
}

/// An upper-case UUID, as Alibaba's request ids look.
pub fn request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_uppercase()
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json;charset=utf-8"));
    resp
}

pub fn error_response(e: &AliError, request_id: &str) -> Response {
    let (status, code, message) = error::describe(e);
    let body = serde_json::json!({
        "RequestId": request_id,
        "HostId": HOST_ID,
        "Code": code,
        "Message": message,
        "Recommend": format!("https://api.aliyun.com/troubleshoot?q={code}"),
    });
    json_response(status, &body)
}

async fn handle(State(state): State<ApiState>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let rid = request_id();
    match serve(&state, &method, &uri, &headers, &body).await {
        Ok(mut out) => {
            out.insert("RequestId".into(), Value::String(rid));
            json_response(StatusCode::OK, &Value::Object(out))
        }
        Err(e) => error_response(&e, &rid),
    }
}

async fn serve(
    state: &ApiState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Map<String, Value>, AliError> {
    if method != Method::GET && method != Method::POST {
        return Err(AliError::UnknownAction(format!("method {method}")));
    }
    let query = parse_urlencoded(uri.query().unwrap_or_default().as_bytes());
    let mut params = Params { pairs: query.clone() };
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    if is_form {
        params.extend(parse_urlencoded(body));
    }
    let req = auth::Request { method, path: uri.path(), headers, query: &query, params: &params, body };
    let cred = auth::authenticate(&state.credentials, &req)?;
    let header_text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let action = params
        .opt("Action")?
        .or_else(|| header_text("x-acs-action"))
        .ok_or_else(|| AliError::Missing("Action".into()))?;
    let version = params.opt("Version")?.or_else(|| header_text("x-acs-version")).unwrap_or_default();
    let handler = actions::find(&action).ok_or_else(|| AliError::UnknownAction(action.clone()))?;
    if version != VERSION {
        return Err(AliError::InvalidVersion);
    }
    auth::authorize(cred, &action)?;
    let account = state.control.account(&cred.account).cloned().ok_or_else(|| {
        AliError::Internal(format!("access key {} names unknown account {}", cred.access_key_id, cred.account))
    })?;
    let ctx = actions::Ctx { control: &state.control, account, action: &action, params: &params };
    handler(ctx).await
}
