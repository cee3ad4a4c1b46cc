# shellcheck shell=sh disable=SC2154 # $sim and $unifw are the caller's
# Shared by bench/port.sh and bench/universal.sh (sourced): the real-sized inputs both need, each built once
# into the bench's folder and reused while its .done marker holds the digest of the unifw-sim that built it (a
# rebuilt simulator may make other firmware: the input is then built again). Uses $sim, $unifw and sets $simpid while a
# virtual phone runs (the caller's trap kills it).

# sim_stamp: what a .done marker holds, the SHA-256 of the unifw-sim binary.
sim_stamp() {
	sha256sum "$sim" | cut -d' ' -f1
}

# big_base DIR BASE [make-firmware options...]: the virtual phone's package (unifw-sim make-firmware OPTIONS
# --system-size 1G) whose system.img is rebuilt as a sparse ext4 of 1 GiB holding 768 MiB of random files beside
# the package's own system files (debugfs rdump, mke2fs -d, img2simg: incompressible, as a real system's apps and
# libraries mostly are). DIR/work is scratch space.
big_base() {
	bb_dir=$1
	bb_base=$2
	shift 2
	[ "$(cat "$bb_base/.done" 2>/dev/null)" != "$(sim_stamp)" ] || return 0
	echo "building the base (unifw-sim make-firmware $* --system-size 1G, 768 MiB of random files, mke2fs -d, img2simg)..."
	rm -rf "$bb_dir/work" "$bb_base"
	mkdir -p "$bb_dir/work/src/app"
	"$sim" make-firmware "$@" --system-size 1G -o "$bb_base" >/dev/null
	i=0
	while [ $i -lt 12 ]; do
		head -c 64M /dev/urandom >"$bb_dir/work/src/app/blob$i.bin"
		i=$((i + 1))
	done
	# the package's system files (build.prop, the modem, the idc and firmware files) stay: only blobs are added
	simg2img "$bb_base/system.img" "$bb_dir/work/stock.raw"
	debugfs -R "rdump / $bb_dir/work/src" "$bb_dir/work/stock.raw" >/dev/null 2>&1
	rm -rf "$bb_dir/work/stock.raw" "$bb_dir/work/src/lost+found"
	[ -f "$bb_dir/work/src/build.prop" ] || { echo "bench: debugfs rdump did not copy the base's system"; exit 1; }
	mke2fs -q -F -t ext4 -b 4096 -L system -d "$bb_dir/work/src" "$bb_dir/work/system.raw" 1G >/dev/null
	rm -rf "$bb_dir/work/src"
	img2simg "$bb_dir/work/system.raw" "$bb_base/system.img"
	rm -rf "$bb_dir/work"
	sim_stamp >"$bb_base/.done"
}

# big_backup DIR MODEL BACKUP: `unifw backup --skip-empty` of a factory-fresh MODEL phone with a 1 GiB ANDROID
# (unifw-sim make-emmc --android-size 1G; the real A516's scatter has ANDROID 0x40000000), served on a Unix
# socket. DIR/work is scratch space.
big_backup() {
	bk_dir=$1
	bk_model=$2
	bk_out=$3
	[ "$(cat "$bk_out/.done" 2>/dev/null)" != "$(sim_stamp)" ] || return 0
	echo "backing up a factory-fresh $bk_model phone with a 1 GiB ANDROID (unifw-sim make-emmc --android-size 1G, unifw backup --skip-empty)..."
	rm -rf "$bk_out" "$bk_dir/work"
	mkdir -p "$bk_dir/work/state"
	"$sim" make-emmc --model "$bk_model" --android-size 1G -o "$bk_dir/work/phone.img" >/dev/null
	"$sim" make-da -o "$bk_dir/work/da.bin" >/dev/null
	"$sim" --socket "$bk_dir/work/phone.sock" --emmc "$bk_dir/work/phone.img" --model "$bk_model" --mode preloader \
		--preloader-window 0 >"$bk_dir/work/sim.out" 2>"$bk_dir/work/sim.err" &
	simpid=$!
	i=0
	while ! grep -q '^socket ' "$bk_dir/work/sim.out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || { cat "$bk_dir/work/sim.err"; echo "bench: unifw-sim did not start"; exit 1; }
		sleep 0.05
	done
	UNIFW_DA="$bk_dir/work/da.bin" UNIFW_STATE_DIR="$bk_dir/work/state" \
		"$unifw" backup --port "unix:$bk_dir/work/phone.sock" --skip-empty -o "$bk_out" >/dev/null \
		2>"$bk_dir/backup-$bk_model.log"
	kill "$simpid"
	wait "$simpid" 2>/dev/null || true
	simpid=
	rm -rf "$bk_dir/work"
	sim_stamp >"$bk_out/.done"
}
