#!/bin/sh
# unifw flash cut at ten different points by unifw-sim's seeded faults, each followed by
# `unifw flash --resume`: the resumed job ends bit-exact (flash_check.py) and the phone boots.
# The points: the host->device byte stream cut at six seeded offsets spread over the writes, a phone reset
# in the middle of a write command, the link cut while the identity backup reads, the link cut while a
# written range is read back, and host data corrupted on the wire (a packet checksum the DA refuses).
# Small ranges (--range-size 64K) make the journal's progress fine-grained. Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/flash_lib.sh"

m=a516-like
base="$work/factory.img"
pkg="$work/pkg"
"$SIM" make-emmc --model "$m" -o "$base" >/dev/null
"$SIM" make-firmware --model "$m" --seed 2 -o "$pkg" >/dev/null

# A clean run measures the job: bytes written, and (from the sim's trace) the bytes read before the first
# write (partition table, identity backup), so that a cut can be aimed at the read-back of written ranges.
cp --sparse=always "$base" "$work/e.img"
start_sim "$work/e.img" --model "$m" --trace-file "$work/trace.txt"
# A range is kept in memory for the read-back: more than 32M is a usage error, before the phone is touched.
flash "$pkg" --yes --json --range-size 64M
[ "$rc" -eq 2 ] || fail "--range-size 64M exited $rc, expected 2 (usage)"
grep -q "up to 32M" "$work/err.txt" || fail "--range-size 64M: $(cat "$work/err.txt")"
flash "$pkg" --yes --json --range-size 0x100000000002M # 2M once the shift wraps: refused all the same
[ "$rc" -eq 2 ] || fail "--range-size 0x100000000002M exited $rc, expected 2 (usage)"
flash "$pkg" --yes --json --with-preloader --range-size 64K
[ "$rc" -eq 0 ] || fail "clean flash exited $rc: $(tail -5 "$work/err.txt")"
stop_sim
sent=$(result result.bytes_sent)
[ "$sent" -gt 1000000 ] || fail "only $sent bytes sent"
read_before=$(python3 -c "
import re, sys
total = 0
for line in open(sys.argv[1]):
    if 'SDMMC_WRITE' in line or ' WRITE ' in line:
        break
    m = re.search(r'> READ .* len=0x([0-9A-Fa-f]+)', line)
    if m:
        total += int(m.group(1), 16)
print(total)" "$work/trace.txt")
[ "$read_before" -gt 1000000 ] || fail "the trace shows only $read_before bytes read before the first write"

# Seeded offsets in the host->device stream (the DA upload is about 25 KB, then the writes).
offsets=$(python3 -c "
import random
r = random.Random(4)
print(' '.join(str(40000 + (k * ($sent - 60000)) // 6 + r.randrange(50000)) for k in range(6)))")

n=0
run_cut() {
	n=$((n + 1))
	seed=$1
	spec=$2
	cp --sparse=always "$base" "$work/e.img"
	start_sim "$work/e.img" --model "$m" --fault "$spec" --seed "$seed"
	flash "$pkg" --yes --json --with-preloader --range-size 64K
	[ "$rc" -eq 1 ] || fail "cut $n ($spec): exit $rc, expected 1: $(tail -3 "$work/err.txt")"
	step=$(result result.failed_step)
	[ -n "$step" ] || fail "cut $n ($spec): no failed step in $(tail -1 "$work/out.json")"
	msg=$(result error.message)
	[ -n "$msg" ] || fail "cut $n: no error message"
	# the phone is plugged in again (the sim's next connection is a power-on) and the job resumed;
	# every other run names the package again, the others take it from the journal
	if [ $((n % 2)) -eq 0 ]; then
		flash --resume "$pkg" --yes --json
	else
		flash --resume --yes --json
	fi
	[ "$rc" -eq 0 ] || fail "resume after cut $n ($spec): exit $rc: $(tail -5 "$work/err.txt")"
	[ "$(result result.outcome)" = flashed ] || fail "resume $n: outcome $(result result.outcome)"
	python3 "$CHECK" "$work/out.json" "$work/e.img" >/dev/null || {
		python3 "$CHECK" "$work/out.json" "$work/e.img"
		fail "after cut $n ($spec) and resume the eMMC is not the package"
	}
	stop_sim
	v=0
	"$SIM" boot --emmc "$work/e.img" >/dev/null 2>&1 || v=$?
	[ "$v" -eq 0 ] || fail "after cut $n the phone does not boot (verdict $v)"
	echo "ok cut $n ($spec): stopped in step $step, resumed $(result result.ranges_resumed) range(s) done, bit-exact"
}

k=0
for off in $offsets; do
	k=$((k + 1))
	run_cut "$k" "cut:op=any,dir=in,after=$off"
done
run_cut 7 "reset:op=write,at=50%"
run_cut 8 "cut:op=read,after=3000000"
run_cut 9 "cut:op=any,dir=out,after=$((read_before + sent / 2))"
run_cut 10 "flip:op=write,dir=in,at=random"
[ "$n" -eq 10 ] || fail "$n cuts"

# A journal that claims more than was done. Hand-edited, it fails its integrity check: refused, nothing
# sent. Edited with the check computed again (a "consistent lie": the partition being written claims all
# its ranges), it loads; the resume reads back every range it claims, writes the missing ones again and
# ends bit-exact, and its result counts them.
cp --sparse=always "$base" "$work/e.img"
start_sim "$work/e.img" --model "$m" --fault "cut:op=any,dir=in,after=1500000"
flash "$pkg" --yes --json --range-size 64K
[ "$rc" -eq 1 ] || fail "cut for the journal lie: exit $rc"
jfile=$(ls "$UNIFW_STATE_DIR"/flash/*.journal)
lie() { # lie IN OUT RECOMPUTE: every started partition claims all its ranges written and verified
	python3 - "$@" <<'PY'
import hashlib, json, sys
j = json.load(open(sys.argv[1]))
claimed = 0
for p in j["partitions"]:
    if p["ranges"] and p["verified"] < p["ranges"]:
        claimed += p["ranges"] - p["verified"]
        p["written"] = p["verified"] = p["ranges"]
assert claimed, "nothing to lie about"
del j["check_sha256"]
# the canonical form: compact JSON, keys in the journal's order, without the check (docs/flash.md)
if sys.argv[3] == "yes":
    j["check_sha256"] = hashlib.sha256(json.dumps(j, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
else:
    j["check_sha256"] = json.load(open(sys.argv[1]))["check_sha256"]
open(sys.argv[2], "w").write(json.dumps(j, indent=2))
print(claimed)
PY
}
cut_sha=$(sha256sum "$work/e.img" | cut -d' ' -f1)
lie "$jfile" "$work/tampered.journal" no >/dev/null
flash --resume --journal "$work/tampered.journal" --yes --json
[ "$rc" -eq 1 ] || fail "tampered journal: exit $rc, expected 1"
result error.message | grep -q "journal integrity check failed" || fail "tampered journal: $(result error.message)"
[ "$(sha256sum "$work/e.img" | cut -d' ' -f1)" = "$cut_sha" ] || fail "tampered journal: the eMMC changed"
claimed=$(lie "$jfile" "$jfile.new" yes)
mv "$jfile.new" "$jfile"
flash --resume --yes --json
[ "$rc" -eq 0 ] || fail "resume of the consistent lie: exit $rc: $(tail -5 "$work/err.txt")"
python3 "$CHECK" "$work/out.json" "$work/e.img" >/dev/null || fail "after the journal's lie the eMMC is not the package"
rewritten=$(result result.ranges_rewritten)
[ "$rewritten" -gt 0 ] && [ "$rewritten" -le "$claimed" ] ||
	fail "the lie claimed $claimed range(s), $rewritten rewritten"
[ "$(result result.ranges_reverified)" -gt 0 ] || fail "no range read back equal"
stop_sim
echo "ok a tampered journal refused; a consistent lie of $claimed range(s): $rewritten rewritten, bit-exact"

# a resume against another phone's journal, and with another package, is refused
cp --sparse=always "$base" "$work/e.img"
start_sim "$work/e.img" --model "$m" --fault "cut:op=any,dir=in,after=600000"
flash "$pkg" --yes --json --range-size 64K
[ "$rc" -eq 1 ] || fail "cut for the refusal test: exit $rc"
"$SIM" make-firmware --model "$m" --seed 5 -o "$work/other" >/dev/null
flash --resume "$work/other" --yes --json
[ "$rc" -eq 1 ] || fail "resume with another package: exit $rc"
result error.message | grep -q "differ from those of the interrupted flash" || fail "no reason: $(result error.message)"
stop_sim
echo "ok another package refused"

# another phone (another CID, another layout) given this phone's journal: refused for the CID, naming both,
# before its layout is compared with the package (which would be a plan refusal, exit 3); nothing written
jcid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cid"])' "$UNIFW_STATE_DIR"/flash/*.journal)
cp "$UNIFW_STATE_DIR/flash/$jcid.journal" "$work/a516.journal"
"$SIM" make-emmc --model wiko-like -o "$work/w.img" >/dev/null
wbefore=$(sha256sum "$work/w.img" | cut -d' ' -f1)
start_sim "$work/w.img" --model wiko-like
flash --resume --journal "$work/a516.journal" --yes --json
stop_sim
[ "$rc" -eq 1 ] || fail "another phone's journal: exit $rc, expected 1: $(tail -3 "$work/err.txt")"
msg=$(result error.message)
echo "$msg" | grep -q "CID $jcid; this phone's CID is [0-9a-f]\{32\}" || fail "another phone's journal: $msg"
echo "$msg" | grep -q "CID is $jcid" && fail "another phone's journal: the same CID twice: $msg"
[ "$(sha256sum "$work/w.img" | cut -d' ' -f1)" = "$wbefore" ] || fail "another phone's journal: its eMMC changed"
echo "ok another phone's journal refused for its CID"
echo "PASS"
