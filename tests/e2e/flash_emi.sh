#!/bin/sh
# Issue 8.1: the preloader runs its compiled emi_settings[], not the MTK_BLOADER_INFO tag that flash tools
# read. A tampered preloader whose tag lists the phone's memory part but whose compiled table lists another
# phone's parts (unifw-sim make-firmware --compiled-emi-from) is:
#  - shown by `unifw info` as a preloader whose two tables disagree;
#  - refused by `unifw flash --with-preloader` naming the compiled table (exit 3, not a byte written);
#  - not used for the DRAM settings in BROM mode (exit 1, stopped before the DRAM step);
#  - when written anyway (unifw-sim flash-package) a phone that keeps coming back in BROM download mode
#    for the virtual phone's boot evaluation (brom_loop, exit 9: issue 9.1; it used to be called dead).
# The stock package (one list) is written and boots, so every check above can pass and fail.
# Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/flash_lib.sh"

m=a516-like
emmc="$work/e.img"
"$SIM" make-emmc --model "$m" -o "$emmc" >/dev/null
"$SIM" make-firmware --model "$m" --seed 2 --compiled-emi-from wiko-like -o "$work/bad" >/dev/null
pl=$(cd "$work/bad" && ls preloader_*.bin)

"$UNIFW" info "$work/bad/$pl" --json >"$work/info.json" || fail "unifw info of the tampered preloader"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s=d.get("emi_settings") or d.get("file",{}).get("emi_settings")
assert s is not None and s["agrees_with_tag"] is False, s' "$work/info.json" ||
	fail "unifw info does not say the two tables disagree: $(head -c 600 "$work/info.json")"

before=$(sha256sum "$emmc" | cut -d' ' -f1)
start_sim "$emmc" --model "$m" --trace-file "$work/trace1.txt"
flash "$work/bad" --plan --json --with-preloader
[ "$(result result.plan.partitions.0.code)" = emi_settings_mismatch ] ||
	fail "plan code $(result result.plan.partitions.0.code), expected emi_settings_mismatch"
result result.plan.partitions.0.reason | grep -q "compiled emi_settings\[\] the preloader runs at power-on" ||
	fail "the reason does not name the compiled table: $(result result.plan.partitions.0.reason)"
flash "$work/bad" --yes --with-preloader
[ "$rc" -eq 3 ] || fail "--with-preloader with a tampered preloader: exit $rc, expected 3"
grep -q "REFUSED: its EMI table (MTK_BLOADER_INFO tag) lists the phone's Samsung N5U00M" "$work/out.json" ||
	fail "no refusal reason: $(grep -A1 PRELOADER "$work/out.json")"
stop_sim
! grep -q 'SDMMC_WRITE_DATA' "$work/trace1.txt" || fail "a write command reached the phone"
[ "$(sha256sum "$emmc" | cut -d' ' -f1)" = "$before" ] || fail "the eMMC changed"
echo "ok tampered preloader refused by the flash plan, nothing written"

start_sim "$emmc" --model "$m" --mode brom --trace-file "$work/trace2.txt"
flash "$work/bad" --yes --with-preloader
[ "$rc" -eq 1 ] || fail "BROM mode with only the tampered preloader: exit $rc, expected 1"
grep -q "compiled emi_settings\[\] does not list it" "$work/err.txt" ||
	fail "the BROM error does not name the compiled table: $(cat "$work/err.txt")"
! grep -q 'EMI .*EMI blob' "$work/trace2.txt" || fail "an EMI entry was sent to the phone"
stop_sim
[ "$(sha256sum "$emmc" | cut -d' ' -f1)" = "$before" ] || fail "the eMMC changed"
echo "ok BROM mode: the tampered preloader's DRAM settings are not used"

# Written anyway (SP Flash Tool style): the virtual phone judges by the compiled table
cp "$emmc" "$work/forced.img"
"$SIM" flash-package --emmc "$work/forced.img" --with-preloader "$work/bad" >/dev/null 2>&1 ||
	fail "unifw-sim flash-package of the tampered package"
verdict=0
"$SIM" boot --emmc "$work/forced.img" --json >"$work/boot.json" 2>&1 || verdict=$?
[ "$verdict" -eq 9 ] || fail "tampered preloader written: boot verdict $verdict, expected 9 (brom_loop): $(cat "$work/boot.json")"
grep -q emi_no_match "$work/boot.json" || fail "the verdict does not say emi_no_match"

# The stock package (tag and compiled table alike) is written and boots
"$SIM" make-firmware --model "$m" --seed 2 -o "$work/good" >/dev/null
start_sim "$emmc" --model "$m"
flash "$work/good" --yes --json --with-preloader
[ "$rc" -eq 0 ] || fail "stock package: exit $rc: $(tail -5 "$work/err.txt")"
[ "$(result result.plan.partitions.0.action)" = write ] || fail "the stock preloader was not written"
stop_sim
verdict=0
"$SIM" boot --emmc "$emmc" >"$work/boot.txt" 2>&1 || verdict=$?
[ "$verdict" -eq 0 ] || fail "stock package: boot verdict $verdict: $(cat "$work/boot.txt")"
echo "ok stock preloader written, boots; the tampered one written anyway keeps the phone in BROM download mode"
echo "PASS"
