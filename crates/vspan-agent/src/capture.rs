//! The kernel interface of the agent: AF_PACKET TPACKET_V3 receive rings, and the few raw
//! socket calls the standard library lacks (`sendmmsg`, `IP_MTU`, socket options).
//!
//! This is the only module of the crate with `unsafe` code, so every raw syscall and every
//! access to memory shared with the kernel sits here behind a safe API; each unsafe block
//! says why it is sound. Everything above it works with slices and plain values.
//!
//! The ring layout (`tpacket_block_desc`, `tpacket3_hdr`, `sockaddr_ll`) is read with explicit
//! offsets from the stable uapi ABI (`linux/if_packet.h`) and bounds-checked against the
//! block, so a surprising header can only end a block walk early, never read outside it.
#![allow(unsafe_code)]

use std::ffi::c_void;
use std::io;
use std::net::SocketAddrV4;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicU32, Ordering};

// uapi constants (linux/if_packet.h, linux/if_ether.h, asm-generic/socket.h). Spelled out
// here rather than taken from libc because several of them moved between libc modules.
const SOL_PACKET: libc::c_int = 263;
const PACKET_RX_RING: libc::c_int = 5;
const PACKET_STATISTICS: libc::c_int = 6;
const PACKET_VERSION: libc::c_int = 10;
const PACKET_FANOUT: libc::c_int = 18;
const TPACKET_V3: libc::c_int = 2;
const PACKET_FANOUT_HASH: u32 = 0;
const PACKET_FANOUT_FLAG_DEFRAG: u32 = 0x8000;
const ETH_P_ALL: u16 = 0x0003;
const SO_ATTACH_FILTER: libc::c_int = 26;
const TP_STATUS_KERNEL: u32 = 0;
const TP_STATUS_USER: u32 = 1;
/// The packet's checksum is left to hardware (TX offload): the copy carries it unfinished.
pub const TP_STATUS_CSUMNOTREADY: u32 = 1 << 3;
/// `sll_pkttype` of frames the interface sends.
pub const PACKET_OUTGOING: u8 = 4;

// Offsets in the ring (linux/if_packet.h, TPACKET_V3).
const BD_STATUS: usize = 8; // tpacket_block_desc.hdr.bh1.block_status
const BD_NUM_PKTS: usize = 12;
const BD_FIRST: usize = 16;
const BD_LEN: usize = 20; // blk_len: bytes of the block in use
const PH_NEXT: usize = 0; // tpacket3_hdr.tp_next_offset
const PH_SNAPLEN: usize = 12;
const PH_LEN: usize = 16;
const PH_STATUS: usize = 20;
const PH_MAC: usize = 24; // u16
const PH_SLL_PKTTYPE: usize = 48 + 10; // TPACKET_ALIGN(sizeof tpacket3_hdr) + sockaddr_ll.sll_pkttype
const PH_MIN: usize = PH_SLL_PKTTYPE + 1;

/// Failures to set up or use a capture ring, named by the step that failed.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("{step}: {source}")]
    Sys { step: &'static str, source: io::Error },
    #[error("ring geometry: {0}")]
    Geometry(String),
}

fn sys(step: &'static str) -> CaptureError {
    CaptureError::Sys { step, source: io::Error::last_os_error() }
}

/// Geometry and behaviour of one receive ring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RingConfig {
    /// Bytes per block (a power of two, multiple of the page size). A block must hold the
    /// largest frame captured (a GRO aggregate can be 64 KiB), so at least 128 KiB.
    pub block_size: u32,
    /// Number of blocks.
    pub block_count: u32,
    /// Milliseconds after which the kernel hands over a block that is not full: the bound on
    /// how long a copy waits in the ring at low rates.
    pub block_timeout_ms: u32,
    /// Join a PACKET_FANOUT group with this id (several rings on one interface share its
    /// packets by flow hash). `None`: a lone socket.
    pub fanout_group: Option<u16>,
}

impl Default for RingConfig {
    fn default() -> Self {
        RingConfig { block_size: 1 << 20, block_count: 64, block_timeout_ms: 10, fanout_group: None }
    }
}

/// One cBPF instruction (`struct sock_filter`).
pub type BpfInsn = libc::sock_filter;

