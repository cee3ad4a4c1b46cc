#!/bin/sh
# unifw check end to end, on the a516-like virtual phone: its backup with a stock package (another seed)
# is SAFE, exit 0, with the list of what was compared; the universal ROM is BRICK RISK (its layout is made
# for a 12 MiB boot region) and the predicted boot equals what `unifw-sim boot` says after `unifw-sim
# flash-package` of it; --json is {"check","package","phone"}; --port gives the same verdict as --backup.
# Then unifw flash runs the same check: --plan refuses a stock package whose kernel lacks the panel's
# driver (it would boot to a black screen), --allow-unbootable lets it through; a scatter that declares
# MT6582 is refused for its platform, with and without its (MT6572) preloader, and the preloader is not
# blamed. The full pair table is e2e_check_agree's. Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/flash_lib.sh"

m=a516-like
"$SIM" make-emmc --model "$m" -o "$work/phone.img" >/dev/null
"$SIM" make-firmware --model "$m" --seed 2 -o "$work/stock" >/dev/null
"$SIM" make-firmware --universal -o "$work/universal" >/dev/null
start_sim "$work/phone.img" --model "$m"
"$UNIFW" backup --port "$PORT" --da "$DA" -o "$work/bk" >/dev/null 2>"$work/err.txt" ||
	fail "backup: $(tail -3 "$work/err.txt")"

# check ARGS...: unifw check, stdout in $work/check.out, the exit status in $rc
check() {
	rc=0
	"$UNIFW" check "$@" >"$work/check.out" 2>"$work/check.err" || rc=$?
	[ "$rc" -lt 128 ] || fail "unifw check crashed (status $rc): $(tail -20 "$work/check.err")"
	if grep -q Sanitizer "$work/check.err"; then fail "sanitizer report: $(head -40 "$work/check.err")"; fi
}
key() {
	python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[int(k)] if isinstance(v, list) else v.get(k)
print(json.dumps(v) if isinstance(v, (bool, list, dict)) else v)' "$work/check.out" "$1"
}

check "$work/stock" --backup "$work/bk"
[ "$rc" -eq 0 ] || fail "stock on its phone: exit $rc: $(cat "$work/check.out")"
grep -q '^verdict: SAFE (predicted boot: boots)' "$work/check.out" || fail "stock: $(head -3 "$work/check.out")"
grep -q 'LK LCM drivers vs the phone.s panel (otm8018b_dsi_vdo)' "$work/check.out" ||
	fail "stock: the compared list lacks the panel: $(cat "$work/check.out")"
echo "ok stock package on its phone's backup: SAFE, exit 0"

check "$work/universal" --backup "$work/bk" --json
[ "$rc" -eq 5 ] || fail "universal: exit $rc, expected 5 (BRICK RISK): $(head -c 600 "$work/check.out")"
[ "$(key check.verdict)" = brick_risk ] || fail "universal: verdict $(key check.verdict)"
[ "$(key package.type)" = fingerprint ] && [ "$(key phone.source)" = backup ] || fail "universal: --json lacks its sides"
[ "$(key check.preloader_fit.result)" = emi_no_match ] || fail "universal: preloader_fit $(key check.preloader_fit.result)"
predicted=$(key check.predicted_boot)
cp --sparse=always "$work/phone.img" "$work/u.img"
"$SIM" flash-package --emmc "$work/u.img" "$work/universal" 2>/dev/null
sim=$("$SIM" boot --emmc "$work/u.img" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"])')
[ "$predicted" = "$sim" ] || fail "universal: predicted $predicted, unifw-sim boot says $sim"
echo "ok universal on it: BRICK RISK, exit 5, predicted $predicted = unifw-sim boot"

check "$work/universal" --port "$PORT" --da "$DA" --json
[ "$rc" -eq 5 ] || fail "--port: exit $rc: $(tail -3 "$work/check.err")"
[ "$(key check.predicted_boot)" = "$predicted" ] && [ "$(key phone.source)" = phone ] ||
	fail "--port: predicted $(key check.predicted_boot), phone source $(key phone.source)"
echo "ok --port: the same verdict from the phone itself"

# A stock package whose kernel has only another controller's LCM driver (sim make-firmware --kernel-lcm).
"$SIM" make-firmware --model "$m" --seed 2 --kernel-lcm nt35512_wvga_dsi_vdo_dj -o "$work/nolcm" >/dev/null
flash "$work/nolcm" --plan --json
[ "$rc" -eq 3 ] || fail "kernel without the panel's driver: flash --plan exited $rc, expected 3 (refused)"
[ "$(result result.plan.check.predicted_boot)" = black_screen ] ||
	fail "kernel without the panel's driver: the plan's check predicts $(result result.plan.check.predicted_boot)"
grep -q 'check-kernel_wrong_lcm' "$work/out.json" || fail "the refusal does not name the kernel's LCM pick"
flash "$work/nolcm" --plan --json --allow-unbootable
[ "$rc" -eq 0 ] || fail "--allow-unbootable: flash --plan exited $rc: $(tail -3 "$work/err.txt")"
echo "ok flash --plan refuses the kernel without the panel's driver; --allow-unbootable plans it"

# The stock package whose scatter says MT6582: refused for the scatter's platform, not the preloader's.
cp -r "$work/stock" "$work/mt6582"
sed -i 's/platform: MT6572/platform: MT6582/' "$work/mt6582/MT6572_Android_scatter.txt"
for opt in "" --with-preloader; do
	flash "$work/mt6582" --plan --json $opt
	[ "$rc" -eq 3 ] || fail "MT6582 scatter $opt: flash --plan exited $rc, expected 3"
	grep -q '"wrong-platform"' "$work/out.json" || fail "MT6582 scatter $opt: not refused for its platform"
	[ "$(result result.plan.partitions.0.code)" != wrong_platform ] ||
		fail "MT6582 scatter $opt: the MT6572 preloader is blamed: $(result result.plan.partitions.0.reason)"
done
echo "ok a scatter for MT6582 is refused for its platform, the MT6572 preloader is not blamed"
