//! The capture filter run by the kernel on every packet of a source interface: it drops the
//! agent's own VXLAN output (so a copy leaving through a captured interface is never mirrored
//! again) and keeps everything else.
//!
//! The agent's output is exactly "IPv4, UDP, not a non-first fragment, destination port
//! 4789, source port one of the agent's transmit sockets' ports". Matching the source ports
//! too (and not just 4789) keeps other VXLAN traffic of the host mirrorable.

use crate::capture::BpfInsn;

// Classic BPF opcodes (linux/filter.h).
const LD_H_ABS: u16 = 0x28;
const LD_B_ABS: u16 = 0x30;
const LDX_B_MSH: u16 = 0xb1;
const LD_H_IND: u16 = 0x48;
const JEQ_K: u16 = 0x15;
const JSET_K: u16 = 0x45;
const RET_K: u16 = 0x06;

fn insn(code: u16, jt: u8, jf: u8, k: u32) -> BpfInsn {
    BpfInsn { code, jt, jf, k }
}

/// Most source ports the filter can list (jump offsets are 8 bits).
pub const MAX_PORTS: usize = 200;

/// A program that drops IPv4/UDP frames to `vxlan_port` from any of `own_ports` and accepts
/// the rest whole. `own_ports` longer than [`MAX_PORTS`] are cut (the caller checks).
pub fn exclude_own_output(vxlan_port: u16, own_ports: &[u16]) -> Vec<BpfInsn> {
    let ports = &own_ports[..own_ports.len().min(MAX_PORTS)];
    if ports.is_empty() {
        return vec![insn(RET_K, 0, 0, u32::MAX)];
    }
    let n = ports.len();
    // Layout: 0..=9 header checks and source-port load, 10..10+n one JEQ per port, then
    // accept, then drop. Jump offsets count from the next instruction.
    let accept = 10 + n;
    let drop = accept + 1;
    // Both targets are forward and at most MAX_PORTS + 11 away, so the cast is lossless.
    let to = |from: usize, target: usize| -> u8 { (target - from - 1) as u8 };
    let mut p = Vec::with_capacity(n + 12);
    p.push(insn(LD_H_ABS, 0, 0, 12)); // 0: ethertype
    p.push(insn(JEQ_K, 0, to(1, accept), 0x0800)); // 1: IPv4?
    p.push(insn(LD_B_ABS, 0, 0, 23)); // 2: protocol
    p.push(insn(JEQ_K, 0, to(3, accept), 17)); // 3: UDP?
    p.push(insn(LD_H_ABS, 0, 0, 20)); // 4: flags + fragment offset
    p.push(insn(JSET_K, to(5, accept), 0, 0x1fff)); // 5: later fragment: no UDP header
    p.push(insn(LDX_B_MSH, 0, 0, 14)); // 6: X = IPv4 header length
    p.push(insn(LD_H_IND, 0, 0, 14 + 2)); // 7: UDP destination port
    p.push(insn(JEQ_K, 0, to(8, accept), u32::from(vxlan_port))); // 8
    p.push(insn(LD_H_IND, 0, 0, 14)); // 9: UDP source port
    for (i, port) in ports.iter().enumerate() {
        p.push(insn(JEQ_K, to(10 + i, drop), 0, u32::from(*port)));
    }
    p.push(insn(RET_K, 0, 0, u32::MAX)); // accept: the whole frame
    p.push(insn(RET_K, 0, 0, 0)); // drop
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny cBPF interpreter for the opcodes used above, over one frame.
    fn run(p: &[BpfInsn], pkt: &[u8]) -> u32 {
        let (mut a, mut x, mut pc) = (0u32, 0u32, 0usize);
        let h = |o: usize| u32::from(u16::from_be_bytes([pkt[o], pkt[o + 1]]));
        loop {
            let i = p[pc];
            pc += 1;
            match i.code {
                LD_H_ABS => a = h(i.k as usize),
                LD_B_ABS => a = u32::from(pkt[i.k as usize]),
                LDX_B_MSH => x = 4 * u32::from(pkt[i.k as usize] & 0xf),
                LD_H_IND => a = h((x + i.k) as usize),
                JEQ_K => pc += usize::from(if a == i.k { i.jt } else { i.jf }),
                JSET_K => pc += usize::from(if a & i.k != 0 { i.jt } else { i.jf }),
                RET_K => return i.k,
                c => panic!("opcode {c:#x}"),
            }
        }
    }

    fn udp(sport: u16, dport: u16, frag: u16) -> Vec<u8> {
        let mut f = vec![0u8; 64];
        f[12..14].copy_from_slice(&[0x08, 0]);
        f[14] = 0x45;
        f[20..22].copy_from_slice(&frag.to_be_bytes());
        f[23] = 17;
        f[34..36].copy_from_slice(&sport.to_be_bytes());
        f[36..38].copy_from_slice(&dport.to_be_bytes());
        f
    }

    #[test]
    fn drops_only_own_output() {
        let p = exclude_own_output(4789, &[40000, 40001, 40002]);
        assert_eq!(run(&p, &udp(40001, 4789, 0)), 0);
        assert_eq!(run(&p, &udp(40002, 4789, 0x4000)), 0); // DF set
        assert_eq!(run(&p, &udp(40003, 4789, 0)), u32::MAX);
        assert_eq!(run(&p, &udp(40001, 4790, 0)), u32::MAX);
        assert_eq!(run(&p, &udp(40001, 4789, 0x0010)), u32::MAX); // later fragment
        let mut tcp = udp(40001, 4789, 0);
        tcp[23] = 6;
        assert_eq!(run(&p, &tcp), u32::MAX);
        let mut arp = udp(40001, 4789, 0);
        arp[12..14].copy_from_slice(&[0x08, 0x06]);
        assert_eq!(run(&p, &arp), u32::MAX);
        assert_eq!(run(&exclude_own_output(4789, &[]), &udp(1, 4789, 0)), u32::MAX);
    }
}
