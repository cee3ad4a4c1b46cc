#!/bin/sh
# unifw flash and hostile archives and sparse images, against the virtual phone (issue 8 items 8, 9c):
#  - a zip whose PRELOADER member is far larger than its partition (zeros: a few kB compressed) is refused
#    by its size before a byte reaches $TMPDIR (the flash runs under `ulimit -f`: a write of the member
#    would kill it), the error names the member, the limit and the size;
#  - a zip with two members of the same name: `unifw info` reports duplicate-name (text and --json), the
#    flash plan refuses the ambiguous image (exit 3), an ambiguous preloader is not used for DRAM setup;
#  - a sparse image made by the project's writer then damaged: a broken header (block size not a multiple
#    of 4) is refused by the plan as a broken sparse image, never written raw; so is one with a wrong
#    header image checksum or CRC32 chunk (nothing written: the eMMC keeps its hash); the same image with
#    correct checksums flashes bit-exact. (A file damaged between the plan and its write fails at step
#    `image` before any of it is sent: unit test flash sparse_ranges_verify_checksums.) Exit 0 pass, 77
#    skip, else fail.
. "$(dirname "$0")/flash_lib.sh"

m=a516-like
base="$work/factory.img"
"$SIM" make-emmc --model "$m" -o "$base" >/dev/null
"$SIM" make-firmware --model "$m" --seed 2 -o "$work/pkg" >/dev/null
pl=$(cd "$work/pkg" && ls preloader_*.bin)
mkdir "$work/tmp"

# zip_pkg OUT [NAME=FILE...]: the package folder as a zip; NAME=FILE adds FILE as member NAME (again).
zip_pkg() {
	python3 - "$work/pkg" "$@" <<'EOF'
import os, sys, warnings, zipfile
src, out, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
warnings.simplefilter("ignore")  # "Duplicate name": that is the point
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for f in sorted(os.listdir(src)):
        if os.path.isfile(os.path.join(src, f)):
            z.write(os.path.join(src, f), f)
    for e in extra:
        name, path = e.split("=", 1)
        z.write(path, name)
EOF
}

# 1. A PRELOADER member of 256 MiB (its partition holds far less) in a 300 kB zip.
cp "$work/pkg/$pl" "$work/big_preloader.bin"
truncate -s 256M "$work/big_preloader.bin"
mv "$work/pkg/$pl" "$work/$pl.orig"
mv "$work/big_preloader.bin" "$work/pkg/$pl"
zip_pkg "$work/bigpl.zip"
mv "$work/$pl.orig" "$work/pkg/$pl"
[ "$(stat -c %s "$work/bigpl.zip")" -lt $((8 << 20)) ] || fail "the test zip is not small"
cp --sparse=always "$base" "$work/e.img"
start_sim "$work/e.img" --model "$m"
rc=0
# a file of more than 16 MiB written by this process kills it (SIGXFSZ): the member must never be extracted
(ulimit -f 32768 && TMPDIR="$work/tmp" exec "$UNIFW" flash "$work/bigpl.zip" --plan --json --port "$PORT" \
	--da "$DA") >"$work/out.json" 2>"$work/err.txt" || rc=$?
stop_sim
[ "$rc" -eq 1 ] || fail "oversize preloader member: exit $rc, expected 1: $(tail -3 "$work/err.txt")"
msg=$(result error.text)
for needle in "$pl" 268435456 "limit of"; do
	echo "$msg" | grep -q "$needle" || fail "oversize preloader: the error does not name '$needle': $msg"
done
[ -z "$(ls -A "$work/tmp")" ] || fail "left in TMPDIR: $(ls -lR "$work/tmp")"
echo "ok oversize PRELOADER member refused before extraction: $(echo "$msg" | cut -c1-160)"

# ... while the package's own preloader, extracted under the same limit, sets up DRAM in BROM mode.
zip_pkg "$work/good.zip"
cp --sparse=always "$base" "$work/e.img"
start_sim "$work/e.img" --model "$m" --mode brom
rc=0
(ulimit -f 32768 && TMPDIR="$work/tmp" exec "$UNIFW" flash "$work/good.zip" --plan --json --port "$PORT" \
	--da "$DA") >"$work/out.json" 2>"$work/err.txt" || rc=$?
stop_sim
[ "$rc" -eq 0 ] || fail "BROM mode, preloader from the zip: exit $rc: $(tail -3 "$work/err.txt")"
[ -z "$(ls -A "$work/tmp")" ] || fail "left in TMPDIR: $(ls -lR "$work/tmp")"
echo "ok BROM mode: the zip's preloader extracted within its limit, DRAM set up, TMPDIR clean"

# 2. Two members named lk.bin, and the preloader twice.
zip_pkg "$work/dup.zip" "lk.bin=$work/pkg/logo.bin" "$pl=$work/pkg/$pl"
"$UNIFW" info "$work/dup.zip" >"$work/info.txt" 2>&1 || true
grep -q "duplicate-name" "$work/info.txt" || grep -qi "appears 2 times" "$work/info.txt" ||
	fail "info (text) does not report the duplicate member: $(cat "$work/info.txt")"
