#!/bin/sh
# unifw-sim over a pseudo terminal: a tiny serial client (python3, os.open + termios, no pyserial)
# talks to the real binary the way a tool talks to /dev/ttyACM0: handshake, identify, DA boot,
# USB re-enumeration (the pty goes away and comes back, like the ACM device), write + read back,
# READ_PMT on a blank phone, FINISH. Exit 0 pass, 77 skip, else fail.
set -eu

command -v python3 >/dev/null 2>&1 || { echo "python3 missing: skip"; exit 77; }
SIM="${UNIFW_SIM_BIN:-$(dirname "${UNIFW_BIN:-./unifw}")/sim/unifw-sim}"
[ -x "$SIM" ] || { echo "unifw-sim not built at $SIM: skip"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/unifw-sim-pty-XXXXXX")
simpid=
cleanup() {
	[ -n "$simpid" ] && kill "$simpid" 2>/dev/null || true
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT INT TERM

"$SIM" make-da -o "$work/MTK_AllInOne_DA.bin" >/dev/null
"$SIM" --pty --pty-link "$work/tty" --emmc "$work/emmc.img" --emmc-size 16M --exit-on-finish \
	--trace-file "$work/trace.txt" >"$work/out.txt" 2>"$work/err.txt" &
simpid=$!

i=0
while ! grep -q '^pty ' "$work/out.txt" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "no pty announced"; cat "$work/err.txt"; exit 1; }
	sleep 0.05
done
pty=$(sed -n 's/^pty //p' "$work/out.txt" | head -n 1)
[ -c "$pty" ] || { echo "announced pty $pty is not a character device"; exit 1; }
[ "$(readlink "$work/tty")" = "$pty" ] || { echo "--pty-link does not point at $pty"; exit 1; }

python3 - "$work" <<'EOF'
import os, select, struct, sys, termios, time, tty

work = sys.argv[1]

def open_port(path):
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)
    return fd

def rd(fd, n, timeout=5.0):
    out = b""
    end = time.time() + timeout
    while len(out) < n:
        left = end - time.time()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise SystemExit("timeout: wanted %d bytes, got %r" % (n, out))
        try:
            chunk = os.read(fd, n - len(out))
        except OSError:
            chunk = b""
        if not chunk:
            raise SystemExit("port closed after %r" % out)
        out += chunk
    return out

def gone(fd, timeout=5.0):
    """True when the port stops working (EIO or EOF), as when the USB device disappears."""
    end = time.time() + timeout
    while time.time() < end:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                if os.read(fd, 1) == b"":
                    return True
            except OSError:
                return True
    return False

def wr(fd, b):
    while b:
        b = b[os.write(fd, b):]
    termios.tcdrain(fd)

def echo(fd, b):
    wr(fd, b)
    got = rd(fd, len(b))
    assert got == b, (got, b)

be32 = lambda v: struct.pack(">I", v)
u32 = lambda b: struct.unpack(">I", b)[0]
u16 = lambda b: struct.unpack(">H", b)[0]

fd = open_port(os.path.join(work, "tty"))
# the preloader drops the first chunk that starts with A0 unanswered: A0 again until it answers
for _ in range(20):
    wr(fd, b"\xa0")
    if select.select([fd], [], [], 0.1)[0]:
        assert rd(fd, 1) == b"\x5f"
        break
else:
    raise SystemExit("no answer to A0")
for x in (0x0A, 0x50, 0x05):
    wr(fd, bytes([x]))
    assert rd(fd, 1)[0] == (~x & 0xFF)

echo(fd, b"\xfd")
assert rd(fd, 4) == b"\x65\x72\x00\x00"
wr(fd, b"\xfe")
assert rd(fd, 1) != b"\xfe", "preloader must not echo FE"
echo(fd, b"\xd4"); echo(fd, be32(0x10007000)); echo(fd, be32(1))
assert u16(rd(fd, 2)) == 0
echo(fd, be32(0x22000064))
assert u16(rd(fd, 2)) == 0

# The DA container (protocol.md "DA file", little-endian): pick the entry for 0x6572, regions 1 and 2.
blob = open(os.path.join(work, "MTK_AllInOne_DA.bin"), "rb").read()
assert blob[:18] == b"MTK_DOWNLOAD_AGENT" and struct.unpack_from("<I", blob, 0x64)[0] == 0x22668899
entries = [0x6C + i * 0xDC for i in range(struct.unpack_from("<I", blob, 0x68)[0])]
entry = next(e for e in entries if struct.unpack_from("<HH", blob, e) == (0xDADA, 0x6572))
def region(r):
    off, length, addr, start, sig = struct.unpack_from("<5I", blob, entry + 0x14 + 20 * r)
    return blob[off:off + length], addr, sig
