#!/bin/sh
# unifw universal build end to end (docs/universal.md): backups of two models (wiko-like, y600-like) from the
# served virtual phone, the universal --all-drivers base. Text report (variants with keys, downloaded / never),
# exit 0, OUT's files and universal.json; --json keys (docs/json.md "universal"); a zip base with a stock package
# as a phone; the refusals: the y600-like's stock package as the base (its kernel lacks the wiko-like's LCM and
# touch drivers: exit 4, both named, the y600-like not), the a516-like onto the plain universal base, whose kernel
# has a compiled partition map (PRELOAD before ANDROID: it would mount its PRELOAD as /system; the --all-drivers
# reference kernel resolves partitions through the PMT and serves it), nothing at OUT and no temporary folder beside it; usage errors exit 2; OUT
# not empty exits 1. The flash and the boot of the result are e2e_universal_phones'. Exit 0 pass, 77 skip, else
# fail.
. "$(dirname "$0")/flash_lib.sh"
mkdir "$work/tmp"
export TMPDIR="$work/tmp" # the extraction folders of archives: the test sees that none is left

"$SIM" make-firmware --universal --all-drivers -o "$work/base" >/dev/null
"$SIM" make-firmware --model y600-like -o "$work/stock" >/dev/null
"$SIM" make-firmware --model a516-like -o "$work/a516" >/dev/null
"$SIM" make-firmware --universal -o "$work/plainbase" >/dev/null
for m in wiko-like y600-like; do
	"$SIM" make-emmc --model "$m" -o "$work/phone.img" >/dev/null
	start_sim "$work/phone.img" --model "$m"
	"$UNIFW" backup --port "$PORT" --da "$DA" -o "$work/bk-$m" >/dev/null 2>"$work/err.txt" ||
		fail "backup of $m: $(tail -3 "$work/err.txt")"
	stop_sim
	rm -f "$work/phone.img"
done

# univ ARGS...: unifw universal, stdout in $work/u.out, stderr in $work/u.err, the exit status in $rc
univ() {
	rc=0
	"$UNIFW" universal "$@" >"$work/u.out" 2>"$work/u.err" || rc=$?
	[ "$rc" -lt 128 ] || fail "unifw universal crashed (status $rc): $(tail -20 "$work/u.err")"
	if grep -q Sanitizer "$work/u.err"; then fail "sanitizer report: $(head -40 "$work/u.err")"; fi
}

# --- built, text
univ build --base "$work/base" --phone "$work/bk-wiko-like" --phone "$work/bk-y600-like" -o "$work/out"
[ "$rc" -eq 0 ] || fail "build: exit $rc: $(tail -5 "$work/u.err") $(cat "$work/u.out")"
grep -q '^variants:$' "$work/u.out" || fail "text report has no variants: $(cat "$work/u.out")"
grep -Eq '^    panel  key otm8018b_dsi_vdo_dijing  files [0-9]+' "$work/u.out" || fail "no y600-like panel key: $(cat "$work/u.out")"
grep -Eq '^    touch  key ft5206  files [1-9]' "$work/u.out" || fail "no wiko-like touch key with files: $(cat "$work/u.out")"
grep -Eq '^    board  key [0-9a-f]{18}  files [1-9]' "$work/u.out" || fail "no board key: $(cat "$work/u.out")"
grep -q '^downloaded: BOOTIMG ANDROID CACHE$' "$work/u.out" || fail "downloaded line: $(grep -i download "$work/u.out")"
grep -q '^never downloaded.*PRELOADER.*NVRAM' "$work/u.out" || fail "never line: $(grep -i never "$work/u.out")"
for f in MT6572_Android_scatter.txt boot.img system.img cache.img universal.json; do
	[ -s "$work/out/$f" ] || fail "OUT has no $f: $(ls "$work/out")"
done
for f in lk.bin logo.bin MBR nvram.bin manifest.json preloader_universal72_generic.bin; do
	[ ! -e "$work/out/$f" ] || fail "OUT has $f"
