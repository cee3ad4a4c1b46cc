#!/bin/sh
# Issue 11.6: `unifw identity set-mac` / `set-bt` on the virtual phone (a516-like). Bad addresses (multicast,
# all-zero, broadcast, malformed) are refused before the phone is touched; --plan writes nothing; set-mac
# changes the WiFi MAC in the BinRegion (6 bytes, its checksum and the checksum's copy: nothing else) and in
# /data/nvram's WIFI file (bytes 4..9 only), after a vault backup; set-bt is cut in the middle and resumed;
# the boot evaluation then shows both new addresses, USRDATA is clean for e2fsck.
# Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/flash_lib.sh"
. "$(dirname "$0")/identity_lib.sh"

m=a516-like
emmc="$work/e.img"
"$SIM" make-emmc --model "$m" -o "$emmc" >/dev/null
set -- $(boot_nvram "$emmc")
mac=$2 bt=$3
newmac=00:90:4c:12:34:56
newbt=00:1a:7d:da:71:13

start_sim "$emmc" --model "$m" --trace-file "$work/trace.txt"
before=$(sha256sum "$emmc" | cut -d' ' -f1)
for bad in 01:00:5e:00:00:01 00:00:00:00:00:00 ff:ff:ff:ff:ff:ff 00:11:22:33:44 00:11:22:33:44:zz; do
	idw set-mac "$bad" --yes --json
	[ "$rc" -eq 2 ] || fail "set-mac $bad: exit $rc, expected 2"
	idw set-bt "$bad" --yes --json
	[ "$rc" -eq 2 ] || fail "set-bt $bad: exit $rc, expected 2"
done
rc=0
"$UNIFW" identity set-mac "$newmac" --port "$PORT" --da "$DA" </dev/null >"$work/out.json" 2>"$work/err.txt" || rc=$?
[ "$rc" -eq 2 ] && grep -q "needs --yes" "$work/err.txt" || fail "no terminal, no --yes: exit $rc: $(cat "$work/err.txt")"
idw set-mac "$newmac" --plan --json
[ "$rc" -eq 0 ] || fail "set-mac --plan: exit $rc: $(tail -3 "$work/err.txt")"
[ "$(res result.address.old)" = "$mac" ] || fail "old MAC $(res result.address.old), expected $mac"
[ "$(res result.address.data_nvram)" = changed ] || fail "data copy: $(res result.address.data_nvram)"
[ "$(res result.state)" = planned ] || fail "state $(res result.state)"
! grep -q 'SDMMC_WRITE_DATA' "$work/trace.txt" || fail "a write command reached the phone"
[ "$(sha256sum "$emmc" | cut -d' ' -f1)" = "$before" ] || fail "the eMMC changed"
echo "ok bad addresses refused (exit 2), no --yes without a terminal refused, --plan writes nothing"

# the manifest of a vault entry gives the partition table
idw backup --json
[ "$rc" -eq 0 ] || fail "identity backup: exit $rc"
man="$(newest_entry)/manifest.json"
stop_sim
cp "$emmc" "$work/before.img"
part_extract "$emmc" "$man" USRDATA "$work/u0.img"
"$DEBUGFS" -R "dump /nvram/APCFG/APRDEB/WIFI $work/wifi0" "$work/u0.img" >/dev/null 2>&1

start_sim "$emmc" --model "$m"
idw set-mac "$newmac" --yes --json
[ "$rc" -eq 0 ] || fail "set-mac: exit $rc: $(tail -3 "$work/err.txt")"
stop_sim
grep -q '"reason": *"set-mac"' "$(newest_entry)/manifest.json" || fail "no vault backup with reason set-mac"
part_extract "$emmc" "$man" NVRAM "$work/nv1"
part_extract "$work/before.img" "$man" NVRAM "$work/nv0"
python3 - "$work/nv0" "$work/nv1" "$newmac" <<'PY' || fail "NVRAM changed elsewhere than the MAC and its checksums"
import sys
a, b = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
mac = bytes.fromhex(sys.argv[3].replace(":", ""))
d = [i for i in range(len(a)) if a[i] != b[i]]
runs = []
for i in d:
    if runs and i - runs[-1][1] <= 4: runs[-1][1] = i
    else: runs.append([i, i])
at = b.find(mac)
# the MAC's six bytes; the checksum (block 0) and its copy (last block): four bytes each
assert len(runs) == 3 and all(r[1] - r[0] < 6 for r in runs), runs
assert at >= 0 and runs[1][0] >= at and runs[1][1] < at + 6, (at, runs)
assert runs[0][1] < 0x20000 and runs[2][0] >= len(a) - 0x20000, runs
PY
part_extract "$emmc" "$man" USRDATA "$work/u1.img"
"$E2FSCK" -fn "$work/u1.img" >"$work/fsck.txt" 2>&1 || fail "USRDATA after set-mac: $(cat "$work/fsck.txt")"
"$DEBUGFS" -R "dump /nvram/APCFG/APRDEB/WIFI $work/wifi1" "$work/u1.img" >/dev/null 2>&1
python3 - "$work/wifi0" "$work/wifi1" "$newmac" <<'PY' || fail "/data/nvram WIFI changed elsewhere than bytes 4..9"
import sys
a, b = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
assert len(a) == len(b) and len(a) >= 10
assert b[4:10] == bytes.fromhex(sys.argv[3].replace(":", "")) and a[:4] == b[:4] and a[10:] == b[10:]
PY
set -- $(boot_nvram "$emmc")
[ "$2" = "$newmac" ] && [ "$3" = "$bt" ] || fail "after set-mac: WiFi $2 BT $3, expected $newmac $bt"
echo "ok set-mac: BinRegion MAC + checksum + copy, /data/nvram WIFI bytes 4..9, boots with $newmac (BT $bt kept)"