da1, da1_addr, da1_sig = region(1)
da2, da2_addr, _ = region(2)
assert da1_addr == 0x2007000 and da2_addr == 0x80000000
echo(fd, b"\xd7"); echo(fd, be32(da1_addr)); echo(fd, be32(len(da1))); echo(fd, be32(da1_sig))
assert u16(rd(fd, 2)) == 0
wr(fd, da1)
x = 0
for i in range(0, len(da1) - 1, 2):
    x ^= da1[i] | da1[i + 1] << 8
if len(da1) & 1:
    x ^= da1[-1]
ck, st = struct.unpack(">HH", rd(fd, 4))
assert ck == x and st == 0, (hex(ck), hex(x), st)
echo(fd, b"\xd5"); echo(fd, be32(da1_addr))
assert u16(rd(fd, 2)) == 0
assert rd(fd, 1) == b"\xc0"
assert u32(rd(fd, 4)) == 0xBC4
rd(fd, 2 * u16(rd(fd, 2)))
assert u32(rd(fd, 4)) == 0
cid = rd(fd, 16)
wr(fd, b"\x5a"); rd(fd, 3)
wr(fd, bytes([5, 1]) + struct.pack(">HBIBIBBBB", 8, 0, 0x7007FFFF, 0, 0xA8, 1, 1, 2, 0))
assert u32(rd(fd, 4)) == 0
wr(fd, struct.pack(">III", da2_addr, len(da2), 0x1000))
assert rd(fd, 1) == b"\x5a"
for off in range(0, len(da2), 0x1000):
    wr(fd, da2[off:off + 0x1000])
    assert rd(fd, 1) == b"\x5a"
assert rd(fd, 1) == b"\x5a"
wr(fd, b"\x5a")
nor = rd(fd, 0x1C); nand = rd(fd, 0x11)
rd(fd, 2 * u16(nand[15:17])); rd(fd, 9)
emmc = rd(fd, 0x5C)
assert struct.unpack(">Q", emmc[60:68])[0] == 16 << 20, emmc.hex()
assert emmc[68:84] == cid
rd(fd, 0x1C + 0x26)
tail = rd(fd, 10)
assert tail[0] == 0x5A and tail[9] == 0xC1

wr(fd, b"\x72")
assert rd(fd, 2) == b"\x5a\x00"
wr(fd, b"\x70\x01")
assert rd(fd, 1) == b"\x5a"
assert gone(fd), "the DA should re-enumerate"
os.close(fd)
time.sleep(0.2)
fd = open_port(os.path.join(work, "tty"))  # the link follows the new pty
wr(fd, b"\x72")
assert rd(fd, 2) == b"\x5a\x01", "high speed after re-enumeration"

data = bytes((i * 7 + 1) & 0xFF for i in range(3 * 512))
wr(fd, b"\x62\x01\x08" + struct.pack(">QQI", 0x8000, len(data), 0x100000))
assert rd(fd, 1) == b"\x5a"
wr(fd, b"\x5a" + data + struct.pack(">H", sum(data) & 0xFFFF))
assert rd(fd, 1) == b"\x69"
wr(fd, b"\xd6\x0c\x02" + struct.pack(">QQI", 0x8000, len(data), 0x100000))
assert rd(fd, 1) == b"\x5a"
assert rd(fd, len(data)) == data
assert u16(rd(fd, 2)) == sum(data) & 0xFFFF
wr(fd, b"\x5a")

wr(fd, b"\xa5")                      # READ_PMT on a blank phone: NACK ...
assert rd(fd, 1) == b"\xa5"
wr(fd, b"\xa5")                      # ... and the reason on request (u32 LE)
assert struct.unpack("<I", rd(fd, 4))[0] == 0x40D

wr(fd, b"\xd9")
assert rd(fd, 1) == b"\x5a"
wr(fd, be32(0))
assert rd(fd, 1) == b"\x5a"
assert gone(fd), "FINISH reboots the phone"
os.close(fd)
print("pty transcript ok")
EOF

# --exit-on-finish: the sim ends by itself; the image holds the data at boot1+boot2+rpmb+0x8000
i=0
while kill -0 "$simpid" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "unifw-sim still running after FINISH"; exit 1; }
	sleep 0.05
done
wait "$simpid" || { echo "unifw-sim exited with failure"; cat "$work/err.txt"; exit 1; }
simpid=
grep -q "reboot requested" "$work/err.txt" || { echo "no reboot message"; exit 1; }
grep -q "re-enumerat" "$work/trace.txt" || { echo "trace lacks the re-enumeration"; exit 1; }
[ "$(grep -c '^pty ' "$work/out.txt")" -ge 2 ] || { echo "the re-enumeration did not announce a new pty"; exit 1; }
python3 - "$work/emmc.img" <<'EOF'
import sys
data = bytes((i * 7 + 1) & 0xFF for i in range(3 * 512))
with open(sys.argv[1], "rb") as f:
    f.seek(3 * (4 << 20) + 0x8000)
    assert f.read(len(data)) == data, "image does not hold the written bytes"
EOF
echo "sim_pty: ok"
