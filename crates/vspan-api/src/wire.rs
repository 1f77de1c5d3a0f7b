//! Encoding primitives both dialects share: form decoding that keeps raw bytes, RFC 3986
//! encoding, canonical query strings, SHA-256 hex. Both vendors' signatures are built from
//! these, so they live once.

use sha2::{Digest, Sha256};

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decoding; with `plus_is_space` (form encoding) `+` is a space. A malformed escape
/// stays as it is.
pub fn decode(raw: &[u8], plus_is_space: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' if plus_is_space => out.push(b' '),
            b'%' if i + 2 < raw.len() => match (hex_val(raw[i + 1]), hex_val(raw[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// Splits an `application/x-www-form-urlencoded` string into decoded pairs, keeping empty
/// values (Alibaba's legacy SDK signs `SignatureType=`) and repeated keys (Huawei's lists).
pub fn parse_urlencoded(raw: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    raw.split(|&b| b == b'&')
        .filter(|s| !s.is_empty())
        .map(|item| match item.iter().position(|&b| b == b'=') {
            Some(i) => (decode(&item[..i], true), decode(&item[i + 1..], true)),
            None => (decode(item, true), Vec::new()),
        })
        .collect()
}

/// RFC 3986 encoding: unreserved characters kept, everything else `%XX` upper-case.
pub fn enc(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[(b >> 4) as usize]));
            out.push(char::from(b"0123456789ABCDEF"[(b & 15) as usize]));
        }
    }
    out
}

/// `k=v&...` over pairs sorted by key, then value, both RFC 3986 encoded.
pub fn canonical_query<'a>(pairs: impl Iterator<Item = (&'a [u8], &'a [u8])>) -> String {
    let mut v: Vec<(&[u8], &[u8])> = pairs.collect();
    v.sort();
    let mut out = String::new();
    for (i, (k, val)) in v.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&enc(k));
        out.push('=');
        out.push_str(&enc(val));
    }
    out
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_is_rfc3986() {
        assert_eq!(enc(b"a b*~/"), "a%20b%2A~%2F");
        assert_eq!(enc(&[0xff]), "%FF");
    }

    #[test]
    fn form_decoding() {
        let p = parse_urlencoded(b"a=s+1&b=%2F%zz&c=&d&a=2");
        assert_eq!(p[0], (b"a".to_vec(), b"s 1".to_vec()));
        assert_eq!(p[1].1, b"/%zz".to_vec());
        assert_eq!(p[2].1, b"".to_vec());
        assert_eq!(p[3], (b"d".to_vec(), vec![]));
        assert_eq!(p[4], (b"a".to_vec(), b"2".to_vec()));
        assert_eq!(decode(b"a+b%20", false), b"a+b ".to_vec());
    }
}
