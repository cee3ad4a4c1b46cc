#!/bin/sh
# Several phones of one model (docs/sim.md "Several phones of one model") and the damage of SP Flash
# Tool's "Format All + Download" (docs/sim.md "Damage"), with the real binaries:
#  - every model: make-emmc --unit 1 and --unit 2; both boot (exit 0); served with --model M --unit N,
#    `unifw identify --json` over the socket reports each unit's own CID (the one make-emmc printed,
#    CRC valid); the identity partitions (NVRAM, PRO_INFO, PROTECT_F, PROTECT_S) and USRDATA differ,
#    every firmware partition the scatter downloads is the same; an image served as another unit is
#    refused;
#  - `unifw-sim damage --format-all-download`: identity partitions blank, the verdict boots_with_faults
#    with imei_null, mac_random_each_boot and default_bt_address; a package that does not fit is
#    refused and the image is untouched.
# Exit 0 pass, 77 skip, else fail.
set -eu
. "$(dirname "$0")/backup_lib.sh"

# compare_units SCATTER IMG1 IMG2: firmware partitions equal, identity partitions differ.
compare_units() {
	python3 - "$@" <<'PY'
import re, struct, sys
scatter, a, b = sys.argv[1:]
parts, cur = [], None
for line in open(scatter):
    m = re.match(r"\s*-?\s*(\w+):\s*(\S*)", line)
    if not m: continue
    k, v = m.groups()
    if k == "partition_index": cur = {}; parts.append(cur)
    if cur is not None: cur[k] = v
def layout(img):
    f = open(img, "rb"); f.seek(0, 2); size = f.tell(); f.seek(size - 4096)
    sizes = struct.unpack_from("<8Q", f.read(4096), 0x18)
    return f, sizes
fa, sa = layout(a)
fb, sb = layout(b)
assert sa == sb, "geometries differ"
boot_region, user_base = sa[0] + sa[1] + sa[2], sum(sa[:7])
def read(f, p):
    start, size = int(p["linear_start_addr"], 16), int(p["partition_size"], 16)
    if p["region"] == "EMMC_BOOT_1":
        f.seek(0); return f.read(sa[0])
    f.seek(user_base + start - boot_region); return f.read(size)
identity = {"NVRAM", "PRO_INFO", "PROTECT_F", "PROTECT_S", "USRDATA"}
same = differ = 0
for p in parts:
    name = p["partition_name"]
    if name == "BMTPOOL": continue
    x, y = read(fa, p), read(fb, p)
    if name in identity:
        if x == y: sys.exit("%s is the same on both units" % name)
        if name != "USRDATA" and not any(x): sys.exit("%s is blank" % name)
        differ += 1
    elif p["is_download"] == "true" and p["file_name"] != "NONE":
        if x != y: sys.exit("firmware partition %s differs between the units" % name)
        same += 1
assert differ == len(identity), differ
print("units: %d firmware partitions the same, %d identity partitions their own" % (same, differ))
PY
}

# identify_cid IMAGE MODEL UNIT: the CID unifw reads from the served phone (raw hex), CRC checked.
identify_cid() {
	sim_start "$1" --model "$2" --unit "$3"
	"$UNIFW" identify --port "$PORT" --json >"$work/id.json" 2>"$work/id.err" || {
		cat "$work/id.err"
		fail "identify of $2 unit $3"
	}
	sim_stop
	python3 - "$work/id.json" <<'PY'
import json, sys
cid = json.load(open(sys.argv[1]))["emmc"]["cid"]
assert cid["crc_ok"] is True, cid
print(cid["raw"])
PY
}

