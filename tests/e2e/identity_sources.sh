#!/bin/sh
# Issue 11.5, the sources of `unifw identity restore` (a516-like):
#  - another phone's vault entry (phone 2 of the model: another CID) is refused naming that CID, nothing written;
#  - an entry whose file changed after the backup is refused naming the file;
#  - a raw nvram.bin (SP Flash Tool Readback) is written when a vault entry of this phone holds it byte for byte,
#    /nvram then rebuilt from the BinRegion's files (said so), and the phone boots with its own MAC/BT;
#  - the same nvram.bin with one byte changed is refused: no backup of this phone vouches for it.
# Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/flash_lib.sh"
. "$(dirname "$0")/identity_lib.sh"

m=a516-like
emmc="$work/e.img"
"$SIM" make-emmc --model "$m" -o "$emmc" >/dev/null
"$SIM" make-firmware --model "$m" -o "$work/fw" >/dev/null
set -- $(boot_nvram "$emmc")
mac=$2 bt=$3
start_sim "$emmc" --model "$m"
idw backup --json
[ "$rc" -eq 0 ] || fail "identity backup: exit $rc: $(tail -3 "$work/err.txt")"
stop_sim
entry=$(newest_entry)
man="$entry/manifest.json"
cid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["phone"]["emmc"]["cid"]["raw"])' "$man")

# another phone: unit 2 of the same model
other="$work/other.img"
"$SIM" make-emmc --model "$m" --unit 2 -o "$other" >/dev/null
start_sim "$other" --model "$m" --unit 2 --trace-file "$work/trace.txt"
before=$(sha256sum "$other" | cut -d' ' -f1)
idw restore --from "$entry" --yes --json
stop_sim
[ "$rc" -eq 3 ] || fail "another phone's entry: exit $rc, expected 3: $(tail -3 "$work/err.txt")"
grep -q "entry of another phone (CID $cid" "$work/out.json" || fail "message: $(tail -2 "$work/out.json")"
! grep -q 'SDMMC_WRITE_DATA' "$work/trace.txt" || fail "a write command reached the other phone"
[ "$(sha256sum "$other" | cut -d' ' -f1)" = "$before" ] || fail "the other phone's eMMC changed"
echo "ok another phone's entry refused (CID $cid named), nothing written"
emmc="$work/e.img" # start_sim set it to the other phone's

# a plain unifw backup folder of this phone (no vault keys, no /nvram tree): its four images, /nvram from the BinRegion
start_sim "$emmc" --model "$m"
"$UNIFW" backup -o "$work/bk" --identity --port "$PORT" --da "$DA" >/dev/null 2>"$work/err.txt" ||
	fail "unifw backup --identity: $(tail -3 "$work/err.txt")"
idw restore --from "$work/bk" --plan --json
stop_sim
[ "$rc" -eq 0 ] || fail "restore --plan from a backup folder: exit $rc: $(tail -3 "$work/err.txt")"
[ "$(res result.source.kind)" = backup ] || fail "source kind $(res result.source.kind)"
[ "$(res result.nvram_tree.source)" = binregion ] || fail "tree source $(res result.nvram_tree.source)"
[ "$(res result.partitions.3.name)" = PROTECT_S ] || fail "partitions: $(res result.partitions)"
echo "ok a unifw backup folder of this phone: NVRAM PRO_INFO PROTECT_F PROTECT_S, /nvram from the BinRegion (said so)"

# an entry changed after the backup
cp -a "$entry" "$work/tampered"
python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[100] ^= 1; open(p,"wb").write(b)' \
	"$work/tampered/pro_info.bin"
start_sim "$emmc" --model "$m"
idw restore --from "$work/tampered" --yes --json
[ "$rc" -eq 1 ] || fail "tampered entry: exit $rc, expected 1: $(tail -2 "$work/out.json")"
grep -q "pro_info.bin" "$work/out.json" || fail "the tampered file is not named: $(tail -2 "$work/out.json")"
stop_sim
echo "ok an entry whose pro_info.bin changed is refused naming the file"

# damage, then a raw nvram.bin the vault vouches for
"$SIM" damage --format-all-download --package "$work/fw" --emmc "$emmc" >/dev/null 2>&1 ||
	fail "unifw-sim damage --format-all-download failed"
mkdir "$work/readback"
cp "$entry/nvram.bin" "$work/readback/NVRAM_0x400000"
start_sim "$emmc" --model "$m"
idw restore --from "$work/readback/NVRAM_0x400000" --yes --json
[ "$rc" -eq 0 ] || fail "vouched nvram.bin: exit $rc: $(tail -3 "$work/err.txt")"
[ "$(res result.source.kind)" = nvram_bin ] || fail "source kind $(res result.source.kind)"
[ "$(res result.source.vouched_by)" = "$entry" ] || fail "vouched by $(res result.source.vouched_by)"
[ "$(res result.nvram_tree.source)" = binregion ] || fail "tree source $(res result.nvram_tree.source)"
[ "$(res result.partitions.0.name)" = NVRAM ] && [ -z "$(res result.partitions.1)" ] || fail "partitions: $(res result.partitions)"
stop_sim
[ "$(part_sha "$emmc" "$man" NVRAM)" = "$(sha256sum "$entry/nvram.bin" | cut -d' ' -f1)" ] || fail "NVRAM not the image"
part_extract "$emmc" "$man" USRDATA "$work/usrdata.img"
"$E2FSCK" -fn "$work/usrdata.img" >"$work/fsck.txt" 2>&1 || fail "USRDATA: $(cat "$work/fsck.txt")"
set -- $(boot_nvram "$emmc")
[ "$2" = "$mac" ] && [ "$3" = "$bt" ] || fail "after the nvram.bin restore: WiFi $2 BT $3, expected $mac $bt"
echo "$4" | grep -q imei_null && fail "imei_null after the restore ($*)"
echo "ok a raw nvram.bin held by a vault entry: NVRAM written, /nvram rebuilt from the BinRegion, $mac / $bt"

python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[0x20010] ^= 1; open(p,"wb").write(b)' \
	"$work/readback/NVRAM_0x400000"
start_sim "$emmc" --model "$m" --trace-file "$work/trace2.txt"
idw restore --from "$work/readback/NVRAM_0x400000" --yes --json
stop_sim
[ "$rc" -eq 3 ] || fail "unvouched nvram.bin: exit $rc, expected 3: $(tail -3 "$work/err.txt")"
grep -q "holds this nvram.bin byte for byte" "$work/out.json" || fail "message: $(tail -2 "$work/out.json")"
! grep -q 'SDMMC_WRITE_DATA' "$work/trace2.txt" || fail "a write command reached the phone"
echo "ok an nvram.bin no backup of this phone holds is refused, nothing written"
echo "PASS"
