#!/bin/sh
# Issue 8.4: identity images (NVRAM here) are written only when they come from the connected phone: the
# package carries a unifw backup manifest whose CID is the phone's and whose SHA-256 for the file is the
# image's. The package is a full `unifw backup` of the virtual phone with NVRAM marked for download (the
# rebuilt scatter keeps ptgen's is_download: false for it), hard-linked into variants:
#  - the same phone, --include-identity: NVRAM is planned for writing ("this phone's own");
#  - without --include-identity: written too (issue 11: a full backup of this very phone is a restore);
#  - another phone (blank eMMC, another CID): a donor; its NVRAM skipped ("this phone keeps its own
#    identity"), and with --include-identity refused naming both CIDs, exit 3, not a byte written;
#  - the manifest removed: refused, no provenance;  nvram.bin changed after the backup: refused, hash mismatch;
#  - issue 8.9a: a DA whose report 2 gives another CID than report 1: exit 1 naming both, nothing written.
# Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/flash_lib.sh"

m=a516-like
emmc="$work/e.img"
"$SIM" make-emmc --model "$m" -o "$emmc" >/dev/null
start_sim "$emmc" --model "$m"
"$UNIFW" backup -o "$work/own" --port "$PORT" --da "$DA" >/dev/null 2>"$work/err.txt" ||
	fail "backup: $(tail -3 "$work/err.txt")"
stop_sim

# variant DIR: a hard-linked copy of the backup whose scatter downloads NVRAM (files replaced, not edited)
variant() {
	cp -al "$work/own" "$1"
	rm "$1/MT6572_Android_scatter.txt"
	python3 - "$work/own/MT6572_Android_scatter.txt" "$1/MT6572_Android_scatter.txt" <<'PY'
import sys
text = open(sys.argv[1]).read()
at = text.index("partition_name: NVRAM")
end = text.index("is_download: false", at)
open(sys.argv[2], "w").write(text[:end] + "is_download: true" + text[end + len("is_download: false"):])
PY
}
code_of() { # the plan's code for partition $1
	python3 -c 'import json,sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
print([p for p in r["result"]["plan"]["partitions"] if p["name"] == sys.argv[2]][0]["code"])' "$work/out.json" "$1"
}
reason_of() {
	python3 -c 'import json,sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
print([p for p in r["result"]["plan"]["partitions"] if p["name"] == sys.argv[2]][0]["reason"])' "$work/out.json" "$1"
}

variant "$work/pkg"
start_sim "$emmc" --model "$m"
flash "$work/pkg" --plan --json --include-identity
[ "$rc" -eq 0 ] || fail "own backup, --include-identity: plan exit $rc: $(tail -3 "$work/err.txt")"
[ "$(code_of NVRAM)" = write ] || fail "own NVRAM not planned for writing: $(code_of NVRAM): $(reason_of NVRAM)"
reason_of NVRAM | grep -q "nvram.bin is this phone's own" || fail "reason: $(reason_of NVRAM)"
# Issue 11: a full backup of this very phone is a restore: its identity goes back without the option too
flash "$work/pkg" --plan --json
[ "$(code_of NVRAM)" = write ] || fail "restore without --include-identity: NVRAM is $(code_of NVRAM), expected write"
[ "$(result result.plan.mode)" = restore ] || fail "plan mode $(result result.plan.mode), expected restore"
echo "ok the phone's own NVRAM (its backup) is planned with --include-identity, and without it (a restore)"

variant "$work/nomanifest"
rm "$work/nomanifest/manifest.json"
flash "$work/nomanifest" --plan --json --include-identity
[ "$(code_of NVRAM)" = identity_no_provenance ] || fail "no manifest: $(code_of NVRAM)"
reason_of NVRAM | grep -q "nvram.bin has no provenance" || fail "reason: $(reason_of NVRAM)"

variant "$work/changed"
rm "$work/changed/nvram.bin"
python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[4096] ^= 0xFF; open(sys.argv[2], "wb").write(b)' \
	"$work/own/nvram.bin" "$work/changed/nvram.bin"
flash "$work/changed" --plan --json --include-identity
[ "$(code_of NVRAM)" = identity_hash_mismatch ] || fail "changed nvram.bin: $(code_of NVRAM)"
stop_sim
echo "ok no manifest: no provenance; nvram.bin changed since the backup: hash mismatch"

