#!/bin/sh
# End-to-end: 'unifw logo unpack/repack' with the real binary on every corpus logo.bin.
# unpack -> repack must give back the original bytes (padded dumps with --pad-to), and a second
# unpack must give the same PNG files.
set -eu
bin=${UNIFW_BIN:?UNIFW_BIN not set}
corpus=${UNIFW_CORPUS:?UNIFW_CORPUS not set}
[ -x "$bin" ] || { echo "unifw binary $bin not built"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$bin" logo --help | grep -q "unifw logo unpack" || fail "--help does not show usage"
set +e
"$bin" logo unpack >/dev/null 2>&1; [ $? -eq 2 ] || fail "missing arguments must exit 2"
"$bin" logo unpack "$corpus/misc/mt6572_lenovo_a516_secro.img" -o "$work/x" 2>"$work/err"
[ $? -eq 1 ] || fail "a non-logo file must exit 1"
grep -q "offset 0x0" "$work/err" || fail "error must name the offset: $(cat "$work/err")"
"$bin" logo unpack "$corpus/logo/mt6572_lenovo_a516_logo.bin" -o "$work/x" --size 7x7 >/dev/null 2>&1
[ $? -eq 2 ] || fail "--size that matches no frame must be a usage error"
"$bin" logo repack "$work" -o "$work/y" --pad-to 0x100000000002M >/dev/null 2>&1 # 2M once the shift wraps
[ $? -eq 2 ] || fail "--pad-to 0x100000000002M must be a usage error"
set -e

count=0
for logo in "$corpus"/logo/*; do
	[ -f "$logo" ] || continue
	name=$(basename "$logo")
	d1="$work/$name.1" d2="$work/$name.2" out="$work/$name.out"
	"$bin" logo unpack "$logo" -o "$d1" >"$work/log" || fail "unpack $name"
	frames=$(grep -c '^frame ' "$d1/logo.manifest")
	pngs=$(ls "$d1"/frame_*.png | wc -l)
	[ "$frames" -eq "$pngs" ] || fail "$name: manifest lists $frames frames, $pngs PNGs written"
	size=$(wc -c <"$logo")
	"$bin" logo repack "$d1" -o "$out" >/dev/null || fail "repack $name"
	if [ "$(wc -c <"$out")" -ne "$size" ]; then
		grep -q -- "--pad-to $size" "$work/log" || fail "$name: size differs and unpack did not suggest --pad-to"
		"$bin" logo repack "$d1" -o "$out" --pad-to "$size" >/dev/null || fail "repack --pad-to $name"
	fi
	cmp -s "$logo" "$out" || fail "$name: unpack -> repack is not byte-identical"
	"$bin" logo unpack "$out" -o "$d2" >/dev/null || fail "second unpack $name"
	for f in "$d1"/frame_*.png; do
		cmp -s "$f" "$d2/$(basename "$f")" || fail "$name: $(basename "$f") differs after the round trip"
	done
	count=$((count + 1))
	echo "ok: $name ($frames frames, byte-identical round trip)"
done
[ "$count" -ge 2 ] || fail "expected at least 2 corpus logos, found $count"
