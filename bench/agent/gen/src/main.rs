//! Benchmark traffic generator: sends UDP/IPv4 frames of one size as fast as it can (or at a
//! given rate) out of one interface with an AF_PACKET socket, `sendmmsg` batches of 64 and
//! PACKET_QDISC_BYPASS, for a fixed time; prints the number of frames sent.
//!
//! Usage: gen IFNAME DST_MAC SRC_IP DST_IP FRAME_LEN SECONDS [FLOWS]
//! Frames go to DST_IP's UDP port 9 from source ports 10000..10000+FLOWS.

use std::time::{Duration, Instant};

fn mac(s: &str) -> [u8; 6] {
    let mut m = [0u8; 6];
    for (b, p) in m.iter_mut().zip(s.split(':')) {
        *b = u8::from_str_radix(p, 16).expect("MAC");
    }
    m
}

fn csum(h: &[u8]) -> u16 {
    let mut s: u32 = h.chunks(2).map(|c| u32::from(u16::from_be_bytes([c[0], c[1]]))).sum();
    while s > 0xffff {
        s = (s & 0xffff) + (s >> 16);
    }
    !(s as u16)
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 7 {
        eprintln!("usage: gen IFNAME DST_MAC SRC_IP DST_IP FRAME_LEN SECONDS [FLOWS]");
        std::process::exit(2);
    }
    let ifname = std::ffi::CString::new(a[1].as_str()).expect("ifname");
    let dmac = mac(&a[2]);
    let sip: std::net::Ipv4Addr = a[3].parse().expect("src ip");
    let dip: std::net::Ipv4Addr = a[4].parse().expect("dst ip");
    let len: usize = a[5].parse::<usize>().expect("len").max(60);
    let secs: f64 = a[6].parse().expect("seconds");
    let flows: usize = a.get(7).map(|f| f.parse().expect("flows")).unwrap_or(64);
    // SAFETY: plain libc calls with valid arguments; results checked.
    let ifindex = unsafe { libc::if_nametoindex(ifname.as_ptr()) };
    assert!(ifindex > 0, "no such interface");
    let fd = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW, 0) };
    assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
    let one: libc::c_int = 1;
    // PACKET_QDISC_BYPASS = 20
    unsafe {
        libc::setsockopt(fd, 263, 20, (&raw const one).cast(), 4);
    }
    let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    sll.sll_family = libc::AF_PACKET as u16;
    sll.sll_ifindex = ifindex as i32;
    sll.sll_halen = 6;
    sll.sll_addr[..6].copy_from_slice(&dmac);
    let r = unsafe {
        libc::bind(fd, (&raw const sll).cast(), std::mem::size_of::<libc::sockaddr_ll>() as u32)
    };
    assert!(r == 0, "bind: {}", std::io::Error::last_os_error());
    // Source MAC: the interface's own.
    let smac = {
        let p = format!("/sys/class/net/{}/address", a[1]);
        mac(std::fs::read_to_string(p).expect("mac").trim())
    };
    let frames: Vec<Vec<u8>> = (0..flows)
        .map(|i| {
            let mut f = vec![0u8; len];
            f[0..6].copy_from_slice(&dmac);
            f[6..12].copy_from_slice(&smac);
            f[12..14].copy_from_slice(&[8, 0]);
            f[14] = 0x45;
            f[16..18].copy_from_slice(&((len - 14) as u16).to_be_bytes());
            f[22] = 64;
            f[23] = 17;
            f[26..30].copy_from_slice(&sip.octets());
            f[30..34].copy_from_slice(&dip.octets());
            let c = csum(&f[14..34]);
            f[24..26].copy_from_slice(&c.to_be_bytes());
            f[34..36].copy_from_slice(&(10000 + i as u16).to_be_bytes());
            f[36..38].copy_from_slice(&9u16.to_be_bytes());
            f[38..40].copy_from_slice(&((len - 34) as u16).to_be_bytes());
            f
        })
        .collect();
    const B: usize = 64;
    let mut iov: Vec<libc::iovec> = (0..B)
        .map(|i| libc::iovec {
            iov_base: frames[i % flows].as_ptr() as *mut _,
            iov_len: len,
        })
        .collect();
    let mut hdr: Vec<libc::mmsghdr> = (0..B)
        .map(|i| {
            let mut h: libc::mmsghdr = unsafe { std::mem::zeroed() };
            h.msg_hdr.msg_iov = &raw mut iov[i];
            h.msg_hdr.msg_iovlen = 1;
            h
        })
        .collect();
    let start = Instant::now();
    let end = start + Duration::from_secs_f64(secs);
    let mut sent: u64 = 0;
    while Instant::now() < end {
        // SAFETY: `hdr` points into `iov` and `frames`, alive for the call.
        let n = unsafe { libc::sendmmsg(fd, hdr.as_mut_ptr(), B as u32, 0) };
        if n > 0 {
            sent += n as u64;
        }
    }
    let el = start.elapsed().as_secs_f64();
    println!("{sent} {el:.3}");
}