models=$("$SIM" models | awk '$1 != "universal" { print $1 }')
[ "$(echo "$models" | wc -l)" -ge 4 ] || fail "fewer than four models: $models"
for m in $models; do
	"$SIM" make-firmware --model "$m" -o "$work/pkg-$m" >/dev/null
	for u in 1 2; do
		"$SIM" make-emmc --model "$m" --unit "$u" -o "$work/$m-$u.img" >"$work/make.out"
		made=$(sed -n 's/.*unit '"$u"', CID \([0-9a-f]*\) .*/\1/p' "$work/make.out")
		[ ${#made} -eq 32 ] || fail "$m unit $u: make-emmc printed no CID: $(cat "$work/make.out")"
		rc=0
		"$SIM" boot --emmc "$work/$m-$u.img" >/dev/null || rc=$?
		[ "$rc" -eq 0 ] || fail "$m unit $u does not boot (exit $rc)"
		got=$(identify_cid "$work/$m-$u.img" "$m" "$u")
		[ "$got" = "$made" ] || fail "$m unit $u: identify says CID $got, make-emmc made $made"
		eval "cid_$u=\$got"
	done
	# shellcheck disable=SC2154 # set by the eval above
	[ "$cid_1" != "$cid_2" ] || fail "$m: units 1 and 2 have the same CID $cid_1"
	# the same memory part (DRAM id = CID bytes 0..8), another serial
	[ "$(echo "$cid_1" | cut -c1-18)" = "$(echo "$cid_2" | cut -c1-18)" ] || fail "$m: the units' memory parts differ"
	compare_units "$work/pkg-$m/MT6572_Android_scatter.txt" "$work/$m-1.img" "$work/$m-2.img"
	if "$SIM" --socket "$work/wrong.sock" --model "$m" --unit 1 --emmc "$work/$m-2.img" 2>"$work/wrong.err"; then
		fail "$m: unit 2's image served as unit 1"
	fi
	grep -q "another phone" "$work/wrong.err" || fail "$m: the refusal does not say why: $(cat "$work/wrong.err")"
	echo "$m: units 1 and 2: CIDs $cid_1 / $cid_2, both boot"
done

# ---- Format All + Download
img="$work/a516-like-2.img"
"$SIM" damage --format-all-download --package "$work/pkg-a516-like" --emmc "$img" 2>/dev/null
rc=0
"$SIM" boot --emmc "$img" --json >"$work/v.json" || rc=$?
[ "$rc" -eq 3 ] || fail "Format All + Download: boot exit $rc, expected 3 (boots_with_faults)"
python3 - "$work/v.json" "$img" "$work/pkg-a516-like/MT6572_Android_scatter.txt" <<'PY'
import json, re, struct, sys
v = json.load(open(sys.argv[1]))
codes = [f["code"] for f in v["faults"]]
for c in ("imei_null", "mac_random_each_boot", "default_bt_address"):
    assert c in codes, (c, codes)
nv = v["facts"]["nvram"]
assert nv["imei_record"] is False and nv["source"] == "none", nv
f = open(sys.argv[2], "rb"); f.seek(0, 2); size = f.tell(); f.seek(size - 4096)
sizes = struct.unpack_from("<8Q", f.read(4096), 0x18)
text = open(sys.argv[3]).read()
for name in ("NVRAM", "PRO_INFO", "PROTECT_F", "PROTECT_S"):
    blk = text[text.index("partition_name: " + name + "\n"):]
    start = int(re.search(r"linear_start_addr: (0x[0-9a-f]+)", blk).group(1), 16)
    length = int(re.search(r"partition_size: (0x[0-9a-f]+)", blk).group(1), 16)
    f.seek(sum(sizes[:7]) + start - sum(sizes[:3]))
    assert not any(f.read(length)), name + " survived Format All + Download"
print("Format All + Download: %s, identity partitions blank" % ", ".join(codes))
PY
cp "$work/s10-like-1.img" "$work/s10-copy.img"
"$SIM" make-firmware --universal -o "$work/pkg-universal" >/dev/null
if "$SIM" damage --format-all-download --package "$work/pkg-universal" --emmc "$work/s10-copy.img" 2>"$work/err.txt"; then
	fail "a 12 MiB boot-region package was Format-All-Downloaded into a 20 MiB one"
fi
grep -q "boot region" "$work/err.txt" || fail "the refusal does not name the boot region"
cmp -s "$work/s10-like-1.img" "$work/s10-copy.img" || fail "the refused Format All + Download changed the image"
echo "sim_units ok"
