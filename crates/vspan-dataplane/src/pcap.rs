//! pcap / pcapng input and pcap output: the offline packet source and sink.
//!
//! Reading goes through `pcap-file`, behind [`PacketSource`], so a swap of that crate stays
//! local. Classic pcap records are read raw and validated here: `pcap-file`'s own check
//! rejects records whose original length exceeds the snap length, which is exactly what a
//! capture taken with a small snap length contains. pcapng timestamps are scaled by the
//! interface's `if_tsresol`. Only Ethernet link types are accepted; pcapng packets of other
//! interfaces are skipped and counted.
//!
//! Writing is classic pcap (nanosecond timestamps) by our own ~40 lines: the record format
//! is trivial and this keeps the write path free of allocations and of snap-length checks
//! that would reject 64 KB GRO aggregates.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use pcap_file::DataLink;
use pcap_file::pcap::PcapReader;
use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;
use pcap_file::pcapng::{Block, PcapNgReader};

/// Errors of pcap input and output.
#[derive(Debug, thiserror::Error)]
pub enum PcapError {
    #[error("I/O: {0}")]
    Io(#[from] io::Error),
    #[error("not a pcap or pcapng file (magic {0:02x?})")]
    NotACapture([u8; 4]),
    #[error("capture link type {0:?} is not Ethernet")]
    LinkType(DataLink),
    #[error("malformed capture: {0}")]
    Format(String),
}

impl From<pcap_file::PcapError> for PcapError {
    fn from(e: pcap_file::PcapError) -> Self {
        match e {
            pcap_file::PcapError::IoError(io) => PcapError::Io(io),
            other => PcapError::Format(other.to_string()),
        }
    }
}

/// One captured frame, borrowed from the source until the next call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packet<'a> {
    pub timestamp: Duration,
    /// Length on the wire; at least `data.len()`.
    pub orig_len: u32,
    pub data: &'a [u8],
}

/// Where frames come from (a capture file here, an AF_PACKET ring in the agent).
pub trait PacketSource {
    /// The next frame, or `None` at the end.
    fn next_packet(&mut self) -> Result<Option<Packet<'_>>, PcapError>;
}

/// Where frames go (a pcap file here, a UDP socket in the agent).
pub trait PacketSink {
    fn write_packet(&mut self, timestamp: Duration, orig_len: u32, data: &[u8]) -> Result<(), PcapError>;
}

enum Format<R: Read> {
    Pcap { reader: PcapReader<R>, nanos: bool },
    PcapNg(PcapNgReader<R>),
}

/// A pcap or pcapng file, detected by its magic number.
pub struct CaptureReader<R: Read> {
    format: Format<R>,
    /// Reused for every packet, so reading allocates only when a frame is longer than any
    /// before it.
    buf: Vec<u8>,
    /// Packets skipped because their interface is not Ethernet (pcapng).
    pub skipped_link_type: u64,
}

const PCAPNG_MAGIC: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];

impl CaptureReader<BufReader<File>> {
    /// Opens a capture file.
    pub fn open(path: &Path) -> Result<Self, PcapError> {
        CaptureReader::new(BufReader::with_capacity(1 << 20, File::open(path)?))
    }
}

impl<R: BufRead> CaptureReader<R> {
    /// Reads the file header of a pcap or pcapng stream.
    pub fn new(mut r: R) -> Result<Self, PcapError> {
        let head = r.fill_buf()?;
        let mut magic = [0u8; 4];
        let n = head.len().min(4);
        magic[..n].copy_from_slice(&head[..n]);
        let format = match magic {
            PCAPNG_MAGIC => Format::PcapNg(PcapNgReader::new(r)?),
            [0xa1, 0xb2, 0xc3, 0xd4]
            | [0xd4, 0xc3, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0x3c, 0x4d]
            | [0x4d, 0x3c, 0xb2, 0xa1] => {
                let reader = PcapReader::new(r)?;
                let h = reader.header();
                if h.datalink != DataLink::ETHERNET {
                    return Err(PcapError::LinkType(h.datalink));
                }
                let nanos = h.ts_resolution == pcap_file::TsResolution::NanoSecond;
                Format::Pcap { reader, nanos }
            }
            other => return Err(PcapError::NotACapture(other)),
        };
        Ok(CaptureReader { format, buf: Vec::new(), skipped_link_type: 0 })
    }
}

