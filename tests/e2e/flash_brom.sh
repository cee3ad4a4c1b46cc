#!/bin/sh
# unifw flash in BROM mode and the preloader's EMI rule, against the virtual phone:
#  - the phone's own preloader comes from its identity backup (`unifw backup --identity` in preloader
#    mode); in BROM mode the flash takes the DRAM settings from it (--preloader) and ends bit-exact;
#  - without --preloader the package's preloader is offered, and used because its EMI table lists the
#    phone's memory part;
#  - a package whose preloader lacks the phone's memory part (the Hynix-only table of another model under
#    the stock file name): --plan tells not to write it, --with-preloader is refused with exit 3 and not a
#    byte is written (image hash and the sim's trace unchanged); in BROM mode without --preloader the
#    DRAM step is not even attempted (exit 1, nothing written);
#  - issue 9.1: that foreign preloader written anyway (unifw-sim flash-package, SP Flash Tool style) makes
#    the phone brom_loop (`unifw-sim boot` exit 9, the preloader's "[EMI] EMI Set Fail" line): served
#    with the default --mode preloader it answers only in BROM mode (unifw identify says brom); a BROM-mode
#    flash without the preloader leaves it so (FINISH: brom_loop, still BROM at the next connection); the
#    BROM-mode flash with --preloader (the phone's own) and --with-preloader (the package's fitting one)
#    brings it back to `boots`, and the next power-on is in preloader mode again.
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

# Issue 9.1: the foreign preloader on the phone: BROM download mode at every power-on, recovered in BROM mode
identify_mode() {
	"$UNIFW" identify --port "$PORT" --json >"$work/id.json" 2>"$work/id.err" || true
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("mode"))' "$work/id.json" 2>/dev/null ||
		echo "none: $(tail -3 "$work/id.err")"
}
loop="$work/loop.img"
cp "$emmc" "$loop"
"$SIM" flash-package --emmc "$loop" --with-preloader --only PRELOADER "$work/wiko" >/dev/null 2>&1 ||
	fail "unifw-sim flash-package of the foreign preloader"
verdict=0
"$SIM" boot --emmc "$loop" --json >"$work/boot.json" 2>&1 || verdict=$?
[ "$verdict" -eq 9 ] || fail "foreign preloader: boot exit $verdict, expected 9 (brom_loop): $(head -c 800 "$work/boot.json")"
grep -q '"verdict": *"brom_loop"' "$work/boot.json" || fail "no brom_loop verdict: $(head -c 400 "$work/boot.json")"
grep -q 'EMI Set Fail' "$work/boot.json" || fail "the reason lacks the preloader's log line"
grep -q 'BROM download mode (0e8d:0003)' "$work/boot.json" || fail "the reason does not say BROM download mode"

start_sim "$loop" --model "$m" --trace-file "$work/trace4.txt"
[ "$(identify_mode)" = brom ] || fail "brom_loop phone served with --mode preloader answered in mode $(identify_mode)"
grep -q 'answers only in BROM download mode' "$work/sim.err" || fail "the sim does not say why it is in BROM mode"
! grep -q 'powers on in preloader mode' "$work/trace4.txt" || fail "the preloader port opened"
flash "$work/pkg" --yes --reboot --preloader "$work/own/preloader.bin"
[ "$rc" -eq 0 ] || fail "BROM flash without the preloader on the brom_loop phone: exit $rc: $(tail -5 "$work/err.txt")"
i=0
while ! grep -q '^boot ' "$work/sim.out"; do i=$((i + 1)); [ $i -lt 1200 ] || fail "no boot verdict after FINISH"; sleep 0.05; done
grep -q '^boot brom_loop$' "$work/sim.out" || fail "after a flash without preloader: $(grep '^boot ' "$work/sim.out")"
[ "$(identify_mode)" = brom ] || fail "after FINISH (brom_loop) the phone answered in mode $(identify_mode)"
flash "$work/pkg" --yes --json --reboot --with-preloader --preloader "$work/own/preloader.bin"
[ "$rc" -eq 0 ] || fail "BROM recovery flash: exit $rc: $(tail -5 "$work/err.txt")"
i=0
while ! grep -q '^boot boots$' "$work/sim.out"; do
	i=$((i + 1))
	[ $i -lt 1200 ] || fail "the recovery flash did not end in boots: $(grep '^boot ' "$work/sim.out")"
	sleep 0.05
done
python3 "$CHECK" "$work/out.json" "$loop" || fail "recovery flash: the eMMC is not the package"
[ "$(identify_mode)" = preloader ] || fail "after the recovery the phone answered in mode $(identify_mode)"
stop_sim
grep -q 'powers on in preloader mode' "$work/trace4.txt" || fail "the trace shows no preloader-mode power-on"
"$SIM" boot --emmc "$loop" >/dev/null 2>&1 || fail "recovered phone: boot exit $?, expected 0"
start_sim "$loop" --model "$m"
[ "$(identify_mode)" = preloader ] || fail "recovered phone served again: mode $(identify_mode)"
stop_sim
echo "ok brom_loop: BROM mode only, recovered by a BROM-mode flash with a fitting preloader, boots"
echo "PASS"
