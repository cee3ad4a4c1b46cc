#!/bin/sh
# Issue 11.5: `unifw identity restore` after SP Flash Tool's "Format All + Download" (model $1, default a516-like).
# The damage (unifw-sim damage --format-all-download): the user area erased, NVRAM, PRO_INFO, PROTECT_F and
# PROTECT_S with it, and the stock package written, its userdata.img without /data/nvram:
# the boot evaluation shows imei_null and a MAC that changes every boot. The restore (from the vault entry taken
# before the damage) is cut in the middle of its writes, refuses to start over while the journal is open, and
# --resume finishes it: the four identity partitions are byte-identical to before the damage, /nvram is back in
# a USRDATA that e2fsck finds clean, and the phone boots with its original WiFi MAC and Bluetooth address.
# Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/flash_lib.sh"
. "$(dirname "$0")/identity_lib.sh"

m=${1:-a516-like}
emmc="$work/e.img"
"$SIM" make-emmc --model "$m" -o "$emmc" >/dev/null
"$SIM" make-firmware --model "$m" -o "$work/fw" >/dev/null
set -- $(boot_nvram "$emmc")
[ "$1" = boots ] || fail "$m factory image: verdict $1 ($4)"
mac=$2 bt=$3

start_sim "$emmc" --model "$m"
idw backup --json
[ "$rc" -eq 0 ] || fail "identity backup: exit $rc: $(tail -3 "$work/err.txt")"
stop_sim
entry=$(newest_entry)
man="$entry/manifest.json"
cp "$emmc" "$work/before.img"
echo "ok $m: vault entry $(basename "$entry"), WiFi $mac, BT $bt"

# SP Flash Tool "Format All + Download" (the sim's damage helper): the user area erased, the stock package
# (userdata.img without /data/nvram) downloaded
"$SIM" damage --format-all-download --package "$work/fw" --emmc "$emmc" >/dev/null 2>&1 ||
	fail "unifw-sim damage --format-all-download failed"
set -- $(boot_nvram "$emmc")
echo "$4" | grep -q imei_null || fail "damage: no imei_null ($*)"
echo "$4" | grep -q mac_random_each_boot || fail "damage: no mac_random_each_boot ($*)"
echo "ok damaged: $*"

# --plan: nothing backed up, nothing written
start_sim "$emmc" --model "$m"
before=$(sha256sum "$emmc" | cut -d' ' -f1)
idw restore --plan --json
[ "$rc" -eq 0 ] || fail "restore --plan: exit $rc: $(tail -3 "$work/err.txt")"
[ "$(res result.source.path)" = "$entry" ] || fail "default source: $(res result.source.path), expected $entry"
[ "$(res result.nvram_tree.source)" = entry ] || fail "nvram tree source: $(res result.nvram_tree.source)"
[ "$(res result.state)" = planned ] || fail "plan state $(res result.state)"
[ "$(ls -d "$UNIFW_STATE_DIR"/identity/*/identity-* | wc -l)" -eq 1 ] || fail "--plan took a vault backup"
stop_sim
[ "$(sha256sum "$emmc" | cut -d' ' -f1)" = "$before" ] || fail "--plan changed the eMMC"
echo "ok --plan: the newest healthy entry, its /nvram tree; nothing written"

# the restore, cut after ~12 MiB of host-to-phone bytes (inside the writes: the backup before them only reads)
start_sim "$emmc" --model "$m" --fault "cut:op=any,dir=in,after=12000000"
idw restore --yes --json
[ "$rc" -ne 0 ] || fail "a cut restore succeeded"
stop_sim
journal=$(ls "$UNIFW_STATE_DIR"/identity-restore/*.journal)
python3 - "$journal" <<'PY' || fail "journal after the cut: $(cat "$journal")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["state"] == "interrupted" and 0 < j["verified"] < j["ranges"], j
assert j["op"] == "restore" and j["identity_backup"], j
PY
grep -q "to resume, run: unifw identity restore --resume" "$work/err.txt" || fail "no resume line: $(tail -3 "$work/err.txt")"
echo "ok cut: journal interrupted at $(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["verified"], "of", j["ranges"])' "$journal") ranges"

start_sim "$emmc" --model "$m"
idw restore --yes --json
[ "$rc" -eq 3 ] || fail "a new restore over an open journal: exit $rc, expected 3"
grep -q "finish it first" "$work/out.json" "$work/err.txt" || fail "no 'finish it first': $(tail -2 "$work/err.txt")"
idw restore --resume --yes --json
[ "$rc" -eq 0 ] || fail "restore --resume: exit $rc: $(tail -3 "$work/err.txt")"
[ "$(res result.state)" = done ] || fail "resume state $(res result.state)"
[ "$(res result.written.resumed_after_ranges)" -gt 0 ] || fail "the resume started over"
stop_sim
echo "ok --resume finished the restore"

for p in NVRAM PRO_INFO PROTECT_F PROTECT_S; do
	[ "$(part_sha "$emmc" "$man" "$p")" = "$(part_sha "$work/before.img" "$man" "$p")" ] ||
		fail "$p differs from before the damage"
done
part_extract "$emmc" "$man" USRDATA "$work/usrdata.img"
"$E2FSCK" -fn "$work/usrdata.img" >"$work/fsck.txt" 2>&1 || fail "USRDATA after the restore: $(cat "$work/fsck.txt")"
"$DEBUGFS" -R "ls -p /nvram/APCFG/APRDEB" "$work/usrdata.img" 2>/dev/null | grep -q "/WIFI/" || fail "/nvram/APCFG/APRDEB/WIFI missing"
set -- $(boot_nvram "$emmc")
[ "$1" = boots ] || fail "after the restore: verdict $1 ($4)"
[ "$2" = "$mac" ] && [ "$3" = "$bt" ] || fail "after the restore: WiFi $2 BT $3, expected $mac $bt"
n=$(ls -d "$UNIFW_STATE_DIR"/identity/*/identity-* | wc -l)
[ "$n" -eq 2 ] || fail "vault entries: $n, expected 2 (the first and the one before the restore)"
grep -q '"reason": *"restore"' "$(newest_entry)/manifest.json" || fail "the newest entry is not the restore's backup"
echo "ok $m: NVRAM PRO_INFO PROTECT_F PROTECT_S byte-identical, /nvram back (e2fsck clean), boots with $mac / $bt"
echo "PASS"
