#!/bin/sh
# unifw flash in BROM mode and the preloader's EMI rule, against the virtual phone:
#  - the phone's own preloader comes from its identity backup (`unifw backup --identity` in preloader
#    mode); in BROM mode the flash takes the DRAM settings from it (--preloader) and ends bit-exact;
#  - without --preloader the package's preloader is offered, and used because its EMI table lists the
#    phone's memory part;
#  - a package whose preloader lacks the phone's memory part (the Hynix-only table of another model under
#    the stock file name): --plan tells not to write it, --with-preloader is refused with exit 3 and not a
#    byte is written (image hash and the sim's trace unchanged); in BROM mode without --preloader the
#    DRAM step is not even attempted (exit 1, nothing written).
# Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/flash_lib.sh"

m=a516-like
emmc="$work/e.img"
"$SIM" make-emmc --model "$m" -o "$emmc" >/dev/null
"$SIM" make-firmware --model "$m" --seed 2 -o "$work/pkg" >/dev/null

start_sim "$emmc" --model "$m"
"$UNIFW" backup --identity -o "$work/own" --port "$PORT" --da "$DA" >/dev/null 2>"$work/err.txt" ||
	fail "identity backup: $(tail -3 "$work/err.txt")"
[ -s "$work/own/preloader.bin" ] || fail "the backup has no preloader.bin"
stop_sim

# BROM mode, EMI from the phone's own preloader
start_sim "$emmc" --model "$m" --mode brom --trace-file "$work/trace1.txt"
flash "$work/pkg" --yes --json --preloader "$work/own/preloader.bin"
[ "$rc" -eq 0 ] || fail "BROM flash with the phone's own preloader: exit $rc: $(tail -5 "$work/err.txt")"
python3 "$CHECK" "$work/out.json" "$emmc" || fail "BROM flash: the eMMC is not the package"
stop_sim
grep -q 'EMI .*matches the memory part' "$work/trace1.txt" || fail "the sim saw no matching EMI entry"
grep -q 'EMI .*ext_ram_ret=0 ' "$work/trace1.txt" || fail "the DRAM did not come up: $(grep EMI "$work/trace1.txt")"
echo "ok BROM mode with the phone's own preloader"

# BROM mode, the package's own (fitting) preloader
"$SIM" make-firmware --model "$m" --seed 3 -o "$work/pkg3" >/dev/null
start_sim "$emmc" --model "$m" --mode brom
flash "$work/pkg3" --yes --json --with-preloader
[ "$rc" -eq 0 ] || fail "BROM flash with the package's preloader: exit $rc: $(tail -5 "$work/err.txt")"
python3 "$CHECK" "$work/out.json" "$emmc" || fail "BROM flash 2: the eMMC is not the package"
stop_sim
echo "ok BROM mode with the package's preloader"

# A package preloader without the phone's memory part
"$SIM" make-firmware --model wiko-like -o "$work/wiko" >/dev/null
cp -r "$work/pkg" "$work/bad"
pl=$(cd "$work/bad" && ls preloader_*.bin)
cp "$work/wiko"/preloader_*.bin "$work/bad/$pl"
before=$(sha256sum "$emmc" | cut -d' ' -f1)

start_sim "$emmc" --model "$m" --trace-file "$work/trace2.txt"
flash "$work/bad" --plan
[ "$rc" -eq 0 ] || fail "--plan of the bad package: exit $rc"
grep -q "do not write it to this phone" "$work/out.json" || fail "the plan does not warn: $(grep -A1 PRELOADER "$work/out.json")"
flash "$work/bad" --yes --with-preloader
[ "$rc" -eq 3 ] || fail "--with-preloader with a foreign EMI table: exit $rc, expected 3"
grep -q "REFUSED: its EMI table lists" "$work/out.json" || fail "no refusal reason: $(grep -A1 PRELOADER "$work/out.json")"
grep -q "not the phone's Samsung N5U00M" "$work/out.json" || fail "the reason does not name the phone's part"
grep -q "nothing was written" "$work/err.txt" || fail "no 'nothing was written': $(cat "$work/err.txt")"
stop_sim
! grep -q 'SDMMC_WRITE_DATA' "$work/trace2.txt" || fail "a write command reached the phone"
[ "$(sha256sum "$emmc" | cut -d' ' -f1)" = "$before" ] || fail "the eMMC changed"
echo "ok foreign preloader refused, nothing written"

start_sim "$emmc" --model "$m" --mode brom --trace-file "$work/trace3.txt"
flash "$work/bad" --yes
[ "$rc" -eq 1 ] || fail "BROM mode with only a foreign preloader: exit $rc, expected 1"
grep -q "does not list this phone's memory id 15 01 00 4e" "$work/err.txt" ||
	fail "the error does not explain the DRAM step: $(cat "$work/err.txt")"
grep -q "Stopped before the ENABLE_DRAM" "$work/err.txt" || fail "no 'stopped before ENABLE_DRAM'"
! grep -q 'EMI .*EMI blob' "$work/trace3.txt" || fail "an EMI entry was sent to the phone"
stop_sim
! grep -q 'SDMMC_WRITE_DATA' "$work/trace3.txt" || fail "a write command reached the phone"
[ "$(sha256sum "$emmc" | cut -d' ' -f1)" = "$before" ] || fail "the eMMC changed"
echo "ok BROM mode: a preloader without the phone's memory part is not used (stopped before ENABLE_DRAM)"
echo "PASS"
