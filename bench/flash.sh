#!/bin/sh
# Benchmark: `unifw flash` of more than 512 MiB into unifw-sim over a Unix socket, against a raw copy of
# the same bytes over the same kind of socket in the same run (bench/rawcopy.c). See bench/README.md for
# how it measures and why the comparison is fair.
#
# The package is the a516-like model's stock package (unifw-sim make-firmware) with ANDROID grown to
# 576 MiB and its system.img replaced by 512 MiB of random bytes as a raw image (nothing sparse to skip:
# every byte crosses the socket). The phone is a blank 1 GiB eMMC (unifw-sim --emmc-size 1G), so the plan
# writes every image and a PMT.
#
# A warm-up round, then BENCH_ROUNDS rounds (default 5), each: `unifw flash --no-verify`, `unifw flash` (every range read
# back and compared), and a raw copy of the bytes the flash sent (result.bytes_sent) from the image
# file through a Unix socket pair into a file, without fsync (the virtual phone does not sync its eMMC
# image while writing either). Flash times are the write phase (result.write_ms: every range written,
# and read back when verifying; the connect, DA upload, plan and identity backup are printed apart).
# Printed: every run, and the median, min and max of each side and of the per-round ratios (target:
# median >= 0.8):
#   --no-verify   image bytes / write time, against the raw copy's bytes / time;
#   verified      bytes on the link (written + read back) / write time, against the raw copy's.
# Limits: peak RSS of unifw (/usr/bin/time -v) < 64 MiB in every run (images stream, never held
# whole). Exit 1 when the RSS limit is missed, a run fails, or a verified run did not read back every
# byte it wrote; a ratio below target prints BELOW.
set -eu
export PYTHONDONTWRITEBYTECODE=1 # bench/benchlib.py is imported; leave no __pycache__ in bench/
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$build" && pwd)
unifw="$build/unifw"
sim="$build/sim/unifw-sim"
limit_mib=64
for tool in python3 "${CC:-cc}"; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing"; exit 1; }
done
rounds=$(python3 "$here/benchlib.py" rounds)
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (Debian package 'time')"; exit 1; }
[ -x "$unifw" ] && [ -x "$sim" ] || { echo "bench: $unifw or $sim not built"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/unifw-bench-flash-XXXXXX")
simpid=
cleanup() {
	[ -n "$simpid" ] && kill "$simpid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
export UNIFW_STATE_DIR="$tmp/state"
"${CC:-cc}" -O2 -o "$tmp/rawcopy" "$here/rawcopy.c"

# ---- the package
"$sim" make-firmware --model a516-like -o "$tmp/pkg" >/dev/null
"$sim" make-da -o "$tmp/da.bin" >/dev/null
head -c 512M /dev/urandom >"$tmp/pkg/system.img"
python3 - "$tmp/pkg/MT6572_Android_scatter.txt" <<'EOF'
import re, sys
path = sys.argv[1]
text = open(path).read()
blocks = re.split(r"(?m)^(?=- partition_index:)", text)
new_size, delta = 0x24000000, None
for i, b in enumerate(blocks):
    name = re.search(r"partition_name: (\S+)", b)
    if not name:
        continue
    if name.group(1) == "ANDROID":
        old = int(re.search(r"partition_size: (0x[0-9a-fA-F]+)", b).group(1), 16)
        delta = new_size - old
        blocks[i] = re.sub(r"partition_size: 0x[0-9a-fA-F]+", "partition_size: 0x%x" % new_size, b)
    elif delta is not None:
        start = int(re.search(r"linear_start_addr: (0x[0-9a-fA-F]+)", b).group(1), 16)
        if start < 0xFFFF0000:
            blocks[i] = re.sub(r"linear_start_addr: 0x[0-9a-fA-F]+", "linear_start_addr: 0x%x" % (start + delta), b)
open(path, "w").write("".join(blocks))
EOF

# Before every measured run of either side: the previous output deleted and the deletion committed,
# and 4 GiB of memory touched and freed (bench/README.md: this VM gives freed memory back to its host,
# and whichever side met that memory first paid several times the normal cost). 4 GiB, not backup.sh's
# 1 GiB: with 1 GiB, every other flash met such memory in the virtual phone's page cache (its stores
# took 0.3-0.5 s instead of 0.04 s of the write phase; measured with per-step timers).
settle() {
	rm -f "$tmp/phone.img" "$tmp/phone.sock" "$tmp/raw.bin"
	rm -rf "$tmp/state"
	sync
	"$tmp/rawcopy" --warm 4096
}

# One flash on a fresh blank phone: prints "bytes_sent bytes_verified write_s wall_s rss_kib"
flash_once() {
	settle
	"$sim" --socket "$tmp/phone.sock" --emmc "$tmp/phone.img" --emmc-size 1G --preloader-window 0 \
		>"$tmp/sim.out" 2>"$tmp/sim.err" &
	simpid=$!
	i=0
	while ! grep -q '^socket ' "$tmp/sim.out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || { echo "bench: unifw-sim did not start"; exit 1; }
		sleep 0.05
	done
	/usr/bin/time -v -o "$tmp/time.txt" "$unifw" flash "$tmp/pkg" --port "unix:$tmp/phone.sock" --da "$tmp/da.bin" \
		--yes --json "$@" >"$tmp/out.json" 2>"$tmp/err.txt" || {
		echo "bench: unifw flash failed: $(tail -3 "$tmp/err.txt")" >&2
		exit 1
	}
	kill "$simpid" 2>/dev/null || true
	wait "$simpid" 2>/dev/null || true
	simpid=
	PYTHONPATH="$here" python3 - "$tmp/out.json" "$tmp/time.txt" <<'EOF'
import json, sys
from benchlib import time_v
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])["result"]
secs, rss = time_v(sys.argv[2])
print(r["bytes_sent"], r["bytes_verified"], "%.3f" % (r["write_ms"] / 1000), "%.3f" % secs, rss)
EOF
}