/// Kernel counters of a ring since the previous read (`PACKET_STATISTICS` resets them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RingStats {
    /// Packets that passed the filter, including the dropped ones.
    pub packets: u64,
    /// Packets dropped because the ring had no free block.
    pub drops: u64,
}

/// What waiting on a ring found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// A block may be ready (or the timeout passed).
    Ready,
    /// The socket reported an error, e.g. ENETDOWN when the interface went down or away.
    Error(i32),
}

/// A TPACKET_V3 receive ring bound to one interface, both directions.
pub struct Ring {
    fd: OwnedFd,
    map: *mut u8,
    map_len: usize,
    block_size: usize,
    block_count: usize,
    next: usize,
}

// SAFETY: the mapping is owned by this value alone (no other handle to it exists in the
// process) and the kernel side synchronises through the block status words, so moving the
// ring to another thread is sound. It is not Sync: only one thread walks it.
unsafe impl Send for Ring {}

impl Ring {
    /// Opens a ring on interface `ifindex` with kernel filter `filter` (an empty filter
    /// accepts everything). The socket receives nothing before the filter and the ring are
    /// in place: it is created with protocol 0 and only bound to ETH_P_ALL at the end.
    pub fn open(ifindex: u32, cfg: &RingConfig, filter: &[BpfInsn]) -> Result<Ring, CaptureError> {
        if cfg.block_size < (128 << 10) || !cfg.block_size.is_power_of_two() || cfg.block_count == 0 {
            return Err(CaptureError::Geometry(format!(
                "block size {} must be a power of two of at least 128 KiB, block count {} at least 1",
                cfg.block_size, cfg.block_count
            )));
        }
        // SAFETY: plain syscall with constant arguments; the result is checked below.
        let raw = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW | libc::SOCK_CLOEXEC, 0) };
        if raw < 0 {
            return Err(sys("socket(AF_PACKET)"));
        }
        // SAFETY: `raw` is a fresh descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        set_opt(fd.as_fd(), SOL_PACKET, PACKET_VERSION, &TPACKET_V3)
            .map_err(|source| CaptureError::Sys { step: "PACKET_VERSION", source })?;
        if !filter.is_empty() {
            attach_filter(fd.as_fd(), filter)
                .map_err(|source| CaptureError::Sys { step: "SO_ATTACH_FILTER", source })?;
        }
        // struct tpacket_req3: block size, block count, frame size, frame count, retire
        // timeout, private area size, feature word.
        let frame_size: u32 = 2048;
        let req: [u32; 7] = [
            cfg.block_size,
            cfg.block_count,
            frame_size,
            (cfg.block_size / frame_size) * cfg.block_count,
            cfg.block_timeout_ms.max(1),
            0,
            0,
        ];
        set_opt(fd.as_fd(), SOL_PACKET, PACKET_RX_RING, &req)
            .map_err(|source| CaptureError::Sys { step: "PACKET_RX_RING", source })?;
        let map_len = cfg.block_size as usize * cfg.block_count as usize;
        // SAFETY: maps the ring the kernel just allocated for this socket; length and
        // descriptor are valid; the result is checked for MAP_FAILED.
        let map = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_POPULATE,
                fd.as_raw_fd(),
                0,
            )
        };
        if map == libc::MAP_FAILED {
            return Err(sys("mmap(ring)"));
        }
        // From here on Drop unmaps.
        let ring = Ring {
            fd,
            map: map.cast::<u8>(),
            map_len,
            block_size: cfg.block_size as usize,
            block_count: cfg.block_count as usize,
            next: 0,
        };
        let ifindex = libc::c_int::try_from(ifindex)
            .map_err(|_| CaptureError::Geometry(format!("ifindex {ifindex} out of range")))?;
        // SAFETY: sockaddr_ll is plain old data; all-zero is a valid value.
        let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        sll.sll_family = libc::AF_PACKET as u16;
        sll.sll_protocol = ETH_P_ALL.to_be();
        sll.sll_ifindex = ifindex;
        // SAFETY: `sll` is a valid sockaddr_ll and the length passed is its size.
        let r = unsafe {
            libc::bind(
                ring.fd.as_raw_fd(),
                (&raw const sll).cast::<libc::sockaddr>(),
                std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        };
        if r < 0 {
            return Err(sys("bind(AF_PACKET)"));
        }
        if let Some(group) = cfg.fanout_group {
            let arg: u32 = u32::from(group) | ((PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16);
            set_opt(ring.fd.as_fd(), SOL_PACKET, PACKET_FANOUT, &arg)
                .map_err(|source| CaptureError::Sys { step: "PACKET_FANOUT", source })?;
        }
        Ok(ring)
    }

    /// Waits up to `timeout_ms` for the next block (returns at once when it is ready).
    pub fn wait(&self, timeout_ms: i32) -> Result<Wait, CaptureError> {
        if self.status_of(self.next).load(Ordering::Acquire) & TP_STATUS_USER != 0 {
            return Ok(Wait::Ready);
        }
        let mut pfd = libc::pollfd { fd: self.fd.as_raw_fd(), events: libc::POLLIN | libc::POLLERR, revents: 0 };
        // SAFETY: one valid pollfd, count 1.
        let r = unsafe { libc::poll(&raw mut pfd, 1, timeout_ms) };
        if r < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                return Ok(Wait::Ready);
            }
            return Err(CaptureError::Sys { step: "poll(ring)", source: e });
        }
        if pfd.revents & libc::POLLERR != 0 {
            // Reading SO_ERROR clears it, so the next poll does not spin on it.
            let err: libc::c_int = get_opt(self.fd.as_fd(), libc::SOL_SOCKET, libc::SO_ERROR)
                .map_err(|source| CaptureError::Sys { step: "SO_ERROR", source })?;
            if err != 0 {
                return Ok(Wait::Error(err));
            }
        }
        Ok(Wait::Ready)
    }

    fn status_of(&self, block: usize) -> &AtomicU32 {
        // SAFETY: `block < block_count`, so the status word (offset 8, 4-byte aligned since
        // blocks are page aligned) lies inside the mapping, which lives as long as `self`.
        // The kernel writes this word concurrently, hence the atomic view.
        unsafe { AtomicU32::from_ptr(self.map.add(block * self.block_size + BD_STATUS).cast()) }
    }

    /// The next block, if the kernel has handed it over. Dropping the block gives it back.
    pub fn next_block(&mut self) -> Option<Block<'_>> {
        let status = self.status_of(self.next);
        if status.load(Ordering::Acquire) & TP_STATUS_USER == 0 {
            return None;
        }
        // SAFETY: the block lies inside the mapping; its status is TP_STATUS_USER (read with
        // Acquire, pairing with the kernel's barrier before it sets the status), so the kernel
        // neither writes the block nor frees the mapping until we store TP_STATUS_KERNEL in
        // Block::drop. The shared slice lives no longer than the &mut borrow of the ring.
        let data: &[u8] =
            unsafe { std::slice::from_raw_parts(self.map.add(self.next * self.block_size), self.block_size) };
        // SAFETY: as in status_of.
        let status: &AtomicU32 =
            unsafe { AtomicU32::from_ptr(self.map.add(self.next * self.block_size + BD_STATUS).cast()) };
        let count = self.block_count;
        Some(Block { data, status, next: &mut self.next, count })
    }

    /// Kernel counters since the last call (the kernel resets them on read).
    pub fn stats(&self) -> Result<RingStats, CaptureError> {
        // struct tpacket_stats_v3: tp_packets, tp_drops, tp_freeze_q_cnt.
        let s: [u32; 3] = get_opt(self.fd.as_fd(), SOL_PACKET, PACKET_STATISTICS)
            .map_err(|source| CaptureError::Sys { step: "PACKET_STATISTICS", source })?;
        Ok(RingStats { packets: u64::from(s[0]), drops: u64::from(s[1]) })
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping made in open(); no Block can be alive because
        // blocks borrow the ring mutably.
        unsafe {
            libc::munmap(self.map.cast::<c_void>(), self.map_len);
        }
    }
}

