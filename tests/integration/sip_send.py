#!/usr/bin/python3
"""Sends one SIP OPTIONS of a chosen total size (padded with a text body)
to the gateway over UDP and prints the status line of the answer, or
"no answer" after the timeout (exit status 1).
Usage: sip_send.py ADDR PORT SIZE [TIMEOUT_S]"""
import os
import socket
import sys


def build(addr: str, local: tuple, size: int) -> bytes:
    head = (
        f"OPTIONS sip:{addr} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {local[0]}:{local[1]};branch=z9hG4bK-size{size}-{os.getpid()};rport\r\n"
        "Max-Forwards: 70\r\n"
        f"From: <sip:probe@{local[0]}>;tag=s{size}\r\n"
        f"To: <sip:{addr}>\r\n"
        f"Call-ID: size-{size}-{os.getpid()}@{local[0]}\r\n"
        "CSeq: 1 OPTIONS\r\n"
        "Content-Type: text/plain\r\n"
    )
    # Content-Length's own digits count towards the size.
    for digits in range(1, 7):
        body_len = size - len(head) - len("Content-Length: \r\n\r\n") - digits
        if body_len >= 0 and len(str(body_len)) == digits:
            break
    else:
        raise SystemExit(f"size {size} too small for an OPTIONS")
    msg = head + f"Content-Length: {body_len}\r\n\r\n" + "x" * body_len
    assert len(msg) == size
    return msg.encode()


def main() -> int:
    addr, port, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 3.0
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect((addr, port))
    sock.sendto(build(addr, sock.getsockname(), size), (addr, port))
    sock.settimeout(timeout)
    try:
        data = sock.recv(65535)
    except socket.timeout:
        print("no answer")
        return 1
    print(data.split(b"\r\n", 1)[0].decode(errors="replace"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
