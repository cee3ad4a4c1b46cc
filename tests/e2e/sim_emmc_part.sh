#!/bin/sh
# unifw-sim make-emmc --emmc-part (docs/sim.md "A second-source eMMC"): a wiko-like whose eMMC is the second
# entry of its stock preloader's EMI table (Samsung N5WZMB) keeps that CID in its image, boots with its own
# preloader picking that entry, `unifw-sim boot --json` and `unifw identify` over the socket show the part;
# a label works like the index; a part the table lacks is refused with the table.
set -eu
. "$(dirname "$0")/backup_lib.sh"

m=wiko-like
img="$work/second.img"
"$SIM" make-emmc --model "$m" --emmc-part 1 -o "$img" >"$work/make.txt"
grep -q 'CID 1501004e35575a4d42' "$work/make.txt" || fail "make-emmc --emmc-part 1: $(cat "$work/make.txt")"
"$SIM" make-emmc --model "$m" --emmc-part 'Samsung N5WZMB' -o "$work/label.img" >"$work/label.txt"
[ "$(sed 's/.*CID //' "$work/make.txt")" = "$(sed 's/.*CID //' "$work/label.txt")" ] ||
	fail "--emmc-part by label differs from by index: $(cat "$work/label.txt")"

rc=0
"$SIM" boot --emmc "$img" --json >"$work/boot.json" || rc=$?
[ "$rc" -eq 0 ] || fail "the second-source phone does not boot (exit $rc): $(head -c 800 "$work/boot.json")"
python3 - "$work/boot.json" <<'PY' || fail "boot --json of the second-source phone"
import json, sys
r = json.load(open(sys.argv[1]))
f = r["facts"]
assert r["verdict"] == "boots", r["verdict"]
assert f["phone"]["cid"].startswith("1501004e35575a4d42"), f["phone"]["cid"]
assert f["phone"]["memory_part"].startswith("Samsung N5WZMB"), f["phone"]["memory_part"]
assert f["preloader"]["emi_entry"] == 1, f["preloader"]
PY

# the sim keeps the CID across serving: identify reads it from the phone
sim_start "$img" --model "$m" --mode preloader --preloader-window 0
"$UNIFW" identify --port "$PORT" --json >"$work/id.json" 2>"$work/err" || { cat "$work/err"; fail "identify"; }
sim_stop
python3 - "$work/id.json" <<'PY' || fail "identify of the second-source phone"
import json, sys
cid = json.load(open(sys.argv[1]))["emmc"]["cid"]
assert cid["manufacturer_id"] == "0x15" and cid["product"] == "N5WZMB" and cid["crc_ok"] is True, cid
PY

for bad in 2 N5U00M 'Hynix H4G2a' -1; do
	rc=0
	"$SIM" make-emmc --model "$m" --emmc-part "$bad" -o "$work/bad.img" 2>"$work/bad.err" || rc=$?
	[ "$rc" -eq 2 ] || fail "--emmc-part $bad: exit $rc, expected 2"
	[ ! -e "$work/bad.img" ] || fail "--emmc-part $bad left an image"
	grep -q 'Hynix H4G1d' "$work/bad.err" && grep -q '1  Samsung N5WZMB' "$work/bad.err" ||
		fail "--emmc-part $bad: the refusal does not list the table: $(cat "$work/bad.err")"
done
echo "make-emmc --emmc-part: index and label, boots on entry 1, boot --json and identify show N5WZMB, refusals list the table: ok"
