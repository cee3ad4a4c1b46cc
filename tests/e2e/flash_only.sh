#!/bin/sh
# Issue 11.2: `unifw flash PATH/MT6572_Android_scatter.txt` (a scatter FILE: its folder is the package, that
# scatter chosen) and `--only NAME[,NAME...]` (SP Flash Tool's Download check boxes):
#  - only the named partitions are written (an Android alias, `boot`, counts for BOOTIMG), every other one
#    is "skip: not selected"; the eMMC outside them is unchanged, inside them it is the package's;
#  - an unknown name is refused before the phone is contacted (exit 2, the scatter's names listed, no DA
#    sent: the sim's trace has no command);
#  - a file that is not a scatter is refused.
# Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/flash_lib.sh"

m=a516-like
emmc="$work/e.img"
pkg="$work/pkg"
"$SIM" make-emmc --model "$m" -o "$emmc" >/dev/null
"$SIM" make-firmware --model "$m" --seed 2 -o "$pkg" >/dev/null
scatter=$(ls "$pkg"/*_scatter.txt | head -1)
[ -f "$scatter" ] || fail "make-firmware wrote no scatter file"
cp --sparse=always "$emmc" "$work/before.img"

start_sim "$emmc" --model "$m" --trace-file "$work/trace0.txt"
flash "$scatter" --only NOSUCH --yes --json
stop_sim
[ "$rc" -eq 2 ] || fail "--only NOSUCH: exit $rc, expected 2: $(tail -3 "$work/err.txt")"
grep -q "no partition NOSUCH (it has: PRELOADER, MBR" "$work/err.txt" "$work/out.json" ||
	fail "--only NOSUCH: the message does not list the scatter's names: $(tail -3 "$work/err.txt")"
! grep -q 'SEND_DA\|SDMMC' "$work/trace0.txt" || fail "--only NOSUCH: the phone was contacted"
cmp -s "$emmc" "$work/before.img" || fail "--only NOSUCH: the eMMC changed"
echo "ok an unknown --only name is refused before the phone is contacted (exit 2, names listed)"

start_sim "$emmc" --model "$m"
flash "$scatter" --only boot,LOGO --yes --json
stop_sim
[ "$rc" -eq 0 ] || fail "--only boot,LOGO: exit $rc: $(tail -3 "$work/err.txt")"
python3 - "$work/out.json" "$scatter" <<'PY' || fail "--only boot,LOGO: the plan is not BOOTIMG and LOGO alone"
import json, sys, os
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])["result"]["plan"]
assert os.path.basename(r["scatter"]) == os.path.basename(sys.argv[2]), r["scatter"]
assert r["options"]["only"] == ["BOOTIMG", "LOGO"], r["options"]
w = sorted(p["name"] for p in r["partitions"] if p["action"] == "write")
assert w == ["BOOTIMG", "LOGO"], w
for p in r["partitions"]:
    if p["name"] not in w and p["file"] is not None and p["code"] not in ("not_selected",):
        raise SystemExit("%s: %s" % (p["name"], p["code"]))
PY
python3 "$CHECK" "$work/out.json" "$emmc" >/dev/null || fail "BOOTIMG/LOGO are not the package's: $(python3 "$CHECK" "$work/out.json" "$emmc")"
# outside BOOTIMG and LOGO the eMMC is as before
python3 - "$work/out.json" "$emmc" "$work/before.img" "$CHECK" <<'PY' || fail "bytes outside BOOTIMG and LOGO changed"
import json, sys, importlib.util
spec = importlib.util.spec_from_file_location("fc", sys.argv[4]); fc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fc)
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])["result"]["plan"]
a, b = open(sys.argv[2], "rb"), open(sys.argv[3], "rb")
user = fc.emmc_layout(a)[0]["user"]
holes = sorted((user + int(p["offset"], 16), p["size"]) for p in r["partitions"] if p["action"] == "write")
a.seek(0, 2); end = a.tell(); pos = 0
for start, size in holes + [(end, 0)]:
    a.seek(pos); b.seek(pos)
    n = start - pos
    while n > 0:
        k = min(n, 1 << 22)
        assert a.read(k) == b.read(k), "difference in 0x%x..0x%x" % (pos, start)
        n -= k
    pos = start + size
PY
echo "ok scatter file + --only boot,LOGO: BOOTIMG (alias boot) and LOGO written, the rest not selected and unchanged"

echo "not a scatter" >"$pkg/notes.txt"
start_sim "$emmc" --model "$m"
flash "$pkg/notes.txt" --plan
stop_sim
[ "$rc" -eq 1 ] || fail "a text file that is no scatter: exit $rc, expected 1"
grep -q "not a scatter file unifw can read" "$work/err.txt" || fail "not-a-scatter message: $(tail -3 "$work/err.txt")"
echo "ok a text file that is no scatter is refused"
echo "PASS"
