//! Signature verification for the Alibaba dialect: ACS3-HMAC-SHA256 (the Tea SDK's default,
//! in the `Authorization` header) and HMAC-SHA1 (the `Signature` parameter). Both rebuild the
//! canonical form from the decoded parameters, so `+` and `%20` for a space verify alike.
//! (reference/api-alibaba.md §8, checked against the captured requests in the tests below.)

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::Sha256;

pub use crate::wire::{canonical_query, enc, sha256_hex};

/// The V1 string to sign: `METHOD&%2F&enc(canonical query)`.
pub fn v1_string_to_sign(method: &str, canonical: &str) -> String {
    format!("{method}&{}&{}", enc(b"/"), enc(canonical.as_bytes()))
}

/// Checks a V1 signature (base64 HMAC-SHA1 with key `secret&`) in constant time.
pub fn v1_verify(secret: &str, string_to_sign: &str, presented_b64: &str) -> bool {
    use base64::Engine;
    let Ok(presented) = base64::engine::general_purpose::STANDARD.decode(presented_b64) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(format!("{secret}&").as_bytes()) else {
        return false;
    };
    mac.update(string_to_sign.as_bytes());
    mac.verify_slice(&presented).is_ok()
}

/// The V3 string to sign: `ACS3-HMAC-SHA256\nhex(sha256(canonical request))`.
pub fn v3_string_to_sign(canonical_request: &str) -> String {
    format!("ACS3-HMAC-SHA256\n{}", sha256_hex(canonical_request.as_bytes()))
}

/// Checks a V3 signature (hex HMAC-SHA256 with key `secret`) in constant time.
pub fn v3_verify(secret: &str, string_to_sign: &str, presented_hex: &str) -> bool {
    let Ok(presented) = hex::decode(presented_hex) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(string_to_sign.as_bytes());
    mac.verify_slice(&presented).is_ok()
}

/// The parts of an `Authorization: ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..`.
#[derive(Debug, PartialEq, Eq)]
pub struct Acs3Auth<'a> {
    pub access_key_id: &'a str,
    pub signed_headers: Vec<&'a str>,
    pub signature: &'a str,
}

pub fn parse_acs3(header: &str) -> Option<Acs3Auth<'_>> {
    let rest = header.strip_prefix("ACS3-HMAC-SHA256")?.trim_start();
    let (mut ak, mut sh, mut sig) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "Credential" => ak = Some(v),
            "SignedHeaders" => sh = Some(v),
            "Signature" => sig = Some(v),
            _ => return None,
        }
    }
    let signed_headers = sh?.split(';').filter(|s| !s.is_empty()).collect();
    Some(Acs3Auth { access_key_id: ak?, signed_headers, signature: sig? })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// reference/api-alibaba.md §9, first capture (V3, ListTrafficMirrorSessions).
    #[test]
    fn v3_capture_verifies() {
        let q: Vec<(&[u8], &[u8])> = vec![
            (b"Enabled", b"True"),
            (b"MaxResults", b"10"),
            (b"RegionId", b"cn-hangzhou"),
            (b"TrafficMirrorSessionIds.1", b"tms-aaa"),
            (b"TrafficMirrorSessionIds.2", b"tms-bbb"),
        ];
        let headers = "accept:application/json\nhost:127.0.0.1:8080\nuser-agent:AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2\nx-acs-action:ListTrafficMirrorSessions\nx-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-acs-credentials-provider:static_ak\nx-acs-date:2026-11-21T20:56:22Z\nx-acs-signature-nonce:2921009a8fac2cb906deaa87ebbb982d\nx-acs-version:2016-04-28\n";
        let signed = "accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version";
        let creq = format!("POST\n/\n{}\n{headers}\n{signed}\n{}", canonical_query(q.into_iter()), sha256_hex(b""));
        let sts = v3_string_to_sign(&creq);
        assert_eq!(sts, "ACS3-HMAC-SHA256\n14300264b299178fb575c0c2408feaccd3b283ed175531c0b6888854502e0684");
        let sig = "1b63f830fe04aeb1f56b43881355ed37cd26ab4812b017ea39797be3ee66a6f3";
        assert!(v3_verify("FakeAccessKeySecretForLocalTests000001", &sts, sig));
        assert!(!v3_verify("wrong", &sts, sig));
    }

    /// reference/api-alibaba.md §9, third capture (legacy SDK, V1, with an empty SignatureType).
    #[test]
    fn v1_capture_verifies() {
        let q: Vec<(&[u8], &[u8])> = vec![
            (b"TrafficMirrorSessionIds.1", b"tms-aaa"),
            (b"TrafficMirrorSessionIds.2", b"tms-bbb"),
            (b"Enabled", b"True"),
            (b"MaxResults", b"10"),
            (b"Version", b"2016-04-28"),
            (b"Action", b"ListTrafficMirrorSessions"),
            (b"Format", b"JSON"),
            (b"RegionId", b"cn-hangzhou"),
            (b"Timestamp", b"2026-11-21T20:55:51Z"),
            (b"SignatureMethod", b"HMAC-SHA1"),
            (b"SignatureType", b""),
            (b"SignatureVersion", b"1.0"),
            (b"SignatureNonce", b"d52a2137556b8ebb602667a7447b442f"),
            (b"AccessKeyId", b"LTAIFAKEACCESSKEYID0001"),
        ];
        let sts = v1_string_to_sign("POST", &canonical_query(q.into_iter()));
        assert!(v1_verify("FakeAccessKeySecretForLocalTests000001", &sts, "TRIelaLUONcu59c0gh+tH8Qculw="));
        assert!(!v1_verify("FakeAccessKeySecretForLocalTests000002", &sts, "TRIelaLUONcu59c0gh+tH8Qculw="));
    }

    #[test]
    fn acs3_header_parses() {
        let a = parse_acs3("ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date,Signature=ab12").unwrap();
        assert_eq!(a, Acs3Auth { access_key_id: "AK", signed_headers: vec!["host", "x-acs-date"], signature: "ab12" });
        assert!(parse_acs3("ACS3-HMAC-SM3 Credential=AK").is_none());
        assert!(parse_acs3("ACS3-HMAC-SHA256 garbage").is_none());
    }
}
