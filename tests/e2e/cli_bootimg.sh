#!/bin/sh
# End-to-end: 'unifw bootimg unpack/repack/info' with the real binary on the corpus boot image
# (Orange Pi 3G-IoT boot_emmc.img: MTK-header kernel, no ramdisk). unpack -> repack must give back the
# original bytes; a replaced kernel must show up with a correct id; bad input must fail clearly.
set -eu
bin=${UNIFW_BIN:?UNIFW_BIN not set}
corpus=${UNIFW_CORPUS:?UNIFW_CORPUS not set}
[ -x "$bin" ] || { echo "unifw binary $bin not built"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
img="$corpus/kernel/mt6572_orangepi3giot_boot_emmc.img"
raw="$corpus/kernel/mt6572_lenovo_a516_S117_zImage_3.4.5_raw.bin"
bare="$corpus/bootimg/mt6572_lenovo_a516_S117_boot_image.hdr"

"$bin" bootimg --help | grep -q "unifw bootimg unpack" || fail "--help does not show usage"
"$bin" bootimg unpack --help | grep -q "repack" || fail "subcommand --help does not show usage"

# usage errors exit 2, bad input exits 1 naming the file and offset
set +e
"$bin" bootimg unpack >/dev/null 2>&1; [ $? -eq 2 ] || fail "missing IMAGE must exit 2"
"$bin" bootimg unpack "$img" >/dev/null 2>&1; [ $? -eq 2 ] || fail "missing -o must exit 2"
"$bin" bootimg frobnicate >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown subcommand must exit 2"
"$bin" bootimg repack "$work/none" -o "$work/x.img" --bogus >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown option must exit 2"
"$bin" bootimg unpack "$bare" -o "$work/bare" 2>"$work/err"; [ $? -eq 1 ] || fail "a bare header must exit 1"
grep -q "offset 0x660" "$work/err" || fail "bare header error must name the offset: $(cat "$work/err")"
"$bin" bootimg info "$corpus/lk/mt6572_lenovo_a516_S117_lk.bin" 2>"$work/err"; [ $? -eq 1 ] || fail "lk.bin is no boot image"
grep -q "offset 0x0" "$work/err" || fail "wrong-magic error must name offset 0: $(cat "$work/err")"
"$bin" bootimg repack "$work/none" -o "$work/x.img" 2>"$work/err"; [ $? -eq 1 ] || fail "repack of a missing dir must exit 1"
grep -q "header.txt" "$work/err" || fail "missing header.txt must be named: $(cat "$work/err")"
set -e

# info: the kernel inside is described
"$bin" bootimg info "$img" --json >"$work/info.json" || fail "info --json"
grep -q '"type": "bootimg"' "$work/info.json" || fail "info: type bootimg"
grep -q '"version": "3.4.67"' "$work/info.json" || fail "info: kernel version 3.4.67 (PROVENANCE)"
grep -q '"id_ok": true' "$work/info.json" || fail "info: id must check"
"$bin" bootimg info "$bare" --json | grep -q '"type": "boot_header"' || fail "bare header is a boot_header"

# unpack -> repack is byte-identical
"$bin" bootimg unpack "$img" -o "$work/u" >/dev/null || fail "unpack"
for f in header.txt kernel kernel.mtkhdr; do [ -f "$work/u/$f" ] || fail "unpack did not write $f"; done
[ ! -e "$work/u/ramdisk" ] || fail "no ramdisk in this image, none must be written"
"$bin" bootimg repack "$work/u" -o "$work/again.img" >/dev/null || fail "repack"
cmp "$img" "$work/again.img" || fail "unpack -> repack is not byte-identical"

# unpack --json prints the description
"$bin" bootimg unpack "$img" -o "$work/u2" --json | grep -q '"container": "mtk_header"' || fail "unpack --json"

# a replaced kernel: new KERNEL header, new size, correct id
"$bin" bootimg repack "$work/u" -o "$work/new.img" --kernel "$raw" --json >"$work/new.json" || fail "repack --kernel"
grep -q '"version": "3.4.5"' "$work/new.json" || fail "new kernel version"
grep -q '"id_ok": true' "$work/new.json" || fail "new image id"
size=$(wc -c <"$raw")
grep -q "\"kernel_size\": $((size + 512))" "$work/new.json" || fail "kernel_size must be 512 + zImage"
grep -q '"name": "KERNEL"' "$work/new.json" || fail "replaced kernel keeps its KERNEL header"
cmp -s "$img" "$work/new.img" && fail "the replaced kernel made no difference"

# an edited header field is taken, the rest stays
sed 's/^name = .*/name = unifw-test/' "$work/u/header.txt" >"$work/h" && mv "$work/h" "$work/u/header.txt"
"$bin" bootimg repack "$work/u" -o "$work/named.img" --json | grep -q '"name": "unifw-test"' || fail "edited name"
[ "$(wc -c <"$work/named.img")" -eq "$(wc -c <"$img")" ] || fail "edited name changed the size"
echo "ok: bootimg unpack/repack/info"

# A gzip bomb of a ramdisk (a 120 MiB file of zeros: 120 kB compressed) in the boot image: `unifw info`
# describes it (entry count, inflated size, default.prop) with a peak RSS under 64 MiB, the ramdisk walked
# as it inflates rather than held (it used to peak at 270 MiB); a kernel that inflates to 200 MiB is
# reported as too big, also under 64 MiB (73 MiB with the old 64 MiB bound). A memory limit, not a timing.
# The 64 MiB limit is the product's (a plain build). A sanitizer build carries shadow memory and redzones
# on top, and ASan's quarantine keeps freed blocks resident to catch use-after-free: there the quarantine
# is switched off and the limit is 96 MiB, which still fails the old code (270 MiB plain, more under ASan).
rss_limit=65536
if grep -aq __asan_init "$bin"; then
	rss_limit=98304
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
	export ASAN_OPTIONS
fi
if [ -x /usr/bin/time ] && command -v cpio >/dev/null 2>&1 && command -v gzip >/dev/null 2>&1; then
	mkdir "$work/rd"
	printf 'ro.secure=1\n' >"$work/rd/default.prop"
	truncate -s 120M "$work/rd/big"
	(cd "$work/rd" && find . | cpio -o -H newc 2>/dev/null | gzip -9 >"$work/bomb.gz")
	rm -rf "$work/rd"
	"$bin" bootimg repack "$work/u" -o "$work/bomb.img" --ramdisk "$work/bomb.gz" >/dev/null || fail "repack bomb"
	# without MALLOC_PERTURB_ (meson sets it): it writes every byte malloc hands out, so capacity that is
	# never used (the kernel's inflate buffer grows by doubling) would count as resident
	env -u MALLOC_PERTURB_ /usr/bin/time -v "$bin" info "$work/bomb.img" --json >"$work/bomb.json" 2>"$work/time.txt" ||
		fail "info of the bomb: $(cat "$work/time.txt")"
	python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))["ramdisk"]
