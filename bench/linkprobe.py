#!/usr/bin/env python3
"""The paced rate unifw-sim's link really delivers, measured with a trivial transfer (bench/paced.sh).

    linkprobe.py SOCKET OUT_MIB IN_MIB     prints "out_bytes_per_s in_bytes_per_s"

SOCKET is a unifw-sim started with --link usb2 --usb-speed 1, so that its link runs at high speed from
power-on (sim/device/brom_cmd.c brom_power_on takes usb_speed from --usb-speed; sim/serve.c update_rates then paces
with sim_link_speeds(usb2, high speed) of sim/device/linkrate.c). The probe speaks only the BootROM command
loop (docs/sim.md; protocol.md "BROM / preloader commands"): the handshake, then
  host -> device: SEND_DA of 256 KiB blocks into SRAM (no JUMP_DA), IN_MIB in all;
  device -> host: READ32 of the whole 256 KiB SRAM (0x10000 words), OUT_MIB in all.
Commands are pipelined (sent ahead, answers read as they come), so the link never waits for a round
trip: what is measured is the sim's pacing through its real serving loop on this machine, with no
protocol work on either side. The clock runs from the end of the first block's answer to the end of
the last one: the token bucket's initial burst (10 ms of the rate, sim/device/linkrate.c) is spent on the
first block and not counted. Every answer is checked (echoes, status words, SEND_DA's checksum, and
READ32 returns what SEND_DA stored)."""
import array
import os
import socket
import sys
import threading
import time

SRAM = 0x02000000
BLOCK = 0x40000  # the sim's SRAM window, SIM_SRAM_SIZE in sim/device/dev_internal.h
HANDSHAKE = bytes([0xA0, 0x0A, 0x50, 0x05])
READ32, SEND_DA = 0xD1, 0xD7


def be32(v):
    return v.to_bytes(4, "big")


def recv_exact(sock, n):
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        k = sock.recv_into(view[got:], n - got)
        if k == 0:
            sys.exit("linkprobe: the sim closed the link after %d of %d bytes" % (got, n))
        got += k
    return buf


def expect(sock, want, what):
    got = bytes(recv_exact(sock, len(want)))
    if got != want:
        sys.exit("linkprobe: %s: expected %s, got %s" % (what, want.hex(), got.hex()))


def da_checksum(block):
    """XOR of the 16-bit little-endian words (sim/device/brom_cmd.c da_checksum; BLOCK is even)."""
    words = array.array("H", block)
    if sys.byteorder == "big":
        words.byteswap()
    x = 0
    for w in words:
        x ^= w
    return x


def timed_answers(sock, count, answer_len, check):
    """Read `count` answers of answer_len bytes; seconds from the end of the first to the end of the
    last."""
    t_first = None
    for i in range(count):
        check(recv_exact(sock, answer_len))
        if i == 0:
            t_first = time.monotonic()
    return time.monotonic() - t_first


def probe_in(sock, block, count):
    """count SEND_DAs of block: host -> device bytes per second."""
    head = bytes([SEND_DA]) + be32(SRAM) + be32(len(block)) + be32(0)
    status_ok = b"\x00\x00"
    answer = head + status_ok + da_checksum(block).to_bytes(2, "big") + status_ok

    def check(got):
        if bytes(got) != answer:
            sys.exit("linkprobe: SEND_DA answered %s, expected %s" % (bytes(got).hex(), answer.hex()))

    sender = threading.Thread(target=lambda: [sock.sendall(head + block) for _ in range(count)])
    sender.start()
    secs = timed_answers(sock, count, len(answer), check)
    sender.join()
    return (count - 1) * (len(head) + len(block)) / secs


def probe_out(sock, block, count):
    """count READ32s of the whole SRAM (holding block): device -> host bytes per second."""
    head = bytes([READ32]) + be32(SRAM) + be32(len(block) // 4)
    # READ32 sends each little-endian SRAM word as a big-endian u32
    words = array.array("I", block)
    if sys.byteorder == "little":
        words.byteswap()
    answer = head + b"\x00\x00" + words.tobytes() + b"\x00\x00"

    def check(got):
        if got != answer:
            sys.exit("linkprobe: READ32 did not return what SEND_DA stored")

    sock.sendall(head * count)
    secs = timed_answers(sock, count, len(answer), check)
    return (count - 1) * len(answer) / secs


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: linkprobe.py SOCKET OUT_MIB IN_MIB")
    path, out_mib, in_mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    blocks = lambda mib: max(2, mib * (1 << 20) // BLOCK)
    block = os.urandom(BLOCK)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    sock.sendall(HANDSHAKE)
    expect(sock, bytes(~b & 0xFF for b in HANDSHAKE), "handshake")
    in_bps = probe_in(sock, block, blocks(in_mib))
    out_bps = probe_out(sock, block, blocks(out_mib))
    sock.close()
    print("%.0f %.0f" % (out_bps, in_bps))


if __name__ == "__main__":
    main()