/// A block of captured frames owned by user space until dropped.
pub struct Block<'a> {
    data: &'a [u8],
    status: &'a AtomicU32,
    next: &'a mut usize,
    count: usize,
}

/// One captured frame.
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    /// The bytes captured from the Ethernet header on.
    pub data: &'a [u8],
    /// The frame's length on the wire (more than `data.len()` when the capture cut it).
    pub wire_len: u32,
    /// `sll_pkttype`: [`PACKET_OUTGOING`] for egress.
    pub pkttype: u8,
    /// `tp_status` bits, e.g. [`TP_STATUS_CSUMNOTREADY`].
    pub status: u32,
}

fn rd32(b: &[u8], off: usize) -> Option<u32> {
    b.get(off..off + 4).and_then(|s| s.try_into().ok()).map(u32::from_ne_bytes)
}

fn rd16(b: &[u8], off: usize) -> Option<u16> {
    b.get(off..off + 2).and_then(|s| s.try_into().ok()).map(u16::from_ne_bytes)
}

impl<'a> Block<'a> {
    /// Number of frames the kernel says the block holds.
    pub fn len(&self) -> usize {
        rd32(self.data, BD_NUM_PKTS).unwrap_or(0) as usize
    }

    /// Whether the block holds no frame.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The frames of the block, in capture order. The walk ends early (rather than reading
    /// outside the block) should a header point outside it.
    pub fn frames(&self) -> Frames<'_> {
        let used = (rd32(self.data, BD_LEN).unwrap_or(0) as usize).min(self.data.len());
        Frames { block: &self.data[..used], off: rd32(self.data, BD_FIRST).unwrap_or(0) as usize, left: self.len() }
    }
}

