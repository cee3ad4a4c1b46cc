# Shared by the jobs e2e tests (identify_sim.sh, backup_models.sh, backup_resume.sh, format_sim.sh):
# start/stop unifw-sim on a Unix socket in $work, and a python helper that compares a backup folder
# with the sim's eMMC image byte for byte (docs/sim.md: boot1 | boot2 | rpmb | gp | user | footer).
command -v python3 >/dev/null 2>&1 || { echo "python3 missing: skip"; exit 77; }
SIM="${UNIFW_SIM_BIN:-$(dirname "${UNIFW_BIN:-./unifw}")/sim/unifw-sim}"
UNIFW="${UNIFW_BIN:-./unifw}"
[ -x "$SIM" ] || { echo "unifw-sim not built at $SIM: skip"; exit 77; }
[ -x "$UNIFW" ] || { echo "unifw not built at $UNIFW: skip"; exit 77; }
# sanitizer builds are slower: give every protocol timeout room
export UNIFW_TIMEOUT_PERCENT="${UNIFW_TIMEOUT_PERCENT:-400}"

work=$(mktemp -d "${TMPDIR:-/tmp}/unifw-jobs-XXXXXX")
simpid=
cleanup() {
	sim_stop
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT INT TERM
"$SIM" make-da -o "$work/da.bin" >/dev/null
export UNIFW_DA="$work/da.bin"
PORT="unix:$work/phone.sock"

fail() { echo "FAIL: $*" >&2; exit 1; }

# sim_start IMAGE [unifw-sim options...]
sim_start() {
	sim_image=$1
	shift
	rm -f "$work/phone.sock" "$work/sim.out"
	"$SIM" --socket "$work/phone.sock" --emmc "$sim_image" "$@" >"$work/sim.out" 2>>"$work/sim.err" &
	simpid=$!
	i=0
	while ! grep -q '^socket ' "$work/sim.out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || { cat "$work/sim.err"; fail "unifw-sim did not start"; }
		kill -0 "$simpid" 2>/dev/null || { cat "$work/sim.err"; fail "unifw-sim exited"; }
		sleep 0.05
	done
}

sim_stop() {
	if [ -n "$simpid" ]; then
		kill "$simpid" 2>/dev/null || true
		wait "$simpid" 2>/dev/null || true
	fi
	simpid=
}

# backup_equals_image DIR IMAGE: every manifest file equals its range of the image, hashes match,
# and boot1 plus the user area are covered completely.
backup_equals_image() {
	python3 - "$1" "$2" <<'PY'
import hashlib, json, struct, sys
d, img = sys.argv[1], sys.argv[2]
m = json.load(open(d + "/manifest.json"))
assert m["kind"] == "unifw-backup", m["kind"]
f = open(img, "rb")
f.seek(0, 2); size = f.tell(); f.seek(size - 4096); foot = f.read(4096)
assert foot[:14] == b"UNIFW-SIM-EMMC", "not a sim image"
sizes = struct.unpack_from("<8Q", foot, 0x18)
user_base = sum(sizes[:7])
covered = {"EMMC_BOOT_1": 0, "EMMC_USER": 0}
for p in m["partitions"]:
    base = 0 if p["region"] == "EMMC_BOOT_1" else user_base
    off = int(p["offset"], 16)
    f.seek(base + off); want = f.read(p["size"])
    got = open(d + "/" + p["file"], "rb").read()
    if got != want:
        i = next(i for i in range(min(len(got), len(want))) if got[i] != want[i]) if len(got) == len(want) else -1
        sys.exit("%s (%s) differs from the image (first byte %d, sizes %d/%d)" % (p["name"], p["file"], i, len(got), len(want)))
    assert hashlib.sha256(got).hexdigest() == p["sha256"], p["name"] + ": sha256"
    covered[p["region"]] += p["size"]
assert covered["EMMC_BOOT_1"] == sizes[0], covered
assert covered["EMMC_USER"] == sizes[7], (covered, sizes[7])
print("backup == image: %d files, %d user bytes" % (len(m["partitions"]), covered["EMMC_USER"]))
PY
}

# same_layout A B: two scatter files list the same partitions with the same starts and sizes.
same_layout() {
	python3 - "$1" "$2" <<'PY'
import re, sys
def parse(path):
    parts, cur = [], None
    for line in open(path):
        m = re.match(r"\s*-?\s*(\w+):\s*(\S*)", line)
        if not m: continue
        k, v = m.groups()
        if k == "partition_index": cur = {}; parts.append(cur)
        if cur is not None: cur[k] = v
    return [(p["partition_name"], int(p["linear_start_addr"], 16), int(p["partition_size"], 16), p.get("region"),
             p.get("type"), p.get("operation_type"), p.get("is_download")) for p in parts]
a, b = parse(sys.argv[1]), parse(sys.argv[2])
if a != b:
    for x, y in zip(a, b):
        if x != y: print("stock  ", x, "\nrebuilt", y)
    sys.exit("layouts differ (%d vs %d partitions)" % (len(a), len(b)))
print("rebuilt scatter == stock scatter: %d partitions" % len(a))
PY
}
