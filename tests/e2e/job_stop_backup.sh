#!/bin/sh
# SIGTERM during `unifw backup` on a slow link (unifw-sim --link usb1): the backup stops between two reads
# (--chunk 1: one MiB per READ), exits 143, its journal says "interrupted", no manifest is written, and the
# last line on stderr is the command that resumes it (same folder, same options). That command, run as
# printed, finishes the backup bit-exact with the virtual eMMC. Exit 0 pass, 77 skip, else fail.
set -eu
. "$(dirname "$0")/backup_lib.sh"

m=a516-like
img="$work/$m.img"
"$SIM" make-emmc --model "$m" -o "$img" >/dev/null
bk="$work/my backup" # a space: the printed command quotes it

sim_start "$img" --model "$m" --mode preloader --preloader-window 0 --link usb1
"$UNIFW" backup --port "$PORT" -o "$bk" --chunk 1 --skip-empty >"$work/out" 2>"$work/err" &
pid=$!
# wait until the journal records bytes of a partition, then stop
i=0
until python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert any(x["done"] for x in j["items"])' \
	"$bk/.unifw-backup-journal.json" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 1200 ] || { kill -KILL $pid; fail "the backup saved nothing: $(tail -3 "$work/err")"; }
	kill -0 $pid 2>/dev/null || fail "unifw backup ended early: $(tail -3 "$work/err")"
	sleep 0.1
done
kill -TERM $pid
rc=0
wait $pid || rc=$?
sim_stop
[ "$rc" -eq 143 ] || fail "stopped by SIGTERM: exit $rc, expected 143: $(tail -5 "$work/err")"
[ ! -f "$bk/manifest.json" ] || fail "a manifest after a stopped backup"
python3 -c 'import json,sys
j = json.load(open(sys.argv[1]))
assert j["state"] == "interrupted", j["state"]
assert not all(x["complete"] for x in j["items"]), "the backup was complete"' "$bk/.unifw-backup-journal.json" ||
	fail "journal after the stop: $(cat "$bk/.unifw-backup-journal.json")"
grep -q "stopped on request between two reads" "$work/err" || fail "the error does not say where it stopped: $(cat "$work/err")"
last=$(tail -1 "$work/err")
want="unifw: to resume, run: unifw backup --resume -o '$bk' --skip-empty --chunk 1 --port $PORT"
[ "$last" = "$want" ] || fail "last line: '$last', expected '$want'"

sim_start "$img" --model "$m" --mode preloader --preloader-window 0
cmd=${last#unifw: to resume, run: unifw }
rc=0
eval "\"\$UNIFW\" $cmd" >"$work/out" 2>"$work/err" || rc=$?
sim_stop
[ "$rc" -eq 0 ] || fail "the printed resume command exited $rc: $(tail -5 "$work/err")"
grep -q "Backup complete" "$work/out" || fail "resume: $(cat "$work/out")"
backup_equals_image "$bk" "$img"
[ ! -f "$bk/.unifw-backup-journal.json" ] || fail "journal left behind"
echo "ok SIGTERM: stopped between reads, exit 143, journal interrupted, the printed command resumed it bit-exact"
