#!/bin/sh
# Benchmark: unifw over a paced link, the speed a technician feels. unifw-sim --link usb2 paces its
# link like a USB 2.0 MT6572 DA: full speed (1 MB/s each way) until the DA switches to high speed,
# then 20 MB/s device to host and 8 MB/s host to device (sim/device/linkrate.c sim_link_speeds; docs/sim.md
# "Slow link"). Each unifw run is reported as a fraction of that paced rate, two ways:
#   - of the nominal rate: the one the sim paces with, as it prints it at start (sim/sim_main.c);
#   - of the measured rate: a trivial transfer through the same kind of paced sim in the same round
#     (bench/linkprobe.py: pipelined BootROM SEND_DA / READ32 blocks, no protocol work), which shows
#     what the sim's pacing really delivers on this (loaded) machine.
# A fraction near 1 means unifw keeps the link busy; the rest is its protocol's round trips, its own
# work, and (whole commands) what it does at full speed before the switch.
#
# BENCH_ROUNDS rounds (default 5), each, interleaved: the link probe; `unifw backup` of a whole
# wiko-like phone (388 MiB, the smallest built-in model; about 20 s at 20 MB/s); `unifw flash
# --no-verify` and `unifw flash` (verified) of its stock package with system.img replaced by 24 MiB of
# random bytes (a raw image: every byte crosses the link) into a blank phone. No warm-up round: the
# link, not the page cache, sets the pace (the images were just written, so they are cached anyway).
# Printed: every run, and the median, min and max over the rounds of each figure:
#   backup     bytes / wall time of the whole command, and bytes / the time of its reads only,
#              against the device-to-host rate;
#   --no-verify  bytes sent / write phase (result.write_ms), against the host-to-device rate;
#   verified   the time the link needs for the write phase's bytes (sent at the host-to-device rate,
#              read back at the device-to-host rate: USB 2.0 is half duplex) / the write phase's time.
# Exit 1 when a run fails or unifw's peak RSS reaches 64 MiB; fractions are reported, not judged.
set -eu
export PYTHONDONTWRITEBYTECODE=1 # bench/benchlib.py is imported; leave no __pycache__ in bench/
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$build" && pwd)
unifw="$build/unifw"
sim="$build/sim/unifw-sim"
limit_mib=64
model=wiko-like
flash_mib=24
probe_out_mib=24 # about 1.3 s at 20 MB/s
probe_in_mib=8   # about 1 s at 8 MB/s
for tool in python3 "${CC:-cc}"; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing"; exit 1; }
done
rounds=$(python3 "$here/benchlib.py" rounds)
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (Debian package 'time')"; exit 1; }
if [ ! -x "$unifw" ] || [ ! -x "$sim" ]; then echo "bench: $unifw or $sim not built"; exit 1; fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/unifw-bench-paced-XXXXXX")
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
export UNIFW_STATE_DIR="$tmp/state"
"${CC:-cc}" -O2 -o "$tmp/rawcopy" "$here/rawcopy.c"

# start_sim NAME ARGS...: unifw-sim on $tmp/NAME.sock, its output in $tmp/NAME.out/.err; sets $simpid
start_sim() {
	name=$1
	shift
	"$sim" --socket "$tmp/$name.sock" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	simpid=$!
	pids="$pids $simpid"
	i=0
	until grep -q '^socket ' "$tmp/$name.out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || { echo "bench: unifw-sim ($name) did not start: $(cat "$tmp/$name.err")"; exit 1; }
		sleep 0.05
	done
}

stop_sim() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# As backup.sh and flash.sh: the previous output deleted and the deletion committed, and memory
# touched and freed (this VM gives freed memory back to its host; the first touch of it is slow).
settle() {
	rm -rf "$tmp/bk" "$tmp/state" "$tmp/blank.img"
	sync
	"$tmp/rawcopy" --warm 1024
}

"$sim" make-da -o "$tmp/da.bin" >/dev/null
"$sim" make-emmc --model $model -o "$tmp/phone.img" >/dev/null
"$sim" make-firmware --model $model -o "$tmp/pkg" >/dev/null
head -c ${flash_mib}M /dev/urandom >"$tmp/pkg/system.img"

