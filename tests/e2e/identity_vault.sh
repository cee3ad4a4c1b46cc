#!/bin/sh
# The identity vault and identity health against unifw-sim (docs/identity.md):
#  - `unifw identity backup --json` makes an entry in STATE/identity/<CID> with the five images and the
#    /nvram tree of USRDATA (every file's SHA-256 in the manifest, equal to the bytes on disk);
#  - `identity show` of the phone, of the entry, of its nvram.bin and of the sim's factory nvram.bin: healthy, the MAC from both copies,
#    the IMEI record by name and size only (its bytes appear nowhere in the output);
#  - `unifw info` of an entry: no finding, the IMEI record's bytes not shown;
#  - format and flash back up into the vault by default (reasons "format" and "flash", with the tree);
#  - `identity list --json`: the phone (CID decoded), its entries in order, sizes, tree yes/no;
#  - after NVRAM and USRDATA are erased, `identity show --port` exits 3 with "IMEI record missing";
#  - a changed byte in an entry: list marks it (exit 3), show refuses it naming the file;
#  - prune: refused without --yes, --dry-run deletes nothing, --keep 2 leaves the oldest and the newest.
. "$(dirname "$0")/flash_lib.sh"

m=a516-like
emmc="$work/$m.img"
pkg="$work/pkg"
"$SIM" make-emmc --model "$m" -o "$emmc" >/dev/null
"$SIM" make-firmware --model "$m" --seed 2 -o "$pkg" >/dev/null
start_sim "$emmc" --model "$m"
vault="$UNIFW_STATE_DIR/identity"

# --- identity backup ------------------------------------------------------------------------------
"$UNIFW" identity backup --port "$PORT" --da "$DA" --json >"$work/b.json" 2>"$work/err" ||
	fail "identity backup: $(tail -3 "$work/err")"
entry=$(python3 - "$work/b.json" "$vault" <<'PY'
import hashlib, json, os, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
r = ev[-1]
assert r["event"] == "result" and r["ok"], r
e = r["result"]["entry"]
assert os.path.dirname(os.path.dirname(e)) == sys.argv[2], e
assert os.path.basename(e).startswith("identity-"), e
assert oct(os.stat(e).st_mode & 0o777) == "0o700", oct(os.stat(e).st_mode)
m = json.load(open(e + "/manifest.json"))
assert m["scope"] == "identity" and m["vault"]["reason"] == "manual", m.get("vault")
assert sorted(p["name"] for p in m["partitions"]) == ["NVRAM", "PRELOADER", "PROTECT_F", "PROTECT_S", "PRO_INFO"]
tree = m["vault"]["nvram_tree"]
files = {t["path"]: t for t in tree if t["kind"] == "file"}
for need in ("md/NVRAM/NVD_IMEI/MP0B_001", "APCFG/APRDEB/WIFI", "APCFG/APRDEB/BT_Addr", "md/NVRAM/CALIBRAT/ML1A_000"):
    assert need in files, (need, sorted(files))
for p, t in files.items():
    b = open(e + "/nvram/" + p, "rb").read()
    assert len(b) == t["size"] and hashlib.sha256(b).hexdigest() == t["sha256"], p
    assert {"mode", "uid", "gid"} <= set(t), t
assert not os.path.exists(e + "/.vault-incomplete")
assert len(ev) > 1, "no progress events before the result"
print(e)
PY
) || fail "identity backup entry"
echo "ok identity backup: $entry holds the images and $(ls -R "$entry/nvram" | grep -c .) tree names"

