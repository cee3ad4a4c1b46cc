#!/bin/sh
# Issue 11.3: unifw write --partition NAME FILE and unifw read --partition NAME -o FILE on unifw-sim:
#  - round trip: a raw image written into LOGO (through its alias `logo`), read back equal; a sparse image
#    (unifw sparse to-sparse) written into CACHE (alias `cache`) and read back equal to its raw form; the
#    eMMC outside the partition unchanged; the read's SHA-256 is the file's; an identity backup first;
#  - aliases: `boot` writes BOOTIMG (the plan names it);
#  - an unknown name: exit 2 before the phone is contacted (no DA in the sim trace), the accepted names
#    listed; a name the phone lacks (FAT on a516-like): exit 2 listing the phone's names, nothing written;
#  - an image larger than the partition: exit 3 too_big, nothing written;
#  - backup --partition boot backs up BOOTIMG (the same name table);
#  - a write cut by the link: the journal (STATE/flash/CID.write.journal) and `write --resume` end bit-exact;
#  - Ctrl-C during a write: exit 130, the printed `unifw write --resume ...` finishes it bit-exact;
#  - identity: nvram.bin of the phone's own backup refused without --include-identity (exit 3), written
#    with it; the same file without its manifest refused (identity_no_provenance), nothing written.
# Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/flash_lib.sh"

m=a516-like
emmc="$work/e.img"
"$SIM" make-emmc --model "$m" -o "$emmc" >/dev/null

run() { # CMD ARGS...: unifw on the served phone, like flash()
	rc=0
	"$UNIFW" "$@" --port "$PORT" --da "$DA" >"$work/out.json" 2>"$work/err.txt" || rc=$?
	[ "$rc" -lt 128 ] || fail "unifw $1 crashed (status $rc): $(tail -20 "$work/err.txt")"
}
plan_code() { result result.plan.partitions.0.code; }
same_outside() { # the eMMC equals before.img but in [user offset $1, +$2)
	python3 - "$emmc" "$work/before.img" "$CHECK" "$1" "$2" <<'PY'
import sys, importlib.util
spec = importlib.util.spec_from_file_location("fc", sys.argv[3]); fc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fc)
a, b = open(sys.argv[1], "rb"), open(sys.argv[2], "rb")
user = fc.emmc_layout(a)[0]["user"]
hole = (user + int(sys.argv[4], 0), user + int(sys.argv[4], 0) + int(sys.argv[5], 0))
a.seek(0, 2); end = a.tell(); pos = 0
for start, stop in ((0, hole[0]), (hole[1], end)):
    a.seek(start); b.seek(start); n = stop - start
    while n > 0:
        k = min(n, 1 << 22)
        assert a.read(k) == b.read(k), "difference in 0x%x..0x%x" % (start, stop)
        n -= k
PY
}

start_sim "$emmc" --model "$m"
"$UNIFW" backup -o "$work/own" --port "$PORT" --da "$DA" >/dev/null 2>"$work/err.txt" || fail "backup: $(tail -3 "$work/err.txt")"
stop_sim
logo_off=$(python3 -c 'import json,sys; print([p for p in json.load(open(sys.argv[1]))["partitions"] if p["name"] == "LOGO"][0]["offset"])' "$work/own/manifest.json")
logo_size=$(stat -c %s "$work/own/logo.bin")

# ---- unknown name: before the phone
cp --sparse=always "$emmc" "$work/before.img"
head -c 4096 /dev/urandom >"$work/small.bin"
start_sim "$emmc" --model "$m" --trace-file "$work/trace0.txt"
run write --partition zork "$work/small.bin" --yes --json
[ "$rc" -eq 2 ] || fail "write --partition zork: exit $rc, expected 2"
grep -q "unknown partition name zork; the names unifw accepts: PRELOADER, .*boot=BOOTIMG" "$work/err.txt" "$work/out.json" ||
	fail "write zork: the message does not list the accepted names: $(tail -2 "$work/err.txt")"
run read --partition zork -o "$work/z.bin" --json
[ "$rc" -eq 2 ] || fail "read --partition zork: exit $rc, expected 2"
stop_sim
! grep -q 'SEND_DA\|SDMMC\|DA1\|DA2' "$work/trace0.txt" 2>/dev/null || fail "an unknown name reached the phone (a DA was sent)"
[ ! -e "$work/z.bin" ] || fail "read zork created its output"
echo "ok an unknown partition name is refused before the phone is contacted (write and read, exit 2)"

