#!/bin/sh
# Benchmark: `unifw backup` of a whole virtual phone (unifw-sim, model a516-like: boot1 2 MiB + user
# area 512 MiB = 514 MiB) over a Unix socket, against a raw copy of the same bytes over the same kind
# of socket in the same run: a python3 pair of processes where one reads the eMMC image (boot1 and the
# user area) and pushes it through a Unix socket pair in 1 MiB writes and the other writes it to a file
# next to the backup and syncs it — the transfer and the disk writes of a backup without its protocol,
# checksums, SHA-256, read-back checks and journal.
# Prints both throughputs, their ratio (target >= 0.8) and the backup's peak RSS (/usr/bin/time -v;
# limit 64 MiB: images are streamed). Best of 2 runs each. Exit 1 if the RSS limit is exceeded or the
# backup is wrong; the ratio is reported with PASS/BELOW against its target.
set -eu
build=${1:-build}
unifw=$(cd "$build" && pwd)/unifw
sim=$(cd "$build" && pwd)/sim/unifw-sim
limit_mib=64
for t in python3; do command -v $t >/dev/null 2>&1 || { echo "bench: $t is missing"; exit 1; }; done
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (Debian package 'time')"; exit 1; }
[ -x "$unifw" ] && [ -x "$sim" ] || { echo "bench: unifw or unifw-sim not built in $build"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/unifw-bench-backup-XXXXXX")
simpid=
trap '[ -n "$simpid" ] && kill $simpid 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
"$sim" make-da -o "$tmp/da.bin" >/dev/null
"$sim" make-emmc --model a516-like -o "$tmp/phone.img" >/dev/null
"$sim" --socket "$tmp/s.sock" --emmc "$tmp/phone.img" --model a516-like --mode preloader --preloader-window 0 \
	>"$tmp/sim.out" 2>"$tmp/sim.err" &
simpid=$!
i=0
until grep -q '^socket ' "$tmp/sim.out" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 200 ] || { echo "bench: unifw-sim did not start"; exit 1; }; sleep 0.05
done

best_backup=0 rss_kb=0 bytes=0
for run in 1 2; do
	rm -rf "$tmp/bk"
	/usr/bin/time -v -o "$tmp/time.txt" "$unifw" backup --port "unix:$tmp/s.sock" --da "$tmp/da.bin" -o "$tmp/bk" \
		--json >"$tmp/events" 2>"$tmp/err" || { cat "$tmp/err"; echo "bench: backup failed"; exit 1; }
	r=$(python3 - "$tmp/events" "$tmp/time.txt" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
res = ev[-1]; assert res["event"] == "result" and res["ok"], res
reads = [e for e in ev if e["event"] == "end" and e["step"] == "read"]
ms = sum(e["milliseconds"] for e in reads); total = res["result"]["total_bytes"]
wall = [l for l in open(sys.argv[2]) if "Elapsed (wall clock)" in l][0].split()[-1]
parts = [float(x) for x in wall.split(":")]; secs = parts[-1] + 60 * (parts[-2] if len(parts) > 1 else 0)
rss = [l for l in open(sys.argv[2]) if "Maximum resident" in l][0].split()[-1]
print(total, "%.0f" % (total / secs), rss, "%.3f" % secs)
PY
)
	set -- $r
	bytes=$1
	echo "backup run $run: $1 bytes in $4 s (whole command: connect, DA, tables, every image, scatter, manifest), peak RSS $3 KiB"
	[ "$2" -gt "$best_backup" ] && best_backup=$2
	[ "$3" -gt "$rss_kb" ] && rss_kb=$3
done

raw=$(python3 - "$tmp/phone.img" "$tmp/raw.bin" "$bytes" <<'PY'
import os, socket, struct, sys, time
img, out, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
f = open(img, "rb"); f.seek(-4096, 2); foot = f.read(4096)
sizes = struct.unpack_from("<8Q", foot, 0x18)
ranges = [(0, sizes[0]), (sum(sizes[:7]), sizes[7])]   # boot1, user area: what the backup reads
assert sum(r[1] for r in ranges) == total, (ranges, total)
best = 0
for run in range(2):
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        a.close()
        src = open(img, "rb", buffering=0)
        for off, n in ranges:
            src.seek(off)
            while n:
                chunk = src.read(min(n, 1 << 20)); b.sendall(chunk); n -= len(chunk)
        os._exit(0)
    b.close()
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    got = 0
    buf = bytearray(1 << 20); mv = memoryview(buf)
    while got < total:
        n = a.recv_into(buf)
        if n == 0: break
        os.write(fd, mv[:n]); got += n
    os.fsync(fd); os.close(fd); os.waitpid(pid, 0)
    dt = time.monotonic() - t0
    assert got == total
    best = max(best, total / dt)
    os.unlink(out)
print("%.0f" % best)
PY
)
python3 - "$best_backup" "$raw" "$rss_kb" "$limit_mib" <<'PY'
import sys
b, r, rss, lim = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ratio = b / r
print("backup %.0f MB/s, raw socket copy %.0f MB/s, ratio %.2f (target >= 0.8: %s)" % (b / 1e6, r / 1e6, ratio, "PASS" if ratio >= 0.8 else "BELOW"))
print("peak RSS %.1f MiB (limit %d MiB): %s" % (rss / 1024, lim, "PASS" if rss < lim * 1024 else "FAIL"))
sys.exit(0 if rss < lim * 1024 else 1)
PY