/// Converts a pcapng timestamp in interface units to a duration.
fn ng_timestamp(units: u64, tsresol: u8) -> Duration {
    let exp = u32::from(tsresol & 0x7f);
    if tsresol & 0x80 != 0 {
        // Negative power of two.
        let per_sec = 1u128.checked_shl(exp).unwrap_or(u128::MAX);
        let secs = u128::from(units) / per_sec;
        let frac = u128::from(units) % per_sec;
        let nanos = frac * 1_000_000_000 / per_sec;
        Duration::new(u64::try_from(secs).unwrap_or(u64::MAX), nanos as u32)
    } else {
        let per_sec = 10u128.checked_pow(exp).unwrap_or(u128::MAX);
        let secs = u128::from(units) / per_sec;
        let frac = u128::from(units) % per_sec;
        // frac < per_sec, so the quotient is below 10^9 and fits u32.
        let nanos = frac * 1_000_000_000 / per_sec;
        Duration::new(u64::try_from(secs).unwrap_or(u64::MAX), nanos as u32)
    }
}

impl<R: Read> PacketSource for CaptureReader<R> {
    fn next_packet(&mut self) -> Result<Option<Packet<'_>>, PcapError> {
        match &mut self.format {
            Format::Pcap { reader, nanos } => {
                let Some(raw) = reader.next_raw_packet() else {
                    return Ok(None);
                };
                let raw = raw?;
                let frac_ns = if *nanos { raw.ts_frac } else { raw.ts_frac.saturating_mul(1000) };
                // Out-of-range fractions are clamped rather than rejected: a bad
                // timestamp should not stop a replay.
                let timestamp = Duration::new(u64::from(raw.ts_sec), frac_ns.min(999_999_999));
                self.buf.clear();
                self.buf.extend_from_slice(&raw.data);
                let orig_len = raw.orig_len.max(raw.incl_len);
                Ok(Some(Packet { timestamp, orig_len, data: &self.buf }))
            }
            Format::PcapNg(reader) => loop {
                let Some(block) = reader.next_block() else {
                    return Ok(None);
                };
                let (iface, units, orig_len) = match block? {
                    Block::EnhancedPacket(epb) => {
                        self.buf.clear();
                        self.buf.extend_from_slice(&epb.data);
                        // pcap-file stores the raw unit count as nanoseconds.
                        let units = u64::try_from(epb.timestamp.as_nanos()).unwrap_or(u64::MAX);
                        (epb.interface_id, units, epb.original_len)
                    }
                    Block::Packet(pb) => {
                        self.buf.clear();
                        self.buf.extend_from_slice(&pb.data);
                        (u32::from(pb.interface_id), pb.timestamp, pb.original_len)
                    }
                    Block::SimplePacket(spb) => {
                        self.buf.clear();
                        self.buf.extend_from_slice(&spb.data);
                        (0, 0, spb.original_len)
                    }
                    _ => continue,
                };
                let Some(idb) = usize::try_from(iface).ok().and_then(|i| reader.interfaces().get(i)) else {
                    return Err(PcapError::Format(format!("packet of undeclared interface {iface}")));
                };
                if idb.linktype != DataLink::ETHERNET {
                    self.skipped_link_type += 1;
                    continue;
                }
                let tsresol = idb
                    .options
                    .iter()
                    .find_map(|o| match o {
                        InterfaceDescriptionOption::IfTsResol(r) => Some(*r),
                        _ => None,
                    })
                    .unwrap_or(6);
                let len = u32::try_from(self.buf.len()).unwrap_or(u32::MAX);
                return Ok(Some(Packet {
                    timestamp: ng_timestamp(units, tsresol),
                    orig_len: orig_len.max(len),
                    data: &self.buf,
                }));
            },
        }
    }
}

