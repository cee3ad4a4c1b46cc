#!/bin/sh
# Benchmark: `unifw port` of a universal package whose system image is 1 GiB, against a plain copy of the
# same image.
#
# Builds once, in $BENCH_PORT_DIR (default ${TMPDIR:-/tmp}/unifw-bench-port, kept and reused while its inputs
# are there; remove it to rebuild):
#   - the base: the virtual phone's universal package with a 1 GiB ANDROID (unifw-sim make-firmware
#     --universal --system-size 1G) whose system.img is rebuilt as a sparse ext4 of 1 GiB holding 768 MiB of
#     random files beside the universal system's own (debugfs rdump, mke2fs -d, img2simg: incompressible, as
#     a real system's apps and libraries mostly are);
#   - the phone: an a516-like with a 1 GiB ANDROID (unifw-sim make-emmc --android-size 1G; the real A516's
#     scatter has ANDROID 0x40000000), served on a Unix socket and backed up with unifw backup --skip-empty.
# Then, in BENCH_ROUNDS interleaved rounds (default 5) after one warm-up round, it times
# `unifw port BASE --stock BACKUP -o OUT --json` (wall time and peak RSS with /usr/bin/time -v; OUT removed
# after each round) against `cp` of the base's system.img (the same bytes read and written once), and prints
# the median, min and max of each and of the per-round ratio.
# Limit: peak RSS of unifw port under 64 MiB. Exit 1 if over, or if unifw port does not exit 0.
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
bench_require mke2fs img2simg simg2img debugfs python3

dir=${BENCH_PORT_DIR:-${TMPDIR:-/tmp}/unifw-bench-port}
mkdir -p "$dir"
base="$dir/universal-1g"
backup="$dir/backup-a516-1g"
bench_trap

# shellcheck source=bench/bigphone.sh
. "$here/bench/bigphone.sh"
big_base "$dir" "$base" --universal
big_backup "$dir" a516-like "$backup"

mkdir -p "$dir/work/state"
UNIFW_STATE_DIR="$dir/work/state" PYTHONPATH="$here/bench" \
	python3 - "$dir/work" "$unifw" "$base" "$backup" "$limit_mib" "$rounds" <<'PY'
import json, os, shutil, subprocess, sys, time
from benchlib import per_round, spread, time_v
tmp, unifw, base, backup, limit, rounds = sys.argv[1:7]
limit, rounds = int(limit), int(rounds)
system = os.path.join(base, "system.img")
out = os.path.join(tmp, "out")

def timed(cmd, **kw):
    t = time.perf_counter()
    r = subprocess.run(cmd, **kw)
    return time.perf_counter() - t, r

def port_once():
    """(seconds, peak RSS MiB, the check's verdict of OUT, ANDROID's action)"""
    shutil.rmtree(out, ignore_errors=True)
    with open(f"{tmp}/port.json", "w") as o:
        secs, r = timed(["/usr/bin/time", "-v", "-o", f"{tmp}/time_port.txt", unifw, "port", base, "--stock", backup,
                         "-o", out, "--json"], stdout=o, stderr=subprocess.PIPE)
    if r.returncode != 0:
        print(f"bench: unifw port failed (exit {r.returncode}): {r.stderr.decode(errors='replace')[-2000:]}")
        sys.exit(1)
    rep = json.load(open(f"{tmp}/port.json"))
    android = [c.get("action") for c in rep.get("changes", []) if c.get("partition") == "ANDROID" and not c.get("path")]
    shutil.rmtree(out, ignore_errors=True)
    return secs, time_v(f"{tmp}/time_port.txt")[1] / 1024.0, rep.get("verdict"), ",".join(android) or "?"

def copy_once():
    secs = timed(["cp", system, f"{tmp}/system.copy"], check=True)[0]
    os.unlink(f"{tmp}/system.copy")
    return secs

port_once(), copy_once()  # warm-up, not counted
port_s, copy_s, rss = [], [], 0.0
for n in range(1, rounds + 1):
    secs, mib, verdict, action = port_once()
    port_s.append(secs)
    rss = max(rss, mib)
    copy_s.append(copy_once())
    print(f"round {n}: unifw port {secs:.3f} s (peak RSS {mib:.1f} MiB, OUT {verdict}, ANDROID {action}), "
          f"cp system.img {copy_s[-1]:.3f} s")

img = os.path.getsize(system)
print(f"base system.img {img / 2**20:.0f} MiB sparse file, a 1 GiB ext4; phone a516-like, ANDROID 1 GiB")
print(f"{rounds} rounds, median (min, max):")
print(f"unifw port             {spread(port_s, '%.3f')} s")
print(f"cp system.img          {spread(copy_s, '%.3f')} s")
print(f"ratio port / cp, per round  {spread(per_round(port_s, copy_s, lambda a, b: a / b), '%.1f')}x")
verdict = "PASS" if rss < limit else "FAIL"
print(f"peak RSS {rss:.1f} MiB vs limit {limit} MiB: {verdict}")
sys.exit(0 if verdict == "PASS" else 1)
PY
