//! The Internet checksum (RFC 1071), for the outer IPv4 header and the outer UDP datagram.
//!
//! Summed 32 bits at a time into a 64-bit accumulator: the one's-complement sum is
//! associative over word size, and wide words keep the 1500-byte case cheap.

/// One's-complement partial sum of `data`, not yet folded. An odd trailing byte is padded with
/// zero, as RFC 1071 says; so only the last slice of a sequence may have odd length.
///
/// Adds 64-bit big-endian words with end-around carry: the one's-complement sum is the same
/// whatever the word size, and wide words halve the work on full-size frames.
#[inline]
pub fn sum(data: &[u8], acc: u64) -> u64 {
    let mut acc = acc;
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        let (s, carry) = acc.overflowing_add(w);
        acc = s + u64::from(carry);
    }
    let rest = chunks.remainder();
    let mut tail = [0u8; 8];
    tail[..rest.len()].copy_from_slice(rest);
    let (s, carry) = acc.overflowing_add(u64::from_be_bytes(tail));
    s + u64::from(carry)
}

/// Folds a partial sum into the final 16-bit checksum (complemented).
#[inline]
pub fn finish(acc: u64) -> u16 {
    // Fold 64 -> 32 with end-around carry, then 32 -> 16.
    let (s, carry) = ((acc >> 32) as u32).overflowing_add(acc as u32);
    let mut acc = u64::from(s) + u64::from(carry);
    while acc >> 16 != 0 {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    // Truncation is exact: the loop above leaves at most 16 significant bits.
    !(acc as u16)
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
        let mut h = [
            0x45u8, 0, 0, 0x54, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 198, 51, 100, 7,
        ];
        let c = checksum(&h);
        h[10..12].copy_from_slice(&c.to_be_bytes());
        assert_eq!(checksum(&h), 0);
    }
}
