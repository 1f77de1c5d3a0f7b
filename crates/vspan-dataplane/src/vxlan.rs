//! VXLAN (RFC 7348): encapsulation into a complete outer Ethernet/IPv4/UDP frame, the bare
//! VXLAN header for senders whose kernel builds the outer headers, and decapsulation.
//!
//! Outer frames carry DF and TTL 64, a valid IPv4 header checksum and a valid UDP checksum
//! (RFC 7348 allows 0 over IPv4, but analyzers then cannot check the copy's integrity). The
//! IPv4 identification is 0, which RFC 6864 permits for atomic (DF) datagrams.

use crate::checksum;
use crate::parse::{FlowKey, IPPROTO_UDP};

/// IANA port for VXLAN.
pub const VXLAN_PORT: u16 = 4789;
/// Size of the VXLAN header.
pub const VXLAN_HEADER_LEN: usize = 8;
/// Outer Ethernet (14) + IPv4 (20) + UDP (8) + VXLAN (8): what encapsulation adds in front.
pub const OUTER_V4_LEN: usize = 50;
/// Encapsulation budget against the path MTU, as DESIGN.md fixes it: a copy longer than
/// `MTU - 50` is cut. This is Linux's `VXLAN_HEADROOM` and 14 bytes more conservative than the
/// outer IPv4 datagram strictly needs (20 + 8 + 8), which leaves room for an outer VLAN tag.
pub const MTU_OVERHEAD_V4: usize = 50;
/// Largest inner frame one outer IPv4 datagram can carry (total length is 16 bits).
pub const MAX_INNER_V4: usize = 65535 - 36;

/// Outer MAC addresses used when no real next hop is known (offline replay): locally
/// administered unicast addresses, documented so captures can be recognised.
pub const DEFAULT_OUTER_SRC_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];
pub const DEFAULT_OUTER_DST_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];

/// Encapsulation failures: both are the caller's sizing mistakes, reported instead of a
/// panic.
#[derive(Clone, Copy, Debug, thiserror::Error, PartialEq, Eq)]
pub enum EncapError {
    #[error("output buffer of {have} bytes cannot hold {need}")]
    BufferTooSmall { have: usize, need: usize },
    #[error("inner frame of {0} bytes does not fit one IPv4 datagram")]
    TooLong(usize),
}

/// Decapsulation failures.
#[derive(Clone, Copy, Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecapError {
    #[error("VXLAN payload of {0} bytes is shorter than its header")]
    Short(usize),
    #[error("VXLAN flags {0:#04x} lack the valid-VNI bit")]
    NoVni(u8),
}

/// Writes the 8-byte VXLAN header for `vni` (low 24 bits) into `out`.
#[inline]
pub fn write_header(vni: u32, out: &mut [u8; VXLAN_HEADER_LEN]) {
    let v = (vni & 0x00ff_ffff) << 8;
    *out = [0x08, 0, 0, 0, 0, 0, 0, 0];
    out[4..8].copy_from_slice(&v.to_be_bytes());
}

/// Splits a VXLAN UDP payload into its VNI and inner frame.
#[inline]
pub fn decap(payload: &[u8]) -> Result<(u32, &[u8]), DecapError> {
    let (h, inner) = payload.split_first_chunk::<VXLAN_HEADER_LEN>().ok_or(DecapError::Short(payload.len()))?;
    if h[0] & 0x08 == 0 {
        return Err(DecapError::NoVni(h[0]));
    }
    let vni = u32::from_be_bytes([h[4], h[5], h[6], h[7]]) >> 8;
    Ok((vni, inner))
}

/// Writes VXLAN header + `inner` into `out` (for a UDP socket sender); returns the length.
#[inline]
pub fn encap_payload(vni: u32, inner: &[u8], out: &mut [u8]) -> Result<usize, EncapError> {
    let need = VXLAN_HEADER_LEN + inner.len();
    let have = out.len();
    let (hdr, rest) =
        out.split_first_chunk_mut::<VXLAN_HEADER_LEN>().ok_or(EncapError::BufferTooSmall { have, need })?;
    let body = rest.get_mut(..inner.len()).ok_or(EncapError::BufferTooSmall { have, need })?;
    write_header(vni, hdr);
    body.copy_from_slice(inner);
    Ok(need)
}

/// Outer addressing of IPv4 VXLAN frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OuterV4 {
    pub src_mac: [u8; 6],
    pub dst_mac: [u8; 6],
    pub src_ip: [u8; 4],
}

#[inline]
fn words(a: [u8; 4]) -> u64 {
    u64::from(u16::from_be_bytes([a[0], a[1]])) + u64::from(u16::from_be_bytes([a[2], a[3]]))
}

