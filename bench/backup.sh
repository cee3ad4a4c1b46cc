#!/bin/sh
# Benchmark: `unifw backup` of a whole virtual phone (unifw-sim, model a516-like: boot1 2 MiB + user
# area 512 MiB = 514 MiB) over a Unix socket, against a raw copy of the same bytes over the same kind
# of socket in the same run (bench/rawcopy.c: one process preads the eMMC image's boot1 and user area
# and writes them to a Unix socket pair, the other writes what arrives to a file next to the backup
# and fsyncs it — the transfer and the disk writes of a backup without its protocol, checksums,
# SHA-256, read-back checks and journal). See bench/README.md for why this is a fair comparison.
#
# A warm-up round, then BENCH_ROUNDS rounds (default 5), each: one backup, one raw copy, one raw copy
# that writes to disk the way the backup does (a reference: the protocol's cost alone).
# Prints every run; the median, min and max of each side and of the per-round ratio of the backup's
# throughput to the raw copy's (target: median >= 0.8); and the backup's peak RSS (/usr/bin/time -v;
# limit 64 MiB: images are streamed). Exit 1 if the RSS limit is exceeded or a backup is wrong; the
# ratio is reported with PASS/BELOW.
set -eu
export PYTHONDONTWRITEBYTECODE=1 # bench/benchlib.py is imported; leave no __pycache__ in bench/
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
unifw=$(cd "$build" && pwd)/unifw
sim=$(cd "$build" && pwd)/sim/unifw-sim
limit_mib=64
for t in python3 "${CC:-cc}"; do command -v "$t" >/dev/null 2>&1 || { echo "bench: $t is missing"; exit 1; }; done
rounds=$(python3 "$here/benchlib.py" rounds)
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (Debian package 'time')"; exit 1; }
if [ ! -x "$unifw" ] || [ ! -x "$sim" ]; then echo "bench: unifw or unifw-sim not built in $build"; exit 1; fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/unifw-bench-backup-XXXXXX")
simpid=
trap '[ -n "$simpid" ] && kill $simpid 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
"${CC:-cc}" -O2 -o "$tmp/rawcopy" "$here/rawcopy.c"
"$sim" make-da -o "$tmp/da.bin" >/dev/null
"$sim" make-emmc --model a516-like -o "$tmp/phone.img" >/dev/null
"$sim" --socket "$tmp/s.sock" --emmc "$tmp/phone.img" --model a516-like --mode preloader --preloader-window 0 \
	>"$tmp/sim.out" 2>"$tmp/sim.err" &
simpid=$!
i=0
until grep -q '^socket ' "$tmp/sim.out" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 200 ] || { echo "bench: unifw-sim did not start"; exit 1; }; sleep 0.05
done

# boot1 and the user area: what the backup reads (offsets from the image footer, docs/sim.md)
ranges=$(python3 - "$tmp/phone.img" <<'PY'
import struct, sys
f = open(sys.argv[1], "rb"); f.seek(-4096, 2)
sizes = struct.unpack_from("<8Q", f.read(4096), 0x18)
print("0:%d %d:%d" % (sizes[0], sum(sizes[:7]), sizes[7]))
PY
)

# Before every measured run of either side: the previous output is deleted and the deletion
# committed (the file system may discard freed blocks when it commits), and 1 GiB of memory is
# touched and freed (a virtual machine that gives freed memory back to its host makes the first
# touch of it several times slower; seen: 0.45 s -> 1.1 s for whichever side met it).
settle() {
	rm -rf "$tmp/bk" "$tmp/raw.bin"
	sync
	"$tmp/rawcopy" --warm 1024
}

backup_once() { # -> "bytes seconds rss_kib"
	settle
	/usr/bin/time -v -o "$tmp/time.txt" "$unifw" backup --port "unix:$tmp/s.sock" --da "$tmp/da.bin" -o "$tmp/bk" \
		--json >"$tmp/events" 2>"$tmp/err" || { cat "$tmp/err"; echo "bench: backup failed"; exit 1; }
	PYTHONPATH="$here" python3 - "$tmp/events" "$tmp/time.txt" <<'PY'
import json, sys
from benchlib import time_v
ev = [json.loads(l) for l in open(sys.argv[1])]
res = ev[-1]; assert res["event"] == "result" and res["ok"], res
secs, rss = time_v(sys.argv[2])
print(res["result"]["total_bytes"], "%.3f" % secs, rss)
PY
}

# One round that is not counted, for both sides alike: the first run reads the new image into the
# page cache (seen: 1.4 s instead of 0.5 s).
backup_once >/dev/null
settle
# shellcheck disable=SC2086 # $ranges is a list
"$tmp/rawcopy" "$tmp/phone.img" "$tmp/raw.bin" $ranges >/dev/null
: >"$tmp/results"
for run in $(seq "$rounds"); do
	# shellcheck disable=SC2046 # the words are the fields
	set -- $(backup_once)
	bytes=$1
	echo "round $run: backup $1 bytes in $2 s (whole command: connect, DA, tables, every image, scatter, manifest), peak RSS $3 KiB"
	echo "backup $2 $3" >>"$tmp/results"
	settle
	# shellcheck disable=SC2046,SC2086 # the words are the fields; $ranges is a list
	set -- $("$tmp/rawcopy" "$tmp/phone.img" "$tmp/raw.bin" $ranges)
	[ "$1" = "$bytes" ] || { echo "bench: raw copy moved $1 bytes, the backup $bytes"; exit 1; }
	echo "round $run: raw copy $1 bytes in $2 s"
	echo "raw $2" >>"$tmp/results"
	settle
	# shellcheck disable=SC2046,SC2086 # the words are the fields; $ranges is a list
	set -- $("$tmp/rawcopy" --stream "$tmp/phone.img" "$tmp/raw.bin" $ranges)
	echo "round $run: raw copy writing as the backup does (--stream) $1 bytes in $2 s (reference)"
	echo "raw_stream $2" >>"$tmp/results"
done

PYTHONPATH="$here" python3 - "$tmp/results" "$bytes" "$limit_mib" <<'PY'
import statistics, sys
from benchlib import column, load_results, per_round, spread
runs = load_results(sys.argv[1])
total, lim = int(sys.argv[2]), int(sys.argv[3])
mbs = {k: [total / s / 1e6 for s in column(runs, k)] for k in runs}
ratio = per_round(mbs["backup"], mbs["raw"], lambda b, r: b / r)
ratio_stream = per_round(mbs["backup"], mbs["raw_stream"], lambda b, r: b / r)
rss = max(int(r[1]) for r in runs["backup"])
print("%d rounds, median (min, max):" % len(ratio))
print("  backup                                   %s MB/s" % spread(mbs["backup"], "%.0f"))
print("  raw socket copy                          %s MB/s" % spread(mbs["raw"], "%.0f"))
print("  ratio backup / raw copy, per round       %s (target: median >= 0.8: %s)" % (
    spread(ratio), "PASS" if statistics.median(ratio) >= 0.8 else "BELOW"))
print("  reference: raw copy writing to disk as the backup does %s MB/s" % spread(mbs["raw_stream"], "%.0f"))
print("  ratio backup / that, per round           %s" % spread(ratio_stream))
print("peak RSS %.1f MiB (limit %d MiB): %s" % (rss / 1024, lim, "PASS" if rss < lim * 1024 else "FAIL"))
sys.exit(0 if rss < lim * 1024 else 1)
PY