# set-bt cut in its first write, then resumed
start_sim "$emmc" --model "$m" --fault "cut:op=write,at=50%"
idw set-bt "$newbt" --yes --json
[ "$rc" -ne 0 ] || fail "a cut set-bt succeeded"
grep -q "to resume, run: unifw identity set-bt --resume" "$work/err.txt" || fail "no resume line: $(tail -3 "$work/err.txt")"
stop_sim
# a saved plan changed on disk to write over the MBR (its SHA-256 and the journal's made to agree): refused
plan=$(ls "$UNIFW_STATE_DIR"/identity-restore/*.plan)
journal=$(ls "$UNIFW_STATE_DIR"/identity-restore/*.journal)
cp "$plan" "$work/plan.saved"
cp "$journal" "$work/journal.saved"
python3 - "$plan" "$journal" <<'PY'
import hashlib, json, sys
b = bytearray(open(sys.argv[1], "rb").read())
b[84:92] = (0).to_bytes(8, "little")        # the first range's offset: user-area byte 0
b[-32:] = hashlib.sha256(b[:-32]).digest()
open(sys.argv[1], "wb").write(b)
j = json.load(open(sys.argv[2])); j["plan_sha256"] = b[-32:].hex()
json.dump(j, open(sys.argv[2], "w"))
PY
start_sim "$emmc" --model "$m" --trace-file "$work/trace3.txt"
before=$(sha256sum "$emmc" | cut -d' ' -f1)
idw set-bt --resume --yes --json
stop_sim
[ "$rc" -eq 3 ] || fail "a plan aimed outside NVRAM/USRDATA: exit $rc, expected 3: $(tail -2 "$work/out.json")"
grep -q "outside NVRAM" "$work/out.json" || fail "message: $(tail -2 "$work/out.json")"
! grep -q 'SDMMC_WRITE_DATA' "$work/trace3.txt" || fail "a write command reached the phone"
[ "$(sha256sum "$emmc" | cut -d' ' -f1)" = "$before" ] || fail "the eMMC changed"
cp "$work/plan.saved" "$plan"
cp "$work/journal.saved" "$journal"
echo "ok a saved plan aimed outside the identity partitions is refused on resume, nothing written"
start_sim "$emmc" --model "$m"
idw set-bt --resume --yes --json
[ "$rc" -eq 0 ] || fail "set-bt --resume: exit $rc: $(tail -3 "$work/err.txt")"
[ "$(res result.state)" = done ] || fail "state $(res result.state)"
stop_sim
part_extract "$emmc" "$man" USRDATA "$work/u2.img"
"$E2FSCK" -fn "$work/u2.img" >"$work/fsck.txt" 2>&1 || fail "USRDATA after set-bt: $(cat "$work/fsck.txt")"
set -- $(boot_nvram "$emmc")
[ "$2" = "$newmac" ] && [ "$3" = "$newbt" ] || fail "after set-bt: WiFi $2 BT $3, expected $newmac $newbt"
[ "$1" = boots ] || fail "verdict $1 ($4)"
echo "ok set-bt cut and resumed: boots with $newmac / $newbt"

# on a terminal without --yes: the plan, then the question; "no" writes nothing
start_sim "$emmc" --model "$m"
before=$(sha256sum "$emmc" | cut -d' ' -f1)
rc=0
python3 - "$work/tty.txt" "$UNIFW" identity set-mac 00:90:4c:aa:bb:cc --port "$PORT" --da "$DA" <<'PY' || rc=$?
import os, pty, subprocess, sys, time
master, slave = pty.openpty()
p = subprocess.Popen(sys.argv[2:], stdin=slave, stdout=slave, stderr=slave, close_fds=True)
os.close(slave)
out, answered = b"", False
while True:
    try:
        chunk = os.read(master, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    if not answered and b"Type 'yes' to go on" in out:
        os.write(master, b"no\n")
        answered = True
open(sys.argv[1], "wb").write(out)
sys.exit(p.wait())
PY
stop_sim
[ "$rc" -eq 1 ] || fail "answered no: exit $rc: $(cat "$work/tty.txt")"
grep -q "wifi_mac: $newmac -> 00:90:4c:aa:bb:cc in the BinRegion" "$work/tty.txt" || fail "no plan shown: $(cat "$work/tty.txt")"
grep -q "Nothing was written" "$work/tty.txt" || fail "no 'Nothing was written': $(cat "$work/tty.txt")"
[ "$(sha256sum "$emmc" | cut -d' ' -f1)" = "$before" ] || fail "the eMMC changed after 'no'"
echo "ok on a terminal: the plan, the question, 'no' writes nothing"
echo "PASS"
