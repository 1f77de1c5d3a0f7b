//! The Internet checksum (RFC 1071), for the outer IPv4 header and the outer UDP datagram.
//!
//! Summed 32 bits at a time into a 64-bit accumulator: the one's-complement sum is
//! associative over word size, and wide words keep the 1500-byte case cheap.

/// One's-complement partial sum of `data` added to `acc` (both in network byte order), not
/// yet complemented. An odd trailing byte is padded with zero, as RFC 1071 says; so only the
/// last slice of a sequence may have odd length.
///
/// The data is summed as little-endian 32-bit words into four 64-bit lanes, which the
/// compiler vectorises with baseline SSE2: the one's-complement sum is independent of word
/// size and of byte order (RFC 1071, section 2), so the folded 16-bit result only needs one
/// byte swap to be in network order. The lanes cannot overflow below 2^34 bytes of input.
#[inline]
pub fn sum(data: &[u8], acc: u64) -> u64 {
    let mut lanes = [0u64; 4];
    let mut chunks = data.chunks_exact(16);
    for c in &mut chunks {
        for (i, lane) in lanes.iter_mut().enumerate() {
            let w = [c[4 * i], c[4 * i + 1], c[4 * i + 2], c[4 * i + 3]];
            *lane += u64::from(u32::from_le_bytes(w));
        }
    }
    let mut rest = chunks.remainder().chunks_exact(4);
    for c in &mut rest {
        lanes[0] += u64::from(u32::from_le_bytes([c[0], c[1], c[2], c[3]]));
    }
    let tail = rest.remainder();
    let mut t = [0u8; 4];
    t[..tail.len()].copy_from_slice(tail);
    lanes[1] += u64::from(u32::from_le_bytes(t));
    // Sum the lanes with end-around carry, fold to 16 bits, then swap to network order.
    let mut total = 0u64;
    for l in lanes {
        let (s, carry) = total.overflowing_add(l);
        total = s + u64::from(carry);
    }
    let le16 = fold16(total);
    acc + u64::from(le16.swap_bytes())
}

/// Folds a 64-bit one's-complement sum to 16 bits (not complemented).
#[inline]
fn fold16(acc: u64) -> u16 {
    // 64 -> 32 with end-around carry, then 32 -> 16.
    let (s, carry) = ((acc >> 32) as u32).overflowing_add(acc as u32);
    let mut acc = u64::from(s) + u64::from(carry);
    while acc >> 16 != 0 {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    // Truncation is exact: the loop leaves at most 16 significant bits.
    acc as u16
}

/// Folds a partial sum into the final 16-bit checksum (complemented).
#[inline]
pub fn finish(acc: u64) -> u16 {
    !fold16(acc)
}

/// Checksum of one contiguous buffer.
#[inline]
pub fn checksum(data: &[u8]) -> u16 {
    finish(sum(data, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc1071_example() {
        // Example from RFC 1071 section 3: sum of these words is 0xddf2, checksum 0x220d.
        let d = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(checksum(&d), !0xddf2);
    }

    #[test]
    fn odd_length_pads_with_zero() {
        assert_eq!(checksum(&[0x12, 0x34, 0x56]), !(0x1234u16 + 0x5600));
    }

    fn naive(parts: &[&[u8]]) -> u16 {
        let bytes: Vec<u8> = parts.concat();
        let mut acc: u32 = 0;
        for c in bytes.chunks(2) {
            acc += u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]));
        }
        while acc >> 16 != 0 {
            acc = (acc & 0xffff) + (acc >> 16);
        }
        !(acc as u16)
    }

    #[test]
    fn wide_sum_equals_naive_16_bit_sum_across_slices() {
        let mut x: u32 = 12345;
        let data: Vec<u8> = (0..3000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (x >> 16) as u8
            })
            .collect();
        for len in [0, 1, 2, 7, 8, 9, 63, 64, 1499, 1500, 2999] {
            for split in [0usize, 2, 4, 6, 12, 14] {
                let split = split.min(len & !1);
                let (a, b) = data[..len].split_at(split);
                assert_eq!(finish(sum(b, sum(a, 0))), naive(&[a, b]), "{len}/{split}");
            }
        }
        let ones = [0xffu8; 4096];
        assert_eq!(checksum(&ones), naive(&[&ones]));
    }

    #[test]
    fn valid_header_sums_to_zero() {
        let mut h = [0x45u8, 0, 0, 0x54, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 198, 51, 100, 7];
        let c = checksum(&h);
        h[10..12].copy_from_slice(&c.to_be_bytes());
        assert_eq!(checksum(&h), 0);
    }
}
