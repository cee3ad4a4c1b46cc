#!/bin/sh
# Issue 14: a universal package (`unifw universal build` from the universal base and two phones' backups) on
# the virtual phones:
#  - unifw flash over the socket onto phones whose layouts are not the base's: written into each phone's own
#    partitions by name without --repartition (the plan at the phone's stock offsets, read back equal, the
#    phone's LK, preloader and NVRAM kept, unifw-sim boot runs the package's kernel and Android); a phone
#    whose ANDROID is too small is refused with both sizes and left untouched;
#  - unifw info: the variants covered, their keys and the fallbacks;
#  - unifw check: the probe's binding per component, the modem and touch firmware judged through it (a
#    covered phone: no no_signal, no touch_uncalibrated; a board fallback (a wiko-like with its preloader's
#    second-source eMMC, make-emmc --emmc-part 1): no_signal);
#  - unifw identify: the probe record unifw-sim boot wrote into USRDATA (absent: nothing; unreadable, written
#    by univ_fixture with the project's ext4 editor: a note).
# Every JSON output also passes the docs/json.md contract (json_contract.py).
. "$(dirname "$0")/flash_lib.sh"
FIX="${UNIFW_UNIV_FIXTURE:-$(dirname "$UNIFW")/tests/univ_fixture}"
[ -x "$FIX" ] || { echo "univ_fixture not built: skip"; exit 77; }
command -v busybox >/dev/null 2>&1 || { echo "busybox missing (the sim runs the probe with it): skip"; exit 77; }
pkg="$work/pkg"
mkdir -p "$work/contract"

# field JSON_FILE KEY.PATH: one value of a JSON document (not a JSON-lines file).
field() {
	python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[int(k)] if isinstance(v, list) else v.get(k) if v is not None else None
print("" if v is None else v)' "$1" "$2"
}

"$SIM" make-firmware --universal --all-drivers -o "$work/base" >/dev/null
for m in s10-like wiko-like; do
	"$SIM" make-firmware --model "$m" -o "$work/fw-$m" >/dev/null
	"$SIM" make-emmc --model "$m" -o "$work/$m.emmc" >/dev/null
	"$SIM" boot --emmc "$work/$m.emmc" --json >"$work/$m.stock.json" || true
	start_sim "$work/$m.emmc"
	"$UNIFW" backup --port "$PORT" --da "$DA" -o "$work/backup-$m" --skip-empty >/dev/null 2>"$work/err.txt" ||
		fail "$m: backup: $(tail -3 "$work/err.txt")"
	stop_sim
done
"$UNIFW" universal build --base "$work/base" --phone "$work/backup-s10-like" --phone "$work/backup-wiko-like" \
	-o "$pkg" --json >"$work/build.json" 2>"$work/err.txt" || fail "universal build: $(tail -3 "$work/err.txt")"
s10=$(field "$work/build.json" variants.0.name)
wiko=$(field "$work/build.json" variants.1.name)

# The stock layout of a model (its own phone's partitions): linear start of NAME in its stock scatter.
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

# ---------------------------------------------------------------- unifw flash, by name
for m in s10-like wiko-like; do
	emmc="$work/$m.emmc"
	start_sim "$emmc"
	flash "$pkg" --plan --json
	[ "$rc" -eq 0 ] || fail "$m: the universal package's plan exited $rc: $(tail -5 "$work/err.txt")"
	[ "$(result result.plan.universal.variants)" = 2 ] || fail "$m: the plan does not see a universal package"
	cp "$work/out.json" "$work/$m.plan.json"
	python3 - "$work/$m.plan.json" "$(stock_linear "$m" BOOTIMG)" "$(stock_linear "$m" ANDROID)" \
		"$(stock_linear "$m" CACHE)" <<'EOF' || fail "$m: the plan is not the phone's own partitions by name"
