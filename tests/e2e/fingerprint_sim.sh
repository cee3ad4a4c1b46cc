#!/bin/sh
# unifw fingerprint end to end (docs/check.md "Fingerprints"): the served virtual phone of one model
# (--port) equals the fingerprint of its own backup folder on every comparable key (all but the path, the
# source, the notes and the backup files' hashes), and the firmware it was flashed with in the factory (its
# stock package) gives the same firmware parts (preloader, LK, boot image, kernel, index map, MD1,
# Android, logo, modem). For every model, a backup of UBOOT alone names the panel LK selects as the sim's
# boot evaluation does. The text form names the facts; a path that is no package, or one image, fails
# with exit 1.
set -eu
. "$(dirname "$0")/backup_lib.sh"

m=y600-like
img="$work/$m.img"
"$SIM" make-emmc --model "$m" -o "$img" >/dev/null
"$SIM" make-firmware --model "$m" -o "$work/fw" >/dev/null
sim_start "$img" --model "$m" --mode preloader --preloader-window 0
"$UNIFW" fingerprint --port "$PORT" --json >"$work/phone.json" 2>"$work/err" || { cat "$work/err"; fail "fingerprint --port"; }
"$UNIFW" fingerprint --port "$PORT" >"$work/phone.txt" 2>"$work/err" || { cat "$work/err"; fail "fingerprint --port (text)"; }
"$UNIFW" backup --port "$PORT" --skip-empty -o "$work/backup" >/dev/null 2>"$work/err" || { cat "$work/err"; fail "backup"; }
sim_stop
"$UNIFW" fingerprint "$work/backup" --json >"$work/backup.json" || fail "fingerprint of the backup"
"$UNIFW" fingerprint "$work/fw" --json >"$work/package.json" || fail "fingerprint of the package"

python3 - "$work/phone.json" "$work/backup.json" "$work/package.json" <<'PY' || fail "fingerprints differ"
import json, sys
phone, backup, package = (json.load(open(p)) for p in sys.argv[1:4])
assert phone["type"] == "fingerprint" and phone["source"] == "phone", phone["source"]
assert backup["source"] == "backup" and package["source"] == "package"

def comparable(d):
    d = dict(d)
    for k in ("path", "source", "notes"):
        d.pop(k, None)
    if "layout" in d:
        d["layout"] = dict(d["layout"])
        d["layout"]["partitions"] = [{k: v for k, v in p.items() if k != "sha256"} for p in d["layout"]["partitions"]]
    return d

def diff(a, b, path=""):
    if type(a) != type(b):
        return ["%s: %r / %r" % (path, a, b)]
    if isinstance(a, dict):
        return [x for k in sorted(set(a) | set(b)) for x in diff(a.get(k), b.get(k), path + "." + k)]
    if isinstance(a, list):
        out = [] if len(a) == len(b) else ["%s: %d / %d items" % (path, len(a), len(b))]
        return out + [x for i, (p, q) in enumerate(zip(a, b)) for x in diff(p, q, "%s[%d]" % (path, i))]
    return [] if a == b else ["%s: %r / %r" % (path, a, b)]

d = diff(comparable(phone), comparable(backup))
assert not d, "phone / backup: " + "; ".join(d[:10])
# the facts themselves: the phone's memory part, its panel, its identity, the kernel's own records
assert phone["cid"].startswith("11"), phone["cid"]  # Toshiba
assert phone["panel"] == {"type": "fp_panel", "lcm": "otm8018b_dsi_vdo_dijing", "rule": "only_driver"}, phone["panel"]
assert phone["panel"]["lcm"] == phone["lk"]["lcm"][0] and len(phone["lk"]["lcm"]) == 1
assert phone["kmap"]["assumed"] is False and phone["md1"]["assumed"] is False
assert any(e["name"] == "ANDROID" and e["index"] >= 2 for e in phone["kmap"]["entries"])
assert phone["modem"]["has_header"] and phone["modem"]["bind_sys_id"] == 1
assert phone["identity"]["binregion_valid"] and phone["identity"]["data_imei"]
assert phone["layout"]["boot_region"] == "0xc00000", phone["layout"]["boot_region"]
assert phone["kernel"]["camera"] == ["sp0a19yuv"], phone["kernel"].get("camera")
# the WLAN module, read through the DA from ANDROID: built for the y600-like's JB kernel
assert phone["android"]["wlan_module_present"] is True, phone["android"]
assert phone["android"]["wlan_module_vermagic"] == "3.4.5 SMP preempt mod_unload ARMv7 ", phone["android"]
assert phone["android"]["wlan_module_vermagic"].split()[0] == phone["kernel"]["version"]
# the stock package: the same firmware
for k in ("platform", "storage", "project", "preloader", "lk", "boot", "kernel", "kmap", "md1", "android", "logo", "modem"):
    d = diff(phone.get(k), package.get(k), k)
    assert not d, "phone / stock package: " + "; ".join(d[:10])
