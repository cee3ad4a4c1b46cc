#!/system/bin/sh
# unifw universal probe (docs/universal.md "The probe"): started once by /init.unifw.rc at post-fs-data,
# before the `boot` trigger starts the services that read the files it binds (ccci_mdinit reads the modem,
# ueventd serves touch firmware on request, the input stack reads idc/kl/kcm at system_server start).
#
#   sh /unifw/probe.sh [ROOT]
#
# ROOT (default empty: the live phone) prefixes every path read or written; with a ROOT nothing is mounted,
# the binds are only recorded (the virtual phone and the tests run it that way against a fake root).
#
# What it reads, and why each is readable at post-fs-data on an MT6572:
#   panel  ROOT/proc/cmdline, lcm=N-NAME: MediaTek LK appends the LCM it initialised to the kernel command
#          line (l33tnoob/MT65x2_kernel_lk bootable/bootloader/lk/app/mt_boot/mt_boot.c, boot_linux_from_storage:
#          "lcm=%1d-%s" with DISP_IsLcmFound() and mt_disp_get_lcm_id()); /proc/cmdline is there from boot.
#   touch  ROOT/sys/bus/i2c/devices/*/name: every i2c client the kernel registered, named after its driver's
#          i2c_board_info (Linux drivers/i2c/i2c-core.c, show_name: the "name" attribute); the touch driver's
#          client is registered at kernel init, long before init runs.
#   board  ROOT/sys/block/mmcblk0/device/cid: the eMMC's CID register (Linux drivers/mmc/core/mmc.c,
#          MMC_DEV_ATTR(cid, "%08x%08x%08x%08x\n")); its first 9 bytes (MID, CBX, OID, PNM) name the part,
#          and a phone model's board carries one part (or its listed second source).
# The table ROOT/unifw/probe.rules (unifw/probe.h; written by `unifw universal build`) says which key
# selects which variant per component (the first match in file order wins: unifw_probe_table_choose is the
# same rule in C) and what each variant binds. It writes the record ROOT/data/unifw/probe.txt (probe.h),
# ending "done", then ROOT/dev/.unifw_probe_done, which init's `wait` in /init.unifw.rc polls for.
#
# POSIX sh with only what Android 4.x's toolbox and mksh also have (cat, mkdir, mount, read, printf, case):
# no find, sed, awk or grep. Every read tolerates a missing file: a phone without it takes the fallback.

ROOT=${1:-}
RULES=$ROOT/unifw/probe.rules
RECORD=$ROOT/data/unifw/probe.txt
MERGED=/dev/unifw/build.prop
KEY_MAX=64
I2C_MAX=16
MSG_MAX=383

# What the phone reports; empty = not read (the record says "-").
LCM=
CID=
I2C=
I2C_COUNT=0
# The variant chosen per component ("" = none yet).
V_PANEL=
V_TOUCH=
V_BOARD=
# The table's fallback reasons.
FB_PANEL=
FB_TOUCH=
FB_BOARD=

log() {
	printf 'unifw-probe: %s\n' "$1" >&2
	# the kernel log is what a bug report (dmesg, last_kmsg) carries; <4> is KERN_WARNING
	if [ -e "$ROOT/dev/kmsg" ]; then
		printf '<4>unifw-probe: %s\n' "$1" >>"$ROOT/dev/kmsg" 2>/dev/null
	fi
}

# A key the table may compare with: what probe.h allows, so a strange value can never match by accident.
valid_key() {
	case $1 in
	'' | *[!A-Za-z0-9._-]*) return 1 ;;
	esac
	[ "${#1}" -le "$KEY_MAX" ]
}

valid_variant() {
	case $1 in
	'' | *[!a-z0-9._-]*) return 1 ;;
	esac
	[ "${#1}" -le 32 ]
}

# A path relative to /system the table may bind: never out of /system, nothing a shell would expand.
valid_path() {
	case $1 in
	'' | /* | */ | *..* | *//* | *[!A-Za-z0-9._/+-]*) return 1 ;;
	esac
	return 0
}

# Make one directory level if it is missing (toolbox mkdir has no -p on every 4.x release).
ensure_dir() {
	[ -d "$1" ] || mkdir "$1" 2>/dev/null
	[ -d "$1" ]
}

