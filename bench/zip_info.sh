#!/bin/sh
# Benchmark: `unifw info` on a firmware zip of more than 1 GiB, read in place.
#
# Builds, in a temporary directory removed afterwards, the Lenovo A516 package (scatter + preloader, MBR,
# EBR1, lk, logo, secro from the corpus) plus sparse system/cache/userdata images made from ext4 file
# systems full of random files (mke2fs -d, then img2simg), zipped without compression under a nested folder.
# Then it measures `unifw info` (wall time and peak RSS with /usr/bin/time -v) against bsdtar on the same
# zip: `bsdtar -tf` (listing: reads the central directory only) and `bsdtar -xOf | sha256sum` (reads and
# hashes every member, the work `unifw info` does as it describes and hashes each image), in
# BENCH_ROUNDS interleaved rounds (default 5) after one warm-up round, and prints the median, min and
# max of each and of the per-round ratios.
# Limit: peak RSS under 64 MiB (images are streamed, never held whole). Exit 1 if over, or if a report
# is wrong (system.img must be a sparse image with the SHA-256 sha256sum computes).
set -eu
export PYTHONDONTWRITEBYTECODE=1 # bench/benchlib.py is imported; leave no __pycache__ in bench/
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${UNIFW_CORPUS:-$here/../shared/corpus}
unifw=$(cd "$build" && pwd)/unifw
limit_mib=64
rounds=$(python3 "$here/bench/benchlib.py" rounds)

