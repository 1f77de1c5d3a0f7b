"""Traffic for the agent's tests, run inside a test namespace (`ip netns exec NS python3 traffic.py ...`).

    udp-sink PORT...                 receive and discard UDP on these ports until killed
    udp-send DST PORT COUNT SIZE     send COUNT datagrams of SIZE payload bytes
    udp-stream DST PORT PPS SECONDS  send at about PPS datagrams per second
    icmp-echo DST COUNT              ICMP echo requests, waits for each reply
    tcp-server PORT REPLY            accept one connection, read to EOF, send REPLY bytes, close
    tcp-client DST PORT SIZE         connect, send SIZE bytes, read to EOF, close
"""

import socket
import struct
import sys
import time


def udp_sink(ports):
    socks = []
    for p in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", int(p)))
        s.setblocking(False)
        socks.append(s)
    print("ready", flush=True)
    import select
    while True:
        r, _, _ = select.select(socks, [], [], 1.0)
        for s in r:
            try:
                while True:
                    s.recv(65535)
            except BlockingIOError:
                pass


def udp_send(dst, port, count, size):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(int(count)):
        s.sendto(bytes([i % 256]) * int(size), (dst, int(port)))
        time.sleep(0.002)


def udp_stream(dst, port, pps, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    gap, end, i = 1.0 / float(pps), time.time() + float(seconds), 0
    nxt = time.time()
    while time.time() < end:
        s.sendto(struct.pack("!Q", i) + b"x" * 56, (dst, int(port)))
        i += 1
        nxt += gap
        d = nxt - time.time()
        if d > 0:
            time.sleep(d)
    print(i, flush=True)


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def icmp_echo(dst, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.settimeout(2.0)
    for seq in range(int(count)):
        body = struct.pack("!HH", 0x7653, seq) + b"vspan-agent-test" * 4
        pkt = struct.pack("!BBH", 8, 0, 0) + body
        pkt = struct.pack("!BBH", 8, 0, checksum(pkt)) + body
        s.sendto(pkt, (dst, 0))
        while True:
            data = s.recv(2048)
            ihl = (data[0] & 0xF) * 4
            if data[ihl] == 0 and struct.unpack("!H", data[ihl + 6:ihl + 8])[0] == seq:
                break
        time.sleep(0.01)


def tcp_server(port, reply):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", int(port)))
    ls.listen(1)
    print("ready", flush=True)
    c, _ = ls.accept()
    while c.recv(65536):
        pass
    c.sendall(b"r" * int(reply))
    c.close()


def tcp_client(dst, port, size):
    c = socket.create_connection((dst, int(port)), timeout=5)
    c.sendall(b"q" * int(size))
    c.shutdown(socket.SHUT_WR)
    while c.recv(65536):
        pass
    c.close()


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"udp-sink": lambda: udp_sink(args), "udp-send": lambda: udp_send(*args),
     "udp-stream": lambda: udp_stream(*args), "icmp-echo": lambda: icmp_echo(*args),
     "tcp-server": lambda: tcp_server(*args), "tcp-client": lambda: tcp_client(*args)}[cmd]()
