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
