#!/bin/sh
# unifw port end to end on one model (y600-like): its backup from the served virtual phone, the universal
# ROM as the base (folder, then zip). OUT's scatter is the phone's layout (names, addresses, sizes); `unifw
# info` reads OUT; OUT's boot.img carries the phone's kernel section; `unifw check OUT --backup` finds no
# BRICK RISK / WILL NOT BOOT; no identity image and no manifest in OUT, identity partitions NONE and not
# downloaded, the boot chain not downloaded; --json keys (docs/json.md "port"); --html's page has the Port
# section under the same Content-Security-Policy; a zip base gives the same boot.img and leaves no temporary
# file; the modem is replaced for the universal base (24 MiB, rejected by the phone's kernel), kept for an
# a516-like stock base; errors: OUT not empty (1), no --stock (2), a folder that is not a backup (1), a base
# without boot.img (1), a phone whose ANDROID is too small (1, named, no temporary file left). Every model x
# base with a flash and a boot is e2e_port_pairs'. Exit 0 pass, 77 skip, else fail.
. "$(dirname "$0")/flash_lib.sh"

m=y600-like
"$SIM" make-emmc --model "$m" -o "$work/phone.img" >/dev/null
"$SIM" make-firmware --universal -o "$work/universal" >/dev/null
start_sim "$work/phone.img" --model "$m"
"$UNIFW" backup --port "$PORT" --da "$DA" -o "$work/bk" >/dev/null 2>"$work/err.txt" ||
	fail "backup: $(tail -3 "$work/err.txt")"
stop_sim

# port ARGS...: unifw port, stdout in $work/port.out, stderr in $work/port.err, the exit status in $rc
port() {
	rc=0
	"$UNIFW" port "$@" >"$work/port.out" 2>"$work/port.err" || rc=$?
	[ "$rc" -lt 128 ] || fail "unifw port crashed (status $rc): $(tail -20 "$work/port.err")"
	if grep -q Sanitizer "$work/port.err"; then fail "sanitizer report: $(head -40 "$work/port.err")"; fi
}

# scatter_layout FILE: "NAME LINEAR SIZE" per partition, in order
scatter_layout() {
	python3 -c 'import sys
name = lin = None
for line in open(sys.argv[1]):
    k, _, v = line.strip().partition(": ")
    if k == "partition_name": name = v
    elif k == "linear_start_addr": lin = int(v, 16)
    elif k == "partition_size": print(name, hex(lin), hex(int(v, 16)))' "$1"
}
# scatter_field FILE NAME KEY: the value of KEY in partition NAME's entry
scatter_field() {
	python3 -c 'import sys
cur = None
for line in open(sys.argv[1]):
    k, _, v = line.strip().partition(": ")
    if k == "partition_name": cur = v
    elif cur == sys.argv[2] and k == sys.argv[3]: print(v); break' "$1" "$2" "$3"
}

port "$work/universal" --stock "$work/bk" -o "$work/out"
[ "$rc" -eq 0 ] || fail "port: exit $rc: $(tail -5 "$work/port.err") $(tail -20 "$work/port.out")"
sc="$work/out/MT6572_Android_scatter.txt"
[ -f "$sc" ] || fail "OUT has no scatter: $(ls "$work/out")"
scatter_layout "$work/bk/MT6572_Android_scatter.txt" >"$work/layout.bk"
scatter_layout "$sc" >"$work/layout.out"
[ -s "$work/layout.bk" ] && cmp -s "$work/layout.bk" "$work/layout.out" ||
	fail "OUT's layout is not the phone's: $(diff "$work/layout.bk" "$work/layout.out" | head -10)"
grep -q '^partitions (the phone.s table):' "$work/port.out" && grep -q '^next: unifw flash ' "$work/port.out" ||
	fail "text report: $(head -5 "$work/port.out")"
grep -Eq '^  BOOTIMG +merged +from base\+phone' "$work/port.out" || fail "no BOOTIMG line: $(cat "$work/port.out")"
grep -Eq '^  NVRAM +skipped +from none +identity' "$work/port.out" || fail "no NVRAM line: $(cat "$work/port.out")"
grep -q '^check of OUT against the phone: ' "$work/port.out" || fail "no check verdict in the text report"
echo "ok port: exit 0, OUT's scatter has the phone's layout ($(wc -l <"$work/layout.out") partitions), text report"

