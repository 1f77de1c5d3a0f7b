//! vspan's HTTP surface: the cloud dialects over `vspan-control`.
//!
//! - [`aliyun`]: the Alibaba Cloud VPC RPC dialect (`/?Action=...`, ACS3-HMAC-SHA256 and
//!   HMAC-SHA1 signatures, Alibaba error codes).
//! - [`huawei`]: the Huawei Cloud VPC v3 REST dialect (`/v3/{project_id}/vpc/traffic-mirror-*`,
//!   SDK-HMAC-SHA256 signatures, Huawei error bodies).
//!
//! A dialect translates wire requests into calls on [`vspan_control::Control`] and model errors
//! into its own codes; it holds no business rule.

pub mod admin;
pub mod aliyun;
pub mod credentials;
pub mod huawei;
pub mod wire;

use axum::Router;
use std::sync::Arc;
use vspan_control::Control;

pub use credentials::{Credential, Credentials, Project};

/// What every handler shares.
#[derive(Clone)]
pub struct ApiState {
    pub control: Control,
    pub credentials: Arc<Credentials>,
    /// Bearer token of the operator API; `None` turns it off.
    pub admin_token: Option<String>,
}

/// The whole HTTP surface: every dialect on one listener.
pub fn router(state: ApiState) -> Router {
    admin::router(state.clone()).merge(huawei::router(state.clone())).merge(aliyun::router(state))
}
