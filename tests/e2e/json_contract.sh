#!/bin/sh
# The --json contract (docs/json.md): every command's JSON output, on the corpus and against unifw-sim,
# is checked by json_contract.py: each line of output is JSON, every object has "type", every key is
# documented for that type with its JSON type, no string is cut mid-word by a fixed-size buffer.
# Exit 0 pass, 77 skip, else fail. KEEP=1 keeps the work folder (the outputs are in $work/json).
. "$(dirname "$0")/flash_lib.sh"

SRCDIR="${UNIFW_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
CORPUS="${UNIFW_CORPUS:-$SRCDIR/../shared/corpus}"
[ -d "$CORPUS/scatter" ] || { echo "corpus missing: skip"; exit 77; }
out="$work/json"
mkdir -p "$out"

# j NAME EXPECTED_STATUSES CMD...: run CMD, its stdout to $out/NAME.json; the exit status must be one of
# EXPECTED_STATUSES (a comma list); a command without JSON on stdout fails.
j() {
	name=$1 ok=$2
	shift 2
	st=0
	"$@" >"$out/$name.json" 2>"$out/$name.err" || st=$?
	case ",$ok," in
	*",$st,"*) ;;
	*) fail "$name: exit status $st (expected $ok): $(tail -3 "$out/$name.err")" ;;
	esac
	[ -s "$out/$name.json" ] || fail "$name: no JSON output"
}

# the checker can fail: an undocumented key, a wrong JSON type, an object without "type", a cut hash
mkdir "$work/bad"
for bad in '{"type":"chip","name":"MT6572","bogus":1}' '{"type":"chip","supported":"yes"}' \
	'{"type":"devices","devices":[{"port":"x"}]}' '{"type":"file","sha256":"0123456789abcdef..."}'; do
	echo "$bad" >"$work/bad/x.json"
	if python3 "$(dirname "$0")/json_contract.py" "$SRCDIR/docs/json.md" "$work/bad" >/dev/null; then
		fail "the checker accepts $bad"
	fi
done

