#!/bin/sh
# unifw check agrees with the virtual phone's boot evaluation for every pair the suite can build
# (docs/check.md "Agreement"): each model x {every model's stock package, the universal package, without and
# with the preloader; its stock package with a kernel without the panel's driver; with a modem the kernel
# rejects; on the phone with NVRAM erased}. tools/check_agree.py builds each package, phone image and backup
# once, runs `unifw check --backup` and `unifw-sim flash-package` + `boot` per pair, and fails on any
# disagreement (predicted boot, fault codes, verdict class) or when docs/check.md's table is not the one it
# generates. Exit 0 pass, 77 skip, else fail.
set -eu
command -v python3 >/dev/null 2>&1 || { echo "python3 missing: skip"; exit 77; }
UNIFW="${UNIFW_BIN:-./unifw}"
SIM="${UNIFW_SIM_BIN:-$(dirname "$UNIFW")/sim/unifw-sim}"
SRC="${UNIFW_SRCDIR:-$(dirname "$0")/../..}"
[ -x "$SIM" ] || { echo "unifw-sim not built at $SIM: skip"; exit 77; }
[ -x "$UNIFW" ] || { echo "unifw not built at $UNIFW: skip"; exit 77; }
[ -x /sbin/mke2fs ] || [ -x /usr/sbin/mke2fs ] || { echo "mke2fs (e2fsprogs) missing: skip"; exit 77; }
exec python3 "$SRC/tools/check_agree.py" --self-test --unifw "$UNIFW" --sim "$SIM" --doc "$SRC/docs/check.md"
