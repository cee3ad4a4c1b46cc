#!/bin/sh
# unifw flash against a misbehaving virtual phone (run it with the ASan+UBSan build's unifw to prove "no
# crash"): lengths far beyond any real device (READ_PMT 0x7FFFFFF0, a negative PMT length, report 1/2 id
# counts, an EMI length), bit flips in read data (bad packet checksums), an eMMC that acknowledges a write
# and stores nothing. Each gets a clean error (exit 1, or 4 for the lying eMMC) that names the step, never a
# signal or a sanitizer report; the faults before the first write leave the eMMC untouched; the lie is
# caught by the read-back and --resume repairs it bit-exact. Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/flash_lib.sh"

m=a516-like
base="$work/factory.img"
"$SIM" make-emmc --model "$m" -o "$base" >/dev/null
"$SIM" make-firmware --model "$m" --seed 2 -o "$work/pkg" >/dev/null
before=$(sha256sum "$base" | cut -d' ' -f1)

# spec, mode, what the error must mention
while IFS='|' read -r spec mode needle; do
	[ -n "$spec" ] || continue
	cp --sparse=always "$base" "$work/e.img"
	start_sim "$work/e.img" --model "$m" --mode "$mode" --fault "$spec"
	flash "$work/pkg" --yes --json
	stop_sim
	[ "$rc" -eq 1 ] || fail "$spec: exit $rc, expected 1: $(tail -3 "$work/err.txt")"
	msg=$(result error.text)
	echo "$msg" | grep -qi "$needle" || fail "$spec: the error does not mention '$needle': $msg"
	[ "$(sha256sum "$work/e.img" | cut -d' ' -f1)" = "$before" ] || fail "$spec: the eMMC changed"
	echo "ok $spec: $(echo "$msg" | cut -c1-150)"
done <<'LIST'
oversize:op=pmt|preloader|PMT
negative:op=pmt|preloader|PMT
oversize:op=report|preloader|report 2
oversize:op=da1|preloader|report 1
oversize:op=emi|brom|found a count of
flip:op=read,after=100,every=65536|preloader|sum
LIST

# a READ packet of NVRAM changed in two bytes that cancel in its 16-bit checksum while the identity
# backup reads it: the backup's second read differs, the job stops before any write (exit 1) naming NVRAM
# and the offset, and the eMMC is unchanged
cp --sparse=always "$base" "$work/e.img"
start_sim "$work/e.img" --model "$m"
flash "$work/pkg" --plan --json
stop_sim
[ "$rc" -eq 0 ] || fail "plan only: exit $rc: $(tail -3 "$work/err.txt")"
# the target: a byte of NVRAM past the 64 KiB that reading the partition table samples of every partition
# (that READ would take the fault), neither 0x00 nor 0xFF, with more data after it in its 1 MiB packet (so
# the changed pair starts there); the sim's image holds the user area at the partition's linear address
target=$(result result.plan.partitions | python3 -c 'import json,sys
nv = [p for p in json.load(sys.stdin) if p["name"] == "NVRAM"][0]
off, lin = int(nv["offset"], 16), int(nv["linear"], 16)
f = open(sys.argv[1], "rb"); f.seek(lin); b = f.read(1 << 20)
j = next(j for j in range(0x10000, len(b) - 1) if 0 < b[j] < 0xFF and any(b[j + 1:]))
print(off + j)' "$work/e.img")
# times=2: the flash reads NVRAM once before the plan (the phone's fingerprint for unifw check: its identity
# state, read once, not compared) and then twice for the identity backup; the twin takes the first two
start_sim "$work/e.img" --model "$m" --fault "twin:op=read,addr=$target,times=2"
flash "$work/pkg" --yes --json
stop_sim
[ "$rc" -eq 1 ] || fail "twin: exit $rc, expected 1: $(tail -3 "$work/err.txt")"
msg=$(result error.message)
echo "$msg" | grep -q "NVRAM" || fail "twin: the error does not name NVRAM: $msg"
echo "$msg" | grep -q "second read from the phone differs from the first at .*offset $(printf '0x%x' "$target")" ||
	fail "twin: the error does not name offset $(printf '0x%x' "$target"): $msg"
[ "$(result result.failed_step)" = backup ] || fail "twin: failed step $(result result.failed_step)"
[ "$(result result.bytes_sent)" = 0 ] || fail "twin: $(result result.bytes_sent) bytes sent"
[ "$(sha256sum "$work/e.img" | cut -d' ' -f1)" = "$before" ] || fail "twin: the eMMC changed"
echo "ok twin:op=read on NVRAM: the identity backup's second read stops the flash: $(echo "$msg" | cut -c1-160)"

# an eMMC that says "written" and stores nothing: the read-back catches it (exit 4), --resume repairs
cp --sparse=always "$base" "$work/e.img"
# (the first write long enough to reach the trigger is lk.bin, whose bytes differ from the factory's)
start_sim "$work/e.img" --model "$m" --fault "lie:op=write,after=100000"
flash "$work/pkg" --yes --json
[ "$rc" -eq 4 ] || fail "lie: exit $rc, expected 4: $(tail -3 "$work/err.txt")"
[ "$(result result.verify_failed)" = true ] || fail "lie: verify_failed not set"
result error.message | grep -q "reads back different from what was written" || fail "lie: $(result error.message)"
flash --resume --yes --json
[ "$rc" -eq 0 ] || fail "resume after the lie: exit $rc: $(tail -3 "$work/err.txt")"
python3 "$CHECK" "$work/out.json" "$work/e.img" >/dev/null || fail "after the lie and resume the eMMC is not the package"
stop_sim
echo "ok lie:op=write caught by the read-back (exit 4), repaired by --resume"
echo "PASS"
