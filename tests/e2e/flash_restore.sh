#!/bin/sh
# Issue 11.1: `unifw flash BACKUP_DIR` puts the phone back as it was. On every model: a factory phone is
# backed up (`unifw backup`), then erased (`unifw format --all-but-identity`, and NVRAM + PROTECT_F with
# --include-identity), then the backup folder is flashed back WITHOUT --include-identity:
#  - the plan says "restore" (JSON mode), writes the identity partitions (this phone's own: same CID), SECCFG,
#    MISC, EXPDB, BMTPOOL and the unallocated space the backup's scatter marks is_download: false or omits;
#  - every file of the backup equals its range of the eMMC afterwards (the whole user area), and the phone
#    boots (`unifw-sim boot`);
#  - a wiped eMMC (wiko-like: the whole user area zero, no PMT, no MBR) restored the same way, BMTPOOL (the
#    backup's PMT) last and no PMT built from the scatter: equal to the backup, boots;
#  - a backup with one file changed (system.img, 160 MiB: one byte deep inside) is refused before anything is
#    written, its files hashed before the phone is contacted (the "hash" step comes first): exit 3,
#    code backup_hash_mismatch naming the file, the manifest's digest and the file's; no write command
#    reaches the phone, the eMMC is unchanged.
# Donor (unit 1 of a516-like with another firmware seed, backed up; flashed to unit 2, another CID):
#  - with --include-identity: refused (identity_other_phone), exit 3, no write command, eMMC unchanged;
#  - without: plan mode "donor", NVRAM/PRO_INFO/PROTECT_F/PROTECT_S skipped ("donor backup of CID ...: this
#    phone keeps its own identity"), USRDATA skipped (the donor's user data and /data/nvram); the written
#    partitions equal the donor's files, unit 2's identity partitions and USRDATA are byte-identical to
#    before, and it boots with its own WiFi MAC and BT address (`unifw-sim boot` facts).
# Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/flash_lib.sh"

# every file of the backup DIR equals the eMMC image's bytes where the backup read it
same_as_backup() {
	python3 - "$1" "$2" "$CHECK" <<'PY'
import json, sys, importlib.util
spec = importlib.util.spec_from_file_location("fc", sys.argv[3]); fc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fc)
m = json.load(open(sys.argv[1] + "/manifest.json"))
bad, n = [], 0
with open(sys.argv[2], "rb") as emmc:
    bases, _ = fc.emmc_layout(emmc)
    for p in m["partitions"]:
        if p["region"] != "EMMC_USER":
            continue
        want = open(sys.argv[1] + "/" + p["file"], "rb").read()
        err = fc.compare(emmc, bases["user"], int(p["offset"], 16), want, p["file"])
        if err:
            bad.append(err)
        n += 1
if bad:
    print("; ".join(bad)); sys.exit(1)
print(n)
PY
}

for m in a516-like wiko-like s10-like y600-like; do
	emmc="$work/$m.img"
	"$SIM" make-emmc --model "$m" -o "$emmc" >/dev/null
	start_sim "$emmc" --model "$m"
	"$UNIFW" backup -o "$work/bk-$m" --port "$PORT" --da "$DA" >/dev/null 2>"$work/err.txt" ||
		fail "$m: backup: $(tail -3 "$work/err.txt")"
	"$UNIFW" format --all-but-identity --yes --backup-dir "$work" --port "$PORT" --da "$DA" >/dev/null 2>"$work/err.txt" ||
		fail "$m: format: $(tail -3 "$work/err.txt")"
	"$UNIFW" format --partition NVRAM --partition PROTECT_F --include-identity --yes --backup-dir "$work" \
		--port "$PORT" --da "$DA" >/dev/null 2>"$work/err.txt" || fail "$m: format identity: $(tail -3 "$work/err.txt")"
	stop_sim
	if same_as_backup "$work/bk-$m" "$emmc" >/dev/null; then fail "$m: the format left the eMMC as the backup"; fi

	# a tampered copy of the backup (hard links but for system.img) is refused before any write
	if [ "$m" = a516-like ]; then
		cp -al "$work/bk-$m" "$work/tampered"
		rm "$work/tampered/system.img"
		python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[0x6543210] ^= 1; open(sys.argv[2], "wb").write(b)' \
			"$work/bk-$m/system.img" "$work/tampered/system.img"
		want=$(python3 -c 'import json,sys; print([p for p in json.load(open(sys.argv[1]))["partitions"] if p["file"] == "system.img"][0]["sha256"])' \
			"$work/bk-$m/manifest.json")
		got=$(sha256sum "$work/tampered/system.img" | cut -d' ' -f1)
		before=$(sha256sum "$emmc" | cut -d' ' -f1)
		start_sim "$emmc" --model "$m" --trace-file "$work/trace.txt"
		flash "$work/tampered" --yes --json
		stop_sim
		[ "$rc" -eq 3 ] || fail "tampered backup: exit $rc, expected 3: $(tail -3 "$work/err.txt")"
		python3 - "$work/out.json" "$got" "$want" <<'PY' || fail "tampered backup: the plan does not name the file and both digests"
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])["result"]["plan"]
c = [p for p in r["partitions"] if p["name"] == "ANDROID"][0]
assert c["action"] == "refuse" and c["code"] == "backup_hash_mismatch", c
assert "system.img" in c["reason"] and sys.argv[2] in c["reason"] and sys.argv[3] in c["reason"], c["reason"]
PY
		python3 - "$work/out.json" <<'PY' || fail "tampered backup: the files were not hashed before the phone was contacted"
