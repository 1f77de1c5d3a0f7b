//! Checked parsing of what an ENI carries, down to the [`FlowKey`] the classifier needs.
//!
//! Ethernet II, 802.1Q / 802.1ad / QinQ tags, IPv4 (options, fragments), IPv6 (extension
//! headers, fragments), TCP and UDP ports. ARP and other EtherTypes are recognised as "not IP".
//! Every read is bounds-checked: a frame cut short or malformed yields a key with as much as
//! could be read, never a panic. Only the first fragment of a datagram carries ports.
//!
//! The parser reads only what the capture holds; it ignores the IPv4 total length and IPv6
//! payload length on purpose, because GRO/TSO aggregates seen by AF_PACKET can carry 0 there.

/// Which side of the ENI a frame is on. Ingress: arriving at the ENI (destination MAC is the
/// ENI's); egress: leaving it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    /// Direction of a frame as seen on the ENI with MAC `eni`: frames from it are egress; frames
    /// to it, broadcast and multicast frames are ingress; anything else is not the ENI's
    /// traffic (`None`, e.g. a capture from a promiscuous port).
    pub fn from_macs(frame: &[u8], eni: [u8; 6]) -> Option<Direction> {
        let dst = frame.get(0..6)?;
        let src = frame.get(6..12)?;
        if src == eni {
            Some(Direction::Egress)
        } else if dst == eni || dst[0] & 1 == 1 {
            Some(Direction::Ingress)
        } else {
            None
        }
    }
}

/// Network-layer family of a frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Family {
    /// Not IP (ARP, LLDP, ...), or the IP header is cut or malformed.
    #[default]
    None,
    V4,
    V6,
}

pub const ETH_P_IPV4: u16 = 0x0800;
pub const ETH_P_IPV6: u16 = 0x86dd;
pub const ETH_P_ARP: u16 = 0x0806;
pub const ETH_P_8021Q: u16 = 0x8100;
pub const ETH_P_8021AD: u16 = 0x88a8;
/// Pre-standard QinQ outer tag, still emitted by some switches.
pub const ETH_P_QINQ_OLD: u16 = 0x9100;

pub const IPPROTO_ICMP: u8 = 1;
pub const IPPROTO_TCP: u8 = 6;
pub const IPPROTO_UDP: u8 = 17;
pub const IPPROTO_ICMPV6: u8 = 58;

/// Tags beyond this depth are treated as malformed: real networks stack two at most.
const MAX_VLAN_TAGS: usize = 4;
/// Bound on the IPv6 extension header walk, so a crafted chain costs a fixed time.
const MAX_IPV6_EXT: usize = 8;

/// What the classifier and the flow hash look at. Addresses are stored as `u128`; an IPv4
/// address occupies the low 32 bits, so one CIDR comparison serves both families.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlowKey {
    pub family: Family,
    /// EtherType after the VLAN tags (0 if the Ethernet header is cut).
    pub ethertype: u16,
    /// Number of VLAN tags walked.
    pub vlan_tags: u8,
    /// Upper-layer protocol (IPv4 protocol / last IPv6 next header reached). 0 when not IP.
    pub proto: u8,
    pub src: u128,
    pub dst: u128,
    /// True when the frame holds TCP/UDP ports: first fragment and L4 header present.
    pub has_ports: bool,
    pub sport: u16,
    pub dport: u16,
    /// Part of a fragmented datagram (first or later fragment).
    pub fragment: bool,
    /// Offset of the L3 header in the frame (0 when not IP).
    pub l3_offset: usize,
    /// Offset of the L4 header in the frame (0 when unknown).
    pub l4_offset: usize,
}

