#!/bin/sh
# Benchmark: `unifw catalog` over 200 generated packages (docs/catalog.md).
#
# Builds, in a temporary directory removed afterwards, 200 firmware zips: the virtual phone's five stock
# packages (unifw-sim make-firmware: the four models and the universal one, without their factory/
# images), each copied 40 times with the scatter's project line changed (so every zip hashes differently)
# and deflated. The phone is a unifw backup of a wiko-like virtual phone and its fingerprint saved with
# `unifw fingerprint --json`. Then BENCH_ROUNDS interleaved rounds (default 5) after one warm-up round of:
#   - `unifw catalog add` of the 200 zips into a new database, against `bsdtar -tf` of each of the same
#     zips (one process per zip: what listing them takes), both as seconds per GiB of zips, and the ratio;
#   - the same add again (every zip skipped by its content hash);
#   - `unifw catalog match --fingerprint FILE` (wall time of the whole command: process start, opening
#     the database, 200 fingerprints read back and checked, ranked, JSON printed): limit 100 ms (median);
#   - `unifw catalog match --backup DIR` (the same plus fingerprinting the backup folder), for reference.
# Exit 1 if the match's median is 100 ms or more, or if a result is wrong (200 added, 200 skipped, 200 ranked).
set -eu
export PYTHONDONTWRITEBYTECODE=1 # bench/benchlib.py is imported; leave no __pycache__ in bench/
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
unifw=$(cd "$build" && pwd)/unifw
sim=$(cd "$build" && pwd)/sim/unifw-sim
rounds=$(python3 "$here/bench/benchlib.py" rounds)