# ------------------------------------------------------------------ the signals

# lcm=N-NAME: N is LK's "found" flag, NAME the driver; the table keys on NAME.
read_lcm() {
	[ -r "$ROOT/proc/cmdline" ] || return 0
	cmdline=
	read -r cmdline <"$ROOT/proc/cmdline" || [ -n "$cmdline" ] || return 0
	set -f # a '*' on the command line must not expand
	for word in $cmdline; do
		case $word in
		lcm=*)
			name=${word#lcm=}
			case $name in [0-9]-*) name=${name#?-} ;; esac
			if valid_key "$name"; then LCM=$name; fi
			;;
		esac
	done
	set +f
}

read_i2c() {
	for f in "$ROOT"/sys/bus/i2c/devices/*/name; do
		[ -r "$f" ] || continue # no device at all: the pattern stays as written
		name=
		read -r name <"$f" || [ -n "$name" ] || continue
		valid_key "$name" || continue
		[ "$I2C_COUNT" -lt "$I2C_MAX" ] || break
		I2C="$I2C $name"
		I2C_COUNT=$((I2C_COUNT + 1))
	done
}

read_cid() {
	f=$ROOT/sys/block/mmcblk0/device/cid
	[ -r "$f" ] || return 0
	value=
	read -r value <"$f" || [ -n "$value" ] || return 0
	case $value in
	'' | *[!0-9a-f]*) return 0 ;; # the kernel prints lowercase hex; anything else is not a CID
	esac
	[ "${#value}" -le "$KEY_MAX" ] && CID=$value
}

# ------------------------------------------------------------------ the table

chosen() {
	case $1 in
	panel) printf '%s' "$V_PANEL" ;;
	touch) printf '%s' "$V_TOUCH" ;;
	board) printf '%s' "$V_BOARD" ;;
	esac
}

choose() {
	case $1 in
	panel) [ -n "$V_PANEL" ] || V_PANEL=$2 ;;
	touch) [ -n "$V_TOUCH" ] || V_TOUCH=$2 ;;
	board) [ -n "$V_BOARD" ] || V_BOARD=$2 ;;
	esac
}

set_fallback() {
	case $1 in
	panel) FB_PANEL=$2 ;;
	touch) FB_TOUCH=$2 ;;
	board) FB_BOARD=$2 ;;
	esac
}

# Does KEY select this component on this phone?
key_matches() {
	valid_key "$2" || return 1
	case $1 in
	panel) [ -n "$LCM" ] && [ "$LCM" = "$2" ] ;;
	touch) case "$I2C " in *" $2 "*) return 0 ;; esac; return 1 ;;
	board) case $CID in '') return 1 ;; "$2"*) return 0 ;; esac; return 1 ;;
	*) return 1 ;;
	esac
}

# The first three fields of a table line (after its keyword) into FIELD1..FIELD3, cut at single spaces with
# parameter expansion (the table has exactly one space between fields; the reason after them is not needed).
split_line() {
	rest=$1
	FIELD1=${rest%% *}
	rest=${rest#"$FIELD1"}
	rest=${rest# }
	FIELD2=${rest%% *}
	rest=${rest#"$FIELD2"}
	rest=${rest# }
	FIELD3=${rest%% *}
}

# First pass: the first matching variant per component, and the fallback reasons.
read_matches() {
	[ -r "$RULES" ] || return 0
	while IFS= read -r line; do
		split_line "${line#* }"
		case $line in
		'match '*) if valid_variant "$FIELD2" && key_matches "$FIELD1" "$FIELD3"; then choose "$FIELD1" "$FIELD2"; fi ;;
		'fallback '*) set_fallback "$FIELD1" "${line#fallback "$FIELD1" }" ;;
		esac
	done <"$RULES"
}

# ------------------------------------------------------------------ binding

# Bind /system/unifw/VARIANT/PATH over /system/PATH (live), or only record it (with ROOT).
bind_one() {
	src=/system/unifw/$1/$2
	dst=/system/$2
	if [ -z "$ROOT" ] && ! mount -o bind "$src" "$dst"; then
		log "cannot bind $src over $dst: kept the base's file"
		return 0
	fi
	printf 'bind %s %s\n' "$src" "$dst" >>"$RECORD"
}

# Second pass: the binds of the chosen variants, in table order; their props into PROPS (one per line).
apply_binds() {
	PROPS=
	[ -r "$RULES" ] || return 0
	while IFS= read -r line; do
		case $line in 'bind '* | 'prop '*) ;; *) continue ;; esac
		split_line "${line#* }"
		if ! valid_variant "$FIELD2" || [ "$(chosen "$FIELD1")" != "$FIELD2" ]; then
			continue
		fi
		case $line in
		'bind '*)
			if valid_path "$FIELD3"; then bind_one "$FIELD2" "$FIELD3"; else log "unsafe bind path $FIELD3 refused"; fi
			;;
		*)
			case $FIELD3 in
			[A-Za-z0-9._-]*=*) PROPS="$PROPS$FIELD3
" ;;
			esac
			;;
		esac
	done <"$RULES"
}

# Android's property loader keeps the FIRST value of a ro.* property, so the variant's lines go in front of
# a copy of the base's build.prop, and that file is bound over /system/build.prop.
merge_props() {
	[ -n "$PROPS" ] || return 0
	if [ ! -r "$ROOT/system/build.prop" ]; then
		log "no /system/build.prop to merge into: properties not applied"
		return 0
	fi
	{
		printf '%s' "$PROPS"
		cat "$ROOT/system/build.prop"
	} >"$ROOT$MERGED" || return 0
	if [ -z "$ROOT" ] && ! mount -o bind "$MERGED" /system/build.prop; then
		log "cannot bind $MERGED over /system/build.prop: properties not applied"
		return 0
	fi
	printf '%s' "$PROPS" | while IFS= read -r line; do
		printf 'prop %s\n' "$line"
	done >>"$RECORD"
	printf 'bind %s /system/build.prop\n' "$MERGED" >>"$RECORD"
}

# ------------------------------------------------------------------ the record

# What was read, in the signal's own words, for the fallback message.
seen() {
	case $1 in
	panel) printf 'lcm=%s' "${LCM:--}" ;;
	touch) if [ -n "$I2C" ]; then printf 'i2c%s' "$I2C"; else printf 'no i2c device'; fi ;;
	board) printf 'cid %s' "${CID:--}" ;;
	esac
}

fallback_reason() {
	case $1 in
	panel) printf '%s' "$FB_PANEL" ;;
	touch) printf '%s' "$FB_TOUCH" ;;
	board) printf '%s' "$FB_BOARD" ;;
	esac
}

# One line per component that matched nothing: logged, and kept in the record.
record_fallbacks() {
	for comp in panel touch board; do
		[ -z "$(chosen "$comp")" ] || continue
		reason=$(fallback_reason "$comp")
		msg="no $comp variant for $(seen "$comp"): ${reason:-no probe table}"
		# the record's message has a bounded length (probe.h); cut whole characters off the end
		while [ "${#msg}" -gt "$MSG_MAX" ]; do msg=${msg%?}; done
		while [ "${msg% }" != "$msg" ]; do msg=${msg% }; done
		log "$msg"
		printf 'fallback %s %s\n' "$comp" "$msg" >>"$RECORD"
	done
}

record_signals() {
	printf 'unifw-probe 1\nlcm %s\n' "${LCM:--}" >"$RECORD"
	for name in $I2C; do
		printf 'i2c %s\n' "$name" >>"$RECORD"
	done
	printf 'cid %s\n' "${CID:--}" >>"$RECORD"
	for comp in panel touch board; do
		v=$(chosen "$comp")
		printf 'bound %s %s\n' "$comp" "${v:--}" >>"$RECORD"
	done
}

main() {
	if ! { ensure_dir "$ROOT/dev" && ensure_dir "$ROOT/dev/unifw"; }; then log "cannot create $ROOT/dev/unifw"; fi
	if ! { ensure_dir "$ROOT/data" && ensure_dir "$ROOT/data/unifw"; }; then log "cannot create $ROOT/data/unifw"; fi
	[ -r "$RULES" ] || log "no probe table $RULES: every component keeps the base's files"
	read_lcm
	read_i2c
	read_cid
	read_matches
	record_signals
	apply_binds
	merge_props
	record_fallbacks
	printf 'done\n' >>"$RECORD"
	: >"$ROOT/dev/.unifw_probe_done"
}

main
