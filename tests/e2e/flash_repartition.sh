#!/bin/sh
# Issue 11 item 7: Firmware Upgrade (`unifw flash PACKAGE --repartition`) on each of the four models with
# the universal package (`unifw-sim make-firmware --universal`, built for a 0xC00000 boot region; the
# models' phones have 0x600000, 0xC00000, 0x1400000 and 0xC00000):
#  - without --repartition the changed layout is refused (exit 3, the message names --repartition);
#  - the --repartition plan shows both layouts and says user data is erased (JSON "repartition");
#  - after the flash: the identity partitions at their new places equal their old places' bytes before the
#    flash, every written range is bit-exact, the partitions without an image are zero, the PMT lists the
#    package's partitions in the phone's boot region, `unifw identify --json` reports the package's layout,
#    and `unifw-sim boot` is neither dead nor imei_null.
# Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/flash_lib.sh"
RCHECK="$(cd "$(dirname "$0")" && pwd)/repart_check.py"

pkg="$work/universal"
"$SIM" make-firmware --universal -o "$pkg" >/dev/null

for m in a516-like wiko-like s10-like y600-like; do
	rm -rf "$UNIFW_STATE_DIR"
	"$SIM" make-emmc --model "$m" -o "$work/$m.base" >/dev/null
	cp --sparse=always "$work/$m.base" "$work/$m.img"
	start_sim "$work/$m.img" --model "$m"

	flash "$pkg" --plan --json
	[ "$rc" -eq 3 ] || fail "$m: without --repartition the plan exited $rc, expected 3"
	result result.plan.findings | grep -q '"layout-changed"' || fail "$m: no layout-changed finding"
	result result.plan.findings | grep -q -- "--repartition" || fail "$m: the refusal does not name --repartition"

	# --allow-unbootable: the universal ROM's LK drives neither the wiko-like nor the s10-like panel (unifw
	# check: WILL NOT BOOT, white_screen); this test is about the repartition itself
	flash "$pkg" --plan --json --repartition --allow-unbootable
	[ "$rc" -eq 0 ] || fail "$m: --repartition plan exited $rc: $(tail -3 "$work/err.txt")"
	cp "$work/out.json" "$work/$m.plan.json"
	[ "$(result result.plan.repartition.user_data_erased)" = true ] || fail "$m: the plan does not say user data is erased"
	result result.plan.findings | grep -q '"user-data-erased"' || fail "$m: no user-data-erased finding"
	python3 - "$work/$m.plan.json" <<'PY' || fail "$m: the plan's layouts"
import json, sys
plan = json.loads(open(sys.argv[1]).read().splitlines()[-1])["result"]["plan"]
rows = {r["name"]: r for r in plan["repartition"]["layouts"]}
assert rows["NVRAM"]["old_offset"] and rows["NVRAM"]["new_offset"], rows["NVRAM"]
assert any(r["old_offset"] != r["new_offset"] or r["old_size"] != r["new_size"] for r in rows.values()), "no difference"
order = [p["name"] for p in plan["partitions"] if p["action"] == "write"]
assert order[:3] == ["MBR", "EBR1", "PMT"], order
assert order[3:7] == ["PRO_INFO", "NVRAM", "PROTECT_F", "PROTECT_S"], order
assert plan["options"]["repartition"] is True
PY
	# the human plan shows both layouts side by side
	"$UNIFW" flash "$pkg" --plan --repartition --allow-unbootable --port "$PORT" --da "$DA" >"$work/plan.txt" 2>/dev/null ||
		fail "$m: text plan"
	grep -q "USER DATA IS ERASED" "$work/plan.txt" || fail "$m: the text plan does not say user data is erased"
	grep -q "NOW (user offset, size)" "$work/plan.txt" || fail "$m: the text plan has no side-by-side layouts"

	flash "$pkg" --yes --json --repartition --allow-unbootable --range-size 1M
	[ "$rc" -eq 0 ] || fail "$m: --repartition exited $rc: $(tail -5 "$work/err.txt")"
	[ "$(result result.outcome)" = flashed ] || fail "$m: outcome $(result result.outcome)"
	"$UNIFW" identify --json --port "$PORT" --da "$DA" >"$work/ident.json" 2>"$work/err.txt" ||
		fail "$m: identify after the flash: $(tail -3 "$work/err.txt")"
	stop_sim
	python3 - "$work/ident.json" "$work/$m.plan.json" <<'PY' || fail "$m: the phone's table is not the package's"
import json, sys
ident = json.load(open(sys.argv[1]))
plan = json.loads(open(sys.argv[2]).read().splitlines()[-1])["result"]["plan"]
phone = {p["name"]: p for p in ident["partition_table"]["partitions"]}
for r in plan["repartition"]["layouts"]:
    if r["new_offset"] is None:
        continue
    p = phone.get(r["name"])
    assert p, "%s missing on the phone" % r["name"]
    assert int(p["offset"], 16) == int(r["new_offset"], 16), (r["name"], p["offset"], r["new_offset"])
    assert p["size"] == r["new_size"], (r["name"], p["size"], r["new_size"])
assert ident["partition_table"]["pmt"] is True
PY
	python3 "$RCHECK" "$work/$m.plan.json" "$work/$m.base" "$work/$m.img" "$work/out.json" >"$work/check.txt" || {
		cat "$work/check.txt"
		fail "$m: after the Firmware Upgrade"
	}
	"$SIM" boot --emmc "$work/$m.img" --json >"$work/boot.json" 2>/dev/null || true
	python3 - "$work/boot.json" <<'PY' || fail "$m: boot verdict $(head -c 300 "$work/boot.json")"
import json, sys
b = json.load(open(sys.argv[1]))
faults = [f["code"] for f in b.get("faults", [])] + [r.get("code") for r in b.get("reasons", [])]
assert b["verdict"] not in ("dead", "brom_loop", "stuck_brom", "boot_loop"), b["verdict"]
assert "imei_null" not in faults, faults
PY
	echo "ok $m: $(cat "$work/check.txt" | sed 's/repart_check: //'); boots ($(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"])' "$work/boot.json"))"
	rm -f "$work/$m.base" "$work/$m.img"
done
echo "PASS"