for tool in bsdtar python3; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (run 'make deps')"; exit 1; }
done
[ -x "$unifw" ] && [ -x "$sim" ] || { echo "bench: $unifw or $sim not built"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/unifw-bench-XXXXXX")
simpid=
cleanup() {
	[ -z "$simpid" ] || { kill "$simpid" 2>/dev/null; wait "$simpid" 2>/dev/null || true; }
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
export UNIFW_STATE_DIR="$tmp/state"

echo "building 200 packages and a phone backup..."
models=$("$sim" models | awk '$1 != "universal" {print $1}')
mkdir -p "$tmp/base"
for m in $models; do
	"$sim" make-firmware --model "$m" -o "$tmp/base/$m" >/dev/null
done
"$sim" make-firmware --universal -o "$tmp/base/universal" >/dev/null
python3 - "$tmp/base" "$tmp/zips" 200 <<'PY'
import os, re, sys, zipfile
base, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out)
kinds = sorted(os.listdir(base))
files = {k: {n: open(os.path.join(base, k, n), "rb").read() for n in sorted(os.listdir(os.path.join(base, k)))
             if os.path.isfile(os.path.join(base, k, n))} for k in kinds}
for i in range(count):
    k = kinds[i % len(kinds)]
    with zipfile.ZipFile("%s/pkg%03d-%s.zip" % (out, i, k), "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in files[k].items():
            if n.endswith("_scatter.txt"):
                data = re.sub(rb"(project: \S+)", lambda m: m.group(1) + b"_v%03d" % i, data, count=1)
            z.writestr("firmware/" + n, data)
PY
phone=wiko-like
"$sim" make-da -o "$tmp/da.bin" >/dev/null
"$sim" make-emmc --model "$phone" -o "$tmp/phone.img" >/dev/null
"$sim" --socket "$tmp/phone.sock" --emmc "$tmp/phone.img" --model "$phone" --mode preloader --preloader-window 0 \
	>"$tmp/sim.out" 2>"$tmp/sim.err" &
simpid=$!
i=0
until grep -q '^socket ' "$tmp/sim.out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 200 ] || { cat "$tmp/sim.err"; echo "bench: unifw-sim did not start"; exit 1; }
	sleep 0.05
done
UNIFW_DA="$tmp/da.bin" "$unifw" backup --port "unix:$tmp/phone.sock" --skip-empty -o "$tmp/backup" >/dev/null 2>"$tmp/backup.err" ||
	{ cat "$tmp/backup.err"; exit 1; }
kill "$simpid"
wait "$simpid" 2>/dev/null || true
simpid=
rm -f "$tmp/phone.img"
"$unifw" fingerprint "$tmp/backup" --json >"$tmp/phone.json"

PYTHONPATH="$here/bench" python3 - "$tmp" "$unifw" "$rounds" <<'PY'
import glob, json, os, resource, statistics, subprocess, sys, time
from benchlib import per_round, spread
tmp, unifw, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
zips = sorted(glob.glob(tmp + "/zips/*.zip"))
gib = sum(os.path.getsize(z) for z in zips) / 2**30
limit_ms = 100.0
wrong = set()

def timed(cmd, **kw):
    t = time.perf_counter()
    r = subprocess.run(cmd, **kw)
    return time.perf_counter() - t, r

def add(db, expect_added):
    secs, r = timed([unifw, "catalog", "add", *zips, "--db", db, "--json"], stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL)
    if r.returncode != 0:
        wrong.add("catalog add exit %d" % r.returncode)
        return secs
    es = json.loads(r.stdout)["entries"]
    n = sum(1 for e in es if e.get("added") == expect_added)
    if n != len(zips):
        wrong.add("catalog add: %d of %d %s" % (n, len(zips), "added" if expect_added else "skipped"))
    return secs

def listing():
    t = time.perf_counter()
    for z in zips:
        subprocess.run(["bsdtar", "-tf", z], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t

cpu_ms = []

def match(db, *phone):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    secs, r = timed([unifw, "catalog", "match", *phone, "--db", db, "--json"], stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if phone[0] == "--fingerprint":
        cpu_ms.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    if r.returncode != 0:
        wrong.add("catalog match %s: exit %d" % (phone[0], r.returncode))
    elif len(json.loads(r.stdout)["packages"]) != len(zips):
        wrong.add("catalog match %s: not %d packages" % (phone[0], len(zips)))
    return secs

def one_round(n):
    db = "%s/round%d.db" % (tmp, n)
    a = add(db, True)
    l = listing()
    s = add(db, False)
    m = match(db, "--fingerprint", tmp + "/phone.json")
    b = match(db, "--backup", tmp + "/backup")
    os.unlink(db)
    return a, l, s, m, b

one_round(0)  # warm-up: the zips were just written, the binaries not yet run
cpu_ms.clear()
load0 = os.getloadavg()[0]
res = []
for n in range(1, rounds + 1):
    res.append(one_round(n))
    a, l, s, m, b = res[-1]
    print("round %d: add %.2f s, bsdtar -tf x%d %.2f s, add again (skips) %.2f s, match --fingerprint %.1f ms, "
          "match --backup %.1f ms" % (n, a, len(zips), l, s, m * 1000, b * 1000))
add_s, list_s, skip_s, match_s, mback_s = (list(x) for x in zip(*res))
for what in sorted(wrong):
    print("WRONG RESULT: " + what)
print("%d zips, %.3f GiB (%d bytes), deflated; %d rounds, median (min, max):" %
      (len(zips), gib, sum(os.path.getsize(z) for z in zips), rounds))
print("catalog add               %s s per GiB" % spread([x / gib for x in add_s]))
print("bsdtar -tf (each zip)     %s s per GiB" % spread([x / gib for x in list_s]))
print("ratio add / bsdtar -tf, per round   %sx" % spread(per_round(add_s, list_s, lambda a, b: a / b)))
print("catalog add again (skips) %s s per GiB   (every zip hashed, none opened)" % spread([x / gib for x in skip_s]))
print("catalog match --backup    %s ms   (fingerprints the backup folder first)" % spread([x * 1000 for x in mback_s], "%.1f"))
med = statistics.median(match_s) * 1000
print("catalog match --fingerprint %s ms for %d packages (wall); CPU (user + sys) %s ms" %
      (spread([x * 1000 for x in match_s], "%.1f"), len(zips), spread(cpu_ms, "%.1f")))
print("load average (1 min) %.1f at the first round, %.1f at the end, on %d CPUs" % (load0, os.getloadavg()[0], os.cpu_count()))
verdict = "PASS" if med < limit_ms and not wrong else "FAIL"
print("match median %.1f ms vs limit %.0f ms: %s" % (med, limit_ms, verdict))
sys.exit(0 if verdict == "PASS" else 1)
PY
