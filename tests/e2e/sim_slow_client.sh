#!/bin/sh
# A handshake client paced like a serial host (docs/protocol.md "Host-side pitfalls"; slow_client.py: 5 ms after
# each handshake byte, then only what has arrived is read) against unifw-sim, 100 plug-ins in a row,
# in BROM and preloader mode, over --socket and --pty (one sim each, which must notice every new
# client at once and power on anew). The preloader drops the first A0 chunk (its 20 ms poll) and,
# over the pty, sends READY while it listens (--tool-present). Every round must get through:
# handshake, then GET_HW_CODE in sync. A round lost only because an answer came after the 5 ms read
# (a machine too busy to run the sim, or the pty's kernel worker, in time) is plugged in again, at
# most 3 times, and counted in the summary. Exit 0 pass, 77 skip, else fail.
set -eu

command -v python3 >/dev/null 2>&1 || { echo "python3 missing: skip"; exit 77; }
SIM="${UNIFW_SIM_BIN:-$(dirname "${UNIFW_BIN:-./unifw}")/sim/unifw-sim}"
[ -x "$SIM" ] || { echo "unifw-sim not built at $SIM: skip"; exit 77; }
CLIENT="$(dirname "$0")/slow_client.py"
ROUNDS="${UNIFW_SLOW_ROUNDS:-100}"

work=$(mktemp -d "${TMPDIR:-/tmp}/unifw-slow-XXXXXX")
simpid=
cleanup() {
	[ -n "$simpid" ] && kill "$simpid" 2>/dev/null || true
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }

# run_rounds MODE socket|pty [sim options...]: prints the client's summary; status 0 when clean
run_rounds() {
	mode=$1 link=$2
	shift 2
	rm -f "$work/sock" "$work/tty" "$work/out"
	if [ "$link" = socket ]; then
		"$SIM" --socket "$work/sock" --emmc-size 16M --mode "$mode" "$@" >"$work/out" 2>>"$work/err" &
	else
		"$SIM" --pty --pty-link "$work/tty" --emmc-size 16M --mode "$mode" "$@" >"$work/out" 2>>"$work/err" &
	fi
	simpid=$!
	i=0
	while ! grep -q '^\(socket\|pty\) ' "$work/out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || { cat "$work/err"; fail "unifw-sim did not start"; }
		sleep 0.05
	done
	rc=0
	if [ "$link" = socket ]; then
		python3 "$CLIENT" --socket "$work/sock" --count "$ROUNDS" || rc=$?
	else
		python3 "$CLIENT" --tty "$work/tty" --count "$ROUNDS" || rc=$?
	fi
	kill "$simpid" 2>/dev/null || true
	wait "$simpid" 2>/dev/null || true
	simpid=
	return $rc
}

check() {
	label="$1"
	shift
	printf '%s: ' "$label"
	run_rounds "$@" || fail "$label: the slow client lost the handshake (load: $(cut -d' ' -f1-3 /proc/loadavg))"
}

check "BROM over a socket" brom socket
check "BROM over a pty" brom pty
check "preloader over a socket" preloader socket
check "preloader over a pty, READY while listening" preloader pty --tool-present
echo "sim_slow_client: ok"
