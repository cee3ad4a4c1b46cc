# Shared by tests/e2e/identity_*.sh (sourced after flash_lib.sh): unifw identity on the served phone, partitions
# of an eMMC image by name (from a vault entry's manifest), the boot evaluation's nvram facts.

# idw SUB ARGS...: unifw identity SUB on the served phone; stdout to $work/out.json, stderr to $work/err.txt,
# the exit status in $rc (a signal fails the test).
idw() {
	rc=0
	"$UNIFW" identity "$@" --port "$PORT" --da "$DA" >"$work/out.json" 2>"$work/err.txt" || rc=$?
	[ "$rc" -lt 128 ] || fail "unifw identity $1 crashed (status $rc): $(tail -20 "$work/err.txt")"
	if grep -q 'Sanitizer' "$work/err.txt"; then
		fail "sanitizer report: $(grep -A20 Sanitizer "$work/err.txt" | head -40)"
	fi
}

# The newest vault entry of the only phone in the vault.
newest_entry() {
	ls -d "$UNIFW_STATE_DIR"/identity/*/identity-* | sort | tail -1
}

# part_sha IMG MANIFEST NAME: SHA-256 of partition NAME of the eMMC image (the manifest's partition table).
part_sha() {
	python3 - "$@" <<'PY'
import hashlib, json, sys
img, man, name = sys.argv[1:4]
m = json.load(open(man))
p = [p for p in m["partition_table"]["partitions"] if p["name"] == name][0]
f = open(img, "rb"); f.seek(int(p["linear"], 16))
print(hashlib.sha256(f.read(p["size"])).hexdigest())
PY
}

# part_extract IMG MANIFEST NAME OUT: copy a partition out of the eMMC image.
part_extract() {
	python3 - "$@" <<'PY'
import json, sys
img, man, name, out = sys.argv[1:5]
m = json.load(open(man))
p = [p for p in m["partition_table"]["partitions"] if p["name"] == name][0]
f = open(img, "rb"); f.seek(int(p["linear"], 16))
open(out, "wb").write(f.read(p["size"]))
PY
}

# boot_nvram IMG: "verdict wifi_mac bt_address faults,..." of the boot evaluation.
boot_nvram() {
	"$SIM" boot --emmc "$1" --json >"$work/boot.json" || true
	python3 - "$work/boot.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
n = d["facts"].get("nvram", {})
codes = ",".join(sorted(f["code"] for f in d.get("faults", []))) or "-"
print(d["verdict"], n.get("wifi_mac", "none"), n.get("bt_address", "none"), codes)
PY
}

# The result event's key (dotted path) of $work/out.json.
res() {
	python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).read().splitlines()[-1]); v=r
for k in sys.argv[2].split("."):
    v = (v[int(k)] if int(k) < len(v) else None) if isinstance(v, list) else v.get(k) if v is not None else None
print("" if v is None else (json.dumps(v) if isinstance(v,(dict,list,bool)) else v))' "$work/out.json" "$1"
}

E2FSCK=$(command -v e2fsck || echo /usr/sbin/e2fsck)
[ -x "$E2FSCK" ] || E2FSCK=/sbin/e2fsck
DEBUGFS=$(command -v debugfs || echo /usr/sbin/debugfs)
[ -x "$DEBUGFS" ] || DEBUGFS=/sbin/debugfs