/// Writes a complete outer Ethernet/IPv4/UDP/VXLAN frame around `inner` into `out`;
/// returns the frame length. Allocates nothing.
///
/// Header checksums are summed from the field values rather than read back from the bytes
/// just written: reading them back costs a store-forwarding stall per packet.
#[inline]
pub fn encap_frame_v4(
    outer: &OuterV4,
    dst_ip: [u8; 4],
    src_port: u16,
    vni: u32,
    inner: &[u8],
    out: &mut [u8],
) -> Result<usize, EncapError> {
    if inner.len() > MAX_INNER_V4 {
        return Err(EncapError::TooLong(inner.len()));
    }
    let need = OUTER_V4_LEN + inner.len();
    let have = out.len();
    let frame = out.get_mut(..need).ok_or(EncapError::BufferTooSmall { have, need })?;
    let (hdr, body) = frame.split_at_mut(OUTER_V4_LEN);
    body.copy_from_slice(inner);
    // Bounded above by MAX_INNER_V4, so both lengths fit in u16.
    let ip_len = (need - 14) as u16;
    let udp_len = ip_len - 20;
    let vni = vni & 0x00ff_ffff;
    let addrs = words(outer.src_ip) + words(dst_ip);

    // IPv4: version/IHL 0x45, TOS 0, length, id 0, DF, TTL 64, UDP.
    let ip_sum = 0x4500 + u64::from(ip_len) + 0x4000 + (64 << 8 | u64::from(IPPROTO_UDP)) + addrs;
    let ip_csum = checksum::finish(ip_sum);
    // UDP over pseudo-header, UDP header and VXLAN header, then the inner frame.
    let udp_sum = addrs
        + u64::from(IPPROTO_UDP)
        + 2 * u64::from(udp_len)
        + u64::from(src_port)
        + u64::from(VXLAN_PORT)
        + 0x0800
        + u64::from(vni >> 8)
        + u64::from((vni & 0xff) << 8);
    let udp_csum = match checksum::finish(checksum::sum(body, udp_sum)) {
        // RFC 768: a computed 0 is sent as all ones; 0 means "no checksum".
        0 => 0xffff,
        c => c,
    };

    // Written in place, field by field, and never read back (see above).
    let h = hdr;
    h[0..6].copy_from_slice(&outer.dst_mac);
    h[6..12].copy_from_slice(&outer.src_mac);
    h[12..16].copy_from_slice(&[0x08, 0x00, 0x45, 0x00]);
    h[16..18].copy_from_slice(&ip_len.to_be_bytes());
    h[18..24].copy_from_slice(&[0, 0, 0x40, 0, 64, IPPROTO_UDP]);
    h[24..26].copy_from_slice(&ip_csum.to_be_bytes());
    h[26..30].copy_from_slice(&outer.src_ip);
    h[30..34].copy_from_slice(&dst_ip);
    h[34..36].copy_from_slice(&src_port.to_be_bytes());
    h[36..38].copy_from_slice(&VXLAN_PORT.to_be_bytes());
    h[38..40].copy_from_slice(&udp_len.to_be_bytes());
    h[40..42].copy_from_slice(&udp_csum.to_be_bytes());
    h[42..46].copy_from_slice(&[0x08, 0, 0, 0]);
    h[46..50].copy_from_slice(&(vni << 8).to_be_bytes());
    Ok(need)
}

/// For a captured frame of VXLAN traffic: the UDP payload if the frame is an unfragmented
/// UDP datagram to `port`, bounded by the UDP length (Ethernet padding is not payload).
pub fn udp_payload_to_port(frame: &[u8], port: u16) -> Option<&[u8]> {
    let k = FlowKey::parse(frame);
    if k.proto != IPPROTO_UDP || !k.has_ports || k.fragment || k.dport != port {
        return None;
    }
    let l4 = k.l4_offset;
    let len_b = frame.get(l4 + 4..l4 + 6)?;
    let udp_len = usize::from(u16::from_be_bytes([len_b[0], len_b[1]]));
    if udp_len < 8 {
        return None;
    }
    let end = (l4 + udp_len).min(frame.len());
    frame.get(l4 + 8..end)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::parse::tests::ipv4_frame;

    const OUTER: OuterV4 =
        OuterV4 { src_mac: DEFAULT_OUTER_SRC_MAC, dst_mac: DEFAULT_OUTER_DST_MAC, src_ip: [10, 0, 0, 1] };

    #[test]
    fn frame_round_trips_with_valid_checksums() {
        let inner = ipv4_frame(6, [10, 1, 1, 1], [10, 2, 2, 2], 1000, 22);
        let mut buf = [0u8; 256];
        let n = encap_frame_v4(&OUTER, [198, 51, 100, 7], 50000, 0x123456, &inner, &mut buf).unwrap();
        let f = &buf[..n];
        assert_eq!(n, 50 + inner.len());
        assert_eq!(checksum::checksum(&f[14..34]), 0);
        let udp_len = u16::from_be_bytes([f[38], f[39]]);
        let mut pseudo = vec![];
        pseudo.extend_from_slice(&f[26..34]);
        pseudo.extend_from_slice(&[0, 17]);
        pseudo.extend_from_slice(&udp_len.to_be_bytes());
        assert_eq!(checksum::finish(checksum::sum(&f[34..], checksum::sum(&pseudo, 0))), 0);
        let payload = udp_payload_to_port(f, VXLAN_PORT).unwrap();
        let (vni, got) = decap(payload).unwrap();
        assert_eq!(vni, 0x123456);
        assert_eq!(got, &inner[..]);
    }

    #[test]
    fn errors_instead_of_panics() {
        let mut small = [0u8; 40];
        assert!(matches!(
            encap_frame_v4(&OUTER, [1, 2, 3, 4], 1, 1, &[0u8; 14], &mut small),
            Err(EncapError::BufferTooSmall { .. })
        ));
        assert!(matches!(encap_payload(1, &[0u8; 40], &mut small), Err(EncapError::BufferTooSmall { .. })));
        assert_eq!(decap(&[0x08, 0, 0]), Err(DecapError::Short(3)));
        assert_eq!(decap(&[0, 0, 0, 0, 0, 0, 1, 0]), Err(DecapError::NoVni(0)));
    }
}
