#!/usr/bin/env python3
"""Digest replay check against the gateway, over UDP, bounded.

Usage: digest_replay.py GW_IP USER PASSWORD [--local-ip IP] [--port N]

1. REGISTER without credentials -> 401 with an MD5 challenge
2. REGISTER with credentials (nc=00000001) -> 200
3. a new REGISTER (new branch, higher CSeq) carrying the very same
   Authorization (same nonce and nc) -> must NOT be 200 (replay refused)
4. the same nonce with nc=00000002 and a fresh response -> 200
Exit 0 when all hold; the exchange goes to stdout.
"""
import argparse
import hashlib
import re
import socket
import sys


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gw")
    ap.add_argument("user")
    ap.add_argument("password")
    ap.add_argument("--local-ip", default="198.51.100.1")
    ap.add_argument("--port", type=int, default=5080)
    a = ap.parse_args()

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((a.local_ip, a.port))
    sock.settimeout(5)
    uri = "sip:%s" % a.gw
    call_id = "replay-%d@%s" % (a.port, a.local_ip)

    def register(cseq, branch, auth=None):
        lines = [
            "REGISTER %s SIP/2.0" % uri,
            "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-replay-%s;rport" % (a.local_ip, a.port, branch),
            "Max-Forwards: 70",
            "From: <sip:%s@%s>;tag=replay" % (a.user, a.gw),
            "To: <sip:%s@%s>" % (a.user, a.gw),
            "Call-ID: %s" % call_id,
            "CSeq: %d REGISTER" % cseq,
            "Contact: <sip:%s@%s:%d>" % (a.user, a.local_ip, a.port),
            "Expires: 120",
        ]
        if auth:
            lines.append("Authorization: " + auth)
        msg = "\r\n".join(lines + ["Content-Length: 0", "", ""])
        print(">>> CSeq %d%s" % (cseq, " with credentials" if auth else ""))
        sock.sendto(msg.encode(), (a.gw, 5060))
        while True:
            data, _ = sock.recvfrom(65535)
            text = data.decode(errors="replace")
            status = int(text.split(" ", 2)[1])
            print("<<< " + text.split("\r\n", 1)[0])
            if status >= 200:
                return status, text

    def authorization(nonce, nc):
        ha1 = md5("%s:%s:%s" % (a.user, realm, a.password))
        ha2 = md5("REGISTER:%s" % uri)
        cnonce = "0a4f113b"
        resp = md5("%s:%s:%s:%s:auth:%s" % (ha1, nonce, nc, cnonce, ha2))
        return ('Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", '
                'algorithm=MD5, cnonce="%s", qop=auth, nc=%s'
                % (a.user, realm, nonce, uri, resp, cnonce, nc))

    status, text = register(1, "1")
    if status != 401:
        print("FAIL: expected 401, got %d" % status)
        return 1
    m = re.search(r'WWW-Authenticate: Digest realm="([^"]+)", nonce="([^"]+)", algorithm=MD5', text)
    if not m:
        print("FAIL: no MD5 challenge in the 401")
        return 1
    realm, nonce = m.group(1), m.group(2)
    first = authorization(nonce, "00000001")
    status, _ = register(2, "2", first)
    if status != 200:
        print("FAIL: the first authenticated REGISTER got %d, not 200" % status)
        return 1
    status, _ = register(3, "3", first)
    if status == 200:
        print("FAIL: the replayed credentials (same nonce, same nc) were accepted")
        return 1
    print("ok: replay refused with %d" % status)
    status, _ = register(4, "4", authorization(nonce, "00000002"))
    if status != 200:
        print("FAIL: the next nonce count (nc=00000002) got %d, not 200" % status)
        return 1
    print("ok: the next nonce count is accepted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
