#!/bin/sh
# unifw format against unifw-sim: --plan erases nothing; an identity partition named without
# --include-identity is refused before anything is touched; without --yes and without a terminal it
# refuses; --partition CACHE --yes backs up the preloader and identity partitions into a stamped
# folder first (equal to the eMMC), then erases exactly CACHE; --all-but-identity keeps NVRAM,
# PRO_INFO, PROTECT_F/S, MBR/EBR and BMTPOOL and erases the rest; reboot sends FINISH.
set -eu
. "$(dirname "$0")/backup_lib.sh"

m=a516-like
img="$work/$m.img"
"$SIM" make-emmc --model "$m" -o "$img" >/dev/null
cp --sparse=always "$img" "$work/before.img"
sim_start "$img" --model "$m" --mode preloader --preloader-window 0

"$UNIFW" format --port "$PORT" --partition CACHE --plan >/dev/null 2>"$work/plan" || { cat "$work/plan"; fail "--plan"; }
grep -q "CACHE *ERASE" "$work/plan" || { cat "$work/plan"; fail "plan does not erase CACHE"; }
grep -q "NVRAM *keep" "$work/plan" || fail "plan does not keep NVRAM"
if "$UNIFW" format --port "$PORT" --partition NVRAM --yes >/dev/null 2>"$work/err"; then fail "NVRAM erased without --include-identity"; fi
grep -q "include-identity" "$work/err" || { cat "$work/err"; fail "identity refusal message"; }
if "$UNIFW" format --port "$PORT" --partition CACHE </dev/null >/dev/null 2>"$work/err"; then fail "erased without --yes"; fi
grep -q -- "--yes" "$work/err" || fail "no --yes hint"
if "$UNIFW" format --port "$PORT" --partition NOSUCH --yes >/dev/null 2>"$work/err"; then fail "unknown partition accepted"; fi
cmp "$img" "$work/before.img" || fail "refused or planned formats changed the eMMC"

# A READ packet of NVRAM changed in two bytes that cancel in its 16-bit checksum while the identity backup
# reads it: its second read differs, nothing is erased (exit 1), the error names NVRAM and the offset.
# The target is past the 64 KiB the partition-table read samples, in data (see flash_hostile.sh).
"$UNIFW" format --port "$PORT" --partition CACHE --plan --json >"$work/plan.json" 2>"$work/err" ||
	{ cat "$work/err"; fail "--plan --json"; }
sim_stop
target=$(python3 - "$work/plan.json" "$img" <<'PY'
import json, struct, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])["result"]
nv = [p for p in r["plan"]["partitions"] if p["name"] == "NVRAM"][0]
f = open(sys.argv[2], "rb"); f.seek(0, 2); f.seek(f.tell() - 4096)
user_base = sum(struct.unpack_from("<8Q", f.read(4096), 0x18)[:7])
off = int(nv["offset"], 16) if isinstance(nv["offset"], str) else nv["offset"]
f.seek(user_base + off); b = f.read(1 << 20)
print(off + next(j for j in range(0x10000, len(b) - 1) if 0 < b[j] < 0xFF and any(b[j + 1:])))
PY
)
sim_start "$img" --model "$m" --mode preloader --preloader-window 0 --fault "twin:op=read,addr=$target"
mkdir "$work/twin"
rc=0
"$UNIFW" format --port "$PORT" --partition CACHE --yes --backup-dir "$work/twin" --json >"$work/ev" 2>"$work/err" || rc=$?
sim_stop
[ "$rc" -eq 1 ] || { cat "$work/err"; fail "format with a twin fault on NVRAM: exit $rc, expected 1"; }
grep -q "NVRAM.*second read from the phone differs from the first at .*offset $(printf '0x%x' "$target")" "$work/ev" ||
	{ tail -1 "$work/ev"; fail "format twin: the error does not name NVRAM and offset $(printf '0x%x' "$target")"; }
cmp "$img" "$work/before.img" || fail "format twin: the eMMC changed"
echo "ok format: twin:op=read on NVRAM stops it before any erase"
sim_start "$img" --model "$m" --mode preloader --preloader-window 0

mkdir "$work/keep"
"$UNIFW" format --port "$PORT" --partition CACHE --yes --backup-dir "$work/keep" --json >"$work/ev" 2>"$work/err" ||
	{ cat "$work/err"; tail -2 "$work/ev"; fail "format CACHE"; }