# --- identity show: phone, entry, raw nvram.bin ----------------------------------------------------
rc=0
"$UNIFW" identity show --port "$PORT" --da "$DA" --json >"$work/show_phone.json" 2>"$work/err" || rc=$?
[ "$rc" -eq 0 ] || fail "identity show --port: exit $rc: $(tail -3 "$work/err")"
"$UNIFW" identity show --backup "$entry" --json >"$work/show_entry.json" || fail "identity show --backup"
rc=0
"$UNIFW" identity show "$entry/nvram.bin" --json >"$work/show_file.json" || rc=$?
[ "$rc" -eq 0 ] || fail "identity show nvram.bin: exit $rc"
"$UNIFW" identity show --backup "$entry" >"$work/show_entry.txt" || fail "identity show (human)"
# the sim's factory BinRegion (unifw-sim make-firmware: DIR/factory/nvram.bin) is healthy too
"$UNIFW" identity show "$pkg/factory/nvram.bin" --json >"$work/show_factory.json" || fail "show factory/nvram.bin"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['healthy'] and d['binregion']['file_count'] == 7 and d['binregion']['calibration_files'] == 1, d['verdicts']" "$work/show_factory.json" ||
	fail "factory nvram.bin health"
grep -q "IMEI record (SIM 1)" "$work/show_entry.txt" || fail "human show lacks the IMEI record line"
python3 - "$work" "$entry" <<'PY' || fail "identity show contents"
import json, sys
w, e = sys.argv[1], sys.argv[2]
ph, en, fi = (json.load(open(w + "/show_%s.json" % k)) for k in ("phone", "entry", "file"))
for d in (ph, en, fi):
    assert d["type"] == "identity_health" and d["healthy"] is True, d["verdicts"]
    assert d["binregion"]["available"] and d["binregion"]["wifi_mac_state"] == "set", d["binregion"]
    imei = [x for x in d["binregion"]["identity_files"] if x["name"] == "md/NVRAM/NVD_IMEI/MP0B_001"][0]
    assert imei["present"] and imei["size"] == 40, imei
    assert [v["code"] for v in d["verdicts"]] == ["identity_complete"], d["verdicts"]
for d in (ph, en):
    t = d["nvram_tree"]
    assert t["available"] and t["wifi_mac"] == d["binregion"]["wifi_mac"], t
    assert t["calibration_files"] == 1
assert not fi["nvram_tree"]["available"]
rec = open(e + "/nvram/md/NVRAM/NVD_IMEI/MP0B_001", "rb").read()
for k in ("phone", "entry", "file"):
    text = open(w + "/show_%s.json" % k).read().lower()
    assert rec.hex()[:12] not in text and rec[:6].hex(":") not in text, "IMEI record bytes in the output"
print("show: phone, entry and nvram.bin healthy; the IMEI record by name and size only")
PY
# a plain `unifw backup` folder (no vault key): its nvram.bin is checked against the manifest, then judged
"$UNIFW" backup --identity -o "$work/plain" --port "$PORT" --da "$DA" >/dev/null 2>"$work/err" ||
	fail "unifw backup --identity: $(tail -3 "$work/err")"
"$UNIFW" identity show --backup "$work/plain" --json >"$work/show_plain.json" || fail "identity show of a plain backup"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['healthy'] and not d['nvram_tree']['available'], d" \
	"$work/show_plain.json" || fail "plain backup health"
printf '\125' | dd of="$work/plain/nvram.bin" bs=1 seek=200000 conv=notrunc 2>/dev/null
rc=0
"$UNIFW" identity show --backup "$work/plain" >/dev/null 2>"$work/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "backup damaged: nvram.bin" "$work/err" ||
	fail "a changed nvram.bin of a plain backup was judged (exit $rc): $(cat "$work/err")"
echo "ok identity show"

