//! A symmetric hash of the inner 5-tuple: both directions of a flow hash alike.
//!
//! It picks the outer UDP source port (so collectors' RSS keeps a flow on one queue and both
//! of its directions together) and the backend of a load-balancer target. The two endpoints
//! are put in a canonical order before hashing, which is what makes it symmetric. Fragments
//! hash without ports, so every fragment of a datagram, including the first one that carries
//! the ports, lands with the others.

use crate::parse::FlowKey;

/// Lowest outer source port: RFC 7348 recommends the dynamic range 49152-65535.
pub const SRC_PORT_BASE: u16 = 49152;

#[inline]
fn mix(mut x: u64) -> u64 {
    // splitmix64 finaliser: cheap and well distributed.
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Folds a 128-bit address to 64 bits; the rotation keeps IPv6 halves from cancelling.
#[inline]
fn fold(a: u128) -> u64 {
    // Truncating casts split the address into halves on purpose.
    (a as u64) ^ ((a >> 64) as u64).rotate_left(29)
}

/// Symmetric 64-bit hash of the key's addresses, protocol and (when usable) ports.
#[inline]
pub fn symmetric_hash(key: &FlowKey) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let (sp, dp) = if key.has_ports && !key.fragment { (key.sport, key.dport) } else { (0, 0) };
    let a = (key.src, sp);
    let b = (key.dst, dp);
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let mut h = u64::from(key.proto) | (key.family as u64) << 8;
    h = (h ^ fold(lo.0)).wrapping_mul(K).rotate_left(31);
    h = (h ^ fold(hi.0)).wrapping_mul(K).rotate_left(31);
    h = (h ^ (u64::from(lo.1) << 16 | u64::from(hi.1))).wrapping_mul(K);
    mix(h)
}

/// Outer UDP source port for a hash, in 49152-65535.
#[inline]
pub fn source_port(hash: u64) -> u16 {
    // The mask keeps 14 bits, so the cast cannot lose anything.
    SRC_PORT_BASE | (hash & 0x3fff) as u16
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::tests::ipv4_frame;

    #[test]
    fn both_directions_hash_alike() {
        let a = FlowKey::parse(&ipv4_frame(6, [10, 0, 0, 1], [10, 0, 0, 2], 40000, 80));
        let b = FlowKey::parse(&ipv4_frame(6, [10, 0, 0, 2], [10, 0, 0, 1], 80, 40000));
        let c = FlowKey::parse(&ipv4_frame(6, [10, 0, 0, 2], [10, 0, 0, 1], 80, 40001));
        assert_eq!(symmetric_hash(&a), symmetric_hash(&b));
        assert_ne!(symmetric_hash(&a), symmetric_hash(&c));
        assert!(source_port(symmetric_hash(&a)) >= SRC_PORT_BASE);
    }
}