/// Snap length written in our pcap headers: large enough for 64 KB aggregates plus
/// encapsulation.
pub const SNAPLEN: u32 = 262_144;

/// A classic pcap writer (Ethernet, nanosecond timestamps).
pub struct PcapWriter<W: Write> {
    w: W,
    written: u64,
}

impl PcapWriter<BufWriter<File>> {
    /// Creates (truncates) a pcap file.
    pub fn create(path: &Path) -> Result<Self, PcapError> {
        PcapWriter::new(BufWriter::with_capacity(1 << 20, File::create(path)?))
    }
}

impl<W: Write> PcapWriter<W> {
    /// Writes the file header.
    pub fn new(mut w: W) -> Result<Self, PcapError> {
        let mut h = [0u8; 24];
        h[0..4].copy_from_slice(&0xa1b2_3c4du32.to_le_bytes());
        h[4..6].copy_from_slice(&2u16.to_le_bytes());
        h[6..8].copy_from_slice(&4u16.to_le_bytes());
        h[16..20].copy_from_slice(&SNAPLEN.to_le_bytes());
        h[20..24].copy_from_slice(&1u32.to_le_bytes());
        w.write_all(&h)?;
        Ok(PcapWriter { w, written: 24 })
    }

    /// Bytes written so far, headers included.
    pub fn bytes_written(&self) -> u64 {
        self.written
    }

    /// Flushes buffered records to the underlying writer.
    pub fn flush(&mut self) -> Result<(), PcapError> {
        Ok(self.w.flush()?)
    }

    /// Flushes and returns the underlying writer.
    pub fn into_inner(mut self) -> Result<W, PcapError> {
        self.w.flush()?;
        Ok(self.w)
    }
}

impl<W: Write> PacketSink for PcapWriter<W> {
    fn write_packet(&mut self, timestamp: Duration, orig_len: u32, data: &[u8]) -> Result<(), PcapError> {
        let incl = u32::try_from(data.len())
            .ok()
            .filter(|l| *l <= SNAPLEN)
            .ok_or_else(|| PcapError::Format(format!("record of {} bytes", data.len())))?;
        let mut h = [0u8; 16];
        let secs = u32::try_from(timestamp.as_secs()).unwrap_or(u32::MAX);
        h[0..4].copy_from_slice(&secs.to_le_bytes());
        h[4..8].copy_from_slice(&timestamp.subsec_nanos().to_le_bytes());
        h[8..12].copy_from_slice(&incl.to_le_bytes());
        h[12..16].copy_from_slice(&orig_len.max(incl).to_le_bytes());
        self.w.write_all(&h)?;
        self.w.write_all(data)?;
        self.written += 16 + u64::from(incl);
        Ok(())
    }
}

/// pcap files in a directory, one series per VNI, each file rotated when it would exceed a
/// size: `vni-<VNI>-<NNNNN>.pcap`.
pub struct VniPcapDir {
    dir: PathBuf,
    max_bytes: u64,
    files: HashMap<u32, (u32, PcapWriter<BufWriter<File>>)>,
}

impl VniPcapDir {
    /// Output into `dir` (created if missing), rotating at `max_bytes` per file.
    pub fn new(dir: &Path, max_bytes: u64) -> Result<Self, PcapError> {
        std::fs::create_dir_all(dir)?;
        Ok(VniPcapDir { dir: dir.to_path_buf(), max_bytes: max_bytes.max(1), files: HashMap::new() })
    }

    /// Path of file number `seq` of `vni`.
    pub fn path(&self, vni: u32, seq: u32) -> PathBuf {
        self.dir.join(format!("vni-{vni}-{seq:05}.pcap"))
    }

