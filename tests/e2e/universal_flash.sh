#!/bin/sh
# Issue 14: a universal package (its boot image's ramdisk carries /unifw/probe.rules) flashed over the socket
# onto phones whose layouts are not its base's: written into each phone's own partitions by name, without
# --repartition; the phone keeps its preloader, LK, tables and identity; a phone whose ANDROID is too small
# is refused with the sizes. The package: `unifw-sim make-firmware --universal --all-drivers` with a probe
# table (written by univ_fixture with unifw_probe_table_write) added through `unifw bootimg` unpack/repack.
. "$(dirname "$0")/flash_lib.sh"
FIX="${UNIFW_UNIV_FIXTURE:-$(dirname "$UNIFW")/tests/univ_fixture}"
[ -x "$FIX" ] || { echo "univ_fixture not built: skip"; exit 77; }
pkg="$work/pkg"
models="s10-like wiko-like"

# field JSON_FILE KEY.PATH: one value of a JSON document (not a JSON-lines file).
field() {
	python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[int(k)] if isinstance(v, list) else v.get(k) if v is not None else None
print("" if v is None else v)' "$1" "$2"
}

# The probe keys of each model as its own phone shows them (unifw-sim boot --json facts): LK's lcm=, the
# touch controller, the CID's first 9 bytes.
variants=
for m in $models; do
	"$SIM" make-emmc --model "$m" -o "$work/$m.emmc" >/dev/null
	"$SIM" boot --emmc "$work/$m.emmc" --json >"$work/$m.stock.json" || true
	lcm=$(field "$work/$m.stock.json" facts.lk.lcm_cmdline | sed 's/^lcm=[0-9]*-//')
	touch=$(field "$work/$m.stock.json" facts.phone.touch)
	cid=$(field "$work/$m.stock.json" facts.phone.cid | cut -c1-18)
	[ -n "$lcm" ] && [ -n "$touch" ] && [ -n "$cid" ] || fail "$m: no probe keys in its boot facts"
	variants="$variants $m:$lcm:$touch:$cid"
done

"$SIM" make-firmware --universal --all-drivers -o "$pkg" >/dev/null
"$UNIFW" bootimg unpack "$pkg/boot.img" -o "$work/bootdir" --extract-ramdisk >/dev/null
mkdir -p "$work/bootdir/ramdisk.d/unifw"
# shellcheck disable=SC2086 # one argument per variant
"$FIX" rules "$work/bootdir/ramdisk.d/unifw/probe.rules" $variants || fail "univ_fixture rules"
"$UNIFW" bootimg repack "$work/bootdir" -o "$pkg/boot.img" >/dev/null || fail "bootimg repack"

