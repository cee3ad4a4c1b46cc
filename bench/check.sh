#!/bin/sh
# Benchmark: `unifw check` of a firmware zip of about 1 GiB against a phone's backup.
#
# Builds once, in $BENCH_CHECK_DIR (default ${TMPDIR:-/tmp}/unifw-bench-check, kept and reused while its
# inputs are there; remove it to rebuild): the virtual phone's a516-like stock package (unifw-sim
# make-firmware) whose system.img is replaced by a sparse ext4 of 1088 MiB holding 1 GiB of random files
# (the stock system's files copied out with debugfs rdump, then mke2fs -d, img2simg: incompressible, so the
# stored zip is over 1 GiB), zipped under a nested folder
# without compression; and the backup of a factory-fresh a516-like phone (unifw-sim make-emmc, served on a
# Unix socket, unifw backup --skip-empty). Then it times `unifw check ZIP --backup DIR --json` (wall time
# and peak RSS with /usr/bin/time -v) against `bsdtar -tf ZIP` (lists the central directory only) and
# `bsdtar -xOf ZIP | sha256sum` (reads and hashes every member, as opening a package does) in
# BENCH_ROUNDS interleaved rounds (default 5) after one warm-up round, and prints the median, min and max
# of each and of the per-round ratio.
# The system image is larger than the a516-like ANDROID partition (160 MiB; SP Flash Tool and unifw-sim
# refuse it, 5054): the bench is about reading the zip, which the check streams whatever its verdict (printed).
# Limit: peak RSS under 64 MiB. Exit 1 if over, or if unifw check fails (exit 1 or 2).
set -eu
export PYTHONDONTWRITEBYTECODE=1 # bench/benchlib.py is imported; leave no __pycache__ in bench/
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
unifw=$(cd "$build" && pwd)/unifw
sim=$(cd "$build" && pwd)/sim/unifw-sim
limit_mib=64
rounds=$(python3 "$here/bench/benchlib.py" rounds)

# shellcheck source=bench/common.sh
. "$here/bench/common.sh"
bench_require mke2fs img2simg simg2img debugfs zip bsdtar python3 sha256sum

dir=${BENCH_CHECK_DIR:-${TMPDIR:-/tmp}/unifw-bench-check}
mkdir -p "$dir"
zip_file="$dir/SIM_A516_big_firmware.zip"
backup="$dir/backup-a516"
bench_trap

if [ ! -f "$zip_file.done" ]; then
	echo "building the package (unifw-sim make-firmware, 1 GiB of random files, mke2fs -d, img2simg, zip -0)..."
	rm -rf "$dir/work" "$zip_file"
	pkg="$dir/work/pkg/Firmware/SIM_A516_big"
	mkdir -p "$dir/work/src/app" "$pkg"
	"$sim" make-firmware --model a516-like -o "$pkg" >/dev/null
	rm -rf "$pkg/factory" # a stock package never carries a phone's identity
	i=0
	while [ $i -lt 16 ]; do
		head -c 64M /dev/urandom >"$dir/work/src/app/blob$i.bin"
		i=$((i + 1))
	done
	# the stock system's files (build.prop, the modem, ...) stay: only the random blobs are added
	simg2img "$pkg/system.img" "$dir/work/stock.raw"
	debugfs -R "rdump / $dir/work/src" "$dir/work/stock.raw" >/dev/null 2>&1
	rm -rf "$dir/work/stock.raw" "$dir/work/src/lost+found"
	[ -f "$dir/work/src/build.prop" ] || { echo "bench: debugfs rdump did not copy the stock system"; exit 1; }
	mke2fs -q -F -t ext4 -b 4096 -L system -d "$dir/work/src" "$dir/work/system.raw" 1088M >/dev/null
	rm -rf "$dir/work/src"
	img2simg "$dir/work/system.raw" "$pkg/system.img"
	rm -f "$dir/work/system.raw"
	(cd "$dir/work/pkg" && zip -q -0 -r "$zip_file" Firmware)
	rm -rf "$dir/work"
	touch "$zip_file.done"