assert r["entry_count"] == 3 and r["uncompressed_size"] > 120 << 20 and r["default_prop"]["ro.secure"] == "1", r' \
		"$work/bomb.json" || fail "the bomb's ramdisk is not described"
	kb=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$work/time.txt")
	[ -n "$kb" ] && [ "$kb" -lt "$rss_limit" ] || fail "info of a 120 MiB ramdisk peaks at ${kb:-?} KiB, limit $rss_limit"
	echo "ok: info of a gzip-bomb ramdisk peaks at $kb KiB"

	# The same for a kernel: the corpus zImage with its gzip payload replaced by 200 MiB of zeros.
	python3 - "$raw" "$work/bomb_zImage" <<'EOF'
import struct, sys, zlib
z = open(sys.argv[1], "rb").read()
at = z.find(b"\x1f\x8b\x08")
c = zlib.compressobj(9, zlib.DEFLATED, 31)
block = bytes(1 << 20)
body = b"".join(c.compress(block) for _ in range(200)) + c.flush()
out = bytearray(z[:at]) + body
struct.pack_into("<I", out, 0x2C, len(out))  # zImage end
open(sys.argv[2], "wb").write(out)
EOF
	"$bin" bootimg repack "$work/u" -o "$work/kbomb.img" --kernel "$work/bomb_zImage" >/dev/null || fail "repack kernel bomb"
	env -u MALLOC_PERTURB_ /usr/bin/time -v "$bin" info "$work/kbomb.img" --json >"$work/kbomb.json" 2>"$work/time.txt" ||
		fail "info of the kernel bomb: $(cat "$work/time.txt")"
	grep -q "decompressed kernel exceeds" "$work/kbomb.json" || fail "the kernel bomb is not reported"
	kb=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$work/time.txt")
	[ -n "$kb" ] && [ "$kb" -lt "$rss_limit" ] || fail "info of a kernel gzip bomb peaks at ${kb:-?} KiB, limit $rss_limit"
	echo "ok: info of a gzip-bomb kernel peaks at $kb KiB"
else
	echo "note: /usr/bin/time, cpio or gzip missing: the gzip-bomb memory check is not run"
fi
