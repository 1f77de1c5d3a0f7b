//! The Internet checksum (RFC 1071), for the outer IPv4 header and the outer UDP datagram.
//!
//! Summed 32 bits at a time into a 64-bit accumulator: the one's-complement sum is
//! associative over word size, and wide words keep the 1500-byte case cheap.

/// One's-complement partial sum of `data`, not yet folded. An odd trailing byte is padded with
/// zero, as RFC 1071 says; so only the last slice of a sequence may have odd length.
#[inline]
pub fn sum(data: &[u8], mut acc: u64) -> u64 {
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        acc += u64::from(u32::from_be_bytes([c[0], c[1], c[2], c[3]]));
    }
    let rest = chunks.remainder();
    let mut tail = [0u8; 4];
    tail[..rest.len()].copy_from_slice(rest);
    acc + u64::from(u32::from_be_bytes(tail))
}

/// Folds a partial sum into the final 16-bit checksum (complemented).
#[inline]
pub fn finish(mut acc: u64) -> u16 {
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
