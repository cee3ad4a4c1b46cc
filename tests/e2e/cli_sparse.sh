#!/bin/sh
# unifw sparse to-raw / to-sparse with the real binary, checked against the AOSP oracle tools
# (simg2img, img2simg from android-sdk-libsparse-utils) on an ext4 image with holes, fills and data.
# Exit 0 pass, 77 skip, else fail.
set -eu
UNIFW="${UNIFW_BIN:-./unifw}"
[ -x "$UNIFW" ] || { echo "unifw not built: skip"; exit 77; }
for t in simg2img img2simg mke2fs; do
	command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] || { echo "$t missing: skip"; exit 77; }
done
PATH="$PATH:/usr/sbin:/sbin"
work=$(mktemp -d "${TMPDIR:-/tmp}/unifw-e2e-sparse-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir "$work/root"
head -c 300000 /dev/urandom >"$work/root/random.bin"
yes unifw | head -c 200000 >"$work/root/text.txt"
printf 'ro.product.model=demo\n' >"$work/root/build.prop"
mke2fs -q -t ext4 -b 4096 -L system -d "$work/root" "$work/raw.img" 16M

# Ours to sparse, the oracle back to raw: identical bytes.
"$UNIFW" sparse to-sparse "$work/raw.img" -o "$work/ours.simg" >/dev/null
simg2img "$work/ours.simg" "$work/oracle.raw"
cmp "$work/raw.img" "$work/oracle.raw" || fail "simg2img of our sparse image differs from the raw image"
[ "$(stat -c %s "$work/ours.simg")" -lt "$(stat -c %s "$work/raw.img")" ] || fail "sparse image not smaller"

# The oracle to sparse, ours back to raw: identical bytes.
img2simg "$work/raw.img" "$work/oracle.simg"
"$UNIFW" sparse to-raw "$work/oracle.simg" -o "$work/ours.raw" >/dev/null
cmp "$work/raw.img" "$work/ours.raw" || fail "our expansion of img2simg output differs from the raw image"

# unifw info sees the ext4 inside our sparse image.
"$UNIFW" info "$work/ours.simg" --json >"$work/info.json"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["type"]=="sparse" and j["inner"]["type"]=="ext4" and j["inner"]["label"]=="system", j' \
	"$work/info.json" || fail "info does not describe the sparse ext4 image"

# A truncated sparse image is an error that names the offset; usage errors exit 2.
head -c 5000 "$work/oracle.simg" >"$work/cut.simg"
rc=0; "$UNIFW" sparse to-raw "$work/cut.simg" -o "$work/x.raw" 2>"$work/err" || rc=$?
[ "$rc" -eq 1 ] || fail "truncated input: exit $rc"
grep -q "offset" "$work/err" || fail "truncated input: no offset in '$(cat "$work/err")'"
[ ! -e "$work/x.raw" ] || fail "a failed expansion left an output file"
rc=0; "$UNIFW" sparse to-raw "$work/cut.simg" 2>/dev/null || rc=$?
[ "$rc" -eq 2 ] || fail "missing -o: exit $rc"
echo PASS
