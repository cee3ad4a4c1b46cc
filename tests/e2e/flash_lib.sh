# Shared by tests/e2e/flash_*.sh (sourced): binaries, a work folder, unifw-sim over a Unix socket.
# Sets UNIFW, SIM, work, DA and UNIFW_STATE_DIR (journals and identity backups stay in the work folder).
set -eu

command -v python3 >/dev/null 2>&1 || { echo "python3 missing: skip"; exit 77; }
UNIFW="${UNIFW_BIN:-./unifw}"
SIM="${UNIFW_SIM_BIN:-$(dirname "$UNIFW")/sim/unifw-sim}"
[ -x "$UNIFW" ] || { echo "unifw not built at $UNIFW: skip"; exit 77; }
[ -x "$SIM" ] || { echo "unifw-sim not built at $SIM: skip"; exit 77; }
[ -x /sbin/mke2fs ] || [ -x /usr/sbin/mke2fs ] || { echo "mke2fs (e2fsprogs) missing: skip"; exit 77; }
CHECK="$(cd "$(dirname "$0")" && pwd)/flash_check.py"

work=$(mktemp -d "${TMPDIR:-/tmp}/unifw-e2e-flash-XXXXXX")
simpid=
cleanup() {
	stop_sim
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT INT TERM
export UNIFW_STATE_DIR="$work/state"
DA="$work/MTK_AllInOne_DA.bin"
"$SIM" make-da -o "$DA" >/dev/null

fail() {
	echo "FAIL: $*"
	exit 1
}

# start_sim EMMC [sim options...]: serve EMMC on $work/phone.sock; PORT is the --port string.
start_sim() {
	emmc=$1
	shift
	rm -f "$work/phone.sock" "$work/sim.out"
	"$SIM" --socket "$work/phone.sock" --emmc "$emmc" --preloader-window 0 "$@" >"$work/sim.out" \
		2>>"$work/sim.err" &
	simpid=$!
	i=0
	while ! grep -q '^socket ' "$work/sim.out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "unifw-sim did not start: $(cat "$work/sim.err")"
		kill -0 "$simpid" 2>/dev/null || fail "unifw-sim exited: $(tail -5 "$work/sim.err")"
		sleep 0.05
	done
	PORT="unix:$work/phone.sock"
}

stop_sim() {
	if [ -n "$simpid" ]; then
		kill "$simpid" 2>/dev/null || true
		wait "$simpid" 2>/dev/null || true
	fi
	simpid=
}

# flash ARGS...: unifw flash on the served phone; stdout (JSON lines) to $work/out.json, stderr to
# $work/err.txt; the exit status in $rc. A status of 128 or more (a signal: a crash) fails the test.
flash() {
	rc=0
	"$UNIFW" flash "$@" --port "$PORT" --da "$DA" >"$work/out.json" 2>"$work/err.txt" || rc=$?
	[ "$rc" -lt 128 ] || fail "unifw flash crashed (status $rc): $(tail -20 "$work/err.txt")"
	if grep -q 'Sanitizer' "$work/err.txt"; then
		fail "sanitizer report: $(grep -A20 Sanitizer "$work/err.txt" | head -40)"
	fi
}

# The result event's "result" key as Python sees it: jq-like access without jq.
result() {
	python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).read().splitlines()[-1]); v=r
for k in sys.argv[2].split("."):
    v = v[int(k)] if isinstance(v, list) else v.get(k) if v is not None else None
print("" if v is None else (json.dumps(v) if isinstance(v,(dict,list,bool)) else v))' "$work/out.json" "$1"
}