# unifw info of an entry: every file of the tree checked against the manifest, the record's bytes not shown
rc=0
"$UNIFW" info "$entry" --json >"$work/info.json" 2>"$work/err" || rc=$?
[ "$rc" -eq 0 ] || fail "unifw info of a vault entry: exit $rc: $(grep -o '"message": "[^"]*"' "$work/info.json" | head -3)"
python3 - "$work/info.json" "$entry" <<'PY' || fail "unifw info of a vault entry"
import json, sys
text = open(sys.argv[1]).read()
rec = open(sys.argv[2] + "/nvram/md/NVRAM/NVD_IMEI/MP0B_001", "rb").read()
assert rec.hex()[:12] not in text.lower(), "the IMEI record's bytes are in unifw info's output"
d = json.loads(text)
f = [x for x in d["files"] if x["path"] == "nvram/md/NVRAM/NVD_IMEI/MP0B_001"][0]
assert "head_hex" not in f["detail"] and "IMEI record" in f["detail"]["hint"], f
PY
echo "ok unifw info of an entry: clean, the IMEI record not shown"

# --- format and flash back up into the vault -------------------------------------------------------
"$UNIFW" format --port "$PORT" --da "$DA" --partition CACHE --yes --json >"$work/fmt.json" 2>"$work/err" ||
	fail "format CACHE: $(tail -3 "$work/err")"
fmt=$(python3 -c "import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])['result']['identity_backup'])" "$work/fmt.json")
case "$fmt" in "$vault"/*/identity-*) ;; *) fail "format's backup is not in the vault: $fmt" ;; esac
flash "$pkg" --yes --json
[ "$rc" -eq 0 ] || fail "flash: exit $rc: $(tail -3 "$work/err.txt")"
fl=$(result result.identity_backup)
case "$fl" in "$vault"/*/identity-*) ;; *) fail "flash's backup is not in the vault: $fl" ;; esac
python3 - "$fmt" "$fl" <<'PY' || fail "format/flash entries"
import json, sys
for d, why in zip(sys.argv[1:], ("format", "flash")):
    m = json.load(open(d + "/manifest.json"))
    assert m["vault"]["reason"] == why, (d, m["vault"]["reason"])
    names = [t["path"] for t in m["vault"]["nvram_tree"]]
    assert "md/NVRAM/NVD_IMEI/MP0B_001" in names, names
print("format and flash entries hold the /nvram tree")
PY
echo "ok format and flash back up into the vault with the /nvram tree"

# After the stock flash USRDATA is the package's (no /nvram): show says so, still healthy (BinRegion kept).
"$UNIFW" identity show --port "$PORT" --da "$DA" --json >"$work/after.json" 2>"$work/err" ||
	fail "show after flash: $(tail -3 "$work/err")"
python3 - "$work/after.json" <<'PY' || fail "show after flash"
import json, sys
d = json.load(open(sys.argv[1]))
assert not d["nvram_tree"]["available"] and "nvram" in d["nvram_tree"]["note"], d["nvram_tree"]
assert d["healthy"] and d["binregion"]["available"], d["verdicts"]
PY
"$UNIFW" identity backup --port "$PORT" --da "$DA" >"$work/b2.txt" 2>"$work/err" || fail "backup after flash"
grep -q "no /nvram tree" "$work/err" || fail "backup without /nvram does not say so: $(cat "$work/err")"
e2=$(cat "$work/b2.txt")
python3 -c "import json,sys; v=json.load(open(sys.argv[1]+'/manifest.json'))['vault']; assert v['nvram_tree'] is None and v['nvram_tree_note'], v" "$e2" ||
	fail "no-tree entry manifest"

# NVRAM and USRDATA erased too: nothing holds the IMEI record any more; USRDATA is no ext4 (said).
"$UNIFW" format --port "$PORT" --da "$DA" --partition NVRAM --partition USRDATA --include-identity --yes \
	>/dev/null 2>"$work/err" || fail "format NVRAM USRDATA: $(tail -3 "$work/err")"
rc=0
"$UNIFW" identity show --port "$PORT" --da "$DA" >"$work/lost.txt" 2>"$work/err" || rc=$?
[ "$rc" -eq 3 ] || fail "show of a phone without IMEI record: exit $rc, expected 3"
grep -q "IMEI record missing: this phone will show IMEI null" "$work/lost.txt" || fail "no IMEI verdict: $(cat "$work/lost.txt")"
rc=0
"$UNIFW" identity show --port "$PORT" --da "$DA" --json >"$work/lost.json" 2>"$work/err" || rc=$?
[ "$rc" -eq 3 ] || fail "show --json of a phone without IMEI record: exit $rc, expected 3"
python3 - "$work/lost.json" <<'PY' || fail "show of an erased phone"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["healthy"] is False and d["worst"] == "error", d["verdicts"]
assert not d["binregion"]["available"] and not d["nvram_tree"]["available"]
assert "USRDATA holds no ext4" in d["nvram_tree"]["note"], d["nvram_tree"]["note"]
assert "imei_missing" in [v["code"] for v in d["verdicts"]]
PY
stop_sim
echo "ok identity show: IMEI record missing -> exit 3"

