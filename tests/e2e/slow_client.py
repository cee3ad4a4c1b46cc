#!/usr/bin/env python3
"""A handshake client paced like a serial tool that does not wait for answers: after each handshake
byte it sleeps 5 ms, then reads only what has already arrived (non-blocking) and looks at the last
byte. A device that answers later than that, or a client that is not noticed at once, desynchronises
it. Written from docs/protocol.md ("Handshake", "Host-side pitfalls"); no other tool's code.

usage: slow_client.py (--socket PATH | --tty PATH) [--count N]
Each round: connect (a power-on), handshake, GET_HW_CODE (FD: echo, 65 72, status 0), disconnect.
Prints one summary line; exit 0 when every round got through, 1 otherwise."""
import argparse
import os
import select
import socket
import sys
import termios
import time
import tty

SEQ = (0xA0, 0x0A, 0x50, 0x05)
LATER_ANSWERS = tuple(~b & 0xFF for b in SEQ[1:])  # F5 AF FA: neither READY nor b+1 nor an echo
PACE = 0.005          # the sleep after each handshake byte
ROUND_LIMIT = 2.0     # a preloader drops the first A0 chunk and allows 300 ms after it: 2 s is ample


class Port:
    def __init__(self, args):
        if args.socket:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.connect(args.socket)
            self.sock.setblocking(False)
            self.fd = self.sock.fileno()
        else:
            self.sock = None
            self.fd = os.open(args.tty, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
            tty.setraw(self.fd)

    def write(self, b):
        while b:
            select.select([], [self.fd], [], 1.0)
            try:
                b = b[os.write(self.fd, b):]
            except BlockingIOError:
                pass
        if not self.sock:
            termios.tcdrain(self.fd)

    def available(self):
        """What has arrived so far, without waiting."""
        out = b""
        while select.select([self.fd], [], [], 0)[0]:
            try:
                chunk = os.read(self.fd, 4096)
            except BlockingIOError:
                break
            if not chunk:
                raise EOFError("the device closed the link")
            out += chunk
        return out

    def read_exact(self, n, timeout=2.0):
        out = b""
        end = time.monotonic() + timeout
        while len(out) < n:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise TimeoutError("wanted %d bytes, got %r" % (n, out))
            chunk = os.read(self.fd, n - len(out))
            if not chunk:
                raise EOFError("the device closed the link after %r" % out)
            out += chunk
        return out

    def close(self):
        if self.sock:
            self.sock.close()
        else:
            os.close(self.fd)


class Late(Exception):
    """The round failed because an answer came after the 5 ms read (the machine did not run the
    device in time), not because the device answered wrongly or missed the plug-in."""


def handshake(port):
    """Returns the number of bytes sent; raises when the round takes longer than ROUND_LIMIT."""
    i, sent, end = 0, 0, time.monotonic() + ROUND_LIMIT
    late = False
    while i < len(SEQ):
        if time.monotonic() > end:
            why = "no handshake within %.1f s (%d bytes sent)" % (ROUND_LIMIT, sent)
            raise Late(why + ": an answer came late") if late else TimeoutError(why)
        port.write(bytes([SEQ[i]]))
        sent += 1
        time.sleep(PACE)
        got = port.available()
        # the answer to 0A, 50 or 05 where it is not this byte's answer: it missed its 5 ms
        if any(b in LATER_ANSWERS and not (k == len(got) - 1 and b == (~SEQ[i] & 0xFF)) for k, b in enumerate(got)):
            late = True
        # after the late answer the device completed the handshake and now echoes A0 as a command:
        # this round is lost, no need to wait for ROUND_LIMIT
        if late and SEQ[0] in got:
            raise Late("the device finished the handshake after a late answer (%d bytes sent)" % sent)
        # the last byte must be this byte's complement; anything else (silence, READY, b+1) restarts
        i = i + 1 if got and got[-1] == (~SEQ[i] & 0xFF) else 0
    return sent


def main():
    ap = argparse.ArgumentParser()
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--socket")
    g.add_argument("--tty")
    ap.add_argument("--count", type=int, default=100)
    args = ap.parse_args()
    ok, extra, worst, replugs = 0, 0, 0, 0
    for n in range(args.count):
        # A round lost only to a late answer is plugged in again (at most 3 times): on a machine too
        # busy to run the device within 5 ms; any other failure counts at once.
        for attempt in range(4):
            port = Port(args)
            try:
                sent = handshake(port)
                port.write(b"\xfd")
                answer = port.read_exact(5)
                if answer != b"\xfd\x65\x72\x00\x00":
                    raise ValueError("GET_HW_CODE after the handshake answered %s" % answer.hex())
                ok += 1
                extra += sent - len(SEQ)
                worst = max(worst, sent)
                break
            except Late as e:
                print("round %d: %s" % (n + 1, e), file=sys.stderr)
                replugs += 1
            except (OSError, ValueError, TimeoutError, EOFError) as e:
                print("round %d: %s" % (n + 1, e), file=sys.stderr)
                break
            finally:
                port.close()
    print("%d of %d rounds: handshake and GET_HW_CODE ok; %d extra handshake bytes in all, at most %d in a round; "
          "%d plugged in again after a late answer" % (ok, args.count, extra, worst, replugs))
    return 0 if ok == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
