#!/bin/sh
# The configuration file supplies the DA and the port: `unifw identify` with neither --da nor --port
# (nor UNIFW_DA) talks to the virtual phone named in ~/.config/unifw/config-style file; without the
# file a backup (which needs the DA) fails with an error that says how to give one. The file's syntax
# (issue 10): quoted values, '#' a comment only at the start of a line or after a blank, and an unknown
# key or a missing $UNIFW_CONFIG file is an error naming the file and line, before the phone is touched.
# Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/flash_lib.sh"

"$SIM" make-emmc --model a516-like -o "$work/phone.img" >/dev/null
start_sim "$work/phone.img" --model a516-like
unset UNIFW_DA
export UNIFW_CONFIG="$work/unifw.conf"
printf '# test configuration\nda = %s\nport = %s\n' "$DA" "$PORT" >"$UNIFW_CONFIG"
"$UNIFW" identify --json >"$work/id.json" 2>"$work/id.err" || fail "identify with the config file: $(cat "$work/id.err")"
# Only a DA reports the eMMC: its presence proves the DA came from the configuration file.
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert "emmc" in j and "6572" in json.dumps(j["chip"]), list(j)' \
	"$work/id.json" || fail "identify did not use the configured DA: $(head -c 400 "$work/id.json")"

# A quoted DA path with a blank and a '#', a port whose path holds a '#' (a comment only after a blank).
mkdir "$work/my da"
cp "$DA" "$work/my da/da #1.bin"
ln -s "$work/phone.sock" "$work/ph#1.sock"
printf 'da = "%s"   # quoted
port = unix:%s # not part of the value
' "$work/my da/da #1.bin" "$work/ph#1.sock" \
	>"$UNIFW_CONFIG"
"$UNIFW" identify --json >"$work/id.json" 2>"$work/id.err" || fail "identify with a quoted DA and port#: $(cat "$work/id.err")"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert "emmc" in j and j["port"].endswith("ph#1.sock"), j.get("port")' \
	"$work/id.json" || fail "the quoted DA or the port with '#' was not used: $(head -c 400 "$work/id.json")"

# An unknown key: an error naming the file and its line, exit 1, before any phone is opened.
printf 'da = %s

prot = %s
' "$DA" "$PORT" >"$UNIFW_CONFIG"
rc=0
"$UNIFW" identify --json >"$work/id.json" 2>"$work/id.err" || rc=$?
[ "$rc" -eq 1 ] || fail "unknown key: exit $rc, expected 1"
grep -q "unifw: error: $UNIFW_CONFIG: line 3: unknown key 'prot'" "$work/id.err" || fail "unknown key not named with its line: $(cat "$work/id.err")"
python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); assert e["type"]=="error" and e["file"]==sys.argv[2] and "line 3" in e["message"], e' \
	"$work/id.json" "$UNIFW_CONFIG" || fail "no JSON error object for the configuration error: $(cat "$work/id.json")"
"$UNIFW" backup --help >/dev/null || fail "--help must work with a broken configuration file"

# $UNIFW_CONFIG naming a file that is not there is an error (the default place may lack one).
rm "$UNIFW_CONFIG"
rc=0
"$UNIFW" identify --port "$PORT" >/dev/null 2>"$work/id.err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "$UNIFW_CONFIG: cannot open the configuration file named by \$UNIFW_CONFIG" "$work/id.err" ||
	fail "missing \$UNIFW_CONFIG file: exit $rc: $(cat "$work/id.err")"
unset UNIFW_CONFIG
export XDG_CONFIG_HOME="$work/xdg-empty"
rc=0
"$UNIFW" backup --port "$PORT" -o "$work/bk" >/dev/null 2>"$work/id.err" || rc=$?
[ "$rc" -ne 0 ] || fail "backup without any DA succeeded"
grep -q "configuration file" "$work/id.err" || fail "the error does not mention the configuration file: $(cat "$work/id.err")"
echo PASS