# ---- a name the phone lacks, an image too big: nothing written
start_sim "$emmc" --model "$m" --trace-file "$work/trace1.txt"
run write --partition internal_sd "$work/small.bin" --yes --json
[ "$rc" -eq 2 ] || fail "write --partition internal_sd (FAT, which a516-like lacks): exit $rc, expected 2"
grep -q "the phone has no partition internal_sd (PRELOADER, MBR, EBR1, PRO_INFO, NVRAM" "$work/err.txt" "$work/out.json" ||
	fail "internal_sd: the phone's names are not listed: $(tail -2 "$work/err.txt")"
head -c $((logo_size + 512)) /dev/urandom >"$work/big.bin"
run write --partition LOGO "$work/big.bin" --yes --json
[ "$rc" -eq 3 ] || fail "an image larger than LOGO: exit $rc, expected 3"
[ "$(plan_code)" = too_big ] || fail "too big: code $(plan_code)"
stop_sim
! grep -q 'SDMMC_WRITE_DATA' "$work/trace1.txt" || fail "a refused write reached the phone"
cmp -s "$emmc" "$work/before.img" || fail "a refused write changed the eMMC"
echo "ok a name the phone lacks (exit 2, its names listed) and a too big image (exit 3) write nothing"

# ---- raw round trip through the alias `logo`
head -c "$logo_size" /dev/urandom >"$work/logo.raw"
start_sim "$emmc" --model "$m"
run write --partition logo "$work/logo.raw" --yes --json
[ "$rc" -eq 0 ] || fail "write logo: exit $rc: $(tail -3 "$work/err.txt")"
[ "$(result result.type)" = write ] && [ "$(result result.plan.partitions.0.name)" = LOGO ] ||
	fail "write logo: result $(result result.type) of $(result result.plan.partitions.0.name)"
[ -n "$(result result.identity_backup)" ] && [ -f "$(result result.identity_backup)/nvram.bin" ] ||
	fail "write logo: no identity backup before the write"
run read --partition LOGO -o "$work/logo.back" --json
stop_sim
[ "$rc" -eq 0 ] || fail "read LOGO: exit $rc: $(tail -3 "$work/err.txt")"
cmp "$work/logo.raw" "$work/logo.back" || fail "LOGO read back differs from what was written"
[ "$(result result.sha256)" = "$(sha256sum "$work/logo.back" | cut -d' ' -f1)" ] || fail "read: sha256 is not the file's"
[ "$(result result.verified_by_second_read)" = true ] || fail "read: not verified"
same_outside "$logo_off" "$logo_size" || fail "bytes outside LOGO changed"
echo "ok raw image written into LOGO (alias logo) and read back equal; nothing else changed"

# ---- sparse round trip through the alias `cache`, and `boot`
python3 -c 'import os,sys; open(sys.argv[1], "wb").write(os.urandom(1 << 20) + bytes(7 << 20))' "$work/cache.raw"
"$UNIFW" sparse to-sparse "$work/cache.raw" -o "$work/cache.sparse" >/dev/null 2>&1 || fail "unifw sparse to-sparse"
start_sim "$emmc" --model "$m"
run write --partition cache "$work/cache.sparse" --yes --json
[ "$rc" -eq 0 ] || fail "write cache (sparse): exit $rc: $(tail -3 "$work/err.txt")"
[ "$(result result.plan.partitions.0.form)" = sparse ] || fail "cache image not written as sparse: $(result result.plan.partitions.0.form)"
run read --partition CACHE -o "$work/cache.back" --json
[ "$rc" -eq 0 ] || fail "read CACHE: exit $rc"
head -c $((8 << 20)) "$work/cache.back" | cmp - "$work/cache.raw" || fail "CACHE read back differs from the sparse image's raw form"
run write --partition boot "$work/own/boot.img" --plan --json
[ "$rc" -eq 0 ] && [ "$(result result.plan.partitions.0.name)" = BOOTIMG ] || fail "alias boot: $(result result.plan.partitions.0.name)"
stop_sim
echo "ok sparse image written into CACHE (alias cache) and read back equal to its raw form; boot = BOOTIMG"