#[inline]
fn be16(frame: &[u8], at: usize) -> Option<u16> {
    let b = frame.get(at..at + 2)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

#[inline]
fn addr4(b: &[u8]) -> u128 {
    u128::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

#[inline]
fn addr16(b: &[u8]) -> u128 {
    let mut a = [0u8; 16];
    a.copy_from_slice(&b[..16]);
    u128::from_be_bytes(a)
}

impl FlowKey {
    /// Parses an Ethernet frame as far as it goes.
    #[inline]
    pub fn parse(frame: &[u8]) -> FlowKey {
        let mut key = FlowKey::default();
        let Some(mut ethertype) = be16(frame, 12) else {
            return key;
        };
        let mut off = 14;
        while matches!(ethertype, ETH_P_8021Q | ETH_P_8021AD | ETH_P_QINQ_OLD) {
            if usize::from(key.vlan_tags) == MAX_VLAN_TAGS {
                key.ethertype = ethertype;
                return key;
            }
            let Some(inner) = be16(frame, off + 2) else {
                key.ethertype = ethertype;
                return key;
            };
            ethertype = inner;
            off += 4;
            key.vlan_tags += 1;
        }
        key.ethertype = ethertype;
        match ethertype {
            ETH_P_IPV4 => key.parse_ipv4(frame, off),
            ETH_P_IPV6 => key.parse_ipv6(frame, off),
            _ => {}
        }
        key
    }

    #[inline]
    fn parse_ipv4(&mut self, frame: &[u8], off: usize) {
        let Some(h) = frame.get(off..off + 20) else {
            return;
        };
        if h[0] >> 4 != 4 {
            return;
        }
        let ihl = usize::from(h[0] & 0x0f) * 4;
        if ihl < 20 {
            return;
        }
        self.family = Family::V4;
        self.l3_offset = off;
        self.proto = h[9];
        self.src = addr4(&h[12..16]);
        self.dst = addr4(&h[16..20]);
        let frag = u16::from_be_bytes([h[6], h[7]]);
        let more_fragments = frag & 0x2000 != 0;
        let frag_offset = frag & 0x1fff;
        self.fragment = more_fragments || frag_offset != 0;
        if frag_offset == 0 {
            self.parse_l4(frame, off + ihl);
        }
    }

    fn parse_ipv6(&mut self, frame: &[u8], off: usize) {
        let Some(h) = frame.get(off..off + 40) else {
            return;
        };
        if h[0] >> 4 != 6 {
            return;
        }
        self.family = Family::V6;
        self.l3_offset = off;
        self.src = addr16(&h[8..24]);
        self.dst = addr16(&h[24..40]);
        let mut next = h[6];
        let mut at = off + 40;
        let mut first_fragment = true;
        for _ in 0..MAX_IPV6_EXT {
            let len = match next {
                // Hop-by-hop, routing, destination options, mobility, HIP, shim6:
                // (length + 1) units of 8 bytes.
                0 | 43 | 60 | 135 | 139 | 140 => match frame.get(at + 1) {
                    Some(l) => (usize::from(*l) + 1) * 8,
                    None => break,
                },
                44 => {
                    let Some(fo) = be16(frame, at + 2) else {
                        break;
                    };
                    self.fragment = true;
                    first_fragment = fo >> 3 == 0;
                    8
                }
                // Authentication header: (length + 2) units of 4 bytes.
                51 => match frame.get(at + 1) {
                    Some(l) => (usize::from(*l) + 2) * 4,
                    None => break,
                },
                _ => {
                    self.proto = next;
                    if first_fragment {
                        self.parse_l4(frame, at);
                    }
                    return;
                }
            };
            // The header's own next-header byte is its first byte.
            let Some(n) = frame.get(at) else {
                break;
            };
            next = *n;
            at += len;
        }
        // Chain cut short or too long: the upper layer is unknown; report the last header
        // type reached so that only protocol-agnostic rules can match.
        self.proto = next;
    }

    #[inline]
    fn parse_l4(&mut self, frame: &[u8], at: usize) {
        self.l4_offset = at;
        if matches!(self.proto, IPPROTO_TCP | IPPROTO_UDP)
            && let (Some(s), Some(d)) = (be16(frame, at), be16(frame, at + 2))
        {
            self.has_ports = true;
            self.sport = s;
            self.dport = d;
        }
    }

    /// Length of the frame when it was on the wire, as the L3 header states it, if that is
    /// known: used to give decapsulated truncated copies a truthful pcap original length.
    pub fn stated_len(&self, frame: &[u8]) -> Option<usize> {
        match self.family {
            Family::V4 => {
                let tot = usize::from(be16(frame, self.l3_offset + 2)?);
                (tot >= 20).then_some(self.l3_offset + tot)
            }
            Family::V6 => {
                let pl = usize::from(be16(frame, self.l3_offset + 4)?);
                (pl != 0).then_some(self.l3_offset + 40 + pl)
            }
            Family::None => None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;

    /// Builds Ethernet + IPv4 + L4 bytes by hand: a test helper independent of the parser.
    pub fn ipv4_frame(proto: u8, src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16) -> Vec<u8> {
        let mut f = vec![0x02, 0, 0, 0, 0, 0xbb, 0x02, 0, 0, 0, 0, 0xaa, 0x08, 0x00];
        let l4: Vec<u8> = match proto {
            IPPROTO_TCP => {
                let mut t = vec![0u8; 20];
                t[0..2].copy_from_slice(&sport.to_be_bytes());
                t[2..4].copy_from_slice(&dport.to_be_bytes());
                t[12] = 0x50;
                t
            }
            IPPROTO_UDP => {
                let mut u = vec![0u8; 8];
                u[0..2].copy_from_slice(&sport.to_be_bytes());
                u[2..4].copy_from_slice(&dport.to_be_bytes());
                u[4..6].copy_from_slice(&8u16.to_be_bytes());
                u
            }
            _ => vec![8, 0, 0, 0, 0, 1, 0, 1],
        };
        let tot = (20 + l4.len()) as u16;
        f.extend_from_slice(&[0x45, 0]);
        f.extend_from_slice(&tot.to_be_bytes());
        f.extend_from_slice(&[0, 0, 0x40, 0, 64, proto, 0, 0]);
        f.extend_from_slice(&src);
        f.extend_from_slice(&dst);
        f.extend_from_slice(&l4);
        f
    }

    #[test]
    fn tcp_over_ipv4() {
        let f = ipv4_frame(6, [10, 0, 0, 1], [10, 0, 0, 2], 1234, 80);
        let k = FlowKey::parse(&f);
        assert_eq!(k.family, Family::V4);
        assert_eq!(k.proto, 6);
        assert_eq!(k.src, 0x0a00_0001);
        assert_eq!(k.dst, 0x0a00_0002);
        assert!(k.has_ports);
        assert_eq!((k.sport, k.dport), (1234, 80));
        assert!(!k.fragment);
        assert_eq!(k.stated_len(&f), Some(f.len()));
    }

    #[test]
    fn vlan_and_qinq() {
        let f = ipv4_frame(17, [1, 2, 3, 4], [5, 6, 7, 8], 53, 5353);
        let mut q = f[..12].to_vec();
        q.extend_from_slice(&[0x88, 0xa8, 0, 10, 0x81, 0x00, 0, 20]);
        q.extend_from_slice(&f[12..]);
        let k = FlowKey::parse(&q);
        assert_eq!(k.vlan_tags, 2);
        assert_eq!(k.family, Family::V4);
        assert_eq!((k.sport, k.dport), (53, 5353));
    }

    #[test]
    fn later_fragment_has_no_ports() {
        let mut f = ipv4_frame(17, [1, 2, 3, 4], [5, 6, 7, 8], 53, 5353);
        f[14 + 6] = 0x00;
        f[14 + 7] = 0x10;
        let k = FlowKey::parse(&f);
        assert!(k.fragment);
        assert!(!k.has_ports);
        assert_eq!(k.proto, 17);
        // First fragment (MF set, offset 0) keeps its ports.
        f[14 + 6] = 0x20;
        f[14 + 7] = 0x00;
        let k = FlowKey::parse(&f);
        assert!(k.fragment && k.has_ports);
    }

    #[test]
    fn ipv4_options_shift_ports() {
        let f = ipv4_frame(6, [1, 2, 3, 4], [5, 6, 7, 8], 1, 2);
        let mut o = f[..34].to_vec();
        o[14] = 0x46;
        o.extend_from_slice(&[1, 1, 1, 0]);
        o.extend_from_slice(&f[34..]);
        let k = FlowKey::parse(&o);
        assert_eq!((k.sport, k.dport), (1, 2));
        assert_eq!(k.l4_offset, 38);
    }

    #[test]
    fn ipv6_with_extension_headers_and_fragment() {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x86, 0xdd, 0x60, 0, 0, 0, 0, 0, 0, 64]);
        f[14 + 6] = 0; // hop-by-hop first
        f.extend_from_slice(&[0xfd; 16]);
        f.extend_from_slice(&[0xfe; 16]);
        // Hop-by-hop (8 bytes) -> fragment (8 bytes) -> TCP
        f.extend_from_slice(&[44, 0, 1, 4, 0, 0, 0, 0]);
        f.extend_from_slice(&[6, 0, 0, 1, 0, 0, 0, 7]);
        f.extend_from_slice(&[0x01, 0xbb, 0xc0, 0x00, 0, 0, 0, 0]);
        let k = FlowKey::parse(&f);
        assert_eq!(k.family, Family::V6);
        assert_eq!(k.proto, 6);
        assert!(k.fragment);
        assert!(k.has_ports);
        assert_eq!((k.sport, k.dport), (443, 49152));
        // A later fragment: no ports.
        f[14 + 40 + 8 + 3] = 0x08;
        let k = FlowKey::parse(&f);
        assert!(!k.has_ports);
        assert_eq!(k.proto, 6);
    }

    #[test]
    fn truncated_frames_never_panic_and_degrade() {
        let f = ipv4_frame(6, [10, 0, 0, 1], [10, 0, 0, 2], 1234, 80);
        for n in 0..f.len() {
            let k = FlowKey::parse(&f[..n]);
            if n < 34 {
                assert_eq!(k.family, Family::None, "len {n}");
            } else {
                assert_eq!(k.family, Family::V4);
                assert_eq!(k.has_ports, n >= 38, "len {n}");
            }
        }
    }

    #[test]
    fn arp_is_not_ip() {
        let mut f = vec![0xff; 6];
        f.extend_from_slice(&[2, 0, 0, 0, 0, 1, 0x08, 0x06]);
        f.extend_from_slice(&[0; 28]);
        let k = FlowKey::parse(&f);
        assert_eq!(k.family, Family::None);
        assert_eq!(k.ethertype, ETH_P_ARP);
    }

    #[test]
    fn direction_from_macs() {
        let eni = [2, 0, 0, 0, 0, 0xaa];
        let f = ipv4_frame(6, [10, 0, 0, 1], [10, 0, 0, 2], 1, 2);
        assert_eq!(Direction::from_macs(&f, eni), Some(Direction::Egress));
        let eni_b = [2, 0, 0, 0, 0, 0xbb];
        assert_eq!(Direction::from_macs(&f, eni_b), Some(Direction::Ingress));
        assert_eq!(Direction::from_macs(&f, [2, 0, 0, 0, 0, 0xcc]), None);
        assert_eq!(Direction::from_macs(&f[..5], eni), None);
    }
}
