#!/bin/sh
# The configuration file supplies the DA and the port: `unifw identify` with neither --da nor --port
# (nor UNIFW_DA) talks to the virtual phone named in ~/.config/unifw/config-style file; without the
# file a backup (which needs the DA) fails with an error that says how to give one. Exit 0 pass, 77 skip, else fail.
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
rm "$UNIFW_CONFIG"
rc=0
"$UNIFW" backup --port "$PORT" -o "$work/bk" >/dev/null 2>"$work/id.err" || rc=$?
[ "$rc" -ne 0 ] || fail "backup without any DA succeeded"
grep -q "configuration file" "$work/id.err" || fail "the error does not mention the configuration file: $(cat "$work/id.err")"
echo PASS
