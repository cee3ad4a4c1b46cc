#!/bin/sh
# unifw port on every pair the suite builds (docs/port.md "Proof"): each phone model x {the universal package,
# the other models' stock packages}. tools/port_pairs.py builds each package, phone image and backup once, checks
# that the base as it is does not boot on the phone (and that unifw check says so, as the sim does), then ports
# it (unifw port BASE --stock BACKUP -o OUT), checks OUT against the backup, flashes it over a Unix socket to a
# copy of the phone (unifw flash --yes --reboot, no --repartition, no --with-preloader) and reads the sim's boot
# evaluation: boots, no faults, IMEI record, WiFi MAC and BT address the backup's. Exit 0 pass, 77 skip, else fail.
set -eu
command -v python3 >/dev/null 2>&1 || { echo "python3 missing: skip"; exit 77; }
UNIFW="${UNIFW_BIN:-./unifw}"
SIM="${UNIFW_SIM_BIN:-$(dirname "$UNIFW")/sim/unifw-sim}"
SRC="${UNIFW_SRCDIR:-$(dirname "$0")/../..}"
[ -x "$SIM" ] || { echo "unifw-sim not built at $SIM: skip"; exit 77; }
[ -x "$UNIFW" ] || { echo "unifw not built at $UNIFW: skip"; exit 77; }
[ -x /sbin/mke2fs ] || [ -x /usr/sbin/mke2fs ] || { echo "mke2fs (e2fsprogs) missing: skip"; exit 77; }
export PYTHONDONTWRITEBYTECODE=1 # tools/check_agree.py is imported; leave no __pycache__ in tools/
exec python3 "$SRC/tools/port_pairs.py" --self-test --unifw "$UNIFW" --sim "$SIM"