sim_stop
idb=$(ls -d "$work"/keep/identity-*)
[ -f "$idb/nvram.bin" ] && [ -f "$idb/preloader.bin" ] && [ -f "$idb/protect_f.img" ] || fail "identity backup incomplete"
python3 - "$idb/manifest.json" "$work/ev" <<'PY' || fail "identity manifest / events"
import json, sys
m = json.load(open(sys.argv[1]))
assert m["scope"] == "identity"
names = sorted(p["name"] for p in m["partitions"])
assert names == ["NVRAM", "PRELOADER", "PROTECT_F", "PROTECT_S", "PRO_INFO"], names
ev = [json.loads(l) for l in open(sys.argv[2])]
assert ev[-1]["event"] == "result" and ev[-1]["ok"] and ev[-1]["result"]["erased"] == ["CACHE"], ev[-1]
PY
python3 - "$img" "$work/before.img" "$idb/manifest.json" <<'PY' || fail "erase range"
import json, struct, sys
new, old = open(sys.argv[1], "rb"), open(sys.argv[2], "rb")
m = json.load(open(sys.argv[3]))
# identity files equal the eMMC before the erase
e = m["phone"]["emmc"]; ub = e["boot1_size"] + e["boot2_size"] + e["rpmb_size"]
for p in m["partitions"]:
    base = 0 if p["region"] == "EMMC_BOOT_1" else ub
    old.seek(base + int(p["offset"], 16))
    assert old.read(p["size"]) == open(sys.argv[3].rsplit("/", 1)[0] + "/" + p["file"], "rb").read(), p["name"]
parts = {p["name"]: p for p in m["partition_table"]["partitions"]}
c = parts["CACHE"]; off, size = ub + int(c["offset"], 16), c["size"]
new.seek(0, 2); n = new.tell(); new.seek(0); old.seek(0)
pos = 0
while pos < n:
    a, b = new.read(1 << 20), old.read(1 << 20)
    lo, hi = pos, pos + len(a)
    if hi <= off or lo >= off + size:
        assert a == b, "changed outside CACHE at 0x%x" % pos
    else:
        for i in range(len(a)):
            inside = off <= pos + i < off + size
            if inside: assert a[i] == 0, "CACHE not erased at 0x%x" % (pos + i)
            elif a[i] != b[i]: raise AssertionError("changed outside CACHE at 0x%x" % (pos + i))
    pos = hi
print("format CACHE: only CACHE erased; identity backup equals the eMMC")
PY

sim_start "$img" --model "$m" --mode preloader --preloader-window 0
"$UNIFW" format --port "$PORT" --all-but-identity --yes --backup-dir "$work/keep" >/dev/null 2>"$work/err" ||
	{ cat "$work/err"; fail "--all-but-identity"; }
"$UNIFW" reboot --port "$PORT" >/dev/null 2>"$work/err" || { cat "$work/err"; fail "reboot"; }
sim_stop
grep -q "reboot requested" "$work/sim.err" || fail "no FINISH seen by the sim"
python3 - "$img" "$work/before.img" "$idb/manifest.json" <<'PY' || fail "all-but-identity"
import json, sys
new, old = open(sys.argv[1], "rb"), open(sys.argv[2], "rb")
m = json.load(open(sys.argv[3]))
e = m["phone"]["emmc"]; ub = e["boot1_size"] + e["boot2_size"] + e["rpmb_size"]
def rng(f, o, s): f.seek(o); return f.read(s)
for p in m["partition_table"]["partitions"]:
    if p["region"] != "EMMC_USER": continue
    o, s = ub + int(p["offset"], 16), p["size"]
    kept = p["name"] in ("NVRAM", "PRO_INFO", "PROTECT_F", "PROTECT_S", "MBR", "EBR1", "EBR2", "BMTPOOL")
    a = rng(new, o, s)
    if kept: assert a == rng(old, o, s), p["name"] + " changed"
    else: assert a.count(0) == len(a), p["name"] + " not erased"
print("all-but-identity: identity, tables and BMTPOOL kept; the rest erased")
PY
echo "format: plan, refusals, identity backup first, exact erase ranges, reboot: ok"
