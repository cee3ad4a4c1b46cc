#!/bin/sh
# One image for many phones (docs/universal.md "Proof"): tools/universal_phones.py builds the universal base
# (make-firmware --universal --all-drivers), backs up the four models' factory phones, runs unifw universal
# build on the four backups, checks OUT against each, flashes it onto each phone (one over the pty; no
# --repartition, no --with-preloader), and reads unifw-sim's boot evaluation: boots, no faults, the probe bound
# each component to that phone's variant, identity intact, unifw identify shows the probe record. The fifth
# variant (a wiko-like with its preloader's second-source eMMC) boots with exactly no_signal and the probe's
# board fallback note, as unifw check predicts. The judges run on made-up outcomes first (--self-test).
# Exit 0 pass, 77 skip, else fail.
set -eu
command -v python3 >/dev/null 2>&1 || { echo "python3 missing: skip"; exit 77; }
UNIFW="${UNIFW_BIN:-./unifw}"
SIM="${UNIFW_SIM_BIN:-$(dirname "$UNIFW")/sim/unifw-sim}"
SRC="${UNIFW_SRCDIR:-$(dirname "$0")/../..}"
[ -x "$SIM" ] || { echo "unifw-sim not built at $SIM: skip"; exit 77; }
[ -x "$UNIFW" ] || { echo "unifw not built at $UNIFW: skip"; exit 77; }
[ -x /sbin/mke2fs ] || [ -x /usr/sbin/mke2fs ] || { echo "mke2fs (e2fsprogs) missing: skip"; exit 77; }
export PYTHONDONTWRITEBYTECODE=1 # tools/check_agree.py and port_pairs.py are imported; no __pycache__ in tools/
exec python3 "$SRC/tools/universal_phones.py" --self-test --unifw "$UNIFW" --sim "$SIM"
