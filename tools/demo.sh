#!/bin/sh
# The main job on real files: assemble a Lenovo A516 (MT6572) stock package from the public corpus
# (scatter + preloader + MBR/EBR1 + lk + logo + secro, named as its scatter names them) and let unifw
# report on it the way a technician would read it. Images the corpus does not hold (boot, system...)
# show up as findings, as they would for an incomplete firmware download.
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${UNIFW_CORPUS:-$here/../shared/corpus}
unifw="$build/unifw"
pkg="$build/demo/lenovo_a516_S117"

rm -rf "$pkg"
mkdir -p "$pkg"
cp "$corpus/scatter/mt6572_lenovo_a516_S117.txt" "$pkg/MT6572_Android_scatter.txt"
cp "$corpus/preloader/mt6572_lenovo_a516_S117_preloader_a516_row.bin" "$pkg/preloader_a516_row.bin"
cp "$corpus/ptable/mt6572_lenovo_a516_MBR.bin" "$pkg/MBR"
cp "$corpus/ptable/mt6572_lenovo_a516_EBR1.bin" "$pkg/EBR1"
cp "$corpus/lk/mt6572_lenovo_a516_S117_lk.bin" "$pkg/lk.bin"
cp "$corpus/logo/mt6572_lenovo_a516_logo.bin" "$pkg/logo.bin"
cp "$corpus/misc/mt6572_lenovo_a516_secro.img" "$pkg/secro.img"

echo "== unifw info $pkg"
"$unifw" info "$pkg"
echo
echo "== unifw scatter validate (images checked against partition sizes)"
"$unifw" scatter validate "$pkg/MT6572_Android_scatter.txt" --images "$pkg" || true
echo
echo "== unifw info on single images, detected by content"
for f in preloader_a516_row.bin lk.bin logo.bin MBR; do
	"$unifw" info "$pkg/$f" | head -n 25
	echo
done
