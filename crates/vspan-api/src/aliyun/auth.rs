//! Who is calling: the request's signature (ACS3-HMAC-SHA256 or HMAC-SHA1) is checked against the
//! access key's secret, then its freshness (timestamp within 15 minutes, nonce unused), then the
//! RAM policy of a RAM user's key.

use super::error::AliError;
use super::params::Params;
use super::sign;
use crate::credentials::{Credential, Credentials, SKEW};
use axum::http::{HeaderMap, Method};
use time::OffsetDateTime;
use time::PrimitiveDateTime;
use time::macros::format_description;

/// The headers the ACS3 signature must cover, so a replayed request cannot swap them.
const V3_REQUIRED_SIGNED: [&str; 3] = ["x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"];

/// The request as the verifier needs it.
pub struct Request<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub headers: &'a HeaderMap,
    /// Decoded pairs of the query string only (V3 signs the query, not a form body).
    pub query: &'a [(Vec<u8>, Vec<u8>)],
    /// Every parameter: query and form body.
    pub params: &'a Params,
    pub body: &'a [u8],
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

fn check_time(value: Option<&str>) -> Result<(), AliError> {
    let v = value.ok_or(AliError::TimestampFormat)?;
    let t = PrimitiveDateTime::parse(v, format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z"))
        .map_err(|_| AliError::TimestampFormat)?
        .assume_utc();
    let skew = (OffsetDateTime::now_utc() - t).abs();
    if skew > SKEW {
        return Err(AliError::TimestampExpired);
    }
    Ok(())
}

/// Verifies the request and answers the credential that signed it.
pub fn authenticate<'c>(creds: &'c Credentials, req: &Request<'_>) -> Result<&'c Credential, AliError> {
    if let Some(auth) = header(req.headers, "authorization") {
        return verify_v3(creds, req, auth);
    }
    if req.params.raw("Signature").is_some() {
        return verify_v1(creds, req);
    }
    Err(AliError::IncompleteSignature("the request is not signed".into()))
}

fn verify_v3<'c>(creds: &'c Credentials, req: &Request<'_>, auth: &str) -> Result<&'c Credential, AliError> {
    let a = sign::parse_acs3(auth).ok_or_else(|| {
        AliError::IncompleteSignature(
            "Authorization is not ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..".into(),
        )
    })?;
    let cred = creds.get(a.access_key_id).ok_or(AliError::AccessKeyNotFound)?;
    for h in V3_REQUIRED_SIGNED {
        if !a.signed_headers.contains(&h) {
            return Err(AliError::IncompleteSignature(format!("the header {h} must be signed")));
        }
    }
    let payload = sign::sha256_hex(req.body);
    let mut canonical_headers = String::new();
    for name in &a.signed_headers {
        let mut values: Vec<&str> =
            req.headers.get_all(*name).iter().filter_map(|v| v.to_str().ok()).map(str::trim).collect();
        values.sort_unstable();
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(&values.join(","));
        canonical_headers.push('\n');
    }
    let query = sign::canonical_query(req.query.iter().map(|(k, v)| (k.as_slice(), v.as_slice())));
    let path = if req.path.is_empty() { "/" } else { req.path };
    let creq = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method.as_str(),
        path,
        query,
        canonical_headers,
        a.signed_headers.join(";"),
        header(req.headers, "x-acs-content-sha256").unwrap_or_default()
    );
    let sts = sign::v3_string_to_sign(&creq);
    if !sign::v3_verify(&cred.secret, &sts, a.signature) {
        return Err(AliError::SignatureMismatch { string_to_sign: sts });
    }
    if header(req.headers, "x-acs-content-sha256") != Some(payload.as_str()) {
        return Err(AliError::SignatureMismatch { string_to_sign: sts });
    }
    check_time(header(req.headers, "x-acs-date"))?;
    let nonce = header(req.headers, "x-acs-signature-nonce").unwrap_or_default();
    if nonce.is_empty() {
        return Err(AliError::IncompleteSignature("x-acs-signature-nonce is empty".into()));
    }
    if !creds.use_nonce(&cred.access_key_id, nonce) {
        return Err(AliError::NonceUsed);
    }
    Ok(cred)
}

fn verify_v1<'c>(creds: &'c Credentials, req: &Request<'_>) -> Result<&'c Credential, AliError> {
    let p = req.params;
    let text = |name: &str| p.raw(name).and_then(|v| std::str::from_utf8(v).ok());
    let ak = text("AccessKeyId").ok_or_else(|| AliError::IncompleteSignature("AccessKeyId is missing".into()))?;
    let cred = creds.get(ak).ok_or(AliError::AccessKeyNotFound)?;
    if text("SignatureMethod") != Some("HMAC-SHA1") || text("SignatureVersion") != Some("1.0") {
        return Err(AliError::IncompleteSignature("SignatureMethod must be HMAC-SHA1 and SignatureVersion 1.0".into()));
    }
    let presented = text("Signature").unwrap_or_default();
    let canonical = sign::canonical_query(
        p.pairs.iter().filter(|(k, _)| k != b"Signature").map(|(k, v)| (k.as_slice(), v.as_slice())),
    );
    let sts = sign::v1_string_to_sign(req.method.as_str(), &canonical);
    if !sign::v1_verify(&cred.secret, &sts, presented) {
        return Err(AliError::SignatureMismatch { string_to_sign: sts });
    }
    check_time(text("Timestamp"))?;
    let nonce = text("SignatureNonce").unwrap_or_default();
    if nonce.is_empty() {
        return Err(AliError::IncompleteSignature("SignatureNonce is missing".into()));
    }
    if !creds.use_nonce(&cred.access_key_id, nonce) {
        return Err(AliError::NonceUsed);
    }
    Ok(cred)
}

/// A RAM user's key may call only what its policy allows.
pub fn authorize(cred: &Credential, action: &str) -> Result<(), AliError> {
    match &cred.allow {
        Some(patterns) if !vspan_model::inventory::action_allowed(patterns, &format!("vpc:{action}")) => {
            Err(AliError::ForbiddenRam(action.to_owned()))
        }
        _ => Ok(()),
    }
}
