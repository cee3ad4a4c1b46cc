#!/bin/sh
# Identity content is recognised by what it is, not by its name (issue 8 items 2, 3, 7, 9e), against
# unifw-sim's a516-like phone:
#  - a phone whose PMT and MBR are gone (unifw-sim erase MBR PMT): a package whose scatter calls the
#    NVRAM partition CUSTOM and writes an image there is refused (identity_overlap), nothing written;
#  - the same package with NVRAM renamed NVRAM_X (not downloaded): the plan shows the region NVRAM_X
#    (BinRegion header) and the flash backs it up byte-exact before the first write;
#  - a scatter with two partitions on the same bytes is refused (scatter-overlap), nothing written;
#  - format of an MBR entry that starts inside NVRAM (a foreign layout) is refused, nothing erased;
#  - format on a phone whose PMT calls NVRAM NVRAM_X backs NVRAM_X up (by content) before erasing;
#  - format against an eMMC that acknowledges FORMAT and keeps the data (lie:op=format) fails with the
#    partition and offset; a true erase says "verified by read-back";
#  - format --all-but-identity says the phone will not boot until a firmware is flashed.
# Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/flash_lib.sh"

m=a516-like
"$SIM" make-emmc --model "$m" -o "$work/factory.img" >/dev/null
"$SIM" make-firmware --model "$m" --seed 2 -o "$work/pkg" >/dev/null
cp --sparse=always "$work/factory.img" "$work/wiped.img"
"$SIM" erase --emmc "$work/wiped.img" MBR PMT
wiped=$(sha256sum "$work/wiped.img" | cut -d' ' -f1)

# edit_scatter PKG PYTHON: rewrite PKG's scatter, one partition block at a time (p = dict of its keys).
edit_scatter() {
	python3 - "$1"/MT6572_Android_scatter.txt "$2" <<'PY'
import re, sys
path, code = sys.argv[1], sys.argv[2]
text = open(path).read()
blocks = text.split("\n- ")
out = [blocks[0]]
for b in blocks[1:]:
    p = dict(re.findall(r"^\s*([a-z_]+): (.*)$", b, re.M))
    exec(code)
    for k, v in p.items():
        b = re.sub(r"^(\s*)%s: .*$" % k, lambda mm: "%s%s: %s" % (mm.group(1), k, v), b, flags=re.M)
    out.append(b)
open(path, "w").write("\n- ".join(out))
PY
}

# 1. a partition placed over NVRAM on a phone without tables
cp -r "$work/pkg" "$work/over"
cp "$work/pkg/secro.img" "$work/over/custom.img"
edit_scatter "$work/over" '
if p.get("partition_name") == "NVRAM":
    p.update(partition_name="CUSTOM", file_name="custom.img", is_download="true", type="NORMAL_ROM",
             operation_type="UPDATE")'
start_sim "$work/wiped.img" --model "$m"
flash "$work/over" --yes --json
stop_sim
[ "$rc" -eq 3 ] || fail "partition over NVRAM: exit $rc, expected 3 (a refused plan): $(tail -3 "$work/err.txt")"
python3 - "$work/out.json" <<'PY' || fail "partition over NVRAM: plan"
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])["result"]["plan"]
e = [p for p in r["partitions"] if p["name"] == "CUSTOM"][0]
assert e["action"] == "refuse" and e["code"] == "identity_overlap", e
assert "NVRAM BinRegion header" in e["reason"], e["reason"]
reg = r["identity_regions"]["regions"]
assert any(x["kind"] == "nvram" and x["name"] == "CUSTOM" for x in reg), reg
assert {x["label"] for x in reg if x["kind"] == "protect"} == {"protect_f", "protect_s"}, reg
print("refused:", e["reason"][:160])
PY
[ "$(sha256sum "$work/wiped.img" | cut -d' ' -f1)" = "$wiped" ] || fail "partition over NVRAM: the eMMC changed"
echo "ok a partition placed over NVRAM (phone without PMT and MBR) is refused, nothing written"

# 2. NVRAM under another name: found, shown, backed up before the first write
cp -r "$work/pkg" "$work/renamed"
edit_scatter "$work/renamed" '
if p.get("partition_name") == "NVRAM":
    p.update(partition_name="NVRAM_X", operation_type="UPDATE")'
cp --sparse=always "$work/wiped.img" "$work/w2.img"
start_sim "$work/w2.img" --model "$m"
flash "$work/renamed" --plan
grep -q "NVRAM_X at user 0x400000, 5 MiB (NVRAM BinRegion header)" "$work/out.json" ||
	fail "NVRAM_X: the text plan does not show the region: $(cat "$work/out.json")"