"$UNIFW" info "$work/dup.zip" --json >"$work/info.json" 2>/dev/null || true
python3 -c 'import json,sys
j = json.load(open(sys.argv[1]))
codes = [f["code"] for f in j["findings"]]
assert "duplicate-name" in codes, codes' "$work/info.json" || fail "info --json has no duplicate-name finding"
cp --sparse=always "$base" "$work/e.img"
start_sim "$work/e.img" --model "$m"
flash "$work/dup.zip" --plan --json
stop_sim
[ "$rc" -eq 3 ] || fail "duplicate lk.bin: exit $rc, expected 3 (refused): $(tail -3 "$work/err.txt")"
python3 -c 'import json,sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])["result"]
e = [p for p in r["plan"]["partitions"] if p["file"] == "lk.bin"][0]
assert e["action"] == "refuse" and "ambiguous" in e["reason"], e' "$work/out.json" ||
	fail "the plan does not refuse the ambiguous lk.bin: $(tail -1 "$work/out.json" | cut -c1-600)"
grep -q "preloader is not offered for DRAM setup.*ambiguous" "$work/err.txt" ||
	fail "an ambiguous preloader is offered for DRAM setup: $(cat "$work/err.txt")"
echo "ok duplicate member name: finding in info, the flash plan refuses it, an ambiguous preloader is not offered"

# 3. Damaged sparse images (SYSTEM).
cp "$work/pkg/system.img" "$work/system.good"
"$UNIFW" sparse to-raw "$work/system.good" -o "$work/system.raw" >/dev/null
# sparse_edit FIELD: header field edits on a copy of the writer's image into pkg/system.img
sparse_edit() {
	python3 - "$work/system.good" "$work/pkg/system.img" "$work/system.raw" "$1" <<'EOF'
import struct, sys, zlib
good, out, raw, what = sys.argv[1:5]
b = bytearray(open(good, "rb").read())
crc = 0
with open(raw, "rb") as f:
    for piece in iter(lambda: f.read(1 << 20), b""):
        crc = zlib.crc32(piece, crc)
if what == "blk_sz":
    struct.pack_into("<I", b, 12, 4098)
elif what == "checksum":
    struct.pack_into("<I", b, 24, crc)
elif what == "bad_checksum":
    struct.pack_into("<I", b, 24, crc ^ 1)
elif what in ("crc_chunk", "bad_crc_chunk"):
    struct.pack_into("<I", b, 20, struct.unpack_from("<I", b, 20)[0] + 1)
    b += struct.pack("<HHII", 0xCAC4, 0, 0, 16) + struct.pack("<I", crc ^ (what == "bad_crc_chunk"))
open(out, "wb").write(b)
EOF
}

sparse_edit blk_sz
cp --sparse=always "$base" "$work/e.img"
start_sim "$work/e.img" --model "$m"
flash "$work/pkg" --plan --json
stop_sim
[ "$rc" -eq 3 ] || fail "sparse magic, broken header: exit $rc, expected 3: $(tail -3 "$work/err.txt")"
python3 -c 'import json,sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])["result"]
e = [p for p in r["plan"]["partitions"] if p["file"] == "system.img"][0]
assert e["action"] == "refuse" and "broken sparse image" in e["reason"] and "offset 0xc" in e["reason"], e' \
	"$work/out.json" || fail "SYSTEM is not refused as a broken sparse image: $(tail -1 "$work/out.json" | cut -c1-600)"
echo "ok sparse magic with a broken header: refused by the plan"

before=$(sha256sum "$base" | cut -d' ' -f1)
for bad in bad_checksum bad_crc_chunk; do
	sparse_edit $bad
	cp --sparse=always "$base" "$work/e.img"
	start_sim "$work/e.img" --model "$m"
	flash "$work/pkg" --yes --json
	stop_sim
	[ "$rc" -eq 3 ] || fail "$bad: exit $rc, expected 3 (refused): $(tail -3 "$work/err.txt")"
	python3 -c 'import json,sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])["result"]
e = [p for p in r["plan"]["partitions"] if p["file"] == "system.img"][0]
assert e["action"] == "refuse" and "broken sparse image" in e["reason"], e
assert "checksum" in e["reason"] or "CRC32" in e["reason"], e
print(e["reason"][:200])' "$work/out.json" >"$work/reason.txt" ||
		fail "$bad: system.img is not refused for its checksum: $(tail -1 "$work/out.json" | cut -c1-600)"
	[ "$(sha256sum "$work/e.img" | cut -d' ' -f1)" = "$before" ] || fail "$bad: the eMMC changed"
	echo "ok $bad: the plan refuses it, nothing written: $(cat "$work/reason.txt")"
done

for good in checksum crc_chunk; do
	sparse_edit $good
	cp --sparse=always "$base" "$work/e.img"
	start_sim "$work/e.img" --model "$m"
	flash "$work/pkg" --yes --json
	stop_sim
	[ "$rc" -eq 0 ] || fail "$good (correct): exit $rc: $(tail -3 "$work/err.txt")"
	python3 "$CHECK" "$work/out.json" "$work/e.img" >/dev/null || fail "$good: the eMMC is not the package"
	echo "ok $good correct: flashed bit-exact"
done
echo "PASS"