import json, sys
steps = [e["step"] for e in map(json.loads, open(sys.argv[1]).read().splitlines()) if e.get("event") == "begin"]
assert steps and steps[0] == "hash", steps[:5]
PY
		! grep -q 'SDMMC_WRITE_DATA' "$work/trace.txt" || fail "tampered backup: a write command reached the phone"
		[ "$(sha256sum "$emmc" | cut -d' ' -f1)" = "$before" ] || fail "tampered backup: the eMMC changed"
		echo "ok $m: a backup with a changed file is refused before any write (file and both digests named)"
	fi

	start_sim "$emmc" --model "$m"
	flash "$work/bk-$m" --yes --json
	stop_sim
	[ "$rc" -eq 0 ] || fail "$m: restore: exit $rc: $(tail -3 "$work/err.txt")"
	[ "$(result result.plan.mode)" = restore ] || fail "$m: plan mode $(result result.plan.mode), expected restore"
	python3 - "$work/out.json" <<'PY' || fail "$m: the restore plan does not write every partition"
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])["result"]["plan"]
w = {p["name"]: p for p in r["partitions"]}
for n in ("NVRAM", "PRO_INFO", "PROTECT_F", "PROTECT_S", "SECCFG", "MISC", "EXPDB", "BMTPOOL"):
    assert w[n]["action"] == "write", (n, w[n]["code"], w[n]["reason"])
