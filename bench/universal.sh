#!/bin/sh
# Benchmark: `unifw universal build` of the four virtual phone models onto a base whose system image is 1 GiB,
# against a plain copy of the base's system image.
#
# Builds once, in $BENCH_UNIVERSAL_DIR (default ${TMPDIR:-/tmp}/unifw-bench-universal, kept and reused while its
# inputs are there; remove it to rebuild), with bench/bigphone.sh (the setup bench/port.sh uses):
#   - the base: unifw-sim make-firmware --universal --all-drivers --system-size 1G (every model's LCM and touch
#     driver), its system.img rebuilt as a sparse 1 GiB ext4 holding 768 MiB of random files beside its own;
#   - the phones: the four models (a516-like, wiko-like, s10-like, y600-like), each with a 1 GiB ANDROID (unifw-sim
#     make-emmc --android-size 1G), served on a Unix socket and backed up with unifw backup --skip-empty.
# Then, in BENCH_ROUNDS interleaved rounds (default 5) after one warm-up round, it times
# `unifw universal build --base BASE --phone B1 B2 B3 B4 -o OUT --json` (wall time and peak RSS with
# /usr/bin/time -v; OUT removed after each round) against `cp` of the base's system.img (the same bytes read
# and written once), and prints the median, min and max of each and of the per-round ratio.
# Limit: peak RSS of unifw universal build under 64 MiB. Exit 1 if over, or if the build does not exit 0 with
# verdict built and one variant per phone.
set -eu
export PYTHONDONTWRITEBYTECODE=1 # bench/benchlib.py is imported; leave no __pycache__ in bench/
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
unifw=$(cd "$build" && pwd)/unifw
sim=$(cd "$build" && pwd)/sim/unifw-sim
limit_mib=64
rounds=$(python3 "$here/bench/benchlib.py" rounds)
# all four models: the reference kernel finds its partitions through each phone's PMT (docs/universal.md "Proof")
models="a516-like wiko-like s10-like y600-like"

# shellcheck source=bench/common.sh
. "$here/bench/common.sh"
bench_require mke2fs img2simg simg2img debugfs python3

dir=${BENCH_UNIVERSAL_DIR:-${TMPDIR:-/tmp}/unifw-bench-universal}
mkdir -p "$dir"
base="$dir/universal-all-drivers-1g"
bench_trap

# shellcheck source=bench/bigphone.sh
. "$here/bench/bigphone.sh"
big_base "$dir" "$base" --universal --all-drivers
backups=
for m in $models; do
	big_backup "$dir" "$m" "$dir/backup-$m-1g"
	backups="$backups $dir/backup-$m-1g"
done

mkdir -p "$dir/work/state"
# shellcheck disable=SC2086 # the backups' paths have no spaces (the bench's own folder): one argument each
UNIFW_STATE_DIR="$dir/work/state" PYTHONPATH="$here/bench" \
	python3 - "$dir/work" "$unifw" "$base" "$limit_mib" "$rounds" $backups <<'PY'
import json, os, shutil, subprocess, sys, time
from benchlib import per_round, spread, time_v
tmp, unifw, base, limit, rounds = sys.argv[1:6]
backups = sys.argv[6:]
limit, rounds = int(limit), int(rounds)
system = os.path.join(base, "system.img")
out = os.path.join(tmp, "out")

def timed(cmd, **kw):
    t = time.perf_counter()
    r = subprocess.run(cmd, **kw)
    return time.perf_counter() - t, r

def build_once():
    """(seconds, peak RSS MiB, verdict, variants, OUT's system size)"""
    shutil.rmtree(out, ignore_errors=True)
    cmd = ["/usr/bin/time", "-v", "-o", f"{tmp}/time_univ.txt", unifw, "universal", "build", "--base", base,
           "--phone", *backups, "-o", out, "--json"]
    with open(f"{tmp}/univ.json", "w") as o:
        secs, r = timed(cmd, stdout=o, stderr=subprocess.PIPE)
    if r.returncode != 0:
        print(f"bench: unifw universal build failed (exit {r.returncode}): {r.stderr.decode(errors='replace')[-2000:]}")
        sys.exit(1)
    rep = json.load(open(f"{tmp}/univ.json"))
    variants = [v.get("name") for v in rep.get("variants", [])]
    if rep.get("verdict") != "built" or len(variants) != len(backups):
        print(f"bench: unifw universal build: verdict {rep.get('verdict')}, variants {variants}")
        sys.exit(1)
    shutil.rmtree(out, ignore_errors=True)
    return secs, time_v(f"{tmp}/time_univ.txt")[1] / 1024.0, rep.get("verdict"), variants, rep.get("system_size")

def copy_once():
    secs = timed(["cp", system, f"{tmp}/system.copy"], check=True)[0]
    os.unlink(f"{tmp}/system.copy")
    return secs

build_once(), copy_once()  # warm-up, not counted
univ_s, copy_s, rss = [], [], 0.0
for n in range(1, rounds + 1):
    secs, mib, verdict, variants, size = build_once()
    univ_s.append(secs)
    rss = max(rss, mib)
    copy_s.append(copy_once())
    print(f"round {n}: unifw universal build {secs:.3f} s (peak RSS {mib:.1f} MiB, {verdict}, "
          f"{len(variants)} variants, system {size} bytes), cp system.img {copy_s[-1]:.3f} s")

img = os.path.getsize(system)
print(f"base system.img {img / 2**20:.0f} MiB sparse file, a 1 GiB ext4; phones: {len(backups)} models, ANDROID 1 GiB each")
print(f"{rounds} rounds, median (min, max):")
print(f"unifw universal build  {spread(univ_s, '%.3f')} s")
print(f"cp system.img          {spread(copy_s, '%.3f')} s")
print(f"ratio build / cp, per round  {spread(per_round(univ_s, copy_s, lambda a, b: a / b), '%.1f')}x")
verdict = "PASS" if rss < limit else "FAIL"
print(f"peak RSS {rss:.1f} MiB vs limit {limit} MiB: {verdict}")
sys.exit(0 if verdict == "PASS" else 1)
PY