impl Drop for Block<'_> {
    fn drop(&mut self) {
        // Release pairs with the kernel's read of the status before it refills the block.
        self.status.store(TP_STATUS_KERNEL, Ordering::Release);
        *self.next = (*self.next + 1) % self.count;
    }
}

/// Iterator over a block's frames.
pub struct Frames<'a> {
    block: &'a [u8],
    off: usize,
    left: usize,
}

impl<'a> Iterator for Frames<'a> {
    type Item = Frame<'a>;

    fn next(&mut self) -> Option<Frame<'a>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let h = self.block.get(self.off..)?;
        if h.len() < PH_MIN {
            self.left = 0;
            return None;
        }
        let next = rd32(h, PH_NEXT)? as usize;
        let snap = rd32(h, PH_SNAPLEN)? as usize;
        let wire_len = rd32(h, PH_LEN)?;
        let status = rd32(h, PH_STATUS)?;
        let mac = usize::from(rd16(h, PH_MAC)?);
        let pkttype = *h.get(PH_SLL_PKTTYPE)?;
        let Some(data) = h.get(mac..mac + snap) else {
            self.left = 0;
            return None;
        };
        if next == 0 {
            self.left = 0;
        } else {
            self.off += next;
        }
        Some(Frame { data, wire_len, pkttype, status })
    }
}

fn set_opt<T>(fd: BorrowedFd<'_>, level: libc::c_int, name: libc::c_int, v: &T) -> io::Result<()> {
    // SAFETY: `v` points to a live T of the size passed; the kernel only reads it.
    let r = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (v as *const T).cast::<c_void>(),
            std::mem::size_of::<T>() as libc::socklen_t,
        )
    };
    if r < 0 { Err(io::Error::last_os_error()) } else { Ok(()) }
}

/// getsockopt into a plain integer type or array of them (all bit patterns valid).
fn get_opt<T: Copy + Default>(fd: BorrowedFd<'_>, level: libc::c_int, name: libc::c_int) -> io::Result<T> {
    let mut v = T::default();
    let mut len = std::mem::size_of::<T>() as libc::socklen_t;
    // SAFETY: `v` is writable for `len` bytes and T (integers only at the call sites) has no
    // invalid bit patterns.
    let r = unsafe { libc::getsockopt(fd.as_raw_fd(), level, name, (&raw mut v).cast::<c_void>(), &raw mut len) };
    if r < 0 { Err(io::Error::last_os_error()) } else { Ok(v) }
}

