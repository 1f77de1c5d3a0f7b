//! Who is calling: the SDK-HMAC-SHA256 signature is checked against the access key's secret,
//! then `X-Sdk-Date` (signed, within 15 minutes). Every failure is the API gateway's 401.

use super::error::HwError;
use super::sign;
use crate::credentials::{Credential, Credentials, SKEW};
use axum::http::{HeaderMap, Method};
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

pub fn authenticate<'c>(
    creds: &'c Credentials,
    method: &Method,
    raw_path: &str,
    raw_query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<&'c Credential, HwError> {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| HwError::Auth("the request is not signed".into()))?;
    let a = sign::parse(auth).ok_or_else(|| HwError::Auth("Authorization is not SDK-HMAC-SHA256".into()))?;
    let cred = creds.get(a.access).ok_or_else(|| HwError::Auth("ak is invalid".into()))?;
    for required in ["host", "x-sdk-date"] {
        if !a.signed_headers.contains(&required) {
            return Err(HwError::Auth(format!("{required} must be signed")));
        }
    }
    let mut signed = Vec::with_capacity(a.signed_headers.len());
    for name in &a.signed_headers {
        let value = headers.get(*name).and_then(|v| v.to_str().ok()).unwrap_or_default().trim().to_owned();
        signed.push((*name, value));
    }
    let payload = match headers.get("x-sdk-content-sha256").and_then(|v| v.to_str().ok()) {
        Some(v) => v.to_owned(),
        None => crate::wire::sha256_hex(body),
    };
    let date = headers.get("x-sdk-date").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let creq = sign::canonical_request(method.as_str(), raw_path, raw_query, &signed, &payload);
    if !sign::verify(&cred.secret, &sign::string_to_sign(date, &creq), a.signature) {
        return Err(HwError::Auth("verify aksk signature fail".into()));
    }
    let t = PrimitiveDateTime::parse(date, format_description!("[year][month][day]T[hour][minute][second]Z"))
        .map_err(|_| HwError::Auth("X-Sdk-Date is not YYYYMMDDTHHMMSSZ".into()))?
        .assume_utc();
    if (OffsetDateTime::now_utc() - t).abs() > SKEW {
        return Err(HwError::Auth("signature expired".into()));
    }
    Ok(cred)
}