# --- identity list ------------------------------------------------------------------------------------
"$UNIFW" identity list --json >"$work/list.json" || fail "identity list"
n=$(python3 - "$work/list.json" "$entry" "$fmt" "$fl" "$e2" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
assert d["type"] == "identity_vault" and len(d["phones"]) == 1, d
p = d["phones"][0]
assert p["cid_decoded"]["product"] and p["cid_decoded"]["serial"], p["cid_decoded"]
names = [e["name"] for e in p["entries"]]
assert names == sorted(names), names
for want, why in zip(sys.argv[2:], ("manual", "format", "flash", "manual")):
    e = [x for x in p["entries"] if x["name"] == os.path.basename(want)][0]
    assert e["reason"] == why and e["state"] == "ok" and e["complete"], e
    assert e["nvram_tree"] == (why != "manual" or want == sys.argv[2]), e
    assert e["bytes"] > 20 << 20, e
assert d["totals"]["entries"] == len(names) and d["totals"]["bytes"] == p["bytes"]
print(len(names))
PY
) || fail "identity list --json"
echo "ok identity list: $n entries"

# --- a damaged entry ----------------------------------------------------------------------------------
f="$entry/nvram/md/NVRAM/CALIBRAT/ML1A_000"
cp "$f" "$work/ml1a"
printf '\001' | dd of="$f" bs=1 seek=3 conv=notrunc 2>/dev/null
cmp -s "$f" "$work/ml1a" && printf '\002' | dd of="$f" bs=1 seek=3 conv=notrunc 2>/dev/null
rc=0
"$UNIFW" identity list >"$work/list.txt" || rc=$?
[ "$rc" -eq 3 ] || fail "list with a damaged entry: exit $rc, expected 3"
grep -q "DAMAGED" "$work/list.txt" && grep -q "nvram/md/NVRAM/CALIBRAT/ML1A_000" "$work/list.txt" ||
	fail "list does not mark the damaged entry: $(cat "$work/list.txt")"
rc=0
"$UNIFW" identity show --backup "$entry" >/dev/null 2>"$work/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "ML1A_000" "$work/err" || fail "show used a damaged entry (exit $rc): $(cat "$work/err")"
cp "$work/ml1a" "$f"
echo "ok a damaged entry is marked by list and refused by show"

# --- prune ----------------------------------------------------------------------------------------------
rc=0
"$UNIFW" identity prune --keep 2 >/dev/null 2>"$work/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q -- "--yes" "$work/err" || fail "prune without --yes: exit $rc"
newest=$(ls -d "$vault"/*/identity-* | tail -1)
"$UNIFW" identity prune --keep 2 --dry-run --json >"$work/dry.json" || fail "prune --dry-run"
python3 -c "
import json,sys; d=json.load(open(sys.argv[1])); p=d['phones'][0]
assert d['would_delete'] == int(sys.argv[2]) - 2 and d['deleted'] == 0, d
assert [k['name'] for k in p['kept']] == [sys.argv[3], sys.argv[4]], p['kept']
" "$work/dry.json" "$n" "$(basename "$entry")" "$(basename "$newest")" || fail "prune --dry-run plan"
[ "$(ls -d "$vault"/*/identity-* | wc -l)" -eq "$n" ] || fail "--dry-run deleted something"
"$UNIFW" identity prune --keep 2 --yes --json >"$work/prune.json" || fail "prune --yes"
left=$(ls -d "$vault"/*/identity-* | xargs -n1 basename | tr '\n' ' ')
[ "$left" = "$(basename "$entry") $(basename "$newest") " ] || fail "prune left: $left"
"$UNIFW" identity prune --keep 0 --yes >/dev/null 2>&1 || fail "prune --keep 0"
[ "$(ls -d "$vault"/*/identity-* | wc -l)" -eq 2 ] || fail "prune deleted the oldest or the newest entry"
echo "ok prune: refused without --yes, dry run, oldest and newest kept"
echo "identity vault: backup, show, format/flash into the vault, list, damage, prune: ok"