fn attach_filter(fd: BorrowedFd<'_>, prog: &[BpfInsn]) -> io::Result<()> {
    let len =
        u16::try_from(prog.len()).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "BPF program too long"))?;
    let fprog = libc::sock_fprog { len, filter: prog.as_ptr().cast_mut() };
    // The kernel copies the program during the call and never writes through the pointer.
    set_opt(fd, libc::SOL_SOCKET, SO_ATTACH_FILTER, &fprog)
}

/// Sets an integer socket option (e.g. SO_SNDBUF, SO_MARK, IP_MTU_DISCOVER).
pub fn set_int_opt(fd: BorrowedFd<'_>, level: libc::c_int, name: libc::c_int, v: libc::c_int) -> io::Result<()> {
    set_opt(fd, level, name, &v)
}

/// `IP_MTU` of a connected IPv4 socket: the MTU of the route to its peer.
pub fn path_mtu(fd: BorrowedFd<'_>) -> io::Result<u32> {
    let v: libc::c_int = get_opt(fd, libc::IPPROTO_IP, libc::IP_MTU)?;
    u32::try_from(v).map_err(|_| io::Error::other("negative IP_MTU"))
}

/// One datagram of a [`sendmmsg_v4`] batch: `arena[off..off + len]` to `dst`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TxMsg {
    pub off: u32,
    pub len: u32,
    pub dst: [u8; 4],
    pub port: u16,
}

/// Most datagrams handed to one `sendmmsg` call (the kernel's UIO_MAXIOV is 1024).
pub const SENDMMSG_MAX: usize = 64;

/// Sends up to [`SENDMMSG_MAX`] datagrams of `msgs` through the UDP socket `fd` with one
/// `sendmmsg`; returns how many the kernel took. `Err` is the error of `msgs[0]` when the
/// kernel took none (the caller counts it and goes on with the next). Allocates nothing: the
/// kernel structures live on the stack for the call.
pub fn sendmmsg_v4(fd: BorrowedFd<'_>, arena: &[u8], msgs: &[TxMsg]) -> io::Result<usize> {
    let n = msgs.len().min(SENDMMSG_MAX);
    if n == 0 {
        return Ok(0);
    }
    // SAFETY (for the three zeroed arrays): iovec, sockaddr_in and mmsghdr are plain C
    // structs for which all-zero (null pointers, zero lengths) is a valid value.
    let mut iov: [libc::iovec; SENDMMSG_MAX] = unsafe { std::mem::zeroed() };
    let mut addr: [libc::sockaddr_in; SENDMMSG_MAX] = unsafe { std::mem::zeroed() };
    let mut hdr: [libc::mmsghdr; SENDMMSG_MAX] = unsafe { std::mem::zeroed() };
    for (i, m) in msgs.iter().take(n).enumerate() {
        let (off, len) = (m.off as usize, m.len as usize);
        // Bounds-checked so every iovec points inside `arena`.
        let Some(buf) = arena.get(off..off + len) else {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "message outside arena"));
        };
        iov[i] = libc::iovec { iov_base: buf.as_ptr().cast_mut().cast::<c_void>(), iov_len: buf.len() };
        addr[i].sin_family = libc::AF_INET as libc::sa_family_t;
        addr[i].sin_port = m.port.to_be();
        addr[i].sin_addr.s_addr = u32::from_ne_bytes(m.dst);
    }
    for i in 0..n {
        hdr[i].msg_hdr.msg_name = (&raw mut addr[i]).cast::<c_void>();
        hdr[i].msg_hdr.msg_namelen = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        hdr[i].msg_hdr.msg_iov = &raw mut iov[i];
        hdr[i].msg_hdr.msg_iovlen = 1;
    }
    // SAFETY: `hdr[..n]` are initialised msghdrs whose name and iovec pointers point into the
    // stack arrays and into `arena`, all alive and unmoved for the duration of the call; the
    // kernel only reads the buffers and writes `msg_len`.
    let r = unsafe { libc::sendmmsg(fd.as_raw_fd(), hdr.as_mut_ptr(), n as libc::c_uint, 0) };
    if r < 0 { Err(io::Error::last_os_error()) } else { Ok(r as usize) }
}

/// Builds a socket address for diagnostics from a [`TxMsg`].
pub fn tx_dst(m: &TxMsg) -> SocketAddrV4 {
    SocketAddrV4::new(m.dst.into(), m.port)
}