import json, sys
plan = json.loads(open(sys.argv[1]).read().splitlines()[-1])["result"]["plan"]
want = {"BOOTIMG": int(sys.argv[2]), "ANDROID": int(sys.argv[3]), "CACHE": int(sys.argv[4])}
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
	cp "$work/out.json" "$work/contract/flash-$m.json"
	"$UNIFW" read --partition BOOTIMG -o "$work/$m.boot.read" --port "$PORT" --da "$DA" >/dev/null 2>"$work/err.txt" ||
		fail "$m: read BOOTIMG: $(cat "$work/err.txt")"
	stop_sim
	cmp -n "$(wc -c <"$pkg/boot.img")" "$pkg/boot.img" "$work/$m.boot.read" || fail "$m: BOOTIMG read back differs"
	python3 "$CHECK" "$work/$m.plan.json" "$emmc" || fail "$m: the eMMC does not hold the package's images"
	# unifw-sim boot runs the probe and writes its record into USRDATA (read by unifw identify below)
	"$SIM" boot --emmc "$emmc" --json >"$work/$m.boot.json" || true
	[ "$(field "$work/$m.boot.json" facts.kernel.version)" = 3.4.67 ] || fail "$m: not the package's kernel"
	[ "$(field "$work/$m.boot.json" facts.android.release)" = 4.4.2 ] || fail "$m: not the package's system"
	for k in facts.lk.project facts.preloader.project facts.phone.boot_region facts.nvram.wifi_mac; do
		[ "$(field "$work/$m.boot.json" $k)" = "$(field "$work/$m.stock.json" $k)" ] ||
			fail "$m: $k changed: $(field "$work/$m.boot.json" $k)"
	done
	[ "$(field "$work/$m.boot.json" verdict)" = boots ] || fail "$m: $(field "$work/$m.boot.json" verdict) after the flash"
	echo "ok: $m: the universal package went into its own partitions and boots"
done

# A phone whose ANDROID is smaller than the package's file system: refused, the sizes said, nothing written.
"$SIM" make-emmc --model wiko-like --android-size 64M -o "$work/small.emmc" >/dev/null
cp "$work/small.emmc" "$work/small.before"
start_sim "$work/small.emmc"
flash "$pkg" --yes --json
[ "$rc" -eq 3 ] || fail "small ANDROID: flash exited $rc, expected 3 (refused): $(tail -3 "$work/err.txt")"
stop_sim
cp "$work/out.json" "$work/contract/flash-small.json"
python3 - "$work/out.json" "$(field "$work/build.json" system_size)" <<'EOF' || fail "small ANDROID: not refused for its size"
import json, sys
plan = json.loads(open(sys.argv[1]).read().splitlines()[-1])["result"]["plan"]
p = [p for p in plan["partitions"] if p["name"] == "ANDROID"][0]
assert p["action"] == "refuse" and p["code"] in ("too_big", "fs_too_big"), p
assert "%s bytes" % sys.argv[2] in p["reason"] and "67108864 bytes" in p["reason"], p["reason"]
EOF
cmp -s "$work/small.emmc" "$work/small.before" || fail "small ANDROID: the refused flash changed the eMMC"
echo "ok: a phone whose ANDROID is too small is refused with the sizes"

# ---------------------------------------------------------------- unifw info
"$UNIFW" info "$pkg" >"$work/info.txt" || fail "info exited $?"
grep -q "universal image: covers 2 variants" "$work/info.txt" || fail "info: no universal line: $(grep -i univ "$work/info.txt")"
grep -q "fallback board: " "$work/info.txt" || fail "info: the fallbacks are not shown"
"$UNIFW" info "$pkg" --json >"$work/contract/info.json" || fail "info --json exited $?"
python3 - "$work/contract/info.json" "$work/build.json" <<'EOF' || fail "info --json: the variants are not the build's"
import json, sys
u = json.load(open(sys.argv[1]))["summary"]["universal"]
b = json.load(open(sys.argv[2]))
assert u["variant_count"] == 2, u
for v, w in zip(u["variants"], b["variants"]):
    assert v["name"] == w["name"], (v, w)
    for c in ("panel", "touch", "board"):
        assert v[c] == w["keys"][c], (c, v, w)