fi
if [ ! -f "$backup/.done" ]; then
	echo "backing up a factory-fresh a516-like phone (unifw-sim make-emmc, unifw backup --skip-empty)..."
	rm -rf "$backup" "$dir/work"
	mkdir -p "$dir/work/state"
	"$sim" make-emmc --model a516-like -o "$dir/work/phone.img" >/dev/null
	"$sim" make-da -o "$dir/work/da.bin" >/dev/null
	"$sim" --socket "$dir/work/phone.sock" --emmc "$dir/work/phone.img" --model a516-like --mode preloader \
		--preloader-window 0 >"$dir/work/sim.out" 2>"$dir/work/sim.err" &
	simpid=$!
	i=0
	while ! grep -q '^socket ' "$dir/work/sim.out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || { cat "$dir/work/sim.err"; echo "bench: unifw-sim did not start"; exit 1; }
		sleep 0.05
	done
	UNIFW_DA="$dir/work/da.bin" UNIFW_STATE_DIR="$dir/work/state" \
		"$unifw" backup --port "unix:$dir/work/phone.sock" --skip-empty -o "$backup" >/dev/null 2>"$dir/backup.log"
	kill "$simpid"
	wait "$simpid" 2>/dev/null || true
	simpid=
	rm -rf "$dir/work"
	touch "$backup/.done"
fi
zip_bytes=$(stat -c %s "$zip_file")

mkdir -p "$dir/work/state"
UNIFW_STATE_DIR="$dir/work/state" PYTHONPATH="$here/bench" \
	python3 - "$dir/work" "$unifw" "$zip_file" "$zip_bytes" "$backup" "$limit_mib" "$rounds" <<'PY'
import json, subprocess, sys, time
from benchlib import per_round, spread, time_v
tmp, unifw, zip_file, zip_bytes, backup, limit, rounds = sys.argv[1:8]
zip_bytes, limit, rounds = int(zip_bytes), int(limit), int(rounds)

def timed(cmd, **kw):
    t = time.perf_counter()
    r = subprocess.run(cmd, **kw)
    return time.perf_counter() - t, r

def check_once():
    """(seconds, peak RSS MiB, verdict, predicted boot)"""
    with open(f"{tmp}/check.json", "w") as out:
        secs, r = timed(["/usr/bin/time", "-v", "-o", f"{tmp}/time_check.txt", unifw, "check", zip_file,
                         "--backup", backup, "--json"], stdout=out, stderr=subprocess.PIPE)
    if r.returncode not in (0, 3, 4, 5):  # a verdict; 1 and 2 are errors
        print(f"bench: unifw check failed (exit {r.returncode}): {r.stderr.decode(errors='replace')[-2000:]}")
        sys.exit(1)
    report = json.load(open(f"{tmp}/check.json"))
    c = report.get("check", report)
    return secs, time_v(f"{tmp}/time_check.txt")[1] / 1024.0, c.get("verdict"), c.get("predicted_boot")

def list_once():
    return timed(["bsdtar", "-tf", zip_file], stdout=subprocess.DEVNULL, check=True)[0]

def read_once():
    return timed(["sh", "-c", f"bsdtar -xOf '{zip_file}' | sha256sum >/dev/null"], check=True)[0]

check_once(), list_once(), read_once()  # warm-up, not counted
check_s, list_s, read_s, rss = [], [], [], 0.0
for n in range(1, rounds + 1):
    secs, mib, verdict, boot = check_once()
    check_s.append(secs)
    rss = max(rss, mib)
    list_s.append(list_once())
    read_s.append(read_once())
    print(f"round {n}: unifw check {secs:.3f} s (peak RSS {mib:.1f} MiB, {verdict}, predicts {boot}), "
          f"bsdtar -tf {list_s[-1]:.3f} s, bsdtar -xOf | sha256sum {read_s[-1]:.3f} s")

print(f"zip package     {zip_bytes / 2**30:.2f} GiB ({zip_bytes} bytes), stored (zip -0); backup of a516-like")
print(f"{rounds} rounds, median (min, max):")
print(f"unifw check            {spread(check_s, '%.3f')} s")
print(f"bsdtar -tf             {spread(list_s, '%.3f')} s   (lists the central directory only)")
print(f"bsdtar -xOf | sha256   {spread(read_s, '%.3f')} s   (reads and hashes every member)")
print(f"ratio check / bsdtar -tf, per round             {spread(per_round(check_s, list_s, lambda a, b: a / b), '%.1f')}x")
print(f"ratio check / bsdtar -xOf|sha256sum, per round  {spread(per_round(check_s, read_s, lambda a, b: a / b))}x")
verdict = "PASS" if rss < limit else "FAIL"
print(f"peak RSS {rss:.1f} MiB vs limit {limit} MiB: {verdict}")
sys.exit(0 if verdict == "PASS" else 1)
PY
