#!/bin/sh
# e2e: the real `unifw info` on an A516 package (folder, nested zip, zip with a too-big image), on corpus
# images, and on bad input. JSON is checked with python3; the human report must carry the key facts.
set -u
bin=${UNIFW_BIN:?UNIFW_BIN not set}
corpus=${UNIFW_CORPUS:?UNIFW_CORPUS not set}
command -v python3 >/dev/null 2>&1 || { echo "python3 missing: skip"; exit 77; }
command -v zip >/dev/null 2>&1 || { echo "zip missing: skip"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/unifw-e2e-info-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect_rc WANT CMD...: run, keep stdout/stderr in $tmp/out / $tmp/err, check the exit status
expect_rc() {
	want=$1
	shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -eq "$want" ] || { fail "'$*' exited $got, expected $want"; sed 's/^/  | /' "$tmp/err"; }
}
contains() { grep -qF -- "$2" "$1" || fail "output of $3 lacks '$2'"; }

# --- the package ---------------------------------------------------------------------------------------
pkg="$tmp/pkg/Firmware/Lenovo A516 S117"
mkdir -p "$pkg"
cp "$corpus/scatter/mt6572_lenovo_a516_S117.txt" "$pkg/MT6572_Android_scatter.txt"
cp "$corpus/preloader/mt6572_lenovo_a516_S117_preloader_a516_row.bin" "$pkg/preloader_a516_row.bin"
cp "$corpus/ptable/mt6572_lenovo_a516_MBR.bin" "$pkg/MBR"
cp "$corpus/ptable/mt6572_lenovo_a516_EBR1.bin" "$pkg/EBR1"
cp "$corpus/lk/mt6572_lenovo_a516_S117_lk.bin" "$pkg/lk.bin"
cp "$corpus/logo/mt6572_lenovo_a516_logo.bin" "$pkg/logo.bin"
cp "$corpus/misc/mt6572_lenovo_a516_secro.img" "$pkg/secro.img"
echo "flash with SP Flash Tool" >"$pkg/readme.txt"
(cd "$tmp/pkg" && zip -q -r "$tmp/fw.zip" Firmware)

check_package_json() { # FILE SOURCE BASE_DIR
	python3 - "$@" <<'PY' || fail "JSON report of $1"
import json, sys
r = json.load(open(sys.argv[1]))
source, base = sys.argv[2], sys.argv[3]
assert list(r)[0] == "type" and r["type"] == "package", r.get("type")
assert r["source"] == source and r["base_dir"] == base, (r["source"], r["base_dir"])
assert r["scatter"]["type"] == "scatter" and r["scatter"]["platform"] == "MT6572"
p = {x["name"]: x for x in r["partitions"]}
assert len(p) == 20
want = {"PRELOADER": "preloader", "MBR": "mbr", "EBR1": "ebr", "UBOOT": "lk", "LOGO": "logo", "SEC_RO": "secro"}
for name, t in want.items():
    assert p[name]["status"] == "ok", (name, p[name]["status"])
    assert p[name]["image"]["kind"] == t, (name, p[name]["image"]["kind"])
    assert len(p[name]["image"]["sha256"]) == 64
for name in ("BOOTIMG", "RECOVERY", "ANDROID", "CACHE", "USRDATA"):
    assert p[name]["status"] == "missing", name
assert p["PRELOADER"]["linear"] == "0x0" and p["MBR"]["linear"] == "0x600000"
assert p["UBOOT"]["size"] == 0x60000
s = r["summary"]
assert s["platform"] == "MT6572" and s["project"] == "a516_row" and s["boot_region"] == "0x600000"
assert s["logo"]["resolution"] == "480x854" and s["logo"]["frame_count"] == 43
assert s["preloader"]["project"] == "a516_row" and len(s["preloader"]["memory_parts"]) >= 1
assert s["images"] == {"type": "image_counts", "named": 11, "present": 6, "missing": 5, "with_problems": 0}, s["images"]
codes = [f["code"] for f in r["findings"]]
assert codes.count("image-missing") == 5, codes
assert not [f for f in r["findings"] if f["severity"] == "error"], r["findings"]
assert [x["path"] for x in r["extra_files"]] == [(base + "/" if base else "") + "readme.txt"], r["extra_files"]
PY
}

