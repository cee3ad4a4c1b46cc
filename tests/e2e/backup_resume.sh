#!/bin/sh
# unifw backup cut by the link (unifw-sim --fault cut:op=read at seeded random points, and at fixed
# byte counts inside a partition, across chunk boundaries), then --resume: the finished backup is
# bit-exact with the virtual eMMC. A resume against another phone (another CID) is refused, a
# resume without a journal is refused, and a finished folder is never overwritten. The --json event
# stream is checked on the way (begin/progress/end events, the result object last).
set -eu
. "$(dirname "$0")/backup_lib.sh"

m=a516-like
img="$work/$m.img"
"$SIM" make-emmc --model "$m" -o "$img" >/dev/null
bk="$work/bk"
run=0
# The fault counts bytes per READ operation: with --chunk 4 every READ of a large partition moves 4 MiB,
# so "after=N" with N above the partition-table reads (a few KiB each) cuts inside a partition's chunk,
# at an offset that is not a packet boundary. N: fixed values and seeded random ones (SEED to vary).
seed=${SEED:-6572}
randoms=$(python3 -c "import random; r=random.Random($seed); print(' '.join(str(r.randrange(70000, 4194000)) for _ in range(3)))")
faults="cut:op=read,after=3000000 cut:op=read,after=1048576 reset:op=read,after=4194000"
for n in $randoms; do faults="$faults cut:op=read,after=$n"; done
for fault in $faults; do
	run=$((run + 1))
	rm -rf "$bk"
	sim_start "$img" --model "$m" --mode preloader --preloader-window 0 --fault "$fault" --seed $run
	if "$UNIFW" backup --port "$PORT" -o "$bk" --chunk 4 --skip-empty >"$work/out" 2>"$work/err"; then
		cat "$work/err"
		fail "backup survived $fault"
	fi
	grep -q "resume" "$work/err" || { cat "$work/err"; fail "the error does not say how to continue"; }
	[ -f "$bk/.unifw-backup-journal.json" ] || fail "no journal after the cut"
	[ ! -f "$bk/manifest.json" ] || fail "a manifest after a failed backup"
	# without --resume the folder is refused
	if "$UNIFW" backup --port "$PORT" -o "$bk" >/dev/null 2>"$work/err2"; then fail "overwrote an interrupted backup"; fi
	grep -q -- "--resume" "$work/err2" || fail "refusal does not mention --resume"
	sim_stop
	sim_start "$img" --model "$m" --mode preloader --preloader-window 0
	"$UNIFW" backup --port "$PORT" -o "$bk" --chunk 4 --skip-empty --resume --json >"$work/events" 2>"$work/err" ||
		{ cat "$work/err"; tail -3 "$work/events"; fail "resume after $fault"; }
	sim_stop
	backup_equals_image "$bk" "$img"
	[ ! -f "$bk/.unifw-backup-journal.json" ] || fail "journal left behind"
	python3 - "$work/events" <<'PY' || fail "JSON events"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
kinds = {e["event"] for e in ev}
assert {"begin", "end", "result", "note"} <= kinds, kinds
assert ev[-1]["event"] == "result" and ev[-1]["ok"] is True, ev[-1]
assert ev[-1]["result"]["kind"] == "unifw-backup"
assert any(e["event"] == "note" and "resuming" in e["message"] for e in ev)
ends = [e for e in ev if e["event"] == "end" and e["step"] == "read"]
assert ends and all(e["status"] == "ok" for e in ends)
PY
	echo "cut by $fault, resumed: bit-exact"
done

# a finished backup is not resumed and not overwritten
sim_start "$img" --model "$m" --mode preloader --preloader-window 0
if "$UNIFW" backup --port "$PORT" -o "$bk" --resume >/dev/null 2>"$work/err"; then fail "resumed a finished backup"; fi
grep -q "already complete" "$work/err" || { cat "$work/err"; fail "finished backup: wrong message"; }
# an interrupted backup of THIS phone, then a resume on ANOTHER phone: refused by CID
rm -rf "$bk"
sim_stop
sim_start "$img" --model "$m" --mode preloader --preloader-window 0 --fault "cut:op=read,after=2000000"
"$UNIFW" backup --port "$PORT" -o "$bk" --chunk 4 >/dev/null 2>&1 && fail "backup survived the cut"
sim_stop
other="$work/other.img"
"$SIM" make-emmc --model wiko-like -o "$other" >/dev/null
sim_start "$other" --model wiko-like --mode preloader --preloader-window 0
if "$UNIFW" backup --port "$PORT" -o "$bk" --chunk 4 --resume >/dev/null 2>"$work/err"; then fail "resumed on another phone"; fi
grep -q "another phone" "$work/err" || { cat "$work/err"; fail "other phone: wrong message"; }
sim_stop
# the part of an interrupted backup on disk is compared with the phone before it is built on: a byte
# altered in a finished image and one in the partial image are found, read again, and the backup ends
# bit-exact (the journal alone vouched for both files)
rm -rf "$bk"
sim_start "$img" --model "$m" --mode preloader --preloader-window 0 --fault "cut:op=any,dir=out,after=30000000"
"$UNIFW" backup --port "$PORT" -o "$bk" --chunk 4 >/dev/null 2>&1 && fail "backup survived the cut at 30 MB"
sim_stop
python3 - "$bk" <<'PY' || fail "altering the interrupted backup"
import json, sys
d = sys.argv[1]
items = json.load(open(d + "/.unifw-backup-journal.json"))["items"]
done = [i for i in items if i["complete"] and i["size"] > 0x3000]
part = [i for i in items if not i["complete"] and i["done"] > 0]
assert done and part, "the cut left no finished and no partial image: %s" % [(i["name"], i["done"]) for i in items]
for it in (done[-1], part[0]):
    at = min(it["done"] - 1, 0x2345)
    with open(d + "/" + it["image"], "r+b") as f:
        f.seek(at); b = f.read(1); f.seek(at); f.write(bytes([b[0] ^ 0x10]))
    print("altered %s at 0x%x" % (it["image"], at))
PY
sim_start "$img" --model "$m" --mode preloader --preloader-window 0
"$UNIFW" backup --port "$PORT" -o "$bk" --chunk 4 --resume >/dev/null 2>"$work/err" ||
	{ cat "$work/err"; fail "resume of the altered backup"; }
sim_stop
[ "$(grep -c "differs from the phone at byte" "$work/err")" -eq 2 ] || { cat "$work/err"; fail "the two altered files were not both found"; }
backup_equals_image "$bk" "$img"
echo "resume: bit-exact after every cut; other phone and finished folder refused; altered files read again"
