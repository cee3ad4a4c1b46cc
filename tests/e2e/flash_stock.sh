#!/bin/sh
# unifw flash against the virtual phone, every model: the phone leaves the factory with its stock firmware
# (make-emmc, seed 1); the same model's stock package built with another seed (different bytes in every
# image) is flashed with --with-preloader over a Unix socket. Then the virtual eMMC holds each image of the
# package at its offset bit for bit (raw images whole, sparse images chunk by chunk, the preloader in its
# EMMC_BOOT form in boot1), the identity backup exists, and `unifw-sim boot` says the phone boots.
# The check is shown to be able to fail: before the flash the eMMC differs from the package.
# One model is also flashed from a zip of its package. Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/flash_lib.sh"

models=$("$SIM" models | awk '$1 != "universal" { print $1 }')
[ "$(echo "$models" | wc -l)" -ge 4 ] || fail "fewer than four models: $models"
for m in $models; do
	emmc="$work/$m.img"
	pkg="$work/pkg-$m"
	"$SIM" make-emmc --model "$m" -o "$emmc" >/dev/null
	"$SIM" make-firmware --model "$m" --seed 2 -o "$pkg" >/dev/null
	start_sim "$emmc" --model "$m"

	flash "$pkg" --plan --json --with-preloader
	[ "$rc" -eq 0 ] || fail "$m: --plan exited $rc: $(cat "$work/err.txt")"
	[ "$(result result.outcome)" = plan_only ] || fail "$m: outcome $(result result.outcome)"
	python3 "$CHECK" "$work/out.json" "$emmc" --expect-differs >/dev/null ||
		fail "$m: the factory eMMC already equals the seed-2 package: the check would prove nothing"

	flash "$pkg" --yes --json --with-preloader
	[ "$rc" -eq 0 ] || fail "$m: flash exited $rc: $(tail -5 "$work/err.txt")"
	[ "$(result result.outcome)" = flashed ] || fail "$m: outcome $(result result.outcome)"
	[ "$(result result.verify_failed)" = false ] || fail "$m: verify_failed"
	[ "$(result result.bytes_verified)" = "$(result result.bytes_sent)" ] || fail "$m: not everything verified"
	[ "$(result result.plan.partitions.0.action)" = write ] || fail "$m: the preloader was not written"
	backup=$(result result.identity_backup)
	[ -s "$backup/nvram.bin" ] && [ -s "$backup/preloader.bin" ] || fail "$m: no identity backup in '$backup'"
	grep -q '"event"' "$work/out.json" || fail "$m: no JSON progress events"
	python3 "$CHECK" "$work/out.json" "$emmc" || fail "$m: the eMMC does not hold the package"
	stop_sim
	verdict=0
	"$SIM" boot --emmc "$emmc" >"$work/boot.txt" 2>&1 || verdict=$?
	[ "$verdict" -eq 0 ] || fail "$m: boot verdict $verdict: $(cat "$work/boot.txt")"
	echo "ok $m: flashed bit-exact, $(result result.partitions_written) partitions, boots"
done

# A blank eMMC (no PMT, no MBR: a new or wiped chip) with the first model's geometry and CID: the plan has
# nothing to compare with, the identity partitions are read where the scatter puts them, the package's
# layout is written as a PMT (last), and the phone boots (blank NVRAM: "with faults", no IMEI).
m=$(echo "$models" | head -1)
cid=$(python3 -c "
import sys
f = open(sys.argv[1], 'rb'); f.seek(-4096, 2); print(f.read(4096)[0x58:0x68].hex())" "$work/$m.img")
start_sim "$work/blank.img" --emmc-size 512M --boot-size 2M --rpmb-size 2M --cid "$cid"
flash "$work/pkg-$m" --yes --json --with-preloader
[ "$rc" -eq 0 ] || fail "blank eMMC: flash exited $rc: $(tail -5 "$work/err.txt")"
python3 "$CHECK" "$work/out.json" "$work/blank.img" || fail "blank eMMC: the eMMC does not hold the package"
[ "$(result result.plan.layout.checked)" = false ] || fail "blank eMMC: a layout was compared"
backup=$(result result.identity_backup)
[ -s "$backup/identity-by-scatter.json" ] && [ -s "$backup/nvram.bin" ] || fail "blank eMMC: no identity backup by scatter"
stop_sim
verdict=0
"$SIM" boot --emmc "$work/blank.img" --model "$m" >"$work/boot.txt" 2>&1 || verdict=$?
[ "$verdict" -eq 0 ] || [ "$verdict" -eq 3 ] || fail "blank eMMC: boot verdict $verdict: $(cat "$work/boot.txt")"
echo "ok blank eMMC: flashed with a new PMT, $(head -1 "$work/boot.txt")"

# A zip of a package (images streamed from the archive) on the first model.
if command -v zip >/dev/null 2>&1; then
	m=$(echo "$models" | head -1)
	emmc="$work/$m.img"
	pkg="$work/zip-$m"
	"$SIM" make-firmware --model "$m" --seed 3 -o "$pkg" >/dev/null
	(cd "$pkg" && zip -q -r "$work/fw.zip" .)
	start_sim "$emmc" --model "$m"
	flash "$pkg" --plan --json --with-preloader
	cp "$work/out.json" "$work/plan-zip.json"
	flash "$work/fw.zip" --yes --with-preloader
	[ "$rc" -eq 0 ] || fail "zip: flash exited $rc: $(tail -5 "$work/err.txt")"
	grep -q 'Flash plan for' "$work/out.json" || fail "zip: no human plan on stdout"
	python3 "$CHECK" "$work/plan-zip.json" "$emmc" || fail "zip: the eMMC does not hold the package"
	stop_sim
	echo "ok zip package"
fi
echo "PASS"