# The stock layout of a model (its own phone's partitions): linear start of NAME in its stock scatter.
"$SIM" make-firmware --model wiko-like -o "$work/fw-wiko-like" >/dev/null
"$SIM" make-firmware --model s10-like -o "$work/fw-s10-like" >/dev/null
stock_linear() {
	python3 - "$work/fw-$1"/*_scatter.txt "$2" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
for block in text.split("- partition_index")[1:]:
    name = re.search(r"partition_name:\s*(\S+)", block).group(1)
    if name == sys.argv[2]:
        print(int(re.search(r"linear_start_addr:\s*(\S+)", block).group(1), 16))
EOF
}

for m in $models; do
	emmc="$work/$m.emmc"
	start_sim "$emmc"
	flash "$pkg" --plan --json
	[ "$rc" -eq 0 ] || fail "$m: the universal package's plan exited $rc: $(tail -5 "$work/err.txt") $(grep -o '"layout-changed[^}]*' "$work/out.json" | head -2)"
	[ "$(result result.plan.universal.variants)" = 2 ] || fail "$m: the plan does not see a universal package"
	cp "$work/out.json" "$work/$m.plan.json"
	python3 - "$work/$m.plan.json" "$m" "$(stock_linear "$m" BOOTIMG)" "$(stock_linear "$m" ANDROID)" \
		"$(stock_linear "$m" CACHE)" <<'EOF' || fail "$m: the plan is not the phone's own partitions by name"
import json, sys
plan = json.loads(open(sys.argv[1]).read().splitlines()[-1])["result"]["plan"]
want = {"BOOTIMG": int(sys.argv[3]), "ANDROID": int(sys.argv[4]), "CACHE": int(sys.argv[5])}
br = int(plan["boot_region"], 16)
for p in plan["partitions"]:
    if p["name"] in want:
        assert p["action"] == "write", (p["name"], p["action"], p["reason"])
        assert int(p["offset"], 16) + br == want[p["name"]], (p["name"], p["offset"], hex(want[p["name"]]))
    else:
        assert p["action"] != "write", ("written", p["name"], p["reason"])
assert not plan["layout"]["differences"], plan["layout"]
EOF
	flash "$pkg" --yes --json
	[ "$rc" -eq 0 ] || fail "$m: flash exited $rc: $(tail -5 "$work/err.txt")"
	[ "$(result result.outcome)" = flashed ] || fail "$m: outcome $(result result.outcome)"
	"$UNIFW" read --partition BOOTIMG -o "$work/$m.boot.read" --port "$PORT" --da "$DA" >/dev/null 2>"$work/err.txt" ||
		fail "$m: read BOOTIMG: $(cat "$work/err.txt")"
	stop_sim
	cmp -n "$(wc -c <"$pkg/boot.img")" "$pkg/boot.img" "$work/$m.boot.read" || fail "$m: BOOTIMG read back differs"
	python3 "$CHECK" "$work/$m.plan.json" "$emmc" || fail "$m: the eMMC does not hold the package's images"
	"$SIM" boot --emmc "$emmc" --json >"$work/$m.boot.json" || true
	[ "$(field "$work/$m.boot.json" facts.kernel.version)" = 3.4.67 ] || fail "$m: not the package's kernel"
	[ "$(field "$work/$m.boot.json" facts.android.release)" = 4.4.2 ] || fail "$m: not the package's system"
	for k in facts.lk.project facts.preloader.project facts.phone.boot_region facts.nvram.wifi_mac; do
		[ "$(field "$work/$m.boot.json" $k)" = "$(field "$work/$m.stock.json" $k)" ] ||
			fail "$m: $k changed: $(field "$work/$m.boot.json" $k)"
	done
	echo "ok: $m: the universal package went into its own partitions ($(field "$work/$m.boot.json" verdict))"
done

# A phone whose ANDROID is smaller than the package's file system: refused, the sizes said, nothing written.
"$SIM" make-emmc --model wiko-like --android-size 64M -o "$work/small.emmc" >/dev/null
cp "$work/small.emmc" "$work/small.before"
start_sim "$work/small.emmc"
flash "$pkg" --yes --json
[ "$rc" -eq 3 ] || fail "small ANDROID: flash exited $rc, expected 3 (refused): $(tail -3 "$work/err.txt")"
stop_sim
python3 - "$work/out.json" <<'EOF' || fail "small ANDROID: not refused for its size"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
plan = json.loads(lines[-1])["result"]["plan"]
p = [p for p in plan["partitions"] if p["name"] == "ANDROID"][0]
assert p["action"] == "refuse" and p["code"] in ("too_big", "fs_too_big"), p
assert "134217728 bytes" in p["reason"] and "67108864 bytes" in p["reason"], p["reason"]
EOF
cmp -s "$work/small.emmc" "$work/small.before" || fail "small ANDROID: the refused flash changed the eMMC"
echo "ok: a phone whose ANDROID is too small is refused with the sizes"

# unifw info: which variants the package covers, with each one's keys (text and --json).
"$UNIFW" info "$pkg" >"$work/info.txt" || fail "info exited $?"
grep -q "universal image: covers 2 variants" "$work/info.txt" || fail "info: no universal line: $(grep -i univ "$work/info.txt")"
grep -q "fallback board: " "$work/info.txt" || fail "info: the fallbacks are not shown"
"$UNIFW" info "$pkg" --json >"$work/info.json" || fail "info --json exited $?"
python3 - "$work/info.json" $variants <<'EOF2' || fail "info --json: the variants are not the table's"
import json, sys
u = json.load(open(sys.argv[1]))["summary"]["universal"]
assert u["variant_count"] == 2, u
for spec, v in zip(sys.argv[2:], u["variants"]):
    name, lcm, touch, cid = spec.split(":")
    assert (v["name"], v["panel"], v["touch"], v["board"]) == (name, [lcm], [touch], [cid]), v
assert [c["name"] for c in u["components"]] == ["panel", "touch", "board"], u
EOF2
echo "ok: unifw info says which variants the package covers"

# unifw check against phones: a covered one binds its own variant everywhere; one the table does not name
# (y600-like) gets every fallback.
check_phone() { # MODEL EMMC: unifw check --json into $work/check-MODEL.json
	start_sim "$2"
	rc=0
	"$UNIFW" check "$pkg" --port "$PORT" --da "$DA" --json >"$work/check-$1.json" 2>"$work/err.txt" || rc=$?
	stop_sim
	[ "$rc" -lt 6 ] || fail "check on $1 exited $rc: $(tail -3 "$work/err.txt")"
}
"$SIM" make-emmc --model wiko-like --unit 2 -o "$work/wiko2.emmc" >/dev/null
"$SIM" make-emmc --model y600-like -o "$work/y600.emmc" >/dev/null
check_phone wiko-like "$work/wiko2.emmc"
check_phone y600-like "$work/y600.emmc"
python3 - "$work" <<'EOF2' || fail "check: the predicted binding is wrong"
import json, sys
def binding(m):
    c = json.load(open("%s/check-%s.json" % (sys.argv[1], m)))["check"]
    return {b["name"]: b["variant"] for b in c["universal"]["components"]}, c
b, c = binding("wiko-like")
assert b == {"panel": "wiko-like", "touch": "wiko-like", "board": "wiko-like"}, b
assert not [i for i in c["items"] if i["code"] in ("lk_no_lcm", "logo_resolution")], "the package's LK/logo judged as written"
b, c = binding("y600-like")
assert b == {"panel": None, "touch": None, "board": None}, b
fb = [x for x in c["universal"]["components"] if x["name"] == "board"][0]
assert fb["fallback"] == "the base's board files stay", fb
EOF2
echo "ok: unifw check predicts the probe's binding per component"

# unifw identify: the probe record in USRDATA (/unifw/probe.txt, what the phone's /data/unifw/probe.txt is):
# absent, nothing shown; present, the binding and the fallback; unreadable, a note and identify still works.
emmc="$work/s10-like.emmc"
identify() {
	start_sim "$emmc"
	rc=0
	"$UNIFW" identify --port "$PORT" --da "$DA" "$@" >"$work/id.out" 2>"$work/err.txt" || rc=$?
	stop_sim
	[ "$rc" -eq 0 ] || fail "identify exited $rc: $(tail -3 "$work/err.txt")"
}
identify --json
! grep -q universal_probe "$work/id.out" || fail "identify: a probe record shown where there is none"
usrdata=$(python3 - "$work/id.out" "$emmc" <<'EOF2'
import json, struct, sys
r = json.load(open(sys.argv[1]))
p = [p for p in r["partition_table"]["partitions"] if p["name"] == "USRDATA"][0]
with open(sys.argv[2], "rb") as f:
    f.seek(-4096, 2)
    user = sum(struct.unpack_from("<8Q", f.read(4096), 0x18)[:7])
print(user + int(p["offset"], 16), p["size"])
EOF2
)
printf '%s\n' "unifw-probe 1" "lcm hx8389b_kelai_dsi_vdo_qhd" "i2c msg2133a" "cid 02544d534430344731" \
	"bound panel s10-like" "bound touch s10-like" "bound board -" \
	"bind /system/unifw/s10-like/etc/firmware/msg2133a_fw.bin /system/etc/firmware/msg2133a_fw.bin" \
	"fallback board no board variant matches cid 02544d534430344731: the base's board files stay" "done" >"$work/probe.txt"
# shellcheck disable=SC2086 # offset and size
"$FIX" record "$emmc" $usrdata "$work/probe.txt" || fail "univ_fixture record"
identify --json
python3 - "$work/id.out" <<'EOF2' || fail "identify --json: the probe record is not shown"
import json, sys
u = json.load(open(sys.argv[1]))["universal_probe"]
b = {c["name"]: c.get("variant") for c in u["components"]}
assert b == {"panel": "s10-like", "touch": "s10-like", "board": None}, b
board = [c for c in u["components"] if c["name"] == "board"][0]
assert "no board variant matches" in board["fallback"], board
assert u["done"] and u["binds"] == 1 and u["i2c"] == ["msg2133a"], u
EOF2
identify
grep -q "universal probe: panel=s10-like touch=s10-like board=fallback" "$work/id.out" ||
	fail "identify: no probe line: $(tail -5 "$work/id.out")"
grep -q "fallback board: no board variant matches" "$work/id.out" || fail "identify: the fallback is not shown"
printf 'unifw-probe 9\n' >"$work/bad.txt"
emmc="$work/wiko-like.emmc"
start_sim "$emmc"
"$UNIFW" identify --port "$PORT" --da "$DA" --json >"$work/id.out" 2>/dev/null || fail "identify of wiko-like"
stop_sim
usrdata=$(python3 - "$work/id.out" "$emmc" <<'EOF2'
import json, struct, sys
r = json.load(open(sys.argv[1]))
p = [p for p in r["partition_table"]["partitions"] if p["name"] == "USRDATA"][0]
with open(sys.argv[2], "rb") as f:
    f.seek(-4096, 2)
    user = sum(struct.unpack_from("<8Q", f.read(4096), 0x18)[:7])
print(user + int(p["offset"], 16), p["size"])
EOF2
)
# shellcheck disable=SC2086 # offset and size
"$FIX" record "$emmc" $usrdata "$work/bad.txt" || fail "univ_fixture record (bad)"
identify --json
python3 -c 'import json,sys; u=json.load(open(sys.argv[1]))["universal_probe"]; assert "error" in u and "components" not in u, u' \
	"$work/id.out" || fail "identify: an unreadable record is not a note"
echo "ok: unifw identify shows the probe record (absent: nothing; unreadable: a note)"
