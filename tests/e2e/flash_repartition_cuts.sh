#!/bin/sh
# Issue 11 item 7: a Firmware Upgrade (`unifw flash UNIVERSAL --repartition`, a516-like phone: boot region
# 0x600000, the package's 0xC00000) cut at ten seeded points by unifw-sim's faults, each followed by
# `unifw flash --resume`: during the table write (MBR, PMT), between the table and the identity (the first
# identity range), three times during the identity writes, twice during the firmware, during the identity
# backup (before any write), and a corrupted write packet. The journal's phase after each cut is checked
# against the point aimed at; after each resume the identity partitions equal their bytes before the flash,
# every written range is bit-exact, and the phone boots (never dead nor imei_null). A resume whose identity
# backup entry changed (nvram.bin edited) is refused before anything is written.
# Small ranges (--range-size 64K) make the journal's progress fine-grained. Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/flash_lib.sh"
RCHECK="$(cd "$(dirname "$0")" && pwd)/repart_check.py"

m=a516-like
base="$work/factory.img"
pkg="$work/universal"
"$SIM" make-emmc --model "$m" -o "$base" >/dev/null
"$SIM" make-firmware --universal -o "$pkg" >/dev/null

# the plan before any flash: the old places of the identity partitions
cp --sparse=always "$base" "$work/e.img"
start_sim "$work/e.img" --model "$m"
flash "$pkg" --plan --json --repartition --range-size 64K
[ "$rc" -eq 0 ] || fail "plan: exit $rc: $(tail -3 "$work/err.txt")"
cp "$work/out.json" "$work/before.json"
stop_sim

# The phases' payload bytes, from the plan: tables (MBR, EBR1, PMT), identity, firmware (sparse images send
# less than they cover: their share comes from a clean run's bytes_sent).
cp --sparse=always "$base" "$work/e.img"
start_sim "$work/e.img" --model "$m"
flash "$pkg" --yes --json --repartition --range-size 64K
[ "$rc" -eq 0 ] || fail "clean run: exit $rc: $(tail -3 "$work/err.txt")"
stop_sim
sent=$(result result.bytes_sent)
eval "$(python3 - "$work/before.json" "$sent" <<'PY'
import json, sys
plan = json.loads(open(sys.argv[1]).read().splitlines()[-1])["result"]["plan"]
w = [p for p in plan["partitions"] if p["action"] == "write"]
tables = sum(p["written_size"] if p["file"] else p["size"] for p in w if p["name"] in ("MBR", "EBR1", "PMT"))
ident = sum(p["size"] for p in w if p["form"] == "carry")
fw = int(sys.argv[2]) - tables - ident
start = 40000  # the DA upload (~25 KB), the commands before the first write, and some slack
print("id0=%d idlen=%d fw0=%d fwlen=%d" % (start + tables, ident, start + tables + ident, fw))
PY
)"
[ "$fwlen" -gt 1000000 ] || fail "firmware share of $fwlen bytes"

n=0
run_cut() { # run_cut SEED SPEC EXPECTED_PHASE
	n=$((n + 1))
	cp --sparse=always "$base" "$work/e.img"
	rm -rf "$UNIFW_STATE_DIR"
	start_sim "$work/e.img" --model "$m" --fault "$2" --seed "$1"
	flash "$pkg" --yes --json --repartition --range-size 64K
	[ "$rc" -eq 1 ] || fail "cut $n ($2): exit $rc, expected 1: $(tail -3 "$work/err.txt")"
	j=$(ls "$UNIFW_STATE_DIR"/flash/*.journal)
	phase=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("phase", ""))' "$j")
	[ "$3" = any ] || [ "$phase" = "$3" ] || fail "cut $n ($2): the journal's phase is '$phase', expected $3"
	if [ "$n" -eq 5 ]; then # the identity comes from the backup entry, checked: an edited copy is refused
		entry=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["identity_backup"])' "$j")
		cp "$entry/nvram.bin" "$work/nvram.keep"
		python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[100] ^= 1; open(sys.argv[1], "wb").write(b)' \
			"$entry/nvram.bin"
		cut_sha=$(sha256sum "$work/e.img" | cut -d' ' -f1)
		flash --resume --yes --json
		[ "$rc" -eq 1 ] || fail "resume with an edited identity backup: exit $rc, expected 1"
		result error.message | grep -q "hashes to" || fail "edited backup: $(result error.message)"
		[ "$(result result.failed_step)" = identity ] || fail "edited backup: step $(result result.failed_step)"
		[ "$(sha256sum "$work/e.img" | cut -d' ' -f1)" = "$cut_sha" ] || fail "edited backup: the eMMC changed"
		cp "$work/nvram.keep" "$entry/nvram.bin"
		echo "ok an edited identity backup entry stops the resume before any write"
	fi
	# the phone is plugged in again (a power-on); every other resume names the package
	if [ $((n % 2)) -eq 0 ]; then
		flash --resume "$pkg" --yes --json
	else
		flash --resume --yes --json
	fi
	[ "$rc" -eq 0 ] || fail "resume after cut $n ($2): exit $rc: $(tail -5 "$work/err.txt")"
	[ "$(result result.outcome)" = flashed ] || fail "resume $n: outcome $(result result.outcome)"
	stop_sim
	python3 "$RCHECK" "$work/before.json" "$base" "$work/e.img" "$work/out.json" >"$work/check.txt" || {
		cat "$work/check.txt"
		fail "after cut $n ($2) and resume"
	}
	"$SIM" boot --emmc "$work/e.img" --json >"$work/boot.json" 2>/dev/null || true
	python3 - "$work/boot.json" <<'PY' || fail "after cut $n: boot verdict $(head -c 300 "$work/boot.json")"
import json, sys
b = json.load(open(sys.argv[1]))
faults = [f["code"] for f in b.get("faults", [])] + [r.get("code") for r in b.get("reasons", [])]
assert b["verdict"] not in ("dead", "brom_loop", "stuck_brom", "boot_loop"), b["verdict"]
assert "imei_null" not in faults, faults
PY
	echo "ok cut $n ($2): phase '$phase', resumed $(result result.ranges_resumed) range(s) done; identity intact, bit-exact, boots"
}

run_cut 1 "cut:op=write,after=256" table                   # in the MBR write
run_cut 2 "cut:op=write,after=4096" table                  # in the PMT write (the first write over 4 KiB)
run_cut 3 "reset:op=write,after=9000" identity             # the first identity range: tables done, no identity
run_cut 4 "cut:op=any,dir=in,after=$((id0 + idlen / 10))" identity
run_cut 5 "cut:op=any,dir=in,after=$((id0 + idlen / 2))" identity
run_cut 6 "cut:op=any,dir=in,after=$((id0 + idlen * 9 / 10))" identity
run_cut 7 "cut:op=any,dir=in,after=$((fw0 + fwlen / 4))" firmware
run_cut 8 "cut:op=any,dir=in,after=$((fw0 + fwlen * 3 / 4))" firmware
run_cut 9 "cut:op=read,after=3000000" backup               # the identity backup, before any write
run_cut 10 "flip:op=write,dir=in,at=random" any            # a write packet refused for its checksum
[ "$n" -eq 10 ] || fail "$n cuts"
echo "PASS"
