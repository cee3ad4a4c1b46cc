#!/bin/sh
# SIGINT during `unifw format --all-but-identity` while the first FORMAT is held (unifw-sim stall fault): the erase stops
# before the next partition (a FORMAT and its read-back are never cut), exits 130, its result names what was
# erased and what remains, and the last line on stderr is the command that erases the rest. That command,
# run as printed, erases exactly the remaining partitions (each verified). Exit 0 pass, 77 skip, else fail.
set -eu
. "$(dirname "$0")/backup_lib.sh"

m=a516-like
img="$work/$m.img"
"$SIM" make-emmc --model "$m" -o "$img" >/dev/null
mkdir "$work/bk"

sim_start "$img" --model "$m" --mode preloader --preloader-window 0 --fault stall:op=format,ms=2500
"$UNIFW" format --all-but-identity --yes --json --backup-dir "$work/bk" --port "$PORT" >"$work/out" 2>"$work/err" &
pid=$!
i=0
until grep -q '"event":"begin","step":"format"' "$work/out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 1200 ] || { kill -KILL $pid; fail "no erase began: $(tail -3 "$work/err")"; }
	kill -0 $pid 2>/dev/null || fail "unifw format ended before its first erase: $(tail -3 "$work/err")"
	sleep 0.1
done
kill -INT $pid
rc=0
wait $pid || rc=$?
sim_stop
[ "$rc" -eq 130 ] || fail "stopped by SIGINT: exit $rc, expected 130: $(tail -5 "$work/err")"
python3 - "$work/out" "$work/rest" <<'PY' || fail "result after the stop: $(tail -1 "$work/out" | cut -c1-400)"
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert r["ok"] is False and r["error"]["code"] == "cancelled", r.get("error")
res = r["result"]
planned = [p["name"] for p in res["plan"]["partitions"] if p["erase"]]
assert res["erased"] and res["remaining"], (res.get("erased"), res.get("remaining"))
assert res["erased"] + res["remaining"] == planned, (res["erased"], res["remaining"], planned)
assert res["identity_backup"]
open(sys.argv[2], "w").write(" ".join(res["remaining"]))
PY
last=$(tail -1 "$work/err")
want="unifw: to resume, run: unifw format"
for p in $(cat "$work/rest"); do want="$want --partition $p"; done
want="$want --backup-dir $work/bk --yes --json --port $PORT"
[ "$last" = "$want" ] || fail "last line: '$last', expected '$want'"

sim_start "$img" --model "$m" --mode preloader --preloader-window 0
cmd=${last#unifw: to resume, run: unifw }
rc=0
eval "\"\$UNIFW\" $cmd" >"$work/out" 2>"$work/err" || rc=$?
sim_stop
[ "$rc" -eq 0 ] || fail "the printed command exited $rc: $(tail -5 "$work/err")"
python3 - "$work/out" "$work/rest" <<'PY' || fail "the rest: $(tail -1 "$work/out" | cut -c1-400)"
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert r["ok"] is True, r
res = r["result"]
assert res["erased"] == open(sys.argv[2]).read().split(), (res["erased"],)
assert [v["name"] for v in res["verified"]] == res["erased"]
PY
echo "ok SIGINT: stopped between partitions, exit 130, the printed command erased the rest, each verified"
