#!/bin/sh
# unifw-sim's phone models end to end, with the real binaries:
#  - make-firmware for every model and the universal ROM; `unifw info --json` reads each package with no
#    error finding, detects every image type, and its facts match the model (EMI part, LCM, kernel,
#    build.prop model);
#  - make-emmc -> `unifw-sim boot` says boots (exit 0); the universal package flashed as-is gives
#    white_screen (exit 5) or boots_with_faults/no_touch (exit 3) as the phone's hardware dictates, with
#    its preloader brom_loop (exit 9: no emi_settings[] entry for the phone's memory, BROM download mode at
#    every power-on, issue 9.1; it used to be called dead); Format All + Download gives IMEI null;
#  - make-firmware --universal --all-drivers: its boot image alone on every model finds the panel's and the
#    touch controller's drivers (LK untouched); --all-drivers with --model refused;
#  - make-firmware --kernel-lcm (a kernel without the panel's driver: black_screen, kernel_no_lcm or
#    kernel_wrong_lcm; LK untouched) and --modem-mem-size (24 MiB: no_radio; 22 MiB: boots), bad values refused;
#  - the virtual phone served with --model: a client boots the DA over the socket, writes the universal
#    lk.bin into UBOOT and sends FINISH: the sim announces "boot white_screen", writes the JSON verdict
#    and hands UNIFW_SIM_VERDICT to the --on-finish hook.
# Exit 0 pass, 77 skip, else fail.
set -eu