for p in PRO_INFO NVRAM PROTECT_F PROTECT_S; do
	[ "$(scatter_field "$sc" $p file_name)" = NONE ] && [ "$(scatter_field "$sc" $p is_download)" = false ] ||
		fail "$p: file_name $(scatter_field "$sc" $p file_name), is_download $(scatter_field "$sc" $p is_download)"
done
for p in PRELOADER UBOOT MBR EBR1 LOGO; do
	[ "$(scatter_field "$sc" $p is_download)" = false ] || fail "$p is downloaded: the phone keeps its own"
	f=$(scatter_field "$sc" $p file_name)
	cmp -s "$work/out/$f" "$work/bk/$(scatter_field "$work/bk/MT6572_Android_scatter.txt" $p file_name)" ||
		fail "$p: $f is not the backup's"
done
for p in BOOTIMG RECOVERY ANDROID CACHE USRDATA; do
	[ "$(scatter_field "$sc" $p is_download)" = true ] || fail "$p is not downloaded"
done
[ ! -e "$work/out/manifest.json" ] || fail "the backup's manifest (the phone's CID, identity hashes) is in OUT"
for f in "$work/out"/*; do
	for id in pro_info.bin nvram.bin protect_f.img protect_s.img; do
		cmp -s "$f" "$work/bk/$id" && fail "$(basename "$f") in OUT is the phone's $id"
	done
done
echo "ok identity: NONE, not downloaded, no identity image or manifest in OUT; the boot chain copied, not downloaded"

"$UNIFW" info "$work/out" --json >"$work/info.json" 2>"$work/err.txt" || fail "unifw info OUT: $(tail -3 "$work/err.txt")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["type"] == "package", d["type"]' "$work/info.json" ||
	fail "unifw info OUT is not a package"
"$UNIFW" bootimg unpack "$work/out/boot.img" -o "$work/boot.out" >/dev/null 2>"$work/err.txt" &&
	"$UNIFW" bootimg unpack "$work/bk/boot.img" -o "$work/boot.bk" >/dev/null 2>>"$work/err.txt" ||
	fail "bootimg unpack: $(tail -3 "$work/err.txt")"
cmp -s "$work/boot.out/kernel" "$work/boot.bk/kernel" || fail "OUT's boot.img does not carry the phone's kernel"
echo "ok unifw info reads OUT; boot.img's kernel is the phone's"

rc=0
"$UNIFW" check "$work/out" --backup "$work/bk" --json >"$work/check.json" 2>"$work/err.txt" || rc=$?
[ "$rc" -le 3 ] || fail "unifw check OUT --backup: exit $rc: $(head -c 800 "$work/check.json")"
v=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["check"]["verdict"])' "$work/check.json")
case $v in safe | caveats) ;; *) fail "unifw check OUT: $v" ;; esac
echo "ok unifw check OUT --backup: $v"

rm -rf "$work/out"
port "$work/universal" --stock "$work/bk" -o "$work/out" --json --html "$work/port.html"
[ "$rc" -eq 0 ] || fail "--json --html: exit $rc: $(tail -5 "$work/port.err")"
python3 - "$work/port.out" <<'EOF' || fail "--json: $(head -c 600 "$work/port.out")"
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("type", "base", "stock", "out", "scatter", "take_modem", "changes", "check", "verdict"):
    assert k in d, "missing " + k
assert d["type"] == "port" and d["verdict"] in ("safe", "caveats"), (d["type"], d["verdict"])
assert d["check"]["verdict"] == d["verdict"]
keys = {"type", "partition", "path", "action", "source", "rule", "reason"}
assert d["changes"] and all(set(c) == keys for c in d["changes"]), d["changes"][:2]
parts = {c["partition"]: c for c in d["changes"] if not c["path"]}
assert parts["NVRAM"]["action"] == "skipped" and parts["NVRAM"]["source"] == "none"
assert parts["BOOTIMG"]["action"] == "merged" and parts["UBOOT"]["source"] == "phone"
# the universal modem asks 24 MiB, which every model's kernel rejects: the phone's modem is taken
assert d["take_modem"] is True and "modem" in parts["ANDROID"]["reason"]
EOF
grep -q '<section id="port">' "$work/port.html" || fail "--html: no Port section"
rows=$(grep -o '<tr class="port-change"' "$work/port.html" | wc -l)
[ "$rows" -ge 19 ] || fail "--html: $rows decisions in the Port section"
grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$work/port.html" || fail "--html: the CSP is gone"
echo "ok --json keys and verdict; --html: the Port section ($rows decisions), the CSP kept"

python3 -c 'import os, sys, zipfile
z = zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED)
for f in sorted(os.listdir(sys.argv[1])): z.write(os.path.join(sys.argv[1], f), "fw/" + f)' "$work/universal" "$work/universal.zip"
export TMPDIR="$work/tmp"
mkdir -p "$TMPDIR"
port "$work/universal.zip" --stock "$work/bk" -o "$work/out.zip"
[ "$rc" -eq 0 ] || fail "a zip base: exit $rc: $(tail -5 "$work/port.err")"
cmp -s "$work/out/boot.img" "$work/out.zip/boot.img" || fail "a zip base gives another boot.img than its folder"
[ -z "$(ls -A "$TMPDIR")" ] || fail "temporary files left: $(ls -A "$TMPDIR")"
echo "ok a zip base: the same boot.img, no temporary file left"

# the modem decision: a JB model's stock modem (22 MiB) is accepted by the phone's kernel but built for
# another board (its build_ver names sim72_a516): taken; the phone's own model's modem: kept
"$SIM" make-firmware --model a516-like -o "$work/a516" >/dev/null
port "$work/a516" --stock "$work/bk" -o "$work/out.a516" --json
[ "$rc" -eq 0 ] || fail "the a516-like stock as the base: exit $rc: $(tail -5 "$work/port.err")"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["take_modem"] is True, d["take_modem"]
r = [c for c in d["changes"] if c.get("partition") == "ANDROID" and not c.get("path")][0]["reason"]
assert "built for another board (build_ver '"'"'sim72_a516.MD.MT6572.W1410'"'"'" in r, r' \
	"$work/port.out" || fail "a516-like's modem on y600-like: not taken, though it is another board's"
"$SIM" make-firmware --model y600-like -o "$work/y600" >/dev/null
port "$work/y600" --stock "$work/bk" -o "$work/out.y600" --json
[ "$rc" -eq 0 ] || fail "the y600-like stock as the base: exit $rc: $(tail -5 "$work/port.err")"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["take_modem"] is False, d["take_modem"]' \
	"$work/port.out" || fail "y600-like's own modem: taken, though it is this board's and its kernel accepts it"
echo "ok the modem: the universal's (24 MiB) rejected, the a516-like's (another board) replaced; the phone's model's kept"

port "$work/universal" --stock "$work/bk" -o "$work/out"
[ "$rc" -eq 1 ] && grep -q 'not empty' "$work/port.err" || fail "OUT not empty: exit $rc: $(cat "$work/port.err")"
port "$work/universal" -o "$work/new1"
[ "$rc" -eq 2 ] && grep -q -- '--stock' "$work/port.err" || fail "no --stock: exit $rc: $(cat "$work/port.err")"
port "$work/universal" --stock "$work/universal" -o "$work/new2"
[ "$rc" -eq 1 ] && grep -q 'not a unifw backup' "$work/port.err" || fail "a package as --stock: exit $rc: $(cat "$work/port.err")"
[ ! -e "$work/new2" ] || fail "a refused port left $work/new2"
cp -r "$work/universal" "$work/noboot"
rm "$work/noboot/boot.img"
port "$work/noboot" --stock "$work/bk" -o "$work/new3"
[ "$rc" -eq 1 ] && grep -q 'BOOTIMG.*no boot image' "$work/port.err" || fail "no boot.img: exit $rc: $(cat "$work/port.err")"
# a phone whose ANDROID is too small for the base's system: the error names the partition, and the zip
# base's extracted images are gone on this path too
cp -r "$work/bk" "$work/small"
python3 - "$work/small/MT6572_Android_scatter.txt" <<'EOF'
import sys
t = open(sys.argv[1]).read()
i = t.index("partition_name: ANDROID")
j = t.index("partition_size:", i)
t = t[:j] + "partition_size: 0x100000" + t[t.index("\n", j):]
open(sys.argv[1], "w").write(t)
EOF
port "$work/universal.zip" --stock "$work/small" -o "$work/new4"
[ "$rc" -eq 1 ] && grep -q '^unifw: error: ANDROID: ' "$work/port.err" ||
	fail "ANDROID too small: exit $rc: $(cat "$work/port.err")"
[ -z "$(ls -A "$TMPDIR")" ] || fail "temporary files left after a failed port: $(ls -A "$TMPDIR")"
echo "ok errors: OUT not empty (1), no --stock (2), not a backup (1), a base without boot.img (1), ANDROID too small (1, named, no temporary file left)"