assert [c["name"] for c in u["components"]] == ["panel", "touch", "board"], u
assert all(c["fallback"] for c in u["components"]), u
EOF
echo "ok: unifw info says which variants the package covers"

# ---------------------------------------------------------------- unifw check
check_phone() { # NAME EMMC: unifw check --json into $work/contract/check-NAME.json
	start_sim "$2"
	rc=0
	"$UNIFW" check "$pkg" --port "$PORT" --da "$DA" --json >"$work/contract/check-$1.json" 2>"$work/err.txt" || rc=$?
	stop_sim
	[ "$rc" -lt 6 ] || fail "check on $1 exited $rc: $(tail -3 "$work/err.txt")"
}
"$SIM" make-emmc --model wiko-like --unit 2 -o "$work/wiko2.emmc" >/dev/null
"$SIM" make-emmc --model y600-like -o "$work/y600.emmc" >/dev/null
"$SIM" make-emmc --model wiko-like --emmc-part 1 -o "$work/wiko5.emmc" >/dev/null
check_phone wiko2 "$work/wiko2.emmc"
check_phone y600 "$work/y600.emmc"
check_phone wiko5 "$work/wiko5.emmc"
python3 - "$work/contract" "$wiko" <<'EOF' || fail "check: the predicted binding is wrong"
import json, sys
def check(m):
    c = json.load(open("%s/check-%s.json" % (sys.argv[1], m)))["check"]
    return {b["name"]: b["variant"] for b in c["universal"]["components"]}, c
wiko = sys.argv[2]
b, c = check("wiko2")
assert b == {"panel": wiko, "touch": wiko, "board": wiko}, b
assert not {"no_signal", "touch_uncalibrated"} & set(c["predicted_faults"]), c["predicted_faults"]
assert not [i for i in c["items"] if i["code"] in ("lk_no_lcm", "logo_resolution")], "the package's LK/logo judged as written"
b, c = check("y600")
assert b == {"panel": None, "touch": None, "board": None}, b
assert "no_signal" in c["predicted_faults"], c["predicted_faults"]
b, c = check("wiko5")
assert b == {"panel": wiko, "touch": wiko, "board": None}, b
fb = [x for x in c["universal"]["components"] if x["name"] == "board"][0]
assert fb["fallback"], fb
assert "no_signal" in c["predicted_faults"] and "touch_uncalibrated" not in c["predicted_faults"], c["predicted_faults"]
EOF
echo "ok: unifw check predicts the probe's binding and judges the modem and touch firmware through it"

# ---------------------------------------------------------------- unifw identify
identify() { # EMMC [options]: unifw identify into $work/id.out
	e=$1
	shift
	start_sim "$e"
	rc=0
	"$UNIFW" identify --port "$PORT" --da "$DA" "$@" >"$work/id.out" 2>"$work/err.txt" || rc=$?
	stop_sim
	[ "$rc" -eq 0 ] || fail "identify exited $rc: $(tail -3 "$work/err.txt")"
}
identify "$work/y600.emmc" --json
! grep -q universal_probe "$work/id.out" || fail "identify: a probe record shown where there is none"
identify "$work/s10-like.emmc" --json
cp "$work/id.out" "$work/contract/identify-s10.json"
python3 - "$work/id.out" "$s10" <<'EOF' || fail "identify --json: the probe record is not shown"
import json, sys
u = json.load(open(sys.argv[1]))["universal_probe"]
b = {c["name"]: c.get("variant") for c in u["components"]}
assert b == {"panel": sys.argv[2], "touch": sys.argv[2], "board": sys.argv[2]}, b
assert u["done"] and u["binds"] > 0, u
EOF
identify "$work/s10-like.emmc"
grep -q "universal probe: panel=$s10 touch=$s10 board=$s10" "$work/id.out" ||
	fail "identify: no probe line: $(tail -5 "$work/id.out")"