command -v python3 >/dev/null 2>&1 || { echo "python3 missing: skip"; exit 77; }
UNIFW="${UNIFW_BIN:-./unifw}"
SIM="${UNIFW_SIM_BIN:-$(dirname "$UNIFW")/sim/unifw-sim}"
[ -x "$SIM" ] || { echo "unifw-sim not built at $SIM: skip"; exit 77; }
[ -x /sbin/mke2fs ] || [ -x /usr/sbin/mke2fs ] || { echo "mke2fs (e2fsprogs) missing: skip"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/unifw-sim-factory-XXXXXX")
simpid=
cleanup() {
	[ -n "$simpid" ] && kill "$simpid" 2>/dev/null || true
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT INT TERM

fail() { echo "FAIL: $*"; exit 1; }

# ---- packages and unifw info
models=$("$SIM" models | awk '$1 != "universal" { print $1 }')
[ "$(echo "$models" | wc -l)" -ge 3 ] || fail "fewer than three models: $models"
for m in $models universal; do
	if [ "$m" = universal ]; then
		"$SIM" make-firmware --universal -o "$work/pkg-$m" >/dev/null
	else
		"$SIM" make-firmware --model "$m" -o "$work/pkg-$m" >/dev/null
	fi
	"$UNIFW" info "$work/pkg-$m" --json >"$work/info-$m.json" || fail "unifw info $m exited $?"
	python3 - "$m" "$work/info-$m.json" <<'EOF'
import json, sys
model, path = sys.argv[1], sys.argv[2]
r = json.load(open(path))
assert r["type"] == "package", r["type"]
errors = [f for f in r.get("findings", []) if f["severity"] in ("error", "warning")]
assert not errors, errors
types = {it["type"] for it in r["items"]} if "items" in r else set()
if not types:
    types = {p.get("kind") for p in r.get("files", [])}
def walk(v):
    if isinstance(v, dict):
        if isinstance(v.get("type"), str):
            yield v["type"]
        for x in v.values():
            yield from walk(x)
    elif isinstance(v, list):
        for x in v:
            yield from walk(x)
types |= set(walk(r))
need = {"scatter", "preloader", "lk", "bootimg", "kernel", "ramdisk", "logo", "sparse", "ext4", "mbr", "ebr", "secro"}
if model != "universal":
    need.add("nvram")
assert need <= types, sorted(need - types)
text = json.dumps(r)
parts = {p["name"]: p for p in r["partitions"]}
for name in ("PRELOADER", "UBOOT", "BOOTIMG", "RECOVERY", "LOGO", "ANDROID", "SEC_RO"):
    assert parts[name]["status"] == "ok", (name, parts[name])
print(model, "package ok:", len(r["partitions"]), "partitions")
EOF
done
grep -q '"otm8018b_dsi_vdo"' "$work/info-a516-like.json" || fail "a516-like: LCM not reported"
grep -q '1501004e355530304d' "$work/info-a516-like.json" || fail "a516-like: Samsung EMI part not reported"
grep -q '"3.4.5"' "$work/info-a516-like.json" || fail "a516-like: kernel 3.4.5 not reported"
grep -q '"SIM A516-like"' "$work/info-a516-like.json" || fail "a516-like: build.prop model not reported"
grep -q '"3.4.67"' "$work/info-wiko-like.json" || fail "wiko-like: kernel 3.4.67 not reported"
grep -q '"xz"' "$work/info-wiko-like.json" || fail "wiko-like: xz kernel not reported"
grep -q '90014a483447316404' "$work/info-wiko-like.json" || fail "wiko-like: Hynix EMI part not reported"
grep -q '"hx8389b_kelai_dsi_vdo_qhd"' "$work/info-s10-like.json" || fail "s10-like: LCM not reported"

# ---- eMMC images and verdicts
verdict() { # IMAGE EXPECTED_VERDICT EXPECTED_EXIT
	set +e
	"$SIM" boot --emmc "$1" --json >"$work/v.json"
	rc=$?
	set -e
	got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"])' "$work/v.json")
	[ "$got" = "$2" ] || { cat "$work/v.json"; fail "$1: verdict $got, expected $2"; }
	[ "$rc" = "$3" ] || fail "$1: exit $rc, expected $3"
}
for m in $models; do
	"$SIM" make-emmc --model "$m" -o "$work/$m.img" >/dev/null
	verdict "$work/$m.img" boots 0
done
"$SIM" flash-package --emmc "$work/wiko-like.img" "$work/pkg-universal" 2>/dev/null
verdict "$work/wiko-like.img" white_screen 5
"$SIM" flash-package --emmc "$work/y600-like.img" "$work/pkg-universal" 2>/dev/null
verdict "$work/y600-like.img" boots_with_faults 3
grep -q '"no_touch"' "$work/v.json" || fail "y600-like + universal: no no_touch fault"
"$SIM" flash-package --emmc "$work/y600-like.img" --with-preloader --only PRELOADER "$work/pkg-universal" 2>/dev/null
verdict "$work/y600-like.img" brom_loop 9 # the source: safe mode armed before DRAM, not a test-point brick
"$SIM" erase --emmc "$work/a516-like.img" NVRAM
"$SIM" flash-package --emmc "$work/a516-like.img" "$work/pkg-a516-like" 2>/dev/null
verdict "$work/a516-like.img" boots_with_faults 3
grep -q '"imei_null"' "$work/v.json" || fail "Format All + Download: no imei_null fault"
if "$SIM" flash-package --emmc "$work/s10-like.img" "$work/pkg-universal" 2>"$work/err.txt"; then
	fail "a 12 MiB boot-region package was flashed into a 20 MiB one"
fi
grep -q "boot region" "$work/err.txt" || fail "the refusal does not name the boot region"

# ---- variants for the check's agreement pairs (docs/sim.md "The firmware factory"): a stock package whose
# kernel was built with other LCM drivers (LK untouched), and a modem asking more than the kernel reserves
"$SIM" make-firmware --model s10-like --kernel-lcm hx8379a_wvga_dsi_vdo,ili9806e_wvga_dsi_vdo -o "$work/pkg-s10-k2" >/dev/null
cmp -s "$work/pkg-s10-like/lk.bin" "$work/pkg-s10-k2/lk.bin" || fail "--kernel-lcm changed lk.bin"
! cmp -s "$work/pkg-s10-like/boot.img" "$work/pkg-s10-k2/boot.img" || fail "--kernel-lcm left boot.img as it was"
"$UNIFW" info "$work/pkg-s10-k2" --json >"$work/info-k2.json" || fail "unifw info on the swapped-kernel package"
python3 - "$work/info-k2.json" <<'EOF'
import json, sys
text = json.dumps(json.load(open(sys.argv[1])))
assert "ili9806e_wvga_dsi_vdo" in text and "hx8389b_kelai_dsi_vdo_qhd" in text, "kernel and LK drivers not both reported"
EOF
"$SIM" flash-package --emmc "$work/s10-like.img" "$work/pkg-s10-k2" 2>/dev/null
verdict "$work/s10-like.img" black_screen 4
grep -q '"kernel_no_lcm"' "$work/v.json" || fail "kernel without the panel's driver: no kernel_no_lcm"
"$SIM" make-firmware --model s10-like --kernel-lcm nt35512_wvga_dsi_vdo_dj -o "$work/pkg-s10-k1" >/dev/null
"$SIM" flash-package --emmc "$work/s10-like.img" --only BOOTIMG "$work/pkg-s10-k1" 2>/dev/null
verdict "$work/s10-like.img" black_screen 4
grep -q '"kernel_wrong_lcm"' "$work/v.json" || fail "a kernel whose only driver is another controller's: no kernel_wrong_lcm"
"$SIM" make-firmware --model s10-like --modem-mem-size 24M -o "$work/pkg-s10-md" >/dev/null
"$SIM" flash-package --emmc "$work/s10-like.img" "$work/pkg-s10-md" 2>/dev/null
verdict "$work/s10-like.img" boots_with_faults 3
grep -q '"no_radio"' "$work/v.json" || fail "a modem asking 24 MiB of a 22 MiB reservation: no no_radio"
"$SIM" make-firmware --model s10-like --modem-mem-size 0x1600000 -o "$work/pkg-s10-md" >/dev/null
"$SIM" flash-package --emmc "$work/s10-like.img" --only ANDROID "$work/pkg-s10-md" 2>/dev/null
verdict "$work/s10-like.img" boots 0
for bad in "--kernel-lcm a,b-c" "--kernel-lcm ," "--kernel-lcm a,b,c,d,e,f,g,h,i" "--modem-mem-size 0" \
	"--modem-mem-size 4096M" "--modem-mem-size 12X" "--all-drivers"; do
	set +e
	# shellcheck disable=SC2086 # the option and its value are two words
	"$SIM" make-firmware --model s10-like $bad -o "$work/pkg-bad" >/dev/null 2>&1
	rc=$?
	set -e
	[ "$rc" = 2 ] || fail "make-firmware $bad: exit $rc, expected 2 (usage)"
	[ ! -e "$work/pkg-bad" ] || fail "make-firmware $bad wrote a package"
done
rm -rf "$work/pkg-s10-k2" "$work/pkg-s10-k1" "$work/pkg-s10-md"

# ---- --all-drivers (the base of issue 14's one image for many phones): the universal kernel carries every
# model's panel and touch drivers and no compiled partition index map (it resolves /emmc@NAME through the
# phone's PMT at boot), LK stays the universal's. Its boot image alone, written into each model's OWN BOOTIMG
# (the model's stock package with boot.img swapped): the kernel takes the panel LK names, finds the touch
# driver and mounts /system, /cache, /data from the partitions of those names (a JB phone may still lack WiFi:
# its own system's modules are for its own kernel release). The plain universal kernel keeps its compiled
# map: on the a516-like (PRELOAD before ANDROID) its index of ANDROID is the phone's PRELOAD
"$SIM" make-firmware --universal --all-drivers -o "$work/pkg-all" >/dev/null
cmp -s "$work/pkg-universal/lk.bin" "$work/pkg-all/lk.bin" || fail "--all-drivers changed lk.bin"
! cmp -s "$work/pkg-universal/boot.img" "$work/pkg-all/boot.img" || fail "--all-drivers left boot.img as it was"
for m in $models; do
	for kern in all universal; do
		rm -rf "$work/pkg-swap"
		cp -r "$work/pkg-$m" "$work/pkg-swap"
		cp "$work/pkg-$kern/boot.img" "$work/pkg-swap/boot.img"
		"$SIM" make-emmc --model "$m" -o "$work/all-$m.img" >/dev/null
		"$SIM" flash-package --emmc "$work/all-$m.img" --only BOOTIMG "$work/pkg-swap" 2>/dev/null
		set +e
		"$SIM" boot --emmc "$work/all-$m.img" --json >"$work/v.json"
		set -e
		python3 - "$work/v.json" "$m" "$kern" <<'EOF'
import json, sys
v, m, kern = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
codes = {i["code"] for i in v["reasons"] + v["faults"]}
k = v["facts"]["kernel"]
mounts = {mp: x["partition"] for mp, x in k.get("mounts", {}).items()}
if kern == "all":
    assert k["ptable"] == "pmt", (m, k.get("ptable"))
    assert v["verdict"] in ("boots", "boots_with_faults"), (m, v["verdict"], codes)
    assert not v["reasons"], (m, codes)
    assert codes <= {"no_wifi"}, (m, codes)
    assert mounts == {"/system": "ANDROID", "/cache": "CACHE", "/data": "USRDATA"}, (m, mounts)
else:
    assert k["ptable"] == "compiled", (m, k.get("ptable"))
    if m == "a516-like":
        assert v["verdict"] == "boot_loop" and mounts["/system"] != "ANDROID", (m, v["verdict"], mounts)
EOF
		rm -f "$work/all-$m.img"
	done
done
rm -rf "$work/pkg-all" "$work/pkg-swap"

# ---- the served phone: flash over the protocol, FINISH, verdict
"$SIM" make-da -o "$work/MTK_AllInOne_DA.bin" >/dev/null
"$SIM" --socket "$work/phone.sock" --model wiko-like --emmc "$work/served.img" --exit-on-finish \
	--verdict-file "$work/finish.json" --on-finish "echo \"\$UNIFW_SIM_VERDICT\" >'$work/hook.txt'" \
	>"$work/out.txt" 2>"$work/err.txt" &
simpid=$!
i=0
while ! grep -q '^socket ' "$work/out.txt" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 400 ] || { cat "$work/err.txt"; fail "no socket announced"; }
	sleep 0.05
done
python3 - "$work" <<'EOF'
import os, re, socket, struct, sys, time

work = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(os.path.join(work, "phone.sock"))
s.settimeout(10)

def rd(n):
    out = b""
    while len(out) < n:
        chunk = s.recv(n - len(out))
        if not chunk:
            raise SystemExit("closed after %r" % out)
        out += chunk
    return out

def echo(b):
    s.sendall(b)
    assert rd(len(b)) == b

be32 = lambda v: struct.pack(">I", v)
# the preloader drops the first chunk that starts with A0 unanswered: A0 again until it answers
s.settimeout(0.1)
for _ in range(20):
    s.sendall(b"\xa0")
    try:
        if rd(1) == b"\x5f":
            break
    except socket.timeout:
        pass
else:
    raise SystemExit("no answer to A0")
s.settimeout(10)
for x in (0x0A, 0x50, 0x05):
    s.sendall(bytes([x]))
    assert rd(1)[0] == (~x & 0xFF)
blob = open(os.path.join(work, "MTK_AllInOne_DA.bin"), "rb").read()
entries = [0x6C + i * 0xDC for i in range(struct.unpack_from("<I", blob, 0x68)[0])]
entry = next(e for e in entries if struct.unpack_from("<HH", blob, e) == (0xDADA, 0x6572))
def region(r):
    off, length, addr, start, sig = struct.unpack_from("<5I", blob, entry + 0x14 + 20 * r)
    return blob[off:off + length], addr, sig
da1, da1_addr, da1_sig = region(1)
da2, da2_addr, _ = region(2)
echo(b"\xd7"); echo(be32(da1_addr)); echo(be32(len(da1))); echo(be32(da1_sig))
assert struct.unpack(">H", rd(2))[0] == 0
s.sendall(da1)
assert struct.unpack(">HH", rd(4))[1] == 0
echo(b"\xd5"); echo(be32(da1_addr))
assert struct.unpack(">H", rd(2))[0] == 0
assert rd(1) == b"\xc0"
rd(4); rd(2 * struct.unpack(">H", rd(2))[0]); rd(4); rd(16)
s.sendall(b"\x5a"); rd(3)
s.sendall(bytes([5, 1]) + struct.pack(">HBIBIBBBB", 8, 0, 0x7007FFFF, 0, 0xA8, 1, 1, 2, 0))
assert struct.unpack(">I", rd(4))[0] == 0            # preloader mode: DRAM is ready
s.sendall(struct.pack(">III", da2_addr, len(da2), 0x1000))
assert rd(1) == b"\x5a"
for off in range(0, len(da2), 0x1000):
    s.sendall(da2[off:off + 0x1000])
    assert rd(1) == b"\x5a"
assert rd(1) == b"\x5a"
s.sendall(b"\x5a")
rd(0x1C); nand = rd(0x11); rd(2 * struct.unpack(">H", nand[15:17])[0]); rd(9)
rd(0x5C); rd(0x1C + 0x26); assert rd(10)[9] == 0xC1

# The universal lk.bin into the phone's UBOOT: linear address from its own scatter - boot region.
text = open(os.path.join(work, "pkg-wiko-like", "MT6572_Android_scatter.txt")).read()
lin = int(re.search(r"partition_name: UBOOT\n(?:  .*\n)*?  linear_start_addr: (0x[0-9a-fA-F]+)", text).group(1), 16)
lk = open(os.path.join(work, "pkg-universal", "lk.bin"), "rb").read()
pad = lk + b"\0" * (-len(lk) % 512)
s.sendall(b"\x62\x01\x08" + struct.pack(">QQI", lin - 0xC00000, len(lk), 0x100000))
assert rd(1) == b"\x5a"
s.sendall(b"\x5a" + pad + struct.pack(">H", sum(pad) & 0xFFFF))
assert rd(1) == b"\x69"
s.sendall(b"\xd9")
assert rd(1) == b"\x5a"
s.sendall(be32(0))
assert rd(1) == b"\x5a"
print("served phone: universal LK written, FINISH sent")
EOF
i=0
while kill -0 "$simpid" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 200 ] || fail "unifw-sim still running after FINISH"
	sleep 0.05
done
wait "$simpid" || { cat "$work/err.txt"; fail "unifw-sim exited with failure"; }
simpid=
grep -q '^boot white_screen$' "$work/out.txt" || { cat "$work/out.txt" "$work/err.txt"; fail "no 'boot white_screen' line"; }
grep -q 'lk_no_lcm' "$work/err.txt" || fail "the log lacks the reason"
[ "$(cat "$work/hook.txt")" = white_screen ] || fail "the hook did not get UNIFW_SIM_VERDICT"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["verdict"] == "white_screen" and d["model"] == "wiko-like", d' \
	"$work/finish.json" || fail "verdict file"
echo "sim_factory ok"