# The probe's phone: high speed from power-on (--usb-speed 1), so the whole probe is paced at the
# rates unifw gets after its speed switch. Every connection is a new power-on.
start_sim probe --mode brom --emmc-size 16M --link usb2 --usb-speed 1
# The phone to back up, as a technician meets it: full speed until unifw switches (it re-enumerates).
start_sim backup --emmc "$tmp/phone.img" --model $model --mode preloader --preloader-window 0 --link usb2
rates=$(sed -n 's/.*full speed \([0-9]*\) \/ \([0-9]*\), high speed.* \([0-9]*\) \/ \([0-9]*\)$/\3 \4/p' \
	"$tmp/probe.err")
[ -n "$rates" ] || { echo "bench: unifw-sim did not print its link rates: $(cat "$tmp/probe.err")"; exit 1; }

# The runs below write their figures to $tmp/fields and run in this shell (not in $(...)), so that a
# failure ends the bench and the trap stops every sim.
backup_once() { # -> "bytes wall_s reads_s rss_kib"
	settle
	/usr/bin/time -v -o "$tmp/time.txt" "$unifw" backup --port "unix:$tmp/backup.sock" --da "$tmp/da.bin" \
		-o "$tmp/bk" --json >"$tmp/events" 2>"$tmp/err" || { cat "$tmp/err"; echo "bench: backup failed"; exit 1; }
	PYTHONPATH="$here" python3 - "$tmp/events" "$tmp/time.txt" >"$tmp/fields" <<'EOF'
import json, sys
from benchlib import time_v
ev = [json.loads(l) for l in open(sys.argv[1])]
res = ev[-1]
assert res["event"] == "result" and res["ok"], res
reads = sum(e["milliseconds"] for e in ev if e["event"] == "end" and e.get("step") == "read")
secs, rss = time_v(sys.argv[2])
print(res["result"]["total_bytes"], "%.3f" % secs, "%.3f" % (reads / 1000), rss)
EOF
}

flash_once() { # [--no-verify] -> "bytes_sent bytes_verified write_s wall_s rss_kib"
	settle
	start_sim flash --emmc "$tmp/blank.img" --emmc-size 512M --preloader-window 0 --link usb2
	/usr/bin/time -v -o "$tmp/time.txt" "$unifw" flash "$tmp/pkg" --port "unix:$tmp/flash.sock" \
		--da "$tmp/da.bin" --yes --json "$@" >"$tmp/out.json" 2>"$tmp/err" || {
		echo "bench: unifw flash failed: $(tail -3 "$tmp/err")"
		exit 1
	}
	stop_sim "$simpid"
	PYTHONPATH="$here" python3 - "$tmp/out.json" "$tmp/time.txt" >"$tmp/fields" <<'EOF'
import json, sys
from benchlib import time_v
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])["result"]
secs, rss = time_v(sys.argv[2])
print(r["bytes_sent"], r["bytes_verified"], "%.3f" % (r["write_ms"] / 1000), "%.3f" % secs, rss)
EOF
}

: >"$tmp/results"
for run in $(seq "$rounds"); do
	python3 "$here/linkprobe.py" "$tmp/probe.sock" $probe_out_mib $probe_in_mib >"$tmp/fields"
	# shellcheck disable=SC2046 # the words are the fields
	set -- $(cat "$tmp/fields")
	echo "round $run: link probe: $1 B/s device to host, $2 B/s host to device"
	echo "probe $1 $2" >>"$tmp/results"
	backup_once
	# shellcheck disable=SC2046
	set -- $(cat "$tmp/fields")
	echo "round $run: backup: $1 bytes in $2 s (whole command; reads $3 s), peak RSS $4 KiB"
	echo "backup $1 $2 $3 $4" >>"$tmp/results"
	flash_once --no-verify
	# shellcheck disable=SC2046
	set -- $(cat "$tmp/fields")
	echo "round $run: flash --no-verify: $1 bytes written in $3 s (whole command $4 s), peak RSS $5 KiB"
	echo "noverify $1 $2 $3 $4 $5" >>"$tmp/results"
	flash_once
	# shellcheck disable=SC2046
	set -- $(cat "$tmp/fields")
	[ "$2" = "$1" ] || { echo "bench: the verified flash read back $2 of $1 bytes"; exit 1; }
	echo "round $run: flash: $1 bytes written and read back in $3 s (whole command $4 s), peak RSS $5 KiB"
	echo "verify $1 $2 $3 $4 $5" >>"$tmp/results"