assert any(n.startswith("unallocated_0x") and p["action"] == "write" for n, p in w.items()), list(w)
assert w["PRELOADER"]["code"] == "preloader_not_requested", w["PRELOADER"]
PY
	n=$(same_as_backup "$work/bk-$m" "$emmc") || fail "$m: after the restore the eMMC differs from the backup: $n"
	python3 "$CHECK" "$work/out.json" "$emmc" >/dev/null || fail "$m: flash_check: $(python3 "$CHECK" "$work/out.json" "$emmc")"
	"$SIM" boot --emmc "$emmc" >"$work/boot.txt" 2>&1 || fail "$m: the restored phone does not boot: $(tail -5 "$work/boot.txt")"
	ls "$UNIFW_STATE_DIR"/identity/*/identity-* >/dev/null 2>&1 || fail "$m: no identity backup before the restore"
	echo "ok $m: restored from its backup without --include-identity: $n files equal the eMMC, identity included; boots"
	if [ "$m" = wiko-like ]; then # a wiped eMMC: no PMT, no MBR; the backup brings its tables back
		python3 - "$emmc" "$CHECK" <<'PY'
import sys, importlib.util
spec = importlib.util.spec_from_file_location("fc", sys.argv[2]); fc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fc)
with open(sys.argv[1], "r+b") as f:
    bases, sizes = fc.emmc_layout(f)
    f.seek(bases["user"]); n = sizes[7]
    while n > 0:
        k = min(n, 1 << 22); f.write(bytes(k)); n -= k
PY
		start_sim "$emmc" --model "$m"
		flash "$work/bk-$m" --yes --json
		stop_sim
		[ "$rc" -eq 0 ] || fail "$m wiped: restore exit $rc: $(tail -3 "$work/err.txt")"
		result result.plan.partitions | python3 -c 'import json,sys; p = json.load(sys.stdin)
assert not [x for x in p if x["form"] == "pmt"] and p[-1]["name"] == "BMTPOOL", [x["name"] for x in p]' ||
			fail "$m wiped: a PMT was built from the scatter, or BMTPOOL (the backup's PMT) is not written last"
		n=$(same_as_backup "$work/bk-$m" "$emmc") || fail "$m wiped: after the restore the eMMC differs from the backup: $n"
		"$SIM" boot --emmc "$emmc" >"$work/boot.txt" 2>&1 || fail "$m wiped: does not boot: $(tail -5 "$work/boot.txt")"
		echo "ok $m: a wiped eMMC (no PMT, no MBR) restored from its backup: $n files equal, boots"
	fi
	rm -rf "$work/bk-$m" "$emmc"
done

# ---- donor: unit 1's backup flashed to unit 2
m=a516-like
"$SIM" make-emmc --model "$m" --unit 1 --seed 2 -o "$work/donor.img" >/dev/null
start_sim "$work/donor.img" --model "$m"
"$UNIFW" backup -o "$work/donor" --port "$PORT" --da "$DA" >/dev/null 2>"$work/err.txt" || fail "donor backup: $(tail -3 "$work/err.txt")"
stop_sim
rm "$work/donor.img"
target="$work/unit2.img"
"$SIM" make-emmc --model "$m" --unit 2 -o "$target" >/dev/null
cp --sparse=always "$target" "$work/unit2-before.img"
facts() { # WiFi MAC and BT address unifw-sim's boot evaluation finds
	"$SIM" boot --emmc "$1" --json 2>/dev/null | python3 -c 'import json,sys; n = json.load(sys.stdin)["facts"]["nvram"]
print(n["wifi_mac"], n["bt_address"])'
}
own=$(facts "$target")
donor_cid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["phone"]["emmc"]["cid"]["raw"])' "$work/donor/manifest.json")

start_sim "$target" --model "$m" --unit 2 --trace-file "$work/trace-donor.txt"
flash "$work/donor" --include-identity --yes --json
stop_sim
[ "$rc" -eq 3 ] || fail "donor with --include-identity: exit $rc, expected 3: $(tail -3 "$work/err.txt")"
[ "$(result result.plan.mode)" = donor ] || fail "donor: plan mode $(result result.plan.mode)"
python3 - "$work/out.json" <<'PY' || fail "donor with --include-identity: identity not refused as another phone's"
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])["result"]["plan"]
w = {p["name"]: p for p in r["partitions"]}
for n in ("NVRAM", "PRO_INFO", "PROTECT_F", "PROTECT_S"):
    assert w[n]["action"] == "refuse" and w[n]["code"] == "identity_other_phone", (n, w[n]["code"])
PY
! grep -q 'SDMMC_WRITE_DATA' "$work/trace-donor.txt" || fail "donor with --include-identity: a write command reached the phone"
cmp -s "$target" "$work/unit2-before.img" || fail "donor with --include-identity: the eMMC changed"
echo "ok donor backup with --include-identity: its identity is refused as another phone's, nothing written"

start_sim "$target" --model "$m" --unit 2
flash "$work/donor" --yes --json
stop_sim
[ "$rc" -eq 0 ] || fail "donor: exit $rc: $(tail -3 "$work/err.txt")"
python3 - "$work/out.json" "$donor_cid" <<'PY' || fail "donor: the plan does not keep this phone's identity and user data"
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])["result"]["plan"]
assert r["mode"] == "donor" and r["backup_cid"] == sys.argv[2], (r["mode"], r["backup_cid"])
w = {p["name"]: p for p in r["partitions"]}
for n in ("NVRAM", "PRO_INFO", "PROTECT_F", "PROTECT_S"):
    assert w[n]["action"] == "skip" and w[n]["code"] == "donor_identity", (n, w[n]["code"])
    assert "donor backup of CID %s: this phone keeps its own identity" % sys.argv[2] in w[n]["reason"], w[n]["reason"]
assert w["USRDATA"]["code"] == "donor_user_data", w["USRDATA"]
for n in ("BOOTIMG", "RECOVERY", "UBOOT", "ANDROID", "LOGO"):
    assert w[n]["action"] == "write", (n, w[n]["code"])
PY
python3 "$CHECK" "$work/out.json" "$target" >/dev/null || fail "donor: the firmware is not the donor's: $(python3 "$CHECK" "$work/out.json" "$target")"
python3 - "$work/donor/manifest.json" "$target" "$work/unit2-before.img" "$CHECK" <<'PY' || fail "donor: unit 2's identity or user data changed"
import json, sys, importlib.util
spec = importlib.util.spec_from_file_location("fc", sys.argv[4]); fc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fc)
m = json.load(open(sys.argv[1]))
a, b = open(sys.argv[2], "rb"), open(sys.argv[3], "rb")
user = fc.emmc_layout(a)[0]["user"]
for p in m["partitions"]:
    if p["name"] in ("NVRAM", "PRO_INFO", "PROTECT_F", "PROTECT_S", "USRDATA"):
        off = user + int(p["offset"], 16)
        a.seek(off); b.seek(off)
        assert a.read(p["size"]) == b.read(p["size"]), p["name"] + " changed"
PY
after=$(facts "$target") || fail "donor: unit 2 does not boot"
"$SIM" boot --emmc "$target" >"$work/boot.txt" 2>&1 || fail "donor: unit 2 does not boot: $(tail -5 "$work/boot.txt")"
[ "$after" = "$own" ] || fail "donor: unit 2 boots as '$after', before '$own'"
echo "ok donor backup of unit 1 on unit 2: the donor's firmware written, unit 2's identity and user data kept ($own), boots"
echo "PASS"
