//! Resource ids: a type prefix (`tms-`, `tmf-`, `tmr-`) and 20 lower-case alphanumerics, the
//! shape Alibaba's examples show. Both dialects use the same id for the same resource.

/// Prefix of traffic mirror session ids.
pub const SESSION: &str = "tms-";
/// Prefix of traffic mirror filter ids.
pub const FILTER: &str = "tmf-";
/// Prefix of traffic mirror filter rule ids.
pub const RULE: &str = "tmr-";

const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// A fresh random id with `prefix`. 20 base-36 digits carry about 103 bits of the v4 UUID's
/// 122 random bits: collisions are not a practical concern.
pub fn new_id(prefix: &str) -> String {
    let mut n = uuid::Uuid::new_v4().as_u128();
    let mut out = String::with_capacity(prefix.len() + 20);
    out.push_str(prefix);
    for _ in 0..20 {
        out.push(ALPHABET[(n % 36) as usize] as char);
        n /= 36;
    }
    out
}

/// A random value in `0..bound`, for server-chosen values such as a session's VNI.
pub fn random_below(bound: u32) -> u32 {
    (uuid::Uuid::new_v4().as_u128() % u128::from(bound.max(1))) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_prefix_and_shape() {
        let id = new_id(SESSION);
        assert!(id.starts_with("tms-"));
        assert_eq!(id.len(), 24);
        assert!(id[4..].bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        assert_ne!(new_id(SESSION), new_id(SESSION));
    }
}
