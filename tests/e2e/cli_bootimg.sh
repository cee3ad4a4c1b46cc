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

# Edits in the extracted ramdisk folder (DIR/ramdisk.d) reach the repacked image. The ramdisk is built
# here field by field (newc, the kernel's initramfs format): a setuid file with a group, a device node,
# a symlink inside and an absolute one (as real ramdisks link etc -> /system/etc).
python3 - "$work/rd.gz" <<'EOF'
import gzip, sys
out = bytearray()
def entry(name, mode, data=b"", uid=0, gid=0, rdev=(0, 0)):
    global out
    name = name.encode() + b"\0"
    f = [300000 + len(out), mode, uid, gid, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name), 0]
    out += b"070701" + b"".join(b"%08X" % v for v in f) + name
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)
entry(".", 0o40755)
entry("init", 0o100750, b"\x7fELF init")
entry("init.rc", 0o100750, b"on init\n    export PATH /sbin\n")
entry("default.prop", 0o100644, b"ro.secure=1\nro.debuggable=0\n")
entry("sbin", 0o40750)
entry("sbin/su", 0o104750, b"\x7fELF su", 0, 2000)
entry("sbin/ueventd", 0o120777, b"../init")
entry("dev", 0o40755)
entry("dev/console", 0o20600, rdev=(5, 1))
entry("etc", 0o120777, b"/system/etc")
entry("TRAILER!!!", 0)
open(sys.argv[1], "wb").write(gzip.compress(bytes(out), mtime=0))
EOF
"$bin" bootimg repack "$work/u" -o "$work/rd.img" --ramdisk "$work/rd.gz" >/dev/null || fail "repack with a ramdisk"
"$bin" bootimg unpack "$work/rd.img" -o "$work/e" --extract-ramdisk >/dev/null || fail "unpack --extract-ramdisk"
[ -f "$work/e/ramdisk.d/default.prop" ] || fail "ramdisk.d not extracted"
grep -q '^ramdisk_tree_sha256 = [0-9a-f]\{64\}$' "$work/e/header.txt" || fail "header.txt records no ramdisk folder digest"
# untouched folder: byte-identical
"$bin" bootimg repack "$work/e" -o "$work/same.img" >/dev/null || fail "repack of an untouched folder"
cmp "$work/rd.img" "$work/same.img" || fail "an untouched ramdisk folder does not repack byte-identical"
# edited: a property changed, a file added, a symlink removed
sed -i 's/^ro.debuggable=0$/ro.debuggable=1/' "$work/e/ramdisk.d/default.prop"
printf 'on boot\n    start extra\n' >"$work/e/ramdisk.d/init.extra.rc"
chmod 0640 "$work/e/ramdisk.d/init.extra.rc"
rm "$work/e/ramdisk.d/sbin/ueventd"
"$bin" bootimg repack "$work/e" -o "$work/edited.img" >/dev/null || fail "repack of an edited folder"
"$bin" info "$work/edited.img" --json >"$work/edited.json" || fail "info of the edited image"
"$bin" bootimg info "$work/edited.img" --json >"$work/edited_b.json" || fail "bootimg info of the edited image"
python3 - "$work/edited.json" "$work/edited_b.json" <<'EOF' || fail "the edits are not in the repacked image"
import json, sys
for path in sys.argv[1:]:
    doc = json.load(open(path))
    rd = doc["ramdisk"]
    files = {f["path"]: f for f in rd["files"]}
    assert rd["default_prop"]["ro.debuggable"] == "1", rd["default_prop"]
    assert files["init.extra.rc"]["mode"] == "0640" and files["init.extra.rc"]["kind"] == "file", files
    assert "sbin/ueventd" not in files, files
    assert files["sbin/su"]["mode"] == "04750", files["sbin/su"]      # extraction dropped setuid: kept
    assert rd["special_count"] == 1 and files["dev/console"]["kind"] != "file", files["dev/console"]
    assert files["etc"]["link"] == "/system/etc", files["etc"]       # the original's absolute link
    assert doc["id_ok"] is True
print("edits found")
EOF
# owners: kept from the original, 0 for the new file (read from the repacked archive itself)
"$bin" bootimg unpack "$work/edited.img" -o "$work/e2" >/dev/null || fail "unpack of the edited image"
python3 - "$work/e2/ramdisk" <<'EOF' || fail "owners or device numbers not kept"
import gzip, sys
d = gzip.decompress(open(sys.argv[1], "rb").read())
at, seen = 0, {}
while True:
    f = [int(d[at + 6 + 8 * i: at + 14 + 8 * i], 16) for i in range(13)]
    name = d[at + 110: at + 110 + f[11] - 1].decode()
    at += 110 + f[11]; at += -at % 4
    at += f[6]; at += -at % 4
    if name == "TRAILER!!!":
        break
    seen[name] = f
assert seen["sbin/su"][2:4] == [0, 2000], seen["sbin/su"]
assert seen["dev/console"][1] == 0o20600 and seen["dev/console"][9:11] == [5, 1], seen["dev/console"]
assert seen["init.extra.rc"][2:4] == [0, 0]
EOF
# --ramdisk FILE wins over the folder
"$bin" bootimg repack "$work/e" -o "$work/file.img" --ramdisk "$work/rd.gz" --json >"$work/file.json" || fail "repack --ramdisk"
grep -q '"ro.debuggable": "0"' "$work/file.json" || fail "--ramdisk must win over the edited folder"
# a symlink out of the folder is refused (an absolute one and one climbing out), nothing written
ln -s /etc/passwd "$work/e/ramdisk.d/evil"
set +e
"$bin" bootimg repack "$work/e" -o "$work/evil.img" 2>"$work/err"; rc=$?
set -e
[ $rc -eq 1 ] || fail "a symlink out of the ramdisk folder must exit 1 (got $rc)"
grep -q "points out of the ramdisk folder" "$work/err" || fail "escape error unclear: $(cat "$work/err")"
[ ! -e "$work/evil.img" ] || fail "a refused repack wrote an image"
rm "$work/e/ramdisk.d/evil"
ln -s ../../../outside "$work/e/ramdisk.d/sbin/climb"
"$bin" bootimg repack "$work/e" -o "$work/evil.img" 2>"$work/err" && fail "a symlink climbing out must be refused"
grep -q "points out of the ramdisk folder" "$work/err" || fail "climb error unclear: $(cat "$work/err")"
rm "$work/e/ramdisk.d/sbin/climb"
echo "ok: bootimg repack carries edits made in ramdisk.d"


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
