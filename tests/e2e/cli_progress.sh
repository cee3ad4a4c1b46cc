#!/bin/sh
# Progress that fits the terminal (issue 10): `unifw backup` against the virtual phone with stderr on a
# pseudo terminal of 80 and then 72 columns (TIOCSWINSZ), and with $COLUMNS when the bars are forced on a
# file. A terminal emulator (tests/e2e/cli_progress_term.py) replays what unifw wrote: no text reaches
# the last column (no wrapped redraw), every redraw starts at column 0 and ends with EL, and every
# finished line holds exactly its last text (no leftovers of a longer earlier one). Not a terminal:
# plain lines, no \r and no escape sequence. Exit 0 pass, 77 skip, else fail.
set -eu
. "$(dirname "$0")/backup_lib.sh"
TERMPY="$(cd "$(dirname "$0")" && pwd)/cli_progress_term.py"

m=a516-like
"$SIM" make-emmc --model "$m" -o "$work/phone.img" >/dev/null
sim_start "$work/phone.img" --model "$m"

n=0
for cols in 80 72; do
	n=$((n + 1))
	# a long partition name list makes long items; the backup of a few partitions draws several bars
	python3 "$TERMPY" run "$cols" "$work/tty$cols.raw" "$UNIFW" backup --port "$PORT" -o "$work/bk$n" \
		--partition ANDROID --partition NVRAM --partition PRO_INFO ||
		fail "backup on a $cols-column pty failed: $(tail -c 600 "$work/tty$cols.raw")"
	python3 "$TERMPY" check "$cols" "$work/tty$cols.raw" || fail "$cols columns: see above"
done

# Forced bars on a file: $COLUMNS is the width (no TIOCGWINSZ on a file); at 24 columns the bar goes
# and the numbers are cut to fit.
for cols in 50 24; do
	n=$((n + 1))
	UNIFW_PROGRESS=bars COLUMNS=$cols "$UNIFW" backup --port "$PORT" -o "$work/bk$n" --partition NVRAM \
		>/dev/null 2>"$work/cols$cols.raw" || fail "forced bars: $(cat "$work/cols$cols.raw")"
	python3 "$TERMPY" check "$cols" "$work/cols$cols.raw" || fail "COLUMNS=$cols: see above"
	grep -q "$(printf '\033')\[K" "$work/cols$cols.raw" || fail "forced bars are not redrawn with EL"
done
grep -q '\[#' "$work/tty72.raw" || fail "no bar drawn at 72 columns"

# Not a terminal: plain lines.
n=$((n + 1))
"$UNIFW" backup --port "$PORT" -o "$work/bk$n" --partition NVRAM >/dev/null 2>"$work/plain.txt" ||
	fail "plain backup: $(cat "$work/plain.txt")"
[ -s "$work/plain.txt" ] || fail "no progress lines when stderr is a file"
if grep -q "$(printf '\r')" "$work/plain.txt" || grep -q "$(printf '\033')" "$work/plain.txt"; then
	fail "progress on a file has \\r or escape sequences: $(od -c "$work/plain.txt" | head -5)"
fi
echo PASS