# the fifth variant: flashed (cut by the link and resumed: the plan by name is rebuilt the same), booted (the
# probe falls back for its board), identified
start_sim "$work/wiko5.emmc" --fault "cut:op=any,dir=in,after=1500000"
flash "$pkg" --yes --json --range-size 64K
[ "$rc" -eq 1 ] || fail "wiko5: the cut flash exited $rc, expected 1: $(tail -3 "$work/err.txt")"
stop_sim
start_sim "$work/wiko5.emmc"
flash --resume --yes --json
[ "$rc" -eq 0 ] || fail "wiko5: resume exited $rc: $(tail -5 "$work/err.txt")"
[ "$(result result.plan.universal.placed_by)" = name ] || fail "wiko5: the resumed plan is not by name"
stop_sim
python3 "$CHECK" "$work/out.json" "$work/wiko5.emmc" >/dev/null || fail "wiko5: after the resume the eMMC is not the package"
"$SIM" boot --emmc "$work/wiko5.emmc" --json >"$work/wiko5.boot.json" || true
python3 - "$work/wiko5.boot.json" "$work/contract/check-wiko5.json" <<'EOF' || fail "wiko5: the check's prediction is not the sim's verdict"
import json, sys
b = json.load(open(sys.argv[1]))
c = json.load(open(sys.argv[2]))["check"]
assert b["verdict"] == "boots_with_faults" and [f["code"] for f in b["faults"]] == ["no_signal"], b["faults"]
assert c["predicted_boot"] == b["verdict"] and c["predicted_faults"] == ["no_signal"], c["predicted_faults"]
EOF
identify "$work/wiko5.emmc"
grep -q "universal probe: panel=$wiko touch=$wiko board=fallback" "$work/id.out" ||
	fail "identify: the board fallback is not shown: $(tail -5 "$work/id.out")"
grep -q "fallback board: " "$work/id.out" || fail "identify: the fallback line is not shown"
# an unreadable record: a note, identify still succeeds
usrdata=$(python3 - "$work/contract/identify-s10.json" "$work/s10-like.emmc" <<'EOF'
import json, struct, sys
r = json.load(open(sys.argv[1]))
p = [p for p in r["partition_table"]["partitions"] if p["name"] == "USRDATA"][0]
with open(sys.argv[2], "rb") as f:
    f.seek(-4096, 2)
    user = sum(struct.unpack_from("<8Q", f.read(4096), 0x18)[:7])
print(user + int(p["offset"], 16), p["size"])
EOF
)
printf 'unifw-probe 9\n' >"$work/bad.txt"
# shellcheck disable=SC2086 # offset and size
"$FIX" record "$work/s10-like.emmc" $usrdata "$work/bad.txt" || fail "univ_fixture record"
identify "$work/s10-like.emmc" --json
cp "$work/id.out" "$work/contract/identify-bad.json"
python3 -c 'import json,sys; u=json.load(open(sys.argv[1]))["universal_probe"]; assert "error" in u and "components" not in u, u' \
	"$work/id.out" || fail "identify: an unreadable record is not a note"
identify "$work/s10-like.emmc"
grep -q "the record could not be read" "$work/id.out" || fail "identify: no note for an unreadable record"
echo "ok: unifw identify shows the probe record (absent: nothing; a board fallback; unreadable: a note)"

# every JSON output above against docs/json.md
for f in "$work"/contract/flash-*.json; do tail -1 "$f" >"$f.last" && mv "$f.last" "$f"; done
python3 "$(dirname "$0")/json_contract.py" "$UNIFW_SRCDIR/docs/json.md" "$work/contract" >"$work/contract.txt" ||
	fail "JSON contract: $(head -20 "$work/contract.txt")"
echo "ok: the JSON outputs follow docs/json.md"
