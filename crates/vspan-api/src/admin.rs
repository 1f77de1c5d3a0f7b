//! The operator API: what an operator (not a cloud tenant) asks of the server, behind the
//! `admin_token` bearer token. Off (404) when no token is configured. `/healthz` is open.

use crate::ApiState;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/admin/v1/revision", get(revision))
        .with_state(state)
}

fn authorized(state: &ApiState, headers: &HeaderMap) -> Result<(), StatusCode> {
    let Some(token) = &state.admin_token else { return Err(StatusCode::NOT_FOUND) };
    let presented = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if bool::from(presented.as_bytes().ct_eq(token.as_bytes())) { Ok(()) } else { Err(StatusCode::UNAUTHORIZED) }
}

/// The global revision: how many writes the server has committed.
async fn revision(State(state): State<ApiState>, headers: HeaderMap) -> Result<Json<Value>, StatusCode> {
    authorized(&state, &headers)?;
    let rev = state.control.revision().await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(Json(json!({ "revision": rev })))
}
