#!/bin/sh
# unifw check --html, opened in headless Chromium (docs/check.md "HTML report"): the a516-like phone's backup
# (its own layout, boot region 0x600000), and the phone itself through --port, against the universal ROM (boot
# region 0xC00000, other partitions):
# a BRICK RISK / WILL NOT BOOT report with differences in both maps and logos on both sides. check_html.py
# checks the page against the --json report of the same run: nothing outside the file, no console message,
# one rect per partition per side marked as the two layouts say, one row per finding worst first, the logo
# frames, and a screenshot of the requested size in which the maps and the table are drawn.
# Chromium is a test dependency (Makefile DEB_PACKAGES): without it the test is skipped (77), except in CI
# (CI set), where it fails. Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/flash_lib.sh"

CHROMIUM=${UNIFW_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ]; then
	[ -z "${CI:-}" ] || fail "chromium is not installed (make deps installs it)"
	echo "chromium missing: skip"
	exit 77
fi
PAGE_CHECK="$(cd "$(dirname "$0")" && pwd)/check_html.py"

"$SIM" make-firmware --universal -o "$work/universal" >/dev/null
"$SIM" make-emmc --model a516-like -o "$work/a516.img" >/dev/null
start_sim "$work/a516.img" --model a516-like
"$UNIFW" backup --port "$PORT" --da "$DA" --skip-empty -o "$work/backup" >/dev/null 2>"$work/err.txt" ||
	fail "backup of the a516-like phone: $(tail -5 "$work/err.txt")"
# The phone itself (--port): its logo frames are read in the check's phone job.
rc=0
"$UNIFW" check "$work/universal" --port "$PORT" --da "$DA" --json --html "$work/port.html" >"$work/port.json" \
	2>"$work/err.txt" || rc=$?
[ "$rc" -eq 4 ] || [ "$rc" -eq 5 ] || fail "check --port exited $rc, expected 4 or 5: $(tail -5 "$work/err.txt")"
stop_sim

# --json and --html in one run: the page must show what the JSON says.
rc=0
"$UNIFW" check "$work/universal" --backup "$work/backup" --json --html "$work/report.html" \
	>"$work/report.json" 2>"$work/err.txt" || rc=$?
[ "$rc" -eq 4 ] || [ "$rc" -eq 5 ] || fail "check exited $rc, expected 4 or 5: $(tail -5 "$work/err.txt")"
[ -s "$work/report.html" ] || fail "no page written"
python3 - "$work/report.json" <<'PY' || fail "the --json report lacks what the page is checked against"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["check"]["verdict"] in ("brick_risk", "will_not_boot"), r["check"]["verdict"]
assert len(r["logos"]["package"]) >= 1 and len(r["logos"]["phone"]) >= 1, "logos missing"
PY
python3 "$PAGE_CHECK" "$CHROMIUM" "$work/report.json" "$work/report.html" "$work" 1400 1000 ||
	fail "the page (kept with KEEP=1: $work/report.html)"
# The phone's logo read through the port is the backup's LOGO file: the same frames, drawn in its page.
python3 - "$work/port.json" "$work/report.json" "$work/port.html" <<'PY' || fail "the phone's logo through --port"
import json, sys
port, backup = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
frames = port["logos"]["phone"]
assert frames, "no phone logo frames through --port"
assert [f["png_base64"] for f in frames] == [f["png_base64"] for f in backup["logos"]["phone"]], "frames differ"
page = open(sys.argv[3]).read()
assert page.count('data-side="phone"') == len(frames), "the page does not draw them"
PY

# --html alone (no --json): the same page, the human report on stdout; a folder that cannot hold the file fails.
rc=0
"$UNIFW" check "$work/universal" --backup "$work/backup" --html "$work/again.html" >"$work/text.txt" 2>&1 || rc=$?
[ "$rc" -eq 4 ] || [ "$rc" -eq 5 ] || fail "check --html exited $rc: $(tail -5 "$work/text.txt")"
cmp -s "$work/report.html" "$work/again.html" || fail "--html without --json wrote another page"
grep -q "report.*again.html\|again.html" "$work/text.txt" || fail "the text report does not name the page"
rc=0
"$UNIFW" check "$work/universal" --backup "$work/backup" --html "$work/no/such/dir/r.html" >/dev/null 2>"$work/err.txt" ||
	rc=$?
[ "$rc" -eq 1 ] || fail "an unwritable --html path exited $rc, expected 1"
grep -q "no/such/dir" "$work/err.txt" || fail "the error does not name the path: $(cat "$work/err.txt")"
echo "check --html: page checked in $("$CHROMIUM" --version 2>/dev/null | head -1)"
