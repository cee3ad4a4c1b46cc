#!/bin/sh
# unifw backup against unifw-sim, for EVERY built-in phone model: the backup equals the virtual
# eMMC byte for byte (boot1 + the whole user area), its rebuilt scatter lists the same partitions,
# starts and sizes as the model's stock scatter, `unifw info` recognises the folder and finds the
# hashes intact; then the same phone in BROM mode backs up with the EMI of its OWN preloader.bin
# from that backup, and a --skip-empty backup stores the empty space as holes with the same bytes.
set -eu
. "$(dirname "$0")/backup_lib.sh"

models=$("$SIM" models | awk '$1 != "universal" {print $1}')
[ -n "$models" ] || fail "unifw-sim lists no models"
n=0
for m in $models; do
	n=$((n + 1))
	echo "== $m"
	"$SIM" make-emmc --model "$m" -o "$work/$m.img" >/dev/null
	"$SIM" make-firmware --model "$m" -o "$work/$m-fw" >/dev/null
	sim_start "$work/$m.img" --model "$m" --mode preloader --preloader-window 0
	"$UNIFW" backup --port "$PORT" -o "$work/$m-bk" >"$work/$m-bk.out" 2>"$work/$m.log" ||
		{ cat "$work/$m.log"; fail "$m: backup"; }
	sim_stop
	backup_equals_image "$work/$m-bk" "$work/$m.img"
	same_layout "$work/$m-fw/MT6572_Android_scatter.txt" "$work/$m-bk/MT6572_Android_scatter.txt"
	"$UNIFW" info "$work/$m-bk" --json >"$work/$m-info.json" || fail "$m: unifw info on the backup"
	python3 - "$work/$m-info.json" <<'PY' || fail "$m: info"
import json, sys
r = json.load(open(sys.argv[1]))
s = json.dumps(r)
assert '"backup"' in s, "not recognised as a backup"
assert "backup-hash-mismatch" not in s and "backup-file-missing" not in s, "hash findings"
PY
	# BROM mode: the DRAM settings come from the phone's own preloader, taken from the backup
	sim_start "$work/$m.img" --model "$m" --mode brom
	"$UNIFW" backup --port "$PORT" --preloader "$work/$m-bk/preloader.bin" --partition NVRAM --partition UBOOT \
		-o "$work/$m-brom" >"$work/$m.out" 2>"$work/$m.log" || { cat "$work/$m.log"; fail "$m: BROM-mode backup"; }
	sim_stop
	# a partial backup without PRELOADER does not point at a preloader.bin it did not write
	[ ! -e "$work/$m-brom/preloader.bin" ] || fail "$m: a partial backup wrote preloader.bin"
	grep -q "Backup complete" "$work/$m.out" || fail "$m: no summary: $(cat "$work/$m.out")"
	! grep -q "preloader.bin" "$work/$m.out" || fail "$m: the partial backup's summary names a preloader: $(cat "$work/$m.out")"
	grep -q "preloader.bin" "$work/$m-bk.out" || fail "$m: the full backup's summary does not name preloader.bin"
	cmp "$work/$m-brom/nvram.bin" "$work/$m-bk/nvram.bin" || fail "$m: NVRAM differs in BROM mode"
	cmp "$work/$m-brom/lk.bin" "$work/$m-bk/lk.bin" || fail "$m: lk differs in BROM mode"
	[ ! -e "$work/$m-brom/MT6572_Android_scatter.txt" ] || fail "$m: a partial backup wrote a scatter"
	rm -rf "$work/$m-brom" "$work/$m-fw"
	if [ $n -eq 1 ]; then
		sim_start "$work/$m.img" --model "$m" --mode preloader --preloader-window 0
		"$UNIFW" backup --port "$PORT" --skip-empty -o "$work/$m-sparse" >/dev/null 2>"$work/$m.log" ||
			{ cat "$work/$m.log"; fail "$m: --skip-empty"; }
		sim_stop
		backup_equals_image "$work/$m-sparse" "$work/$m.img"
		full=$(du -sk "$work/$m-bk" | cut -f1)
		sparse=$(du -sk "$work/$m-sparse" | cut -f1)
		echo "disk use: $full KiB full, $sparse KiB with --skip-empty"
		[ "$sparse" -lt $((full / 2)) ] || fail "--skip-empty saved little ($sparse vs $full KiB)"
		rm -rf "$work/$m-sparse"
		# --json: the result of a partial backup lists what it wrote, and no preloader.bin
		sim_start "$work/$m.img" --model "$m" --mode preloader --preloader-window 0
		"$UNIFW" backup --port "$PORT" --partition NVRAM --json -o "$work/$m-part" >"$work/$m-part.json" \
			2>"$work/$m.log" || { cat "$work/$m.log"; fail "$m: --partition NVRAM --json"; }
		sim_stop
		grep -q '"nvram.bin"' "$work/$m-part.json" || fail "$m: --json lists no nvram.bin"
		! grep -q "preloader.bin" "$work/$m-part.json" || fail "$m: --json of a partial backup names a preloader"
		rm -rf "$work/$m-part"
	fi
	rm -rf "$work/$m-bk" "$work/$m.img"
done
echo "$n models: backup == eMMC, rebuilt scatter == stock"