assert "panel" not in package and "identity" not in package and "cid" not in package
print("phone == backup; firmware parts == stock package")
PY

# Every model: the panel the fingerprint of a backup of UBOOT alone says LK selects is the one the virtual
# phone's own boot evaluation (the independent oracle, docs/sim.md "Boot evaluation") has LK choose.
for mm in $("$SIM" models | awk '$1 != "universal" { print $1 }'); do
	if [ "$mm" = "$m" ]; then
		cp --sparse=always "$img" "$work/p.img" # backups only read: the first phone is as it was made
	else
		"$SIM" make-emmc --model "$mm" -o "$work/p.img" >/dev/null
	fi
	"$SIM" boot --emmc "$work/p.img" --json >"$work/boot.json" || fail "$mm: sim boot"
	sim_start "$work/p.img" --model "$mm" --mode preloader --preloader-window 0
	rm -rf "$work/lk-backup"
	"$UNIFW" backup --port "$PORT" --partition UBOOT -o "$work/lk-backup" >/dev/null 2>"$work/err" || { cat "$work/err"; fail "$mm: backup UBOOT"; }
	sim_stop
	"$UNIFW" fingerprint "$work/lk-backup" --json >"$work/lk.json" || fail "$mm: fingerprint of the UBOOT backup"
	python3 - "$work/boot.json" "$work/lk.json" "$mm" <<'PY' || fail "$mm: panel"
import json, sys
boot, fp = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
lk = boot["facts"]["lk"]
assert fp["source"] == "backup" and "cid" in fp, fp.get("source")
assert fp["panel"]["rule"] == lk["lcm_rule"] == "only_driver", (fp["panel"], lk["lcm_rule"])
assert fp["panel"]["lcm"] == lk["lcm_chosen"], (sys.argv[3], fp["panel"]["lcm"], lk["lcm_chosen"])
assert fp["lk"]["lcm"] == lk["lcm_drivers"], (fp["lk"]["lcm"], lk["lcm_drivers"])
PY
	rm -f "$work/p.img"
done

grep -q "^Panel .* (only_driver)" "$work/phone.txt" || fail "text: no panel line"
grep -q "^Modem .*modem_1_wg_n.img.*header v2" "$work/phone.txt" || fail "text: no modem line"
grep -q "^eMMC CID " "$work/phone.txt" || fail "text: no CID line"
# the y600-like's camera sensor driver (docs/sim.md models table), read from the phone's own kernel
grep -q "^  camera  *sp0a19yuv$" "$work/phone.txt" || fail "text: no camera line"
grep -q "^WLAN module  *3.4.5 SMP preempt mod_unload ARMv7" "$work/phone.txt" || fail "text: no WLAN module line"
# the y600-like's modem names its board, its system carries its touch controller's firmware (issue 14)
grep -q "^Modem .*built for 'sim72_y600.MD.MT6572.W1410'" "$work/phone.txt" || fail "text: no modem build_ver"
grep -q "^Touch firmware  *GT9XX_hotknot$" "$work/phone.txt" || fail "text: no touch firmware line"
if "$UNIFW" fingerprint "$work/nothing-here" >/dev/null 2>"$work/err"; then fail "a missing path was fingerprinted"; fi
rc=0
"$UNIFW" fingerprint "$work/nothing-here" --json >"$work/err.json" 2>/dev/null || rc=$?
[ "$rc" = 1 ] || fail "missing path: exit $rc, expected 1"
grep -q '"type":"error"' "$work/err.json" || fail "missing path: no JSON error"
rc=0
"$UNIFW" fingerprint "$work/fw/boot.img" >/dev/null 2>"$work/err" || rc=$?
[ "$rc" = 1 ] && grep -q "not of one image" "$work/err" || fail "one image: exit $rc, $(cat "$work/err")"
rc=0
"$UNIFW" fingerprint >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "no argument: exit $rc, expected 2 (usage)"
echo "PASS fingerprint_sim"