# info on every file of the corpus
for d in "$CORPUS"/*/; do
	k=$(basename "$d")
	for f in "$d"*; do
		[ -f "$f" ] || continue
		j "info-$k-$(basename "$f")" 0,1,3 "$UNIFW" info "$f" --json
	done
done

# a package and a backup-like folder made by the virtual phone's factory; scatter, bootimg, logo, sparse
m=$("$SIM" models | awk '$1 != "universal" { print $1; exit }')
pkg="$work/pkg"
"$SIM" make-firmware --model "$m" --seed 2 -o "$pkg" >/dev/null
j info-package 0,3 "$UNIFW" info "$pkg" --json
j info-da 0 "$UNIFW" info "$DA" --json
# an archive of the package with an unsafe member name and without one image
python3 -c '
import os, sys, zipfile
pkg, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w") as z:
    for n in sorted(os.listdir(pkg)):
        if os.path.isfile(os.path.join(pkg, n)) and n != "logo.bin":
            z.write(os.path.join(pkg, n), n)
    z.writestr("../evil.txt", "x")
' "$pkg" "$work/pkg.zip"
j info-archive 0,3 "$UNIFW" info "$work/pkg.zip" --json
j fingerprint-package 0 "$UNIFW" fingerprint "$pkg" --json
j fingerprint-archive 0 "$UNIFW" fingerprint "$work/pkg.zip" --json
j fingerprint-loose 0 "$UNIFW" fingerprint "$CORPUS/lk" --json
sc=$(ls "$pkg"/*scatter*.txt | head -1)
j scatter-show 0 "$UNIFW" scatter show "$sc" --json
j scatter-validate 0,3 "$UNIFW" scatter validate "$sc" --images "$pkg" --device-size 4294967296 --json
j scatter-convert 0 "$UNIFW" scatter convert "$sc" --to plain -o "$work/flat.txt" --json
boot=$(ls "$CORPUS"/bootimg/*boot_image* 2>/dev/null | head -1)
bootimg="$pkg/boot.img"
j bootimg-info 0,3 "$UNIFW" bootimg info "$bootimg" --json
j bootimg-unpack 0,3 "$UNIFW" bootimg unpack "$bootimg" -o "$work/boot.d" --json
j bootimg-repack 0 "$UNIFW" bootimg repack "$work/boot.d" -o "$work/boot2.img" --json
j logo-unpack 0 "$UNIFW" logo unpack "$pkg/logo.bin" -o "$work/logo.d" --json
j logo-repack 0 "$UNIFW" logo repack "$work/logo.d" -o "$work/logo2.bin" --json
j sparse-to-raw 0 "$UNIFW" sparse to-raw "$pkg/system.img" -o "$work/system.raw" --json
j sparse-to-sparse 0 "$UNIFW" sparse to-sparse "$work/system.raw" -o "$work/system2.img" --json
j devices 0 "$UNIFW" devices --json --no-usb
# an error: a file that is no firmware
printf 'not a firmware\001\002' >"$work/junk.bin"
j error-info 0,1 "$UNIFW" info "$work/nonexistent" --json

# the jobs against the virtual phone
emmc="$work/$m.img"
"$SIM" make-emmc --model "$m" -o "$emmc" >/dev/null
start_sim "$emmc" --model "$m"
j identify 0 "$UNIFW" identify --port "$PORT" --da "$DA" --json
j fingerprint-phone 0 "$UNIFW" fingerprint --port "$PORT" --da "$DA" --json
j identity-backup 0 "$UNIFW" identity backup --port "$PORT" --da "$DA" --json
j identity-show 0 "$UNIFW" identity show --port "$PORT" --da "$DA" --json
j identity-show-backup 0 "$UNIFW" identity show --backup "$(ls -d "$UNIFW_STATE_DIR"/identity/*/identity-* | head -1)" --json
j identity-list 0 "$UNIFW" identity list --json
j identity-prune 0 "$UNIFW" identity prune --dry-run --json
j backup 0 "$UNIFW" backup -o "$work/backup" --identity --port "$PORT" --da "$DA" --json
j info-backup 0,3 "$UNIFW" info "$work/backup" --json
j identity-restore-plan 0 "$UNIFW" identity restore --from "$work/backup" --plan --port "$PORT" --da "$DA" --json
j identity-set-mac-plan 0 "$UNIFW" identity set-mac 00:90:4c:12:34:56 --plan --port "$PORT" --da "$DA" --json
j format-plan 0 "$UNIFW" format --partition CACHE --plan --backup-dir "$work" --port "$PORT" --da "$DA" --json
j format-error 1 "$UNIFW" format --partition NO_SUCH --plan --port "$PORT" --da "$DA" --json
grep -q '"type":"error"' "$out/format-error.json" || fail "format-error: no error object in the result event"
j format 0 "$UNIFW" format --partition CACHE --yes --backup-dir "$work" --port "$PORT" --da "$DA" --json
j flash-plan 0 "$UNIFW" flash "$pkg" --plan --port "$PORT" --da "$DA" --json
j flash 0 "$UNIFW" flash "$pkg" --yes --port "$PORT" --da "$DA" --json
j write 0 "$UNIFW" write --partition logo "$pkg/logo.bin" --yes --port "$PORT" --da "$DA" --json
j read 0 "$UNIFW" read --partition LOGO -o "$work/logo.read" --port "$PORT" --da "$DA" --json
"$SIM" make-firmware --universal -o "$work/universal" >/dev/null
j flash-repartition-plan 0 "$UNIFW" flash "$work/universal" --plan --repartition --port "$PORT" --da "$DA" --json
"$UNIFW" backup -o "$work/fullbk" --port "$PORT" --da "$DA" >/dev/null 2>&1 || fail "full backup for unifw port"
j reboot 0 "$UNIFW" reboot --port "$PORT" --da "$DA" --json
stop_sim
j error-identify 1 "$UNIFW" identify --port "unix:$work/no-phone.sock" --wait 1 --da "$DA" --json
# the catalog (docs/catalog.md)
j catalog-add 0 "$UNIFW" catalog add "$pkg" "$work/universal" --db "$work/catalog.db" --json
j catalog-add-again 0 "$UNIFW" catalog add "$pkg" --db "$work/catalog.db" --json
j catalog-list 0 "$UNIFW" catalog list --db "$work/catalog.db" --json
j catalog-show 0 "$UNIFW" catalog show 2 --db "$work/catalog.db" --json
j catalog-error 1 "$UNIFW" catalog show 99 --db "$work/catalog.db" --json
j catalog-match 0 "$UNIFW" catalog match --backup "$work/backup" --db "$work/catalog.db" --json
# unifw port (docs/port.md): the report, and an error (OUT not empty)
j port 0 "$UNIFW" port "$work/universal" --stock "$work/fullbk" -o "$work/port" --json
j port-error 1 "$UNIFW" port "$work/universal" --stock "$work/fullbk" -o "$work/port" --json

# unifw universal build (docs/universal.md): a build on an all-drivers base (a wiko-like stock package as the
# phone: its table is the universal kernel's), and a refusal (the backup's drivers, the plain universal kernel)
"$SIM" make-firmware --universal --all-drivers -o "$work/uall" >/dev/null
"$SIM" make-firmware --model wiko-like -o "$work/wikopkg" >/dev/null
j universal 0 "$UNIFW" universal build --base "$work/uall" --phone "$work/wikopkg" -o "$work/univ" --json
j universal-refused 4 "$UNIFW" universal build --base "$work/universal" --phone "$work/fullbk" -o "$work/univ2" --json
python3 "$(dirname "$0")/json_contract.py" "$SRCDIR/docs/json.md" "$out" >"$work/contract.txt" ||
	fail "the JSON does not follow docs/json.md:
$(cat "$work/contract.txt")"
echo "ok: $(tail -1 "$work/contract.txt")"
