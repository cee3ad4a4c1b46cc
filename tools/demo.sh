#!/bin/sh
# The main job, end to end, on the built-in virtual phone (unifw-sim): a "wiko-like" MT6572 phone lies in
# the drawer with its factory firmware. We identify it, back it up, look at two firmware packages (its
# stock package and a "universal" ROM built for another board), let the flash plan say what the universal
# one would do, flash the stock package with verification, and let the phone tell how it boots.
# Everything runs over a real Unix socket with the same bytes a USB phone would exchange.
set -eu
build=${1:-build}
model=${UNIFW_DEMO_MODEL:-wiko-like}
UNIFW="$build/unifw"
SIM="$build/sim/unifw-sim"
work="$build/demo"
rm -rf "$work"
mkdir -p "$work"
export UNIFW_STATE_DIR="$work/state"   # journals and identity backups stay in the demo folder
DA="$work/MTK_AllInOne_DA.bin"
simpid=
stop_sim() { [ -z "$simpid" ] || { kill "$simpid" 2>/dev/null || true; wait "$simpid" 2>/dev/null || true; }; simpid=; }
trap stop_sim EXIT INT TERM
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Setting the scene: the phone ($model), its stock firmware, a universal ROM, the DA file"
"$SIM" make-da -o "$DA"
"$SIM" make-emmc --model "$model" -o "$work/phone.img"
"$SIM" make-firmware --model "$model" --seed 2 -o "$work/stock"
"$SIM" make-firmware --universal -o "$work/universal"
"$SIM" --socket "$work/phone.sock" --model "$model" --emmc "$work/phone.img" --preloader-window 0 \
	--verdict-file "$work/verdict.json" >"$work/sim.out" 2>"$work/sim.err" &
simpid=$!
i=0
until grep -q '^socket ' "$work/sim.out" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 200 ] || { cat "$work/sim.err"; exit 1; }; sleep 0.05
done
PORT="unix:$work/phone.sock"

step "unifw identify: what the phone says about itself"
"$UNIFW" identify --port "$PORT" --da "$DA"

step "unifw backup: everything, with a rebuilt scatter file and a hashed manifest"
"$UNIFW" backup --port "$PORT" --da "$DA" -o "$work/backup" --skip-empty

step "unifw info: the stock package"
"$UNIFW" info "$work/stock" | sed -n '1,40p'

step "unifw flash --plan: what the universal ROM would do to this phone"
"$UNIFW" flash "$work/universal" --plan --with-preloader --port "$PORT" --da "$DA" || \
	echo "(refused: nothing was written)"

step "unifw flash: the stock package, identity backed up first, every byte read back and compared"
"$UNIFW" flash "$work/stock" --yes --with-preloader --reboot --port "$PORT" --da "$DA"

step "The phone reboots: how does it boot?"
i=0
until [ -s "$work/verdict.json" ]; do i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.05; done
stop_sim
"$SIM" boot --emmc "$work/phone.img"
