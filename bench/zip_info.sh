#!/bin/sh
# Benchmark: `unifw info` on a firmware zip of more than 1 GiB, read in place.
#
# Builds, in a temporary directory removed afterwards, the Lenovo A516 package (scatter + preloader, MBR,
# EBR1, lk, logo, secro from the corpus) plus sparse system/cache/userdata images made from ext4 file
# systems full of random files (mke2fs -d, then img2simg), zipped without compression under a nested folder.
# Then it measures `unifw info` (wall time and peak RSS with /usr/bin/time -v) against bsdtar on the same
# zip: `bsdtar -tf` (listing: reads the central directory only) and `bsdtar -xOf | sha256sum` (reads and
# hashes every member, the work `unifw info` does as it describes and hashes each image).
# Limit: peak RSS under 64 MiB (images are streamed, never held whole). Exit 1 if over, or if the report
# is wrong (system.img must be a sparse image with the SHA-256 sha256sum computes).
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${UNIFW_CORPUS:-$here/../shared/corpus}
unifw=$(cd "$build" && pwd)/unifw
limit_mib=64

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
	mke2fs -q -F -t ext4 -b 4096 -L "$name" -d "$src" "$tmp/$name.raw" "${size}M"
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

# unifw info (exit 0, or 3 when the report has error findings: both are a finished report)
set +e
/usr/bin/time -v -o "$tmp/time_info.txt" "$unifw" info "$zip_file" --json >"$tmp/report.json" 2>"$tmp/info.err"
rc=$?
set -e
if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
	echo "bench: unifw info failed (exit $rc):"
	cat "$tmp/info.err"
	exit 1
fi
/usr/bin/time -v -o "$tmp/time_list.txt" bsdtar -tf "$zip_file" >/dev/null
/usr/bin/time -v -o "$tmp/time_read.txt" sh -c "bsdtar -xOf '$zip_file' | sha256sum >/dev/null"

python3 - "$tmp" "$zip_file" "$zip_bytes" "$system_sha" "$limit_mib" <<'PY'
import json, re, sys
tmp, zip_file, zip_bytes, system_sha, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])

def measure(name):
    text = open(f"{tmp}/{name}").read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
    secs = 0.0
    for part in wall.split(":"):
        secs = secs * 60 + float(part)
    rss_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return secs, rss_kib / 1024.0

info_s, info_rss = measure("time_info.txt")
list_s, _ = measure("time_list.txt")
read_s, _ = measure("time_read.txt")

report = json.load(open(f"{tmp}/report.json"))
ok = True
def check(cond, what):
    global ok
    if not cond:
        print(f"WRONG REPORT: {what}")
        ok = False
check(report.get("type") == "package", "type is not package")
parts = {p["name"]: p for p in report.get("partitions", [])}
android = parts.get("ANDROID", {})
check(android.get("status") == "ok", f"ANDROID status {android.get('status')}")
check(android.get("image", {}).get("type") == "sparse", "system.img not detected as sparse")
check(android.get("image", {}).get("sha256") == system_sha, "system.img SHA-256 differs from sha256sum's")
check(report.get("base_dir") == "Firmware/Lenovo_A516_S117", "nested folder not found")
members = sum(1 for p in parts.values() if "image" in p) + len(report.get("extra_files", [])) + 1

def ratio(a, b):
    return f"{a / b:.1f}x" if b > 0 else "n/a (bsdtar took < 10 ms)"

print(f"zip package            {zip_bytes / 2**30:.2f} GiB ({zip_bytes} bytes), {members} members, stored (zip -0)")
print(f"unifw info             {info_s:.2f} s wall, peak RSS {info_rss:.1f} MiB")
print(f"bsdtar -tf             {list_s:.2f} s   (lists the central directory only)")
print(f"bsdtar -xOf | sha256   {read_s:.2f} s   (reads and hashes every member, as info does)")
print(f"ratio info / bsdtar -tf            {ratio(info_s, list_s)}")
print(f"ratio info / bsdtar -xOf|sha256sum {ratio(info_s, read_s)}")
verdict = "PASS" if info_rss < limit and ok else "FAIL"
print(f"peak RSS {info_rss:.1f} MiB vs limit {limit} MiB: {verdict}")
sys.exit(0 if verdict == "PASS" else 1)
PY
