#!/usr/bin/python3
"""Sends one SIP request (read from a file, with {local} standing for this
socket's "addr:port" and {trap} for the trap's) to the gateway over UDP,
and listens on a trap port that plays a next hop.
Prints the status line of the first final answer ("no answer" when none
came within the timeout), then "trap: METHOD R-URI" when the trap got a
request (answering it 200 so the gateway's branch ends), else "trap: nothing".
Usage: sip_probe.py GW_ADDR GW_PORT REQUEST_FILE TRAP_PORT [TIMEOUT_S]"""
import select
import socket
import sys
import time


def main() -> int:
    gw, port, path, trap_port = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 3.0
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect((gw, port))
    trap = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    trap.bind((sock.getsockname()[0], trap_port))
    local = "%s:%d" % sock.getsockname()
    text = open(path).read().replace("{local}", local)
    text = text.replace("{trap}", "%s:%d" % trap.getsockname()).replace("\n", "\r\n")
    sock.send(text.encode())
    answer, trapped = "no answer", "trap: nothing"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([sock, trap], [], [], deadline - time.monotonic())
        for s in ready:
            data, peer = s.recvfrom(65535)
            first = data.split(b"\r\n", 1)[0].decode(errors="replace")
            if s is trap:
                trapped = "trap: " + " ".join(first.split(" ")[:2])
                # 200 to it with its own Via/From/To/Call-ID/CSeq.
                head = data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]
                keep = [h for h in head if h.split(b":", 1)[0].lower()
                        in (b"via", b"v", b"from", b"f", b"to", b"t", b"call-id", b"i", b"cseq")]
                s.sendto(b"SIP/2.0 200 OK\r\n" + b"\r\n".join(keep) +
                         b"\r\nContent-Length: 0\r\n\r\n", peer)
            elif not first.startswith("SIP/2.0 1"):
                answer = first
        if answer != "no answer" and trapped != "trap: nothing":
            break
    print(answer)
    print(trapped)
    return 0


if __name__ == "__main__":
    sys.exit(main())