done
for t in "$work"/*.unifw-*; do [ ! -e "$t" ] || fail "a temporary folder is left: $t"; done
echo "ok build: exit 0, text report with both variants' keys, OUT has the five files and nothing else"

# --- --json, and universal.json is the same document
rm -rf "$work/out"
univ build --base "$work/base" --phone "$work/bk-wiko-like" "$work/bk-y600-like" -o "$work/out" --json
[ "$rc" -eq 0 ] || fail "build --json: exit $rc: $(tail -5 "$work/u.err")"
python3 - "$work/u.out" "$work/out/universal.json" "$work/bk-wiko-like" "$work/bk-y600-like" <<'EOF' 2>"$work/py.err" || fail "--json: $(tail -3 "$work/py.err")"
import json, sys
doc = json.load(open(sys.argv[1]))
keys = {"type", "base", "phones", "out", "verdict", "refusals", "notes", "variants", "scatter", "downloaded",
        "never_downloaded", "placeholders", "binds", "props", "system_size", "boot_size", "min_android", "min_boot"}
assert set(doc) == keys, set(doc) ^ keys
assert doc["type"] == "universal" and doc["verdict"] == "built" and doc["refusals"] == [], doc["verdict"]
assert doc["downloaded"] == ["BOOTIMG", "ANDROID", "CACHE"], doc["downloaded"]
assert "PRELOADER" in doc["never_downloaded"] and "NVRAM" in doc["never_downloaded"]
v = doc["variants"]
assert [x["source"] for x in v] == sys.argv[3:5], v
assert v[0]["lcm"] == "nt35512_wvga_dsi_vdo_dj" and v[0]["touch"] == "ft5206", v[0]
assert v[1]["lcm"] == "otm8018b_dsi_vdo_dijing" and v[1]["touch"] == "GT9XX_hotknot", v[1]
assert doc["notes"] == [], doc["notes"]
vk = {"type", "name", "source", "lcm", "touch", "cid_prefix", "keys", "files", "props", "android_size"}
for x in v:
    assert set(x) == vk and x["type"] == "universal_variant", set(x) ^ vk
    assert len(x["cid_prefix"]) == 18 and x["keys"]["board"] == [x["cid_prefix"]], x
    assert x["files"]["touch"] >= 1 and x["files"]["board"] >= 1, x["files"]
assert v[0]["name"] != v[1]["name"]
assert doc["binds"] == sum(x["files"][c] for x in v for c in ("panel", "touch", "board"))
assert doc["system_size"] <= doc["min_android"] == min(x["android_size"] for x in v)
assert 0 < doc["boot_size"] <= doc["min_boot"]
saved = json.load(open(sys.argv[2]))
assert saved["variants"] == doc["variants"] and saved["verdict"] == "built"
EOF
echo "ok --json: keys, both variants' LCM/touch/CID keys, fits the smaller phone, universal.json agrees"

# --- a zip base and a stock package as a phone: no CID, its board keys are its preloader's memory parts
(cd "$work/base" && python3 -c 'import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for n in sorted(os.listdir(".")):
        if os.path.isfile(n): z.write(n)' "$work/base.zip")
univ build --base "$work/base.zip" --phone "$work/bk-wiko-like" --phone "$work/stock" -o "$work/out-zip" --json
[ "$rc" -eq 0 ] || fail "zip base + stock phone: exit $rc: $(tail -3 "$work/u.err")"
python3 - "$work/u.out" <<'EOF' 2>"$work/py.err" || fail "stock phone: $(tail -3 "$work/py.err")"
import json, sys
v = json.load(open(sys.argv[1]))["variants"]
assert v[1]["lcm"] == "otm8018b_dsi_vdo_dijing" and v[1]["touch"] == "GT9XX_hotknot", v[1]
assert len(v[1]["keys"]["board"]) >= 1 and v[1]["cid_prefix"] == v[1]["keys"]["board"][0], v[1]["keys"]
EOF
cmp -s "$work/out-zip/boot.img" "$work/out/boot.img" && fail "the stock phone's variant left the boot image unchanged"
for t in "$work/tmp"/unifw-universal-*; do [ ! -e "$t" ] || fail "an extraction folder is left: $t"; done
echo "ok zip base, stock package phone: board keys from its preloader's EMI table, no extraction folder left"

# --- refused: the y600-like's stock kernel drives neither the wiko-like's panel nor its touch controller
univ build --base "$work/stock" --phone "$work/bk-y600-like" --phone "$work/bk-wiko-like" -o "$work/refused"
[ "$rc" -eq 4 ] || fail "refusal: exit $rc, want 4: $(cat "$work/u.out") $(tail -3 "$work/u.err")"
grep -q '^refused' "$work/u.out" || fail "no refused heading: $(cat "$work/u.out")"
for d in "LCM driver nt35512_wvga_dsi_vdo_dj" "touch driver ft5206"; do
	grep -q "the base's kernel has no $d (phone .*bk-wiko-like" "$work/u.out" || fail "refusal does not name $d: $(cat "$work/u.out")"
done
if grep -q 'bk-y600-like' "$work/u.out"; then fail "the y600-like is refused by its own stock base: $(cat "$work/u.out")"; fi
[ "$(grep -c '^  ' "$work/u.out")" -eq 2 ] || fail "not exactly two refusals: $(cat "$work/u.out")"
[ ! -e "$work/refused" ] || fail "a refusal left OUT behind"
for t in "$work"/*.unifw-*; do [ ! -e "$t" ] || fail "a refusal left a temporary folder: $t"; done
univ build --base "$work/stock" --phone "$work/bk-wiko-like" -o "$work/refused" --json
[ "$rc" -eq 4 ] || fail "refusal --json: exit $rc"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["verdict"]=="refused" and len(d["refusals"])==2 and d["variants"]==[], d' \
	"$work/u.out" || fail "refusal JSON: $(cat "$work/u.out")"
# the a516-like's table has PRELOAD where the plain universal kernel's compiled map mounts /system (mmcblk0p4)
univ build --base "$work/plainbase" --phone "$work/a516" -o "$work/refused"
[ "$rc" -eq 4 ] || fail "a516-like layout: exit $rc, want 4: $(cat "$work/u.out")"
grep -q "mounts /system from mmcblk0p4 .*a516.* that is its PRELOAD, its ANDROID is mmcblk0p5" "$work/u.out" ||
	fail "the /system refusal: $(cat "$work/u.out")"
[ ! -e "$work/refused" ] || fail "a refusal left OUT behind"
echo "ok refused: exit 4, every missing driver named with its phone, the a516-like's partition map, nothing at OUT"

# --- usage and errors
for args in "" "build" "build --phone $work/bk-wiko-like -o $work/x" "build --base $work/base -o $work/x" \
	"build --base $work/base --phone $work/bk-wiko-like" "frobnicate" "build --base $work/base --bogus"; do
	# shellcheck disable=SC2086 # the words are the arguments
	univ $args
	[ "$rc" -eq 2 ] || fail "unifw universal $args: exit $rc, want 2"
done
univ build --help
if [ "$rc" -ne 0 ] || ! grep -q -- '--phone' "$work/u.out"; then fail "--help: exit $rc"; fi
univ build --base "$work/base" --phone "$work/bk-wiko-like" -o "$work/out"
if [ "$rc" -ne 1 ] || ! grep -q 'not empty' "$work/u.err"; then fail "OUT not empty: exit $rc $(cat "$work/u.err")"; fi
univ build --base "$work/base" --phone "$work/nowhere" -o "$work/o2"
if [ "$rc" -ne 1 ] || [ -e "$work/o2" ]; then fail "a missing phone: exit $rc"; fi
echo "ok usage: exit 2 for missing/unknown arguments, 1 for OUT not empty and a missing phone"
echo "PASS universal_cli"