flash "$work/renamed" --yes --json
stop_sim
[ "$rc" -eq 0 ] || fail "NVRAM_X: flash exited $rc: $(tail -3 "$work/err.txt")"
backup=$(result result.identity_backup)
python3 - "$backup" "$work/wiped.img" "$work/out.json" <<'PY' || fail "NVRAM_X: backup"
import hashlib, json, struct, sys
d, img = sys.argv[1], sys.argv[2]
plan = json.loads(open(sys.argv[3]).read().splitlines()[-1])["result"]["plan"]
assert any(x["name"] == "NVRAM_X" for x in plan["identity_regions"]["regions"]), plan["identity_regions"]
m = json.load(open(d + "/identity-regions.json"))
x = [r for r in m["regions"] if r["name"] == "NVRAM_X"][0]
f = open(img, "rb")
f.seek(-4096, 2)
foot = f.read(4096)
data = open(d + "/" + x["file"], "rb").read()
assert len(data) == x["size"] == 5 << 20, (len(data), x)
assert hashlib.sha256(data).hexdigest() == x["sha256"]
# the user area starts after boot1 + boot2 + RPMB: the plan's boot region for this package equals it
f.seek(int(plan["boot_region"], 16) + int(x["offset"], 16))
assert f.read(len(data)) == data, "backup differs from the eMMC before the flash"
print("NVRAM_X backed up:", x["file"], x["size"], "bytes")
PY
echo "ok NVRAM under another name (NVRAM_X) found, shown in the plan and backed up byte-exact"

# 3. a scatter with overlapping partitions
cp -r "$work/pkg" "$work/overlap"
edit_scatter "$work/overlap" '
if p.get("partition_name") == "LOGO":
    p.update(linear_start_addr=hex(int(p["linear_start_addr"], 16) - 0x10000))'
"$UNIFW" scatter validate "$work/overlap/MT6572_Android_scatter.txt" >/dev/null 2>&1 &&
	fail "overlap: scatter validate did not report the overlap"
cp --sparse=always "$work/wiped.img" "$work/w3.img"
start_sim "$work/w3.img" --model "$m"
flash "$work/overlap" --yes --json
stop_sim
[ "$rc" -eq 3 ] || fail "overlap: exit $rc, expected 3 (a refused plan): $(tail -3 "$work/err.txt")"
result plan.findings | grep -q '"scatter-overlap"' || result result.plan.findings | grep -q '"scatter-overlap"' ||
	fail "overlap: no scatter-overlap finding: $(tail -c 600 "$work/out.json")"
[ "$(sha256sum "$work/w3.img" | cut -d' ' -f1)" = "$wiped" ] || fail "overlap: the eMMC changed"
echo "ok a scatter with overlapping partitions is refused, nothing written"

# format FILE ARGS...: unifw format on the served phone; stdout to $work/fout, stderr to $work/ferr.
format() {
	rc=0
	"$UNIFW" format --port "$PORT" --da "$DA" "$@" >"$work/fout" 2>"$work/ferr" || rc=$?
	[ "$rc" -lt 128 ] || fail "unifw format crashed (status $rc): $(tail -20 "$work/ferr")"
}

# 4. an MBR entry that starts inside NVRAM (the PMT still says where NVRAM is)
cp --sparse=always "$work/factory.img" "$work/f4.img"
start_sim "$work/f4.img" --model "$m"
"$UNIFW" identify --port "$PORT" --da "$DA" --json >"$work/id.json" 2>"$work/err.txt" || fail "identify: $(cat "$work/err.txt")"
stop_sim
name=$(python3 - "$work/id.json" "$work/f4.img" <<'PY'
import json, struct, sys
ident = json.load(open(sys.argv[1]))
t = ident["partition_table"]
parts = {p["name"]: p for p in t["partitions"]}
nv = int(parts["NVRAM"]["offset"], 16)
ub = int(t["boot_region"], 16)
# MBR slot 1 (the first data slot; slot 0 links the EBRs: formats.md "MBR / EBR"): start LBA moved 1 MiB
# into NVRAM, a layout written by another firmware
f = open(sys.argv[2], "r+b")
f.seek(ub + 0x1BE + 16 + 8)
f.write(struct.pack("<I", (nv + (1 << 20)) // 512))
f.close()
print("mmcblk0p2")
PY
)
cp --sparse=always "$work/f4.img" "$work/f4-before.img"
start_sim "$work/f4.img" --model "$m"
format --partition "$name" --plan
grep -q "$name" "$work/ferr" || fail "format: $name is not in the phone's layout: $(cat "$work/ferr")"
format --partition "$name" --yes --backup-dir "$work"
stop_sim
[ "$rc" -eq 1 ] || fail "format inside NVRAM: exit $rc, expected 1: $(tail -3 "$work/ferr")"
grep -q "identity content found on the phone: NVRAM at user 0x400000" "$work/ferr" ||
	fail "format inside NVRAM: message: $(cat "$work/ferr")"
cmp -s "$work/f4.img" "$work/f4-before.img" || fail "format inside NVRAM: the eMMC changed"
echo "ok format of an MBR/EBR entry starting inside NVRAM is refused, nothing erased"

# 4b. a PMT that calls NVRAM NVRAM_X: format CACHE backs NVRAM_X up by content first
cp --sparse=always "$work/factory.img" "$work/f4b.img"
python3 - "$work/id.json" "$work/f4b.img" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))["emmc"]
# the PMT (primary, then mirror 0x1000 later) sits 1 MiB before the user area's end (unifw_pmt_location);
# entries of 0x58 bytes from offset 8, name[64] first (docs/format-partition-tables.md)
pmt = int(e["boot_region"], 16) + e["user_size"] - 0x100000
f = open(sys.argv[2], "r+b")
f.seek(pmt)
b = bytearray(f.read(0x2000))
n = 0
for base in (0, 0x1000):
    for i in range(40):
        o = base + 8 + i * 0x58
        if b[o:o + 6] == b"NVRAM\0":
            b[o:o + 7] = b"NVRAM_X"
            n += 1