expect_rc 0 "$bin" info "$tmp/pkg/Firmware/Lenovo A516 S117" --json
cp "$tmp/out" "$tmp/folder.json"
check_package_json "$tmp/folder.json" folder ""
expect_rc 0 "$bin" info "$tmp/pkg" --json
check_package_json "$tmp/out" folder "Firmware/Lenovo A516 S117"
expect_rc 0 "$bin" info "$tmp/fw.zip" --json
check_package_json "$tmp/out" archive "Firmware/Lenovo A516 S117"
# The same bytes hash the same whether read from the folder or streamed out of the zip.
python3 - "$tmp/folder.json" "$tmp/out" <<'PY' || fail "folder and zip hashes differ"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
ha = {p["name"]: p["image"]["sha256"] for p in a["partitions"] if "image" in p}
hb = {p["name"]: p["image"]["sha256"] for p in b["partitions"] if "image" in p}
assert ha == hb and len(ha) == 6
PY

# Human report: the facts a technician needs.
expect_rc 0 "$bin" info "$tmp/fw.zip"
for fact in "Firmware package" "read in place" "Platform" "MT6572" "a516_row" "boot region 6 MiB" \
	"preloader_a516_row.bin" "memory part" "480x854" "43 frames" "PRELOADER" "0x600000" "384 KiB" \
	"MISSING" "system.img" "readme.txt" "WARNING" "Findings"; do
	contains "$tmp/out" "$fact" "info fw.zip"
done
# --quiet: warnings and errors only
expect_rc 0 "$bin" info "$tmp/fw.zip" --quiet
[ "$(grep -c '^warning: image-missing' "$tmp/out")" -eq 5 ] || fail "--quiet lists $(wc -l <"$tmp/out") lines"

# A too-big image makes an error finding: exit 3.
head -c 400000 /dev/zero >>"$pkg/lk.bin"
expect_rc 3 "$bin" info "$pkg"
contains "$tmp/out" "TOO BIG" "info (too-big lk)"
contains "$tmp/out" "ERROR" "info (too-big lk)"

# A zip cut in the middle: clean error naming the file and the offset, exit 1.
size=$(stat -c %s "$tmp/fw.zip")
head -c $((size / 2)) "$tmp/fw.zip" >"$tmp/cut.zip"
"$bin" info "$tmp/cut.zip" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 1 ]; then
	grep -q "^unifw: error: .*cut.zip.*offset 0x" "$tmp/err" || fail "cut zip error: $(cat "$tmp/err")"
elif [ $rc -eq 3 ]; then
	contains "$tmp/out" "archive-truncated" "info cut.zip"
else
	fail "cut zip exited $rc"
fi

# --- single images, detected by content ---------------------------------------------------------------
check_image() { # CORPUS_FILE TYPE FACT
	expect_rc 0 "$bin" info "$corpus/$1" --json
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert list(r)[0]=="type" and r["type"]==sys.argv[2], r["type"]' \
		"$tmp/out" "$2" || fail "$1: JSON type is not $2"
	expect_rc 0 "$bin" info "$corpus/$1"
	contains "$tmp/out" "Type: $2" "info $1"
	contains "$tmp/out" "$3" "info $1"
}
check_image preloader/mt6572_lenovo_a516_S117_preloader_a516_row.bin preloader a516_row
check_image lk/mt6572_lenovo_a516_S117_lk.bin lk "lcm drivers"
check_image logo/mt6572_lenovo_a516_logo.bin logo 480x854
check_image ptable/mt6572_lenovo_a516_MBR.bin mbr 0x83
check_image ptable/mt6572_lenovo_a516_EBR1.bin ebr 0x83
check_image kernel/mt6572_explay_joytv_kernel_3.4.67_mtkhdr.bin kernel 3.4.67
check_image kernel/mt6572_orangepi3giot_boot_emmc.img bootimg 3.4.67
check_image misc/mt6572_lenovo_a516_secro.img secro "secro"
check_image scatter/mt6572_lenovo_a516_S117.txt scatter a516_row

# --- bad input and usage --------------------------------------------------------------------------------
expect_rc 1 "$bin" info "$tmp/does-not-exist"
grep -q "^unifw: error: $tmp/does-not-exist" "$tmp/err" || fail "missing file error: $(cat "$tmp/err")"
: >"$tmp/empty.bin"
expect_rc 1 "$bin" info "$tmp/empty.bin"
grep -q "empty.bin: offset 0x0: " "$tmp/err" || fail "empty file error: $(cat "$tmp/err")"
expect_rc 2 "$bin" info
expect_rc 2 "$bin" info --bogus "$tmp/fw.zip"
expect_rc 0 "$bin" info --help
contains "$tmp/out" "usage: unifw info" "info --help"

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "cli_info: all checks passed"
