#!/bin/sh
# unifw-sim make-firmware --system-size and make-emmc --android-size (docs/sim.md "A larger ANDROID"): the
# package's scatter and system.img, and the phone's layout, have the ANDROID asked for, the partitions after it
# move and keep their sizes, the phone boots, before and after the Download of its stock package made with the
# same size; bad sizes are refused.
set -eu
command -v python3 >/dev/null 2>&1 || { echo "python3 missing: skip"; exit 77; }
UNIFW="${UNIFW_BIN:-./unifw}"
SIM="${UNIFW_SIM_BIN:-$(dirname "$UNIFW")/sim/unifw-sim}"
[ -x "$SIM" ] || { echo "unifw-sim not built at $SIM: skip"; exit 77; }
[ -x "$UNIFW" ] || { echo "unifw not built at $UNIFW: skip"; exit 77; }
[ -x /sbin/mke2fs ] || [ -x /usr/sbin/mke2fs ] || { echo "mke2fs (e2fsprogs) missing: skip"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/unifw-e2e-android-size-XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
fail() {
	echo "FAIL: $*"
	exit 1
}

# the package: ANDROID 256 MiB instead of the universal 128, CACHE right after it, system.img a 256 MiB ext4
"$SIM" make-firmware --universal --system-size 256M -o "$work/pkg" >/dev/null
"$SIM" make-firmware --universal -o "$work/small" >/dev/null
"$UNIFW" info "$work/pkg" --json >"$work/pkg.json" || fail "unifw info of the package: exit $?"
"$UNIFW" info "$work/small" --json >"$work/small.json" || fail "unifw info of the plain package: exit $?"
python3 - "$work/pkg.json" "$work/small.json" <<'PY' || fail "the package's layout"
import json, sys
big, small = (json.load(open(p)) for p in sys.argv[1:3])
def parts(j):
    return {p["name"]: p for p in j["partitions"]}
b, s = parts(big), parts(small)
a = b["ANDROID"]
assert a["size"] == 256 << 20, a["size"]
assert a["image"]["detail"]["expanded_size"] == 256 << 20, a["image"]["detail"]["expanded_size"]
assert a["image"]["detail"]["inner"]["size"] == 256 << 20, a["image"]["detail"]["inner"]
assert s["ANDROID"]["size"] == 128 << 20, s["ANDROID"]["size"]
assert int(b["CACHE"]["linear"], 16) == int(a["linear"], 16) + a["size"], (b["CACHE"], a)
for name in ("CACHE", "USRDATA", "BOOTIMG", "LOGO"):
    assert b[name]["size"] == s[name]["size"], name
assert int(b["USRDATA"]["linear"], 16) == int(s["USRDATA"]["linear"], 16) + (128 << 20), b["USRDATA"]
print("package: ANDROID 256 MiB, CACHE and USRDATA moved by 128 MiB, sizes kept")
PY

# the phone: a wiko-like (ANDROID 144 MiB) with 272 MiB; its user area grows by 128 MiB, it boots
"$SIM" make-emmc --model wiko-like --android-size 272M -o "$work/phone.img" >"$work/make.txt"
grep -q 'user area 0x20000000 bytes' "$work/make.txt" || fail "user area not grown by 128 MiB: $(cat "$work/make.txt")"
rc=0
"$SIM" boot --emmc "$work/phone.img" --json >"$work/boot.json" || rc=$?
[ "$rc" -eq 0 ] || fail "the phone with a larger ANDROID does not boot (exit $rc): $(head -c 600 "$work/boot.json")"

# its stock package with the same option is what the phone's layout is: unifw-sim's Download takes it as is
"$SIM" make-firmware --model wiko-like --system-size 272M -o "$work/wiko" >/dev/null
"$SIM" flash-package --emmc "$work/phone.img" "$work/wiko" 2>/dev/null || fail "the Download of the same layout refused"
rc=0
"$SIM" boot --emmc "$work/phone.img" >/dev/null || rc=$?
[ "$rc" -eq 0 ] || fail "the phone after the Download of its own layout: exit $rc"
for bad in 1000 0 100G 1.5G -1M; do
	rc=0
	"$SIM" make-emmc --model wiko-like --android-size "$bad" -o "$work/bad.img" 2>/dev/null || rc=$?
	[ "$rc" -eq 2 ] || fail "make-emmc --android-size $bad: exit $rc, expected 2"
	rc=0
	"$SIM" make-firmware --universal --system-size "$bad" -o "$work/bad" 2>/dev/null || rc=$?
	[ "$rc" -eq 2 ] || fail "make-firmware --system-size $bad: exit $rc, expected 2"
done
[ ! -e "$work/bad.img" ] || fail "a refused make-emmc left an image"
echo "PASS"
