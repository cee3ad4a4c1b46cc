#!/bin/sh
# The command line behaves like the best Linux tools (issue 10): every command parses with getopt_long
# (--opt=value and --opt value, "--" ends options, bundled short options), an unknown option and a
# missing value have one wording and exit 2 everywhere (a malformed --port included), every size option
# takes the same suffixes, and a command run with --json that fails prints a JSON error object on stdout.
# No phone is needed: device commands are stopped by their parser or by a port that does not exist.
# Exit 0 pass, 77 skip, else fail.
set -u
bin=${UNIFW_BIN:?UNIFW_BIN not set}
corpus=${UNIFW_CORPUS:?UNIFW_CORPUS not set}
[ -x "$bin" ] || { echo "SKIP: $bin not built"; exit 77; }
[ -d "$corpus/scatter" ] || { echo "SKIP: no corpus"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/unifw-e2e-options-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect STATUS CMD...: stdout to $tmp/out, stderr to $tmp/err, check the exit status.
expect() {
	want=$1
	shift
	"$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -eq "$want" ] || { fail "exit $got (expected $want): $*"; sed 's/^/  | /' "$tmp/err" | head -5; }
}
# err_is TEXT: stderr's first line is exactly TEXT, its second the hint to --help.
err_is() {
	[ "$(sed -n 1p "$tmp/err")" = "$1" ] || fail "stderr '$(sed -n 1p "$tmp/err")', expected '$1'"
	sed -n 2p "$tmp/err" | grep -q "^Try 'unifw .* --help'\.$" || fail "no --help hint after '$1'"
}

sc="$corpus/scatter/mt6572_alcatel_4035_ota_scatter.txt"
logo=$(ls "$corpus"/logo/* | head -1)

# ---- one wording, exit 2: unknown option and missing value, in every command and subcommand ----
for cmd in "info" "scatter validate" "scatter show" "scatter convert" "bootimg unpack" "bootimg repack" \
	"bootimg info" "logo unpack" "logo repack" "sparse to-raw" "sparse to-sparse" "devices" "identify" \
	"backup" "format" "flash" "reboot"; do
	# shellcheck disable=SC2086 # cmd is "command subcommand"
	expect 2 "$bin" $cmd --bogus
	err_is "unifw $cmd: unknown option '--bogus'"
	# shellcheck disable=SC2086
	expect 2 "$bin" $cmd --bogus=1
	err_is "unifw $cmd: unknown option '--bogus'"
	# shellcheck disable=SC2086
	expect 0 "$bin" $cmd --help
	grep -q "usage: unifw" "$tmp/out" || fail "$cmd --help prints no usage on stdout"
done
for cmd in identify backup format flash reboot; do
	expect 2 "$bin" "$cmd" --port
	err_is "unifw $cmd: option '--port' needs a value"
	expect 2 "$bin" "$cmd" -p
	err_is "unifw $cmd: option '-p' needs a value"
	# a malformed --port spec is a usage error (it was exit 1, found only when opening)
	expect 2 "$bin" "$cmd" --port=bogus:1 --yes
	grep -q "^unifw $cmd: --port: expected auto" "$tmp/err" || fail "$cmd: malformed --port not explained"
	expect 2 "$bin" "$cmd" --wait 0
done
expect 2 "$bin" --bogus
[ "$(sed -n 1p "$tmp/err")" = "unifw: unknown option '--bogus'" ] || fail "unifw --bogus: $(sed -n 1p "$tmp/err")"
expect 2 "$bin" scatter validate "$sc" --images
err_is "unifw scatter validate: option '--images' needs a value"
expect 2 "$bin" scatter show "$sc" --json=yes
err_is "unifw scatter show: option '--json' takes no value"
expect 2 "$bin" flash --re
err_is "unifw flash: option '--re' is ambiguous"
expect 2 "$bin" logo unpack "$logo" -o
err_is "unifw logo unpack: option '-o' needs a value"

# ---- --opt=value, --opt value, abbreviations, "--", bundling ----
expect 3 "$bin" scatter validate "$sc" --device-size 4M
cp "$tmp/out" "$tmp/a"
expect 3 "$bin" scatter validate --device-size=4M "$sc"
cmp -s "$tmp/a" "$tmp/out" || fail "--device-size=4M and --device-size 4M differ"
expect 0 "$bin" scatter show --js "$sc"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out" || fail "--js (an unambiguous prefix of --json) is not --json"
cp "$sc" "$tmp/--json"
expect 0 "$bin" scatter show -- "$tmp/--json"
grep -q "partitions" "$tmp/out" && ! grep -q '"type"' "$tmp/out" || fail "after --, '--json' was taken as an option"
cp "$sc" "$tmp/-q"
cd "$tmp" || exit 1
expect 0 "$bin" info -- -q
grep -qi "scatter" "$tmp/out" || fail "info -- -q did not describe the file named -q"
cd - >/dev/null || exit 1
# -y and -p bundled, the port's value attached: the parser takes both (without -y there is no terminal to
# ask: usage error; without the value "unix:..." would be an operand: usage error), the job then fails (1)
expect 1 "$bin" format --partition CACHE --wait 1 -yp"unix:$tmp/no-such.sock"
! grep -q "^Try 'unifw" "$tmp/err" || fail "bundled -yp was a usage error: $(head -3 "$tmp/err")"
expect 0 "$bin" info -qh
grep -q "usage: unifw info" "$tmp/out" || fail "-qh: bundled -h not seen"
# -oDIR (attached value)
expect 0 "$bin" logo unpack "$logo" -o"$tmp/logo.d"
[ -f "$tmp/logo.d/frame_000.png" ] || fail "-oDIR did not unpack into DIR"

# ---- sizes: one parser, K/M/G suffixes everywhere ----
for s in 4G 4g 4GiB 4GB 4096M 4194304K 4294967296 0x100000000; do
	expect 0 "$bin" scatter validate "$sc" --device-size "$s" --json
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["errors"] == 0, d["findings"]' "$tmp/out" ||
		fail "--device-size $s is not 4 GiB"
done
for s in 4X -1 " 4G" 4G5 "" 0 4GiBs 0x1000000000000000000; do
	expect 2 "$bin" scatter validate "$sc" --device-size "$s"
done
expect 2 "$bin" sparse to-sparse "$tmp/a" -o "$tmp/b" --block-size 4097
expect 2 "$bin" sparse to-raw "$tmp/a" -o "$tmp/b" --max-size 4Q
expect 2 "$bin" flash "$tmp" --range-size 33M --plan
expect 2 "$bin" backup --chunk 0
expect 2 "$bin" backup --chunk 1500K

# ---- --json: a failure is a JSON error object on stdout ----
expect 1 "$bin" scatter show "$tmp/missing.txt" --json
python3 - "$tmp/out" "$tmp/missing.txt" <<'PY' || fail "scatter show --json failure: $(cat "$tmp/out")"
import json, sys
e = json.loads(open(sys.argv[1]).read())
assert e["type"] == "error" and e["exit_status"] == 1 and e["code"] == "io", e
assert e["file"] == sys.argv[2] and e["message"], e
PY
expect 1 "$bin" logo unpack "$corpus/misc/mt6572_lenovo_a516_secro.img" -o "$tmp/x" --json
python3 - "$tmp/out" <<'PY' || fail "logo unpack --json failure: $(cat "$tmp/out")"
import json, sys
e = json.loads(open(sys.argv[1]).read())
assert e["type"] == "error" and e["exit_status"] == 1 and e["offset"] == "0x0" and "file" in e, e
PY
expect 2 "$bin" sparse to-raw --json --bogus
python3 - "$tmp/out" <<'PY' || fail "usage error under --json: $(cat "$tmp/out")"
import json, sys
e = json.loads(open(sys.argv[1]).read())
assert e == {**e, "type": "error", "code": "usage", "exit_status": 2} and "--bogus" in e["message"], e
PY
expect 1 "$bin" backup --json --port "unix:$tmp/no-such.sock" --wait 1 -o "$tmp/bk"
python3 - "$tmp/out" <<'PY' || fail "backup --json failure: $(cat "$tmp/out")"
import json, sys
last = json.loads(open(sys.argv[1]).read().splitlines()[-1])
e = last["error"]
assert last["event"] == "result" and not last["ok"] and e["type"] == "error" and e["exit_status"] == 1, last
PY

# ---- --json where it was missing: logo, sparse, scatter convert ----
expect 0 "$bin" logo unpack "$logo" -o "$tmp/l2" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["type"] == "logo", d' "$tmp/out" ||
	fail "logo unpack --json"
expect 0 "$bin" logo repack "$tmp/l2" -o "$tmp/l2.bin" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["type"] == "logo", d' "$tmp/out" ||
	fail "logo repack --json"
head -c 1048576 /dev/urandom >"$tmp/raw.img"
head -c 1048576 /dev/zero >>"$tmp/raw.img"
expect 0 "$bin" sparse to-sparse "$tmp/raw.img" -o "$tmp/s.img" --block-size 4K --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["type"] == "sparse" and d["block_size"] == 4096, d' \
	"$tmp/out" || fail "sparse to-sparse --json: $(head -c 300 "$tmp/out")"
expect 0 "$bin" sparse to-raw "$tmp/s.img" -o "$tmp/r.img" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["type"] == "sparse", d' "$tmp/out" ||
	fail "sparse to-raw --json"
cmp -s "$tmp/raw.img" "$tmp/r.img" || fail "sparse round trip"
expect 0 "$bin" scatter convert "$sc" --to v1 -o "$tmp/v1.txt" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["type"] == "scatter" and d["dialect"].startswith("v1"), d' \
	"$tmp/out" || fail "scatter convert --json: $(head -c 300 "$tmp/out")"
expect 2 "$bin" scatter convert "$sc" --to v1 --json

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo PASS