for tool in mke2fs img2simg zip bsdtar python3 sha256sum; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (run 'make deps')"; exit 1; }
done
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (Debian package 'time')"; exit 1; }
[ -x "$unifw" ] || { echo "bench: $unifw not built"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/unifw-bench-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# fs_image NAME SIZE_MIB DATA_MIB: ext4 of SIZE_MIB holding DATA_MIB of random files, as a sparse image.
fs_image() {
	name=$1 size=$2 data=$3
	src="$tmp/src_$name"
	mkdir -p "$src/app"
	i=0
	while [ $((i * 64)) -lt "$data" ]; do
		head -c 64M /dev/urandom >"$src/app/blob$i.bin"
		i=$((i + 1))
	done
	if [ "$name" = system ]; then
		printf 'ro.build.version.release=4.2.2\nro.product.model=Lenovo A516\nro.product.brand=Lenovo\n' \
			>"$src/build.prop"
	fi
	mke2fs -q -F -t ext4 -b 4096 -L "$name" -d "$src" "$tmp/$name.raw" "${size}M" >/dev/null
	rm -rf "$src"
	img2simg "$tmp/$name.raw" "$pkg/$name.img"
	rm -f "$tmp/$name.raw"
}

pkg="$tmp/pkg/Firmware/Lenovo_A516_S117"
mkdir -p "$pkg"
cp "$corpus/scatter/mt6572_lenovo_a516_S117.txt" "$pkg/MT6572_Android_scatter.txt"
cp "$corpus/preloader/mt6572_lenovo_a516_S117_preloader_a516_row.bin" "$pkg/preloader_a516_row.bin"
cp "$corpus/ptable/mt6572_lenovo_a516_MBR.bin" "$pkg/MBR"
cp "$corpus/ptable/mt6572_lenovo_a516_EBR1.bin" "$pkg/EBR1"
cp "$corpus/lk/mt6572_lenovo_a516_S117_lk.bin" "$pkg/lk.bin"
cp "$corpus/logo/mt6572_lenovo_a516_logo.bin" "$pkg/logo.bin"
cp "$corpus/misc/mt6572_lenovo_a516_secro.img" "$pkg/secro.img"

echo "building the package (random data, mke2fs -d, img2simg, zip -0)..."
# Partition sizes from the A516 scatter: ANDROID 1 GiB, CACHE 126 MiB, USRDATA 1.5 GiB.
fs_image system 1024 896
fs_image cache 126 64
fs_image userdata 384 192
zip_file="$tmp/A516_S117_firmware.zip"
(cd "$tmp/pkg" && zip -q -0 -r "$zip_file" Firmware)
system_sha=$(sha256sum "$pkg/system.img" | cut -d' ' -f1)
rm -rf "$tmp/pkg"

zip_bytes=$(stat -c %s "$zip_file")
if [ "$zip_bytes" -lt 1073741824 ]; then
	echo "bench: the zip is only $zip_bytes bytes; expected >= 1 GiB"
	exit 1
fi

# unifw info runs under /usr/bin/time -v (peak RSS, wall time); every run is timed with a monotonic
# clock (/usr/bin/time rounds to 10 ms; the listing takes milliseconds).
PYTHONPATH="$here/bench" python3 - "$tmp" "$unifw" "$zip_file" "$zip_bytes" "$system_sha" "$limit_mib" "$rounds" <<'PY'
import json, re, subprocess, sys, time
from benchlib import per_round, spread
tmp, unifw, zip_file, zip_bytes, system_sha, limit, rounds = sys.argv[1:8]
zip_bytes, limit, rounds = int(zip_bytes), int(limit), int(rounds)

def timed(cmd, **kw):
    t = time.perf_counter()
    r = subprocess.run(cmd, **kw)
    return time.perf_counter() - t, r

def check_report(path):
    """Problems with the report of unifw info (empty: right)."""
    report = json.load(open(path))
    parts = {p["name"]: p for p in report.get("partitions", [])}
    android = parts.get("ANDROID", {})
    checks = [
        (report.get("type") == "package", "type is not package"),
        (android.get("status") == "ok", f"ANDROID status {android.get('status')}"),
        (android.get("image", {}).get("kind") == "sparse", "system.img not detected as sparse"),
        (android.get("image", {}).get("sha256") == system_sha, "system.img SHA-256 differs from sha256sum's"),
        (report.get("base_dir") == "Firmware/Lenovo_A516_S117", "nested folder not found"),
    ]
    members = sum(1 for p in parts.values() if "image" in p) + len(report.get("extra_files", [])) + 1
    return [what for ok, what in checks if not ok], members

def info_once():
    """(seconds, peak RSS MiB, report problems, members)"""
    with open(f"{tmp}/report.json", "w") as out:
        secs, r = timed(["/usr/bin/time", "-v", "-o", f"{tmp}/time_info.txt", unifw, "info", zip_file, "--json"],
                        stdout=out, stderr=subprocess.PIPE)
    if r.returncode not in (0, 3):  # 3: the report has error findings; still a finished report
        print(f"bench: unifw info failed (exit {r.returncode}): {r.stderr.decode(errors='replace')}")
        sys.exit(1)
    text = open(f"{tmp}/time_info.txt").read()
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024.0
    return (secs, rss, *check_report(f"{tmp}/report.json"))

def list_once():
    return timed(["bsdtar", "-tf", zip_file], stdout=subprocess.DEVNULL, check=True)[0]

def read_once():
    return timed(["sh", "-c", f"bsdtar -xOf '{zip_file}' | sha256sum >/dev/null"], check=True)[0]

# warm-up, not counted: the zip was just written, but the first reads may still miss the page cache
info_once(), list_once(), read_once()
info_s, list_s, read_s, rss, wrong = [], [], [], 0.0, set()
for n in range(1, rounds + 1):
    secs, mib, problems, members = info_once()
    info_s.append(secs)
    rss = max(rss, mib)
    wrong.update(problems)
    list_s.append(list_once())
    read_s.append(read_once())
    print(f"round {n}: unifw info {secs:.3f} s (peak RSS {mib:.1f} MiB), bsdtar -tf {list_s[-1]:.3f} s, "
          f"bsdtar -xOf | sha256sum {read_s[-1]:.3f} s")
for what in sorted(wrong):
    print(f"WRONG REPORT: {what}")

print(f"zip package            {zip_bytes / 2**30:.2f} GiB ({zip_bytes} bytes), {members} members, stored (zip -0)")
print(f"{rounds} rounds, median (min, max):")
print(f"unifw info             {spread(info_s, '%.3f')} s")
print(f"bsdtar -tf             {spread(list_s, '%.3f')} s   (lists the central directory only)")
print(f"bsdtar -xOf | sha256   {spread(read_s, '%.3f')} s   (reads and hashes every member, as info does)")
print(f"ratio info / bsdtar -tf, per round             {spread(per_round(info_s, list_s, lambda a, b: a / b), '%.1f')}x")
print(f"ratio info / bsdtar -xOf|sha256sum, per round  {spread(per_round(info_s, read_s, lambda a, b: a / b))}x")
verdict = "PASS" if rss < limit and not wrong else "FAIL"
print(f"peak RSS {rss:.1f} MiB vs limit {limit} MiB: {verdict}")
sys.exit(0 if verdict == "PASS" else 1)
PY