# ---- a write cut in the middle (the link dies after 1.5 MB from the host), then --resume: bit-exact
head -c "$logo_size" /dev/urandom >"$work/logo2.raw"
start_sim "$emmc" --model "$m" --fault "cut:op=any,dir=in,after=1500000"
run write --partition LOGO "$work/logo2.raw" --yes --json --range-size 64K
stop_sim
[ "$rc" -eq 1 ] || fail "cut write: exit $rc, expected 1"
ls "$UNIFW_STATE_DIR"/flash/*.write.journal >/dev/null 2>&1 || fail "cut write: no write journal"
grep -q "unifw write --resume --partition LOGO" "$work/err.txt" || fail "cut write: no resume line: $(tail -2 "$work/err.txt")"
start_sim "$emmc" --model "$m"
run write --resume --partition LOGO "$work/logo2.raw" --yes --json
[ "$rc" -eq 0 ] || fail "write --resume: exit $rc: $(tail -3 "$work/err.txt")"
[ "$(result result.ranges_resumed)" -gt 0 ] || fail "write --resume started over: ranges_resumed $(result result.ranges_resumed)"
run read --partition LOGO -o "$work/logo2.back" --json
stop_sim
cmp "$work/logo2.raw" "$work/logo2.back" || fail "LOGO after the resumed write differs from the image"
echo "ok a write cut by the link resumes (write --resume) and ends bit-exact"

# ---- Ctrl-C during a write held by the phone (stall): exit 130, the printed command finishes it bit-exact
head -c "$logo_size" /dev/urandom >"$work/logo3.raw"
rm -f "$UNIFW_STATE_DIR"/flash/*.write.journal
start_sim "$emmc" --model "$m" --fault stall:op=write,dir=out,ms=2500
"$UNIFW" write --partition logo "$work/logo3.raw" --yes --json --range-size 64K --port "$PORT" --da "$DA" \
	>"$work/out.json" 2>"$work/err.txt" &
pid=$!
i=0
until grep -q '"event":"begin","step":"flash"' "$work/out.json" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 1200 ] || { kill -KILL $pid; fail "the write did not begin: $(tail -3 "$work/err.txt")"; }
	kill -0 $pid 2>/dev/null || fail "unifw write ended before its writes: $(tail -3 "$work/err.txt")"
	sleep 0.1
done
sleep 1
kill -INT $pid
rc=0
wait $pid || rc=$?
stop_sim
[ "$rc" -eq 130 ] || fail "write stopped by SIGINT: exit $rc, expected 130: $(tail -5 "$work/err.txt")"
[ "$(result result.outcome)" = interrupted ] || fail "write SIGINT: outcome $(result result.outcome)"
last=$(tail -1 "$work/err.txt")
want="unifw: to resume, run: unifw write --resume --partition logo $work/logo3.raw --yes --json --port $PORT --da $DA"
[ "$last" = "$want" ] || fail "write SIGINT: last line '$last', expected '$want'"
start_sim "$emmc" --model "$m"
cmd=${last#unifw: to resume, run: unifw }
rc=0
eval "\"\$UNIFW\" $cmd" >"$work/out.json" 2>"$work/err.txt" || rc=$?
[ "$rc" -eq 0 ] || fail "the printed write resume command exited $rc: $(tail -5 "$work/err.txt")"
run read --partition LOGO -o "$work/logo3.back" --json
stop_sim
cmp "$work/logo3.raw" "$work/logo3.back" || fail "LOGO after the stop and resume differs from the image"
echo "ok write stopped by SIGINT (exit 130) and finished bit-exact by the printed resume command"

# ---- identity
cp --sparse=always "$emmc" "$work/before.img"
start_sim "$emmc" --model "$m"
run write --partition nvram "$work/own/nvram.bin" --yes --json
[ "$rc" -eq 3 ] && [ "$(plan_code)" = identity ] || fail "nvram without --include-identity: exit $rc, code $(plan_code)"
mkdir "$work/loose"
cp "$work/own/nvram.bin" "$work/loose/"
run write --partition NVRAM "$work/loose/nvram.bin" --include-identity --yes --json
[ "$rc" -eq 3 ] && [ "$(plan_code)" = identity_no_provenance ] || fail "nvram without its manifest: exit $rc, code $(plan_code)"
stop_sim
cmp -s "$emmc" "$work/before.img" || fail "a refused identity write changed the eMMC"
start_sim "$emmc" --model "$m"
run write --partition protect1 "$work/own/protect_f.img" --include-identity --yes --json
stop_sim
[ "$rc" -eq 0 ] || fail "own PROTECT_F with --include-identity: exit $rc: $(tail -3 "$work/err.txt")"
python3 "$CHECK" "$work/out.json" "$emmc" >/dev/null || fail "PROTECT_F is not the backup's file"
echo "ok identity: refused without --include-identity and without its manifest; this phone's own backup file written with it"

# ---- backup --partition takes the same names
start_sim "$emmc" --model "$m"
"$UNIFW" backup -o "$work/bk-boot" --partition boot --port "$PORT" --da "$DA" >/dev/null 2>"$work/err.txt" ||
	fail "backup --partition boot: $(tail -3 "$work/err.txt")"
stop_sim
[ -f "$work/bk-boot/boot.img" ] || fail "backup --partition boot wrote no boot.img: $(ls "$work/bk-boot")"
echo "ok backup --partition boot backs up BOOTIMG"
echo "PASS"
