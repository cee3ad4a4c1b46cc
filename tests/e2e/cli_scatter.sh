#!/bin/sh
# End-to-end: drive the real unifw binary over the corpus scatter files.
#  validate: exit 0 on every clean corpus file, 3 on the one with real errors, 1 on unreadable input;
#  show --json: valid JSON with the documented keys (checked with python3);
#  convert: byte-exact rewrite of a ptgen file, flat -> v1 -> flat identity, -o writes atomically;
#  --images: an image larger than its partition is an error naming both.
set -u
bin=${UNIFW_BIN:?UNIFW_BIN not set}
corpus=${UNIFW_CORPUS:?UNIFW_CORPUS not set}
sc=$corpus/scatter
[ -x "$bin" ] || { echo "SKIP: $bin not built"; exit 77; }
[ -d "$sc" ] || { echo "SKIP: no corpus at $sc"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect STATUS CMD...: run CMD, stdout to $tmp/out, stderr to $tmp/err, check the exit status.
expect() {
	want=$1
	shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -eq "$want" ] || { fail "exit $got (expected $want): $*"; sed 's/^/  | /' "$tmp/err" | head -5; }
}

# ---- validate: every corpus file ----
n=0
for f in "$sc"/*.txt; do
	n=$((n + 1))
	case $f in
	*accuchek*) want=3 ;; # readback leftover SYS20 at linear 0x0 overlapping MBR.. (see test_scatter.c)
	*) want=0 ;;
	esac
	expect $want "$bin" scatter validate "$f"
	grep -q "partitions" "$tmp/out" || fail "validate $f: no summary line"
done
[ "$n" -eq 25 ] || fail "expected 25 corpus scatter files, found $n"
expect 3 "$bin" scatter validate "$sc/mt6572_accuchek_solo_rc.txt"
grep -q "mt6572_accuchek_solo_rc.txt:319: error: .*overlaps MBR" "$tmp/out" || fail "accuchek: overlap not reported at line 319"

# validate --json parses and agrees with the exit status
expect 3 "$bin" scatter validate --json "$sc/mt6572_accuchek_solo_rc.txt"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["type"] == "scatter_validation", d["type"]
assert d["errors"] == 2, d["errors"]
errs = [x for x in d["findings"] if x["severity"] == "error"]
assert all(x["line"] == 319 for x in errs), errs
assert {x["code"] for x in errs} == {"overlap", "in-boot-region"}
' "$tmp/out" || fail "validate --json accuchek"

# ---- show --json on every file: the documented keys ----
for f in "$sc"/*.txt; do
	expect 0 "$bin" scatter show --json "$f"
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
keys = list(d)
assert keys[0] == "type" and d["type"] == "scatter", keys[:1]
for k in ("dialect", "config_version", "platform", "project", "storage", "boot_region",
          "partition_count", "partitions", "physical_address_convention", "findings"):
    assert k in d, k
assert d["dialect"] in ("v1", "flat", "braces")
assert d["partition_count"] == len(d["partitions"]) > 10
for p in d["partitions"]:
    for k in ("type", "index", "name", "file", "is_download", "kind", "linear", "size", "size_derived",
              "region", "operation_type", "line"):
        assert k in p, k
    assert p["type"] == "scatter_partition" and p["linear"].startswith("0x")
    assert isinstance(p["size"], int) and isinstance(p["line"], int) and p["line"] > 0
assert d["physical_address_convention"] in ("zero", "user_offset", "linear", "mixed", "none")
' "$tmp/out" || fail "show --json $f"
done
# specific facts
"$bin" scatter show --json "$sc/mt6572_alcatel_4035_ota_scatter.txt" >"$tmp/a.json" || fail "show alcatel"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["dialect"] == "flat" and d["partition_count"] == 21
assert d["boot_region"] == "0x1000000"
assert d["config_version"] is None
p = {x["name"]: x for x in d["partitions"]}
assert p["BOOTIMG"]["size"] == 0x1400000 and p["BOOTIMG"]["size_derived"]
assert p["USRDATA"]["size"] == 0 and p["USRDATA"]["size_derived"]
' "$tmp/a.json" || fail "alcatel 4035 facts"

# show (human): a table with the columns
expect 0 "$bin" scatter show "$sc/mt6572_lenovo_a516_S117.txt"
grep -q "^SYS9 *BOOTIMG *0x2380000 *6 MiB *boot.img *yes *EMMC_USER" "$tmp/out" || fail "show table row for BOOTIMG"
grep -q "PRELOAD " "$tmp/out" || fail "show: A516 PRELOAD missing"

# ---- convert ----
expect 0 "$bin" scatter convert "$sc/mt6572_pe900s.txt" --to v1
cmp -s "$tmp/out" "$sc/mt6572_pe900s.txt" || fail "convert pe900s --to v1 is not byte-exact"
expect 0 "$bin" scatter convert "$sc/mt6572_pe900s.txt" --to v1 -o "$tmp/pe.txt"
cmp -s "$tmp/pe.txt" "$sc/mt6572_pe900s.txt" || fail "convert -o pe900s is not byte-exact"
[ -s "$tmp/out" ] && fail "convert -o also wrote to stdout"
ls "$tmp" | grep -q '\.tmp\.' && fail "convert -o left a temporary file"
# flat -> v1 -> flat is the identity; v1 -> plain -> v1 keeps names and starts
for f in "$sc"/*ota_scatter.txt; do
	"$bin" scatter convert "$f" --to v1 -o "$tmp/v1.txt" || fail "convert $f --to v1"
	"$bin" scatter convert "$tmp/v1.txt" --to plain >"$tmp/flat.txt" || fail "convert back $f"
	cmp -s "$tmp/flat.txt" "$f" || fail "flat -> v1 -> flat differs for $f"
done
"$bin" scatter convert "$sc/mt6572_lenovo_a516_S117.txt" --to plain >"$tmp/a516.flat" || fail "a516 to plain"
[ "$(wc -l <"$tmp/a516.flat")" -eq 20 ] || fail "a516 plain: expected 20 lines"
grep -qx "PRELOAD 0x3d40000" "$tmp/a516.flat" || fail "a516 plain: PRELOAD line"
"$bin" scatter show --json "$tmp/a516.flat" >"$tmp/b.json" || fail "show converted"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["dialect"] == "flat" and d["partition_count"] == 20 and d["storage"] == "EMMC"
' "$tmp/b.json" || fail "converted a516 facts"
expect 0 "$bin" scatter convert "$sc/mt6589_lenovo_s960_emmc_oldstyle.txt" --to braces
cmp -s "$tmp/out" "$sc/mt6589_lenovo_s960_emmc_oldstyle.txt" || fail "braces rewrite not byte-exact"

# ---- images ----
mkdir "$tmp/img"
head -c 6291457 /dev/zero >"$tmp/img/boot.img"  # BOOTIMG is 0x600000 bytes: one byte too many
head -c 1000 /dev/zero >"$tmp/img/lk.bin"
expect 3 "$bin" scatter validate "$sc/mt6572_lenovo_a516_S117.txt" --images "$tmp/img"
grep -q "error: BOOTIMG: image boot.img is 6291457 bytes.*larger than the partition" "$tmp/out" ||
	fail "image-too-big not reported"
grep -q "warning: ANDROID: image system.img is not in" "$tmp/out" || fail "image-missing not reported"
head -c 6291456 /dev/zero >"$tmp/img/boot.img"
expect 0 "$bin" scatter validate "$sc/mt6572_lenovo_a516_S117.txt" --images "$tmp/img"

# ---- errors and usage ----
expect 1 "$bin" scatter validate "$tmp/does-not-exist.txt"
grep -q "does-not-exist" "$tmp/err" || fail "missing file not named"
printf 'PRELOADER 0x0\nMBR zero\n' >"$tmp/bad.txt"
expect 1 "$bin" scatter show "$tmp/bad.txt"
grep -q "line 2" "$tmp/err" || fail "bad line not named"
head -c 2000000 /dev/zero | tr '\0' '#' >"$tmp/big.txt"
expect 1 "$bin" scatter validate "$tmp/big.txt"
expect 2 "$bin" scatter
expect 2 "$bin" scatter frobnicate x
expect 2 "$bin" scatter convert "$sc/mt6572_pe900s.txt"
expect 2 "$bin" scatter convert "$sc/mt6572_pe900s.txt" --to yaml
expect 2 "$bin" scatter validate
expect 2 "$bin" scatter validate a b
expect 2 "$bin" scatter show --bogus x
for s in validate show convert; do
	expect 0 "$bin" scatter $s --help
	grep -q "usage: unifw scatter $s" "$tmp/out" || fail "$s --help"
done
expect 0 "$bin" scatter --help

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "cli_scatter: all checks passed"