# The raw copy of BYTES from the random image (its 512 MiB, then its start again for the rest).
raw_once() {
	settle
	size=$(stat -c %s "$tmp/pkg/system.img")
	if [ "$1" -gt "$size" ]; then
		"$tmp/rawcopy" --no-sync "$tmp/pkg/system.img" "$tmp/raw.bin" "0:$size" "0:$(($1 - size))"
	else
		"$tmp/rawcopy" --no-sync "$tmp/pkg/system.img" "$tmp/raw.bin" "0:$1"
	fi
}

# Warm-up, not counted: the first runs read the package into the page cache.
set -- $(flash_once --no-verify)
sent=$1
raw_once "$sent" >/dev/null
: >"$tmp/results"
for run in $(seq "$rounds"); do
	# shellcheck disable=SC2046 # the words are the fields
	set -- $(flash_once --no-verify)
	[ "$1" = "$sent" ] || { echo "bench: the flash sent $1 bytes, the first $sent"; exit 1; }
	echo "round $run: flash --no-verify: $1 bytes written in $3 s (whole command $4 s), peak RSS $5 KiB"
	echo "noverify $3 $5 $4" >>"$tmp/results"
	# shellcheck disable=SC2046
	set -- $(flash_once)
	[ "$2" = "$1" ] || { echo "bench: the verified flash read back $2 of $1 bytes"; exit 1; }
	echo "round $run: flash:             $1 bytes written and read back in $3 s (whole command $4 s), peak RSS $5 KiB"
	echo "verify $3 $5 $4" >>"$tmp/results"
	# shellcheck disable=SC2046
	set -- $(raw_once "$sent")
	[ "$1" = "$sent" ] || { echo "bench: raw copy moved $1 bytes, the flash $sent"; exit 1; }
	echo "round $run: raw copy:          $1 bytes in $2 s"
	echo "raw $2" >>"$tmp/results"
done

PYTHONPATH="$here" python3 - "$tmp/results" "$sent" "$limit_mib" <<'EOF'
import statistics, sys
from benchlib import column, load_results, per_round, spread
runs = load_results(sys.argv[1])
sent, lim = int(sys.argv[2]), int(sys.argv[3])
rss = max(int(r[1]) for k in ("noverify", "verify") for r in runs[k])
mbs = lambda n, kind: [n / s / 1e6 for s in column(runs, kind)]
raw = mbs(sent, "raw")
nv = mbs(sent, "noverify")
v = mbs(2 * sent, "verify")  # bytes on the link: written + read back
r_nv = per_round(nv, raw, lambda a, b: a / b)
r_v = per_round(v, raw, lambda a, b: a / b)
ok = lambda r: "PASS" if statistics.median(r) >= 0.8 else "BELOW"
print("%d rounds, %d bytes (%.1f MiB) per flash; median (min, max):" % (len(raw), sent, sent / 2**20))
print("  raw socket copy                %s MB/s" % spread(raw, "%.0f"))
print("  flash --no-verify (writes)     %s MB/s" % spread(nv, "%.0f"))
print("    ratio to the raw copy, per round  %s (target: median >= 0.8: %s)" % (spread(r_nv), ok(r_nv)))
print("  flash, verified (writes + read-backs: twice the bytes on the link)")
print("                                 %s MB/s" % spread(v, "%.0f"))
print("    ratio to the raw copy, per round  %s (target: median >= 0.8: %s)" % (spread(r_v), ok(r_v)))
print("    image bytes flashed and verified  %s MB/s" % spread(mbs(sent, "verify"), "%.0f"))
print("  whole commands (connect, DA, plan, identity backup, writes): --no-verify %s s, verified %s s"
      % (spread(column(runs, "noverify", 2)), spread(column(runs, "verify", 2))))
print("peak RSS %.1f MiB (limit %d MiB): %s" % (rss / 1024, lim, "PASS" if rss < lim * 1024 else "FAIL"))
sys.exit(0 if rss < lim * 1024 else 1)
EOF
