#!/bin/sh
# unifw identify against unifw-sim: preloader mode (chip, DA version, CID decoded, sizes, DRAM, the
# partition table with names, offsets, sizes, kernel indexes and content), BROM mode with the EMI of
# the phone's own preloader (ME ID), BROM mode with a preloader that does not list the phone's memory
# (clear refusal before E8 that names the memory id, BROM facts still shown), no DA (BROM facts
# only), a blank eMMC (no partition table: said, not an error), a hostile device (oversized PMT
# length: clean error naming the step), and `unifw devices --json` on a machine without phones.
set -eu
. "$(dirname "$0")/backup_lib.sh"

m=a516-like
img="$work/$m.img"
"$SIM" make-emmc --model "$m" -o "$img" >/dev/null
"$SIM" make-firmware --model "$m" -o "$work/fw" >/dev/null
"$SIM" make-firmware --model s10-like -o "$work/fw-s10" >/dev/null
sim_start "$img" --model "$m" --mode preloader --preloader-window 0
"$UNIFW" identify --port "$PORT" --json >"$work/id.json" 2>"$work/err" || { cat "$work/err"; fail "identify"; }
"$UNIFW" identify --port "$PORT" >"$work/id.txt" 2>"$work/err" || { cat "$work/err"; fail "identify (text)"; }
sim_stop
python3 - "$work/id.json" "$work/fw/MT6572_Android_scatter.txt" <<'PY' || fail "identify JSON"
import json, re, sys
r = json.load(open(sys.argv[1]))
assert r["type"] == "phone" and r["mode"] == "preloader"
assert r["chip"]["name"] == "MT6572" and r["chip"]["hw_code"] == "0x6572"
assert r["target_config"]["sla"] is False and r["target_config"]["secure_boot"] is False
assert "me_id" not in r  # the preloader has no GET_ME_ID
assert r["da_version"] == "4.16.0" and r["storage"] == "emmc"
cid = r["emmc"]["cid"]
assert cid["manufacturer"] == "Samsung" and cid["manufacturer_id"] == "0x15" and cid["crc_ok"] is True
assert len(cid["product"]) == 6 and re.match(r"\d{4}-\d\d$", cid["manufactured"])
e = r["emmc"]
assert e["user_size"] == 512 << 20 and e["boot_region"] == "0x600000"
assert r["dram"]["size"] > 0 and r["dram"]["configured_by"] == "preloader"
t = r["partition_table"]
assert t["pmt"] and t["mbr"] and t["pmt_offsets"] == "linear"
parts = {p["name"]: p for p in t["partitions"]}
# every partition of the stock scatter, at its linear address, with its size
stock = re.findall(r"partition_name: (\S+)\n(?:.*\n){3}\s*linear_start_addr: (\S+)\n.*\n\s*partition_size: (\S+)", open(sys.argv[2]).read())
assert stock, "stock scatter not parsed"
for name, lin, size in stock:
    p = parts[name]
    assert int(p["size"]) == int(size, 16), name
    if not lin.lower().startswith("0xffff"):
        assert int(p["linear"], 16) == int(lin, 16), name
assert parts["ANDROID"]["content"] == "ext4" and parts["ANDROID"]["kernel_index"] > 0
assert parts["UBOOT"]["content"] == "lk" and parts["BOOTIMG"]["content"] == "bootimg"
assert "mbr" in parts["PROTECT_F"]["listed_by"] and "pmt" in parts["PROTECT_F"]["listed_by"]
assert parts["BMTPOOL"].get("inferred") is True
print("identify JSON: %d partitions checked against the stock scatter" % len(stock))
PY
grep -q "Samsung" "$work/id.txt" || fail "text output lacks the manufacturer"
grep -q "ANDROID" "$work/id.txt" || fail "text output lacks the partitions"

# BROM mode: the phone's own preloader (from its firmware) gives the EMI settings; the ME ID shows
sim_start "$img" --model "$m" --mode brom
pre=$(ls "$work"/fw/preloader_*.bin)
"$UNIFW" identify --port "$PORT" --preloader "$pre" --json >"$work/brom.json" 2>"$work/err" || { cat "$work/err"; fail "BROM identify"; }
sim_stop
python3 -c "
import json,sys; r=json.load(open('$work/brom.json'))
assert r['mode']=='brom' and len(r['me_id'])==32 and r['dram']['configured_by']=='emi_from_preloader_file', r
assert r['partition_table']['partitions']" || fail "BROM identify JSON"

# BROM mode with another phone's preloader (s10-like: Kingston memory): refused before E8, with the id
sim_start "$img" --model "$m" --mode brom
pre10=$(ls "$work"/fw-s10/preloader_*.bin)
if "$UNIFW" identify --port "$PORT" --preloader "$pre10" --json >"$work/bad.json" 2>"$work/err"; then fail "foreign preloader accepted"; fi
sim_stop
grep -q "must come from this phone's own preloader (from its backup) or a preloader that lists its memory part" "$work/err" ||
	{ cat "$work/err"; fail "refusal does not explain the EMI rule"; }
grep -q "before the ENABLE_DRAM (E8) step" "$work/err" || fail "refusal does not say it stopped before E8"
python3 -c "
import json; r=json.load(open('$work/bad.json'))
assert r['mode']=='brom' and 'me_id' in r and 'id' in r['dram'] and 'error' in r, r" || fail "partial facts after the refusal"

# BROM mode without any preloader: the same explanation
sim_start "$img" --model "$m" --mode brom
if "$UNIFW" identify --port "$PORT" >"$work/none.txt" 2>"$work/err"; then fail "BROM without preloader accepted"; fi
sim_stop
grep -q "pass --preloader" "$work/err" || { cat "$work/err"; fail "no hint to --preloader"; }

# no DA: BROM/preloader facts only
sim_start "$img" --model "$m" --mode brom
UNIFW_DA= "$UNIFW" identify --port "$PORT" --json >"$work/noda.json" 2>"$work/err" || { cat "$work/err"; fail "identify without DA"; }
sim_stop
python3 -c "
import json; r=json.load(open('$work/noda.json'))
assert r['mode']=='brom' and 'me_id' in r and 'emmc' not in r" || fail "no-DA JSON"

# a blank eMMC: no partition table is a fact, not an error
sim_start "$work/blank.img" --emmc-size 32M --mode preloader --preloader-window 0
"$UNIFW" identify --port "$PORT" --json >"$work/blank.json" 2>"$work/err" || { cat "$work/err"; fail "blank identify"; }
sim_stop
python3 -c "
import json; r=json.load(open('$work/blank.json'))
t=r['partition_table']; assert t['partitions']==[] and 'neither a PMT nor an MBR' in t['error'], t" || fail "blank JSON"

# hostile: the DA announces a 2 GiB partition table
sim_start "$img" --model "$m" --mode preloader --preloader-window 0 --fault oversize:op=pmt
set +e
"$UNIFW" identify --port "$PORT" >/dev/null 2>"$work/err"
rc=$?
set -e
sim_stop
[ $rc -eq 1 ] || { cat "$work/err"; fail "hostile PMT length: exit $rc"; }
grep -q "SDMMC_READ_PMT" "$work/err" && grep -q "at most" "$work/err" || { cat "$work/err"; fail "hostile PMT: message"; }

"$UNIFW" devices --json --no-usb >"$work/dev.json" || fail "devices"
python3 -c "import json; assert 'devices' in json.load(open('$work/dev.json'))" || fail "devices JSON"
echo "identify: preloader, BROM (own EMI, foreign EMI refused, none), no DA, blank, hostile: ok"