assert n == 2, n
f.seek(pmt)
f.write(b)
PY
mkdir "$work/bk4b"
start_sim "$work/f4b.img" --model "$m"
format --partition CACHE --yes --backup-dir "$work/bk4b"
stop_sim
[ "$rc" -eq 0 ] || fail "format with NVRAM_X: exit $rc: $(tail -3 "$work/ferr")"
grep -q "identity content: NVRAM_X at user 0x400000, 5 MiB (NVRAM BinRegion header)" "$work/ferr" ||
	fail "format with NVRAM_X: the plan does not show it: $(cat "$work/ferr")"
python3 - "$work"/bk4b/identity-* "$work/factory.img" "$work/id.json" <<'PY' || fail "format with NVRAM_X: backup"
import json, sys
d, img = sys.argv[1], sys.argv[2]
ub = int(json.load(open(sys.argv[3]))["emmc"]["boot_region"], 16)
x = [r for r in json.load(open(d + "/identity-regions.json"))["regions"] if r["name"] == "NVRAM_X"][0]
data = open(d + "/" + x["file"], "rb").read()
f = open(img, "rb")
f.seek(ub + int(x["offset"], 16))
assert len(data) == 5 << 20 and f.read(len(data)) == data
PY
echo "ok format on a phone whose PMT calls NVRAM NVRAM_X backs it up by content first"

# 5. an eMMC that acknowledges FORMAT and erases nothing; then a true erase, verified
cp --sparse=always "$work/factory.img" "$work/f5.img"
start_sim "$work/f5.img" --model "$m" --fault "lie:op=format"
format --partition CACHE --yes --backup-dir "$work"
[ "$rc" -eq 1 ] || fail "lying eMMC: exit $rc, expected 1: $(tail -3 "$work/ferr")"
grep -q "CACHE: offset 0x[0-9a-f]*: .*not erased: byte 0x[0-9a-f]* of CACHE (user 0x[0-9a-f]*) reads 0x" "$work/ferr" ||
	fail "lying eMMC: message: $(cat "$work/ferr")"
echo "ok lying eMMC: $(grep -o 'not erased: byte.*' "$work/ferr" | cut -c1-100)"
format --partition CACHE --partition SECCFG --yes --backup-dir "$work"
stop_sim
[ "$rc" -eq 0 ] || fail "format CACHE after the lie: exit $rc: $(tail -3 "$work/ferr")"
grep -q "CACHE: verified by read-back: 16 samples of 64 KiB" "$work/ferr" || fail "no CACHE read-back: $(cat "$work/ferr")"
grep -q "SECCFG: verified by read-back: all 131072 bytes" "$work/ferr" || fail "no SECCFG read-back: $(cat "$work/ferr")"
echo "ok a true erase is verified by read-back (samples on CACHE, all of SECCFG)"

# 6. --all-but-identity tells that the phone will not boot until a firmware is flashed
start_sim "$work/f5.img" --model "$m"
format --all-but-identity --plan
stop_sim
[ "$rc" -eq 0 ] || fail "all-but-identity plan: exit $rc: $(tail -3 "$work/ferr")"
grep -q "will not boot.*until a firmware is flashed" "$work/ferr" || fail "no boot warning: $(cat "$work/ferr")"
echo "ok --all-but-identity warns that the phone will not boot until a firmware is flashed"
echo PASS