# another phone: same geometry, another CID (blank eMMC), the first phone's backup
cid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["phone"]["emmc"]["cid"]["raw"])' "$work/own/manifest.json")
other=$(python3 -c 'import sys; c = bytearray.fromhex(sys.argv[1]); c[10] ^= 0x5A; print(c.hex())' "$cid")
start_sim "$work/other.img" --emmc-size 512M --boot-size 2M --rpmb-size 2M --cid "$other" --trace-file "$work/trace.txt"
before=$(sha256sum "$work/other.img" | cut -d' ' -f1)
# Issue 11: without the option the backup is a donor: its NVRAM is skipped, saying why
flash "$work/pkg" --plan --json
[ "$(result result.plan.mode)" = donor ] || fail "another phone: plan mode $(result result.plan.mode), expected donor"
[ "$(code_of NVRAM)" = donor_identity ] || fail "donor without --include-identity: NVRAM is $(code_of NVRAM)"
reason_of NVRAM | grep -q "donor backup of CID $cid: this phone keeps its own identity" || fail "reason: $(reason_of NVRAM)"
flash "$work/pkg" --yes --json --include-identity
[ "$rc" -eq 3 ] || fail "another phone's NVRAM: exit $rc, expected 3: $(tail -3 "$work/err.txt")"
[ "$(code_of NVRAM)" = identity_other_phone ] || fail "another phone: $(code_of NVRAM)"
reason_of NVRAM | grep -q "the manifest's CID is $cid, this phone's is $other" || fail "reason: $(reason_of NVRAM)"
stop_sim
! grep -q 'SDMMC_WRITE_DATA' "$work/trace.txt" || fail "a write command reached the phone"
[ "$(sha256sum "$work/other.img" | cut -d' ' -f1)" = "$before" ] || fail "the other phone's eMMC changed"
echo "ok another phone's backup: its NVRAM is refused, nothing written"

# Issue 8.9a: the DA's report 2 gives another CID than report 1: a misbehaving device, exit 1 with both
emmc="$work/e.img" # start_sim set it to the other phone's
start_sim "$emmc" --model "$m" --report2-cid "$other" --trace-file "$work/trace2.txt"
before=$(sha256sum "$emmc" | cut -d' ' -f1)
flash "$work/pkg" --yes --json --include-identity
[ "$rc" -eq 1 ] || fail "report 1 and 2 disagree: exit $rc, expected 1"
cat "$work/err.txt" "$work/out.json" >"$work/all.txt"
grep -q "two different eMMC CIDs" "$work/all.txt" || fail "no CID mismatch error: $(cat "$work/all.txt")"
c1=$(echo "$cid" | sed 's/../& /g; s/ $//')
c2=$(echo "$other" | sed 's/../& /g; s/ $//')
grep -q "report 1 says $c1, report 2 says $c2" "$work/all.txt" || fail "the error lacks both CIDs: $(cat "$work/all.txt")"
stop_sim
! grep -q 'SDMMC_WRITE_DATA' "$work/trace2.txt" || fail "a write command reached the phone"
[ "$(sha256sum "$emmc" | cut -d' ' -f1)" = "$before" ] || fail "the eMMC changed"
echo "ok report 1 and report 2 disagree on the CID: stopped with both values, nothing written"
# Issue 8.5 through 8.4: a plain `unifw backup` is what vouches for an image --include-identity writes back.
# A READ packet of NVRAM whose two changed bytes cancel in its 16-bit sum (twin) must not become a
# nvram.bin with a manifest hash for the wrong bytes: the backup reads identity partitions twice and stops
# (exit 1, NVRAM and the offset named), with or without --verify. The target is a byte past the 64 KiB the
# layout read samples, neither 0x00 nor 0xFF, with more data after it in its 1 MiB packet.
nv=$(python3 -c 'import json,sys
m = json.load(open(sys.argv[1]))
p = [p for p in m["partitions"] if p["name"] == "NVRAM"][0]
off, lin = int(p["offset"], 16), int(p["linear"], 16)
f = open(sys.argv[2], "rb"); f.seek(lin); b = f.read(1 << 20)
j = next(j for j in range(0x10000, len(b) - 1) if 0 < b[j] < 0xFF and any(b[j + 1:]))
print(off + j)' "$work/own/manifest.json" "$emmc")
start_sim "$emmc" --model "$m" --fault "twin:op=read,addr=$nv"
rc=0
"$UNIFW" backup -o "$work/twin" --partition NVRAM --json --port "$PORT" --da "$DA" >"$work/out.json" \
	2>"$work/err.txt" || rc=$?
stop_sim
[ "$rc" -eq 1 ] || fail "backup with a twin fault in NVRAM: exit $rc, expected 1 (a nvram.bin that is not the phone's)"
grep -q "second read from the phone differs from the first at .*offset $(printf '0x%x' "$nv")" "$work/err.txt" \
	"$work/out.json" || fail "twin backup: the error does not name the offset: $(tail -3 "$work/err.txt")"
echo "ok a backup whose NVRAM read took two compensating errors stops instead of vouching for them"
echo "PASS"