    /// Appends a frame to `vni`'s current file, starting a new file if this one is full.
    pub fn write(&mut self, vni: u32, timestamp: Duration, orig_len: u32, data: &[u8]) -> Result<(), PcapError> {
        let record = 16 + data.len() as u64;
        let rotate = match self.files.get(&vni) {
            None => Some(0),
            Some((seq, w)) => {
                (w.bytes_written() > 24 && w.bytes_written() + record > self.max_bytes).then_some(seq + 1)
            }
        };
        if let Some(seq) = rotate {
            let w = PcapWriter::create(&self.path(vni, seq))?;
            if let Some((_, old)) = self.files.insert(vni, (seq, w)) {
                old.into_inner()?;
            }
        }
        match self.files.get_mut(&vni) {
            Some((_, w)) => w.write_packet(timestamp, orig_len, data),
            None => Err(PcapError::Format("writer vanished".into())),
        }
    }

    /// Flushes every open file (so a killed process leaves readable captures).
    pub fn flush(&mut self) -> Result<(), PcapError> {
        for (_, w) in self.files.values_mut() {
            w.flush()?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn pcap_round_trip_keeps_lengths_and_time() {
        let mut w = PcapWriter::new(Vec::new()).unwrap();
        let ts = Duration::new(1_700_000_000, 123_456_789);
        w.write_packet(ts, 1514, &[1, 2, 3]).unwrap();
        w.write_packet(ts, 0, &[4; 70]).unwrap();
        let bytes = w.into_inner().unwrap();
        let mut r = CaptureReader::new(&bytes[..]).unwrap();
        let p = r.next_packet().unwrap().unwrap();
        assert_eq!((p.timestamp, p.orig_len, p.data), (ts, 1514, &[1u8, 2, 3][..]));
        let p = r.next_packet().unwrap().unwrap();
        assert_eq!(p.orig_len, 70);
        assert!(r.next_packet().unwrap().is_none());
    }

    #[test]
    fn snaplen_smaller_than_orig_len_is_read() {
        // A classic microsecond pcap with snaplen 96 and a record cut at 96 of 1514.
        let mut f = vec![];
        f.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        f.extend_from_slice(&[2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        f.extend_from_slice(&96u32.to_le_bytes());
        f.extend_from_slice(&1u32.to_le_bytes());
        f.extend_from_slice(&[1, 0, 0, 0, 7, 0, 0, 0]);
        f.extend_from_slice(&96u32.to_le_bytes());
        f.extend_from_slice(&1514u32.to_le_bytes());
        f.extend_from_slice(&[0xab; 96]);
        let mut r = CaptureReader::new(&f[..]).unwrap();
        let p = r.next_packet().unwrap().unwrap();
        assert_eq!((p.orig_len, p.data.len()), (1514, 96));
        assert_eq!(p.timestamp, Duration::new(1, 7000));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(CaptureReader::new(&b"hello world"[..]).is_err());
        assert!(CaptureReader::new(&b""[..]).is_err());
        let mut w = PcapWriter::new(Vec::new()).unwrap();
        w.write_packet(Duration::ZERO, 0, &[1; 100]).unwrap();
        let mut bytes = w.into_inner().unwrap();
        bytes.truncate(60);
        let mut r = CaptureReader::new(&bytes[..]).unwrap();
        assert!(r.next_packet().is_err());
    }

    #[test]
    fn ng_timestamps_follow_tsresol() {
        assert_eq!(ng_timestamp(1_500_000, 6), Duration::new(1, 500_000_000));
        assert_eq!(ng_timestamp(3, 0x81), Duration::new(1, 500_000_000));
        assert_eq!(ng_timestamp(7, 9), Duration::new(0, 7));
    }

    #[test]
    fn vni_dir_rotates() {
        let d = tempfile::tempdir().unwrap();
        let mut v = VniPcapDir::new(d.path(), 200).unwrap();
        for _ in 0..5 {
            v.write(7, Duration::ZERO, 0, &[0; 60]).unwrap();
        }
        v.write(8, Duration::ZERO, 0, &[0; 60]).unwrap();
        v.flush().unwrap();
        assert!(v.path(7, 0).exists() && v.path(7, 1).exists() && v.path(7, 2).exists());
        assert!(!v.path(7, 3).exists());
        assert!(v.path(8, 0).exists());
    }
}
