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

# A 44-byte image (the writer's header and one FILL chunk for a block of zeros) edited to declare
# 0xFFFFFFFF blocks of 4 KiB (16 TiB): refused before anything is written, by the 64 GiB default limit,
# and with --max-size 16T by the free space; both numbers in the message; nothing left in the folder.
mkdir "$work/big"
head -c 4096 /dev/zero >"$work/zero.blk"
"$UNIFW" sparse to-sparse "$work/zero.blk" -o "$work/big/tiny.simg" >/dev/null
[ "$(stat -c %s "$work/big/tiny.simg")" -eq 44 ] || fail "the writer's one-FILL image is not 44 bytes"
python3 -c 'import struct,sys
b = bytearray(open(sys.argv[1], "rb").read())
struct.pack_into("<I", b, 16, 0xFFFFFFFF)   # total_blks
struct.pack_into("<I", b, 28 + 4, 0xFFFFFFFF)   # the FILL chunk covers them all
open(sys.argv[1], "wb").write(b)' "$work/big/tiny.simg"
rc=0; "$UNIFW" sparse to-raw "$work/big/tiny.simg" -o "$work/big/huge.raw" 2>"$work/err" || rc=$?
[ "$rc" -eq 1 ] || fail "16 TiB declared: exit $rc"
grep -q "17592186040320" "$work/err" && grep -q "68719476736" "$work/err" ||
	fail "16 TiB declared: the message lacks the size or the limit: $(cat "$work/err")"
rc=0; "$UNIFW" sparse to-raw "$work/big/tiny.simg" -o "$work/big/huge.raw" --max-size 16T 2>"$work/err" || rc=$?
[ "$rc" -eq 1 ] || fail "16 TiB declared, --max-size 16T: exit $rc"
grep -q "17592186040320" "$work/err" && grep -q "free" "$work/err" ||
	fail "16 TiB declared: the free-space message lacks its numbers: $(cat "$work/err")"
[ "$(ls "$work/big")" = tiny.simg ] || fail "refused expansions left files: $(ls "$work/big")"
rc=0; "$UNIFW" sparse to-raw "$work/oracle.simg" -o "$work/x.raw" --max-size 1M 2>"$work/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "limit of 1048576" "$work/err" || fail "--max-size 1M: exit $rc: $(cat "$work/err")"

# SIGTERM in the middle of an expansion (its input a FIFO that stops half way): the temporary file
# next to the output goes with the process.
mkdir "$work/sig"
mkfifo "$work/sig/in.fifo"
(head -c 60000 "$work/oracle.simg"; exec sleep 600) >"$work/sig/in.fifo" &
feeder=$!
"$UNIFW" sparse to-raw "$work/sig/in.fifo" -o "$work/sig/out.raw" 2>"$work/sig.err" &
pid=$!
i=0
while ! ls "$work/sig" | grep -q 'out.raw.tmp'; do
	i=$((i + 1))
	[ $i -lt 600 ] || { kill $feeder $pid 2>/dev/null; fail "no temporary output appeared: $(cat "$work/sig.err")"; }
	sleep 0.05
done
kill -TERM $pid
rc=0; wait $pid || rc=$?
kill $feeder 2>/dev/null || true
wait $feeder 2>/dev/null || true
[ "$rc" -eq 143 ] || fail "SIGTERM: exit status $rc, expected 143 (killed by SIGTERM)"
[ "$(ls "$work/sig")" = in.fifo ] || fail "SIGTERM left files: $(ls "$work/sig")"
echo PASS
