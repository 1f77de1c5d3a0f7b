//! Transmit: mirror copies leave as UDP datagrams (VXLAN payload) through ordinary UDP
//! sockets, so the kernel's routing builds the outer Ethernet/IPv4/UDP headers, picks the
//! source address and next hop, and applies the host's policy. Copies are batched with
//! `sendmmsg`.
//!
//! **Outer source port.** The data plane contract wants it from the symmetric hash of the
//! inner 5-tuple, and a UDP socket sends from the one port it is bound to. The agent
//! therefore keeps a pool of K sockets ([`TxConfig::sockets`], default 16), bound to K
//! ports (a range from [`TxConfig::port_base`], or K ports the kernel picks), and sends each
//! copy from socket `hash-port mod K`. Both directions of a flow hash alike, so they leave
//! from the same port: collectors and load balancers keep them together, and RSS on the
//! collector spreads flows over K queues. The price is K source ports rather than 16384; the
//! pool size trades that entropy against batching (copies are grouped per socket at flush).
//!
//! **Fragmentation.** Every socket has `IP_MTU_DISCOVER = IP_PMTUDISC_DO`: DF is set and a
//! datagram larger than the path MTU fails with EMSGSIZE instead of being fragmented. The
//! data plane cuts copies to MTU - 50 beforehand, so that error only appears when the route
//! changed under the agent; it is counted, never hidden.
//!
//! The sockets are shared by all capture workers (one `sendmmsg` on a UDP socket is
//! thread-safe), so their ports are known once and the capture filter can exclude them.

use std::io;
use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::os::fd::AsFd;

use crate::capture::{self, SENDMMSG_MAX, TxMsg};

/// Failures to set up the transmit sockets.
#[derive(Debug, thiserror::Error)]
pub enum TxError {
    #[error("binding UDP socket {addr}: {source}")]
    Bind { addr: SocketAddrV4, source: io::Error },
    #[error("setting {what} on UDP socket: {source}")]
    Opt { what: &'static str, source: io::Error },
    #[error("transmit socket pool size {0} out of range 1..=200")]
    PoolSize(usize),
}

/// How the transmit sockets are made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxConfig {
    /// Number of sockets, hence distinct outer source ports.
    pub sockets: usize,
    /// Bind the sockets to `port_base .. port_base + sockets`; `None` lets the kernel pick.
    pub port_base: Option<u16>,
    /// Outer UDP destination port.
    pub dst_port: u16,
    /// SO_SNDBUF for each socket, bytes (`None`: the system default).
    pub sndbuf: Option<usize>,
    /// SO_MARK on the copies, so host policy (routing rules, nftables) can tell them apart.
    pub mark: Option<u32>,
}

impl Default for TxConfig {
    fn default() -> Self {
        TxConfig {
            sockets: 16,
            port_base: None,
            dst_port: vspan_dataplane::vxlan::VXLAN_PORT,
            sndbuf: Some(4 << 20),
            mark: None,
        }
    }
}

/// The shared transmit sockets.
#[derive(Debug)]
pub struct TxPool {
    socks: Vec<UdpSocket>,
    ports: Vec<u16>,
    dst_port: u16,
}

impl TxPool {
    /// Binds the pool's sockets.
    pub fn new(cfg: &TxConfig) -> Result<TxPool, TxError> {
        if cfg.sockets == 0 || cfg.sockets > crate::bpf::MAX_PORTS {
            return Err(TxError::PoolSize(cfg.sockets));
        }
        let mut socks = Vec::with_capacity(cfg.sockets);
        let mut ports = Vec::with_capacity(cfg.sockets);
        for i in 0..cfg.sockets {
            let port = match cfg.port_base {
                Some(b) => b.saturating_add(i as u16),
                None => 0,
            };
            let addr = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port);
            let s = UdpSocket::bind(addr).map_err(|source| TxError::Bind { addr, source })?;
            let opt = |what, level, name, v| {
                capture::set_int_opt(s.as_fd(), level, name, v).map_err(|source| TxError::Opt { what, source })
            };
            opt("IP_MTU_DISCOVER", libc::IPPROTO_IP, libc::IP_MTU_DISCOVER, libc::IP_PMTUDISC_DO)?;
            if let Some(b) = cfg.sndbuf {
                opt("SO_SNDBUF", libc::SOL_SOCKET, libc::SO_SNDBUF, i32::try_from(b).unwrap_or(i32::MAX))?;
            }
            if let Some(m) = cfg.mark {
                // The kernel takes the mark as an int; the bit pattern is what matters.
                opt("SO_MARK", libc::SOL_SOCKET, libc::SO_MARK, m as i32)?;
            }
            let bound = s.local_addr().map_err(|source| TxError::Bind { addr, source })?;
            ports.push(bound.port());
            socks.push(s);
        }
        Ok(TxPool { socks, ports, dst_port: cfg.dst_port })
    }

    /// The outer source ports, one per socket.
    pub fn ports(&self) -> &[u16] {
        &self.ports
    }

    /// The outer destination port.
    pub fn dst_port(&self) -> u16 {
        self.dst_port
    }

    /// MTU of the route to `dst` (`IP_MTU` of a socket connected to it).
    pub fn path_mtu(&self, dst: Ipv4Addr) -> io::Result<u32> {
        let s = UdpSocket::bind(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0))?;
        s.connect(SocketAddrV4::new(dst, self.dst_port))?;
        capture::path_mtu(s.as_fd())
    }
}

