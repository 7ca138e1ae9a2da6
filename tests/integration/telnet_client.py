#!/usr/bin/python3
"""A small, bounded telnet driver for the MML shell (an `expect` in Python).

Usage: telnet_client.py HOST PORT [--timeout S] STEP...
Steps, run in order:
  expect:REGEX   wait (at most --timeout seconds) until the text received
                 since the previous expect matches REGEX (Python re, MULTILINE,
                 IGNORECASE); the match consumes the text up to its end
  send:TEXT      send TEXT followed by CR LF
  close          close the connection
  eof            wait until the server closes the connection
Telnet option negotiation is answered (WILL ECHO/SGA accepted, anything else
refused) and stripped. The transcript goes to stdout; on failure a message
naming the step goes to stderr and the exit code is 1.
"""
import re
import select
import socket
import sys
import time

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
ECHO, SGA = 1, 3


class Session:
    def __init__(self, host, port, timeout):
        self.timeout = timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setblocking(False)
        self.text = ""      # received, not yet consumed by an expect
        self.closed = False
        self._iac = b""     # an option sequence split across reads

    def _filter(self, data: bytes) -> bytes:
        data = self._iac + data
        self._iac = b""
        out = bytearray()
        i = 0
        while i < len(data):
            b = data[i]
            if b != IAC:
                out.append(b)
                i += 1
                continue
            if i + 1 >= len(data):
                self._iac = data[i:]
                break
            cmd = data[i + 1]
            if cmd == IAC:
                out.append(IAC)
                i += 2
            elif cmd in (DO, DONT, WILL, WONT):
                if i + 2 >= len(data):
                    self._iac = data[i:]
                    break
                opt = data[i + 2]
                if cmd == WILL:
                    reply = DO if opt in (ECHO, SGA) else DONT
                elif cmd == DO:
                    reply = WILL if opt == SGA else WONT
                else:
                    reply = None
                if reply is not None:
                    self.sock.sendall(bytes([IAC, reply, opt]))
                i += 3
            elif cmd == SB:
                end = data.find(bytes([IAC, SE]), i)
                if end < 0:
                    self._iac = data[i:]
                    break
                i = end + 2
            else:
                i += 2
        return bytes(out)

    def _pump(self, until) -> bool:
        """Reads until until() is true, EOF or the timeout; returns until()."""
        deadline = time.monotonic() + self.timeout
        while not until():
            left = deadline - time.monotonic()
            if left <= 0 or self.closed:
                return until()
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                continue
            try:
                data = self.sock.recv(4096)
            except (ConnectionResetError, BlockingIOError):
                data = b""
            if not data:
                self.closed = True
                continue
            chunk = self._filter(data).decode("utf-8", "replace")
            sys.stdout.write(chunk)
            sys.stdout.flush()
            self.text += chunk
        return True

    def expect(self, pattern: str) -> bool:
        rx = re.compile(pattern, re.MULTILINE | re.IGNORECASE)
        found = []

        def matched():
            m = rx.search(self.text)
            if m:
                found.append(m)
            return m is not None

        if not self._pump(matched):
            return False
        self.text = self.text[found[-1].end():]
        return True

    def send(self, line: str):
        sys.stdout.write(line + "\n")
        self.sock.sendall(line.encode() + b"\r\n")

    def eof(self) -> bool:
        return self._pump(lambda: self.closed)


def main(argv) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    host, port = argv[1], int(argv[2])
    steps = argv[3:]
    timeout = 5.0
    if steps[:1] == ["--timeout"]:
        timeout = float(steps[1])
        steps = steps[2:]
    try:
        s = Session(host, port, timeout)
    except OSError as e:
        print("telnet_client: cannot connect to %s:%d: %s" % (host, port, e),
              file=sys.stderr)
        return 1
    for step in steps:
        kind, _, arg = step.partition(":")
        if kind == "expect":
            if not s.expect(arg):
                print("\ntelnet_client: timed out after %.0f s waiting for /%s/;"
                      " unmatched text: %r" % (timeout, arg, s.text[-300:]),
                      file=sys.stderr)
                return 1
        elif kind == "send":
            try:
                s.send(arg)
            except OSError as e:
                print("\ntelnet_client: send %r failed: %s" % (arg, e),
                      file=sys.stderr)
                return 1
        elif kind == "close":
            s.sock.close()
            return 0
        elif kind == "eof":
            if not s.eof():
                print("\ntelnet_client: connection still open after %.0f s" %
                      timeout, file=sys.stderr)
                return 1
        else:
            print("telnet_client: bad step %r" % step, file=sys.stderr)
            return 2
    s.sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
