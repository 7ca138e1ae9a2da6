#!/usr/bin/python3
"""ICMP echo until a reply or the deadline (iputils ping is not installed
everywhere). Needs root (raw socket). Usage: ping.py ADDR [TIMEOUT_S]"""
import os
import select
import socket
import struct
import sys
import time


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main() -> int:
    addr = sys.argv[1]
    deadline = time.monotonic() + (float(sys.argv[2]) if len(sys.argv) > 2 else 5.0)
    ident = os.getpid() & 0xFFFF
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    seq = 0
    while time.monotonic() < deadline:
        seq += 1
        payload = b"imsgw-it" + struct.pack("!d", time.monotonic())
        hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
        pkt = struct.pack("!BBHHH", 8, 0, checksum(hdr + payload), ident, seq) + payload
        sent = time.monotonic()
        try:
            sock.sendto(pkt, (addr, 0))
        except OSError:
            pass  # no route / ARP not resolved yet: retry
        wait_until = min(deadline, sent + 0.2)
        while True:
            left = wait_until - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([sock], [], [], left)
            if not r:
                break
            data, (src, _) = sock.recvfrom(2048)
            ihl = (data[0] & 0x0F) * 4
            typ, _, _, rid, rseq = struct.unpack("!BBHHH", data[ihl:ihl + 8])
            if src == addr and typ == 0 and rid == ident:
                print("reply from %s seq=%d time=%.3f ms" %
                      (src, rseq, (time.monotonic() - sent) * 1000))
                return 0
    print("no ICMP echo reply from %s" % addr, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
