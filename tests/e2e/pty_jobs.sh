#!/bin/sh
# unifw identify, backup and flash over the virtual phone's pseudo terminal (the way a phone shows up
# as /dev/ttyACM0), in preloader mode (the sim's default 2500 ms listening, first A0 chunk dropped)
# and in BROM mode, each with the USB speed switch: the DA answers full speed, unifw asks for high
# speed, the phone re-enumerates, unifw-sim makes a NEW pty and re-points --pty-link, and unifw's tty
# transport must wait for the old pty to go and follow the link. Small: the a516-like phone, a
# partial backup. Also unifw against a preloader that sends READY while it listens (--tool-present).
# Exit 0 pass, 77 skip, else fail.
set -eu
. "$(dirname "$0")/backup_lib.sh"
[ -x /sbin/mke2fs ] || [ -x /usr/sbin/mke2fs ] || { echo "mke2fs (e2fsprogs) missing: skip"; exit 77; }
CHECK="$(cd "$(dirname "$0")" && pwd)/flash_check.py"
export UNIFW_STATE_DIR="$work/state"

# pty_start IMAGE [unifw-sim options...]: serve IMAGE on a pty linked from $work/tty
pty_start() {
	sim_image=$1
	shift
	rm -f "$work/tty" "$work/sim.out"
	"$SIM" --pty --pty-link "$work/tty" --emmc "$sim_image" "$@" >"$work/sim.out" 2>>"$work/sim.err" &
	simpid=$!
	i=0
	while ! grep -q '^pty ' "$work/sim.out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || { cat "$work/sim.err"; fail "unifw-sim did not start"; }
		kill -0 "$simpid" 2>/dev/null || { cat "$work/sim.err"; fail "unifw-sim exited"; }
		sleep 0.05
	done
}

# switched LABEL: the sim re-enumerated at least once and announced a new, different pty each time
switched() {
	grep -q "USB re-enumeration" "$work/sim.err" || fail "$1: no USB re-enumeration"
	n=$(grep -c '^pty ' "$work/sim.out")
	[ "$n" -ge 2 ] || fail "$1: no new pty after the speed switch"
	[ "$(sort -u "$work/sim.out" | grep -c '^pty ')" -eq "$n" ] || fail "$1: a pty path was reused"
	: >"$work/sim.err"
}

# backup_matches DIR IMAGE: every file of the (partial) backup equals its range of the image
backup_matches() {
	python3 - "$1" "$2" <<'PY'
import json, struct, sys
d, img = sys.argv[1], sys.argv[2]
m = json.load(open(d + "/manifest.json"))
f = open(img, "rb")
f.seek(0, 2); size = f.tell(); f.seek(size - 4096); foot = f.read(4096)
sizes = struct.unpack_from("<8Q", foot, 0x18)
for p in m["partitions"]:
    f.seek((0 if p["region"] == "EMMC_BOOT_1" else sum(sizes[:7])) + int(p["offset"], 16))
    assert open(d + "/" + p["file"], "rb").read() == f.read(p["size"]), p["name"]
print("backup == image: %s" % ", ".join(p["name"] for p in m["partitions"]))
PY
}

m=a516-like
img="$work/$m.img"
"$SIM" make-emmc --model "$m" -o "$img" >/dev/null
"$SIM" make-firmware --model "$m" --seed 2 -o "$work/pkg" >/dev/null

for mode in preloader brom; do
	pre=
	[ "$mode" = brom ] && pre="--preloader $work/own/preloader.bin"
	if [ "$mode" = preloader ]; then
		pty_start "$img" --model "$m" --mode preloader --tool-present
		"$UNIFW" backup --identity -o "$work/own" --port "$work/tty" >/dev/null 2>"$work/err" ||
			{ cat "$work/err"; fail "identity backup over the pty"; }
		sim_stop
		switched "$mode identity backup"
	fi

	pty_start "$img" --model "$m" --mode "$mode"
	# shellcheck disable=SC2086
	"$UNIFW" identify --port "$work/tty" $pre --json >"$work/id.json" 2>"$work/err" ||
		{ cat "$work/err"; fail "$mode: identify over the pty"; }
	sim_stop
	switched "$mode identify"
	python3 -c "
import json, sys; r = json.load(open(sys.argv[1]))
assert r['mode'] == sys.argv[2], r['mode']
assert r['partition_table']['partitions'], 'no partitions'" "$work/id.json" "$mode" || fail "$mode: identify JSON"

	pty_start "$img" --model "$m" --mode "$mode"
	# shellcheck disable=SC2086
	"$UNIFW" backup --port "$work/tty" $pre --partition NVRAM --partition UBOOT -o "$work/bk-$mode" >/dev/null \
		2>"$work/err" || { cat "$work/err"; fail "$mode: backup over the pty"; }
	sim_stop
	switched "$mode backup"
	backup_matches "$work/bk-$mode" "$img" || fail "$mode: the backup differs from the eMMC"

	pty_start "$img" --model "$m" --mode "$mode"
	rc=0
	# shellcheck disable=SC2086
	"$UNIFW" flash "$work/pkg" --yes --json --port "$work/tty" $pre >"$work/out.json" 2>"$work/err" || rc=$?
	sim_stop
	[ "$rc" -eq 0 ] || { tail -5 "$work/err"; fail "$mode: flash over the pty: exit $rc"; }
	switched "$mode flash"
	python3 "$CHECK" "$work/out.json" "$img" || fail "$mode: flash: the eMMC is not the package"
	echo "ok $mode mode over the pty: identify, backup, flash, each across the USB speed switch"
	rm -rf "$work/pkg" && "$SIM" make-firmware --model "$m" --seed 3 -o "$work/pkg" >/dev/null
done

# A preloader whose host raised DTR sends READY every 20 ms while it listens (--tool-present): unifw
# drains it instead of taking it for handshake answers, over the pty and over a socket.
pty_start "$img" --model "$m" --mode preloader --tool-present --trace-file "$work/ready.trace"
"$UNIFW" identify --port "$work/tty" >/dev/null 2>"$work/err" || { cat "$work/err"; fail "identify with READY (pty)"; }
sim_stop
grep -q "handshake complete" "$work/ready.trace" || fail "no handshake with READY on the pty"
sim_start "$img" --model "$m" --mode preloader --tool-present
"$UNIFW" identify --port "$PORT" >/dev/null 2>"$work/err" || { cat "$work/err"; fail "identify with READY (socket)"; }
sim_stop
echo "ok READY while listening: drained, over the pty and a socket"
echo "pty_jobs: ok"
