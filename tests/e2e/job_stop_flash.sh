#!/bin/sh
# Ctrl-C (SIGINT) during `unifw flash` while the first write is held (unifw-sim stall fault): the flash stops at the next
# range boundary (never inside a write command), exits 130, its journal says "interrupted", and the last
# line on stderr is the command that resumes it. That command, run as printed against the phone plugged
# in again, finishes the flash bit-exact (flash_check.py) and the phone boots. Exit 0 pass, 77 skip.
. "$(dirname "$0")/flash_lib.sh"

m=a516-like
"$SIM" make-emmc --model "$m" -o "$work/e.img" >/dev/null
"$SIM" make-firmware --model "$m" --seed 3 -o "$work/pkg" >/dev/null

start_sim "$work/e.img" --model "$m" --fault stall:op=write,dir=out,ms=2500
"$UNIFW" flash "$work/pkg" --yes --json --range-size 64K --port "$PORT" --da "$DA" >"$work/out.json" \
	2>"$work/err.txt" &
pid=$!
# wait for the writes to begin (the identity backup reads come first), then let a few ranges go
i=0
until grep -q '"event":"begin","step":"flash"' "$work/out.json" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 1200 ] || { kill -KILL $pid; fail "the writes did not begin: $(tail -3 "$work/err.txt")"; }
	kill -0 $pid 2>/dev/null || fail "unifw flash ended before its writes: $(tail -3 "$work/err.txt")"
	sleep 0.1
done
sleep 1
kill -INT $pid
rc=0
wait $pid || rc=$?
stop_sim
[ "$rc" -eq 130 ] || fail "stopped by SIGINT: exit $rc, expected 130: $(tail -5 "$work/err.txt")"
[ "$(result result.outcome)" = interrupted ] || fail "outcome $(result result.outcome)"
[ "$(result result.failed_step)" = cancelled ] || fail "failed step $(result result.failed_step)"
[ "$(result error.code)" = cancelled ] || fail "error code $(result error.code)"
journal=$(ls "$UNIFW_STATE_DIR"/flash/*.journal)
python3 -c 'import json,sys
j = json.load(open(sys.argv[1]))
assert j["state"] == "interrupted", j["state"]
assert "stopped on request" in j["last_error"], j["last_error"]
assert any(p["written"] for p in j["partitions"]), "no range was written before the stop"
assert not all(p["written"] == p["ranges"] for p in j["partitions"]), "the flash was complete"' "$journal" ||
	fail "journal after the stop: $(cat "$journal")"
last=$(tail -1 "$work/err.txt")
want="unifw: to resume, run: unifw flash --resume --yes --json --port $PORT --da $DA"
[ "$last" = "$want" ] || fail "last line: '$last', expected '$want'"

# the phone plugged in again (a fresh sim on the same socket, at full speed): run the printed command
start_sim "$work/e.img" --model "$m"
cmd=${last#unifw: to resume, run: unifw }
rc=0
eval "\"\$UNIFW\" $cmd" >"$work/out.json" 2>"$work/err.txt" || rc=$?
stop_sim
[ "$rc" -eq 0 ] || fail "the printed resume command exited $rc: $(tail -5 "$work/err.txt")"
[ "$(result result.outcome)" = flashed ] || fail "resume: outcome $(result result.outcome)"
[ "$(result result.ranges_resumed)" -gt 0 ] || fail "resume: no range taken from the journal"
python3 "$CHECK" "$work/out.json" "$work/e.img" >/dev/null || fail "after the stop and resume the eMMC is not the package"
v=0
"$SIM" boot --emmc "$work/e.img" >/dev/null 2>&1 || v=$?
[ "$v" -eq 0 ] || fail "after the resume the phone does not boot (verdict $v)"
echo "ok SIGINT: stopped at a range boundary, exit 130, journal interrupted, the printed command resumed it bit-exact"