/// Transmit outcome of one session's copies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendCounters {
    /// Datagrams the kernel accepted.
    pub sent: u64,
    /// Datagrams refused: EMSGSIZE (larger than the path MTU).
    pub mtu_errors: u64,
    /// Datagrams refused for any other reason (ENOBUFS, no route, ...).
    pub errors: u64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Pending {
    msg: TxMsg,
    sock: u16,
    session: u16,
}

/// Copies waiting to be sent, in one arena; owned by one capture worker. Sized once, so
/// filling and flushing it allocates nothing.
pub struct TxBatch {
    arena: Vec<u8>,
    used: usize,
    pending: Vec<Pending>,
    scratch: Vec<TxMsg>,
    scratch_session: Vec<u16>,
    per_sock: Vec<u32>,
    max_msgs: usize,
    last_error: Option<io::ErrorKind>,
}

impl TxBatch {
    /// A batch of at most `max_msgs` copies and `arena_bytes` bytes, for `sockets` sockets.
    pub fn new(max_msgs: usize, arena_bytes: usize, sockets: usize) -> TxBatch {
        TxBatch {
            arena: vec![0; arena_bytes.max(1 << 17)],
            used: 0,
            pending: Vec::with_capacity(max_msgs),
            scratch: Vec::with_capacity(max_msgs),
            scratch_session: Vec::with_capacity(max_msgs),
            per_sock: vec![0; sockets],
            max_msgs: max_msgs.max(1),
            last_error: None,
        }
    }

    /// Whether a copy of up to `need` bytes still fits.
    pub fn has_room(&self, need: usize) -> bool {
        self.pending.len() < self.max_msgs && self.arena.len() - self.used >= need
    }

    /// Number of copies waiting.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether no copy is waiting.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// The free part of the arena, where the next copy is written.
    pub fn space(&mut self) -> &mut [u8] {
        &mut self.arena[self.used..]
    }

    /// Takes the `len` bytes just written into [`TxBatch::space`] as a copy of `session`,
    /// to `dst`, from the socket the hash-derived `src_port` selects.
    pub fn commit(&mut self, len: usize, dst: [u8; 4], src_port: u16, session: usize, pool: &TxPool) {
        let k = pool.socks.len().max(1);
        let sock = usize::from(src_port) % k;
        if len > self.arena.len() - self.used || self.pending.len() >= self.max_msgs {
            return;
        }
        self.pending.push(Pending {
            msg: TxMsg { off: self.used as u32, len: len as u32, dst, port: pool.dst_port },
            sock: sock as u16,
            session: u16::try_from(session).unwrap_or(u16::MAX),
        });
        if let Some(c) = self.per_sock.get_mut(sock) {
            *c += 1;
        }
        self.used += len;
    }

    /// Sends every waiting copy, grouped per socket; adds the outcome of each copy to
    /// `counters[session]` (copies of sessions beyond `counters` are sent, not counted).
    pub fn flush(&mut self, pool: &TxPool, counters: &mut [SendCounters]) {
        for (s, sock) in pool.socks.iter().enumerate() {
            if self.per_sock.get(s).copied().unwrap_or(0) == 0 {
                continue;
            }
            self.scratch.clear();
            self.scratch_session.clear();
            for p in self.pending.iter().filter(|p| usize::from(p.sock) == s) {
                self.scratch.push(p.msg);
                self.scratch_session.push(p.session);
            }
            let mut i = 0;
            while i < self.scratch.len() {
                let end = (i + SENDMMSG_MAX).min(self.scratch.len());
                match capture::sendmmsg_v4(sock.as_fd(), &self.arena, &self.scratch[i..end]) {
                    Ok(n) if n > 0 => {
                        for sess in &self.scratch_session[i..i + n] {
                            if let Some(c) = counters.get_mut(usize::from(*sess)) {
                                c.sent += 1;
                            }
                        }
                        i += n;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    other => {
                        // The copy at `i` was refused: count it and go on with the next.
                        let mtu = matches!(&other, Err(e) if e.raw_os_error() == Some(libc::EMSGSIZE));
                        if let Err(e) = &other {
                            self.last_error = Some(e.kind());
                        }
                        let sess = self.scratch_session.get(i).copied().unwrap_or(u16::MAX);
                        if let Some(c) = counters.get_mut(usize::from(sess)) {
                            if mtu {
                                c.mtu_errors += 1;
                            } else {
                                c.errors += 1;
                            }
                        }
                        i += 1;
                    }
                }
            }
        }
        self.pending.clear();
        self.per_sock.iter_mut().for_each(|c| *c = 0);
        self.used = 0;
    }

    /// The kind of the last send error seen (for a log line), cleared on read.
    pub fn take_last_error(&mut self) -> Option<io::ErrorKind> {
        self.last_error.take()
    }
}