done

# shellcheck disable=SC2086 # $rates is two words
PYTHONPATH="$here" python3 - "$tmp/results" "$limit_mib" $rates <<'EOF'
import sys
from benchlib import column, load_results, per_round, spread
runs = load_results(sys.argv[1])
lim, nom_out, nom_in = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
probe_out, probe_in = column(runs, "probe", 0), column(runs, "probe", 1)
n = len(probe_out)
nominal = lambda rate: [rate] * n
mb = lambda v: "%s MB/s" % spread([x / 1e6 for x in v], "%.2f")

def fractions(name, ideal_s, taken_s, what):
    """ideal_s(out_rates, in_rates) -> per-round seconds the link needs; taken_s: what unifw took."""
    nom = per_round(ideal_s(nominal(nom_out), nominal(nom_in)), taken_s, lambda i, t: i / t)
    meas = per_round(ideal_s(probe_out, probe_in), taken_s, lambda i, t: i / t)
    print("  %-30s of the nominal rate %s, of the measured rate %s  (%s)" % (name, spread(nom), spread(meas), what))

print("%d rounds; median (min, max)" % n)
print("link, usb2 at high speed: nominal %.0f MB/s device to host, %.0f MB/s host to device (unifw-sim's"
      % (nom_out / 1e6, nom_in / 1e6))
print("  pacing parameters); measured by the link probe: %s device to host, %s host to device"
      % (mb(probe_out), mb(probe_in)))
bk_bytes, bk_wall, bk_reads = (column(runs, "backup", c) for c in (0, 1, 2))
nv_sent, nv_write = column(runs, "noverify", 0), column(runs, "noverify", 2)
v_sent, v_read, v_write = (column(runs, "verify", c) for c in (0, 1, 2))
print("unifw: backup %s (whole command), --no-verify flash writes %s, verified flash %s + %s read back"
      % (mb(per_round(bk_bytes, bk_wall, lambda b, s: b / s)), mb(per_round(nv_sent, nv_write, lambda b, s: b / s)),
         "%.0f MiB written" % (v_sent[0] / 2**20), "%.0f MiB" % (v_read[0] / 2**20)))
print("unifw's throughput as a fraction of the paced link's rate:")
fractions("backup, whole command", lambda o, i: [b / r for b, r in zip(bk_bytes, o)], bk_wall,
          "%.0f MiB; wall %s s" % (bk_bytes[0] / 2**20, spread(bk_wall)))
fractions("backup, its reads", lambda o, i: [b / r for b, r in zip(bk_bytes, o)], bk_reads,
          "reads %s s" % spread(bk_reads))
fractions("flash --no-verify, writes", lambda o, i: [b / r for b, r in zip(nv_sent, i)], nv_write,
          "write phase %s s" % spread(nv_write))
fractions("flash verified, writes+reads", lambda o, i: [s / ri + v / ro for s, v, ro, ri in zip(v_sent, v_read, o, i)],
          v_write, "write phase %s s" % spread(v_write))
wall = lambda k: spread(column(runs, k, 3))
print("whole flash commands (connect, DA, identity backup, plan, write phase): --no-verify %s s, verified %s s"
      % (wall("noverify"), wall("verify")))
rss = max([int(r[3]) for r in runs["backup"]] + [int(r[4]) for k in ("noverify", "verify") for r in runs[k]])
print("peak RSS %.1f MiB (limit %d MiB): %s" % (rss / 1024, lim, "PASS" if rss < lim * 1024 else "FAIL"))
sys.exit(0 if rss < lim * 1024 else 1)
EOF
