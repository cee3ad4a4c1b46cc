#!/bin/sh
# Short libFuzzer run of every harness (tests/fuzz/fuzz_<name>, one driver loop: fuzz_driver.c), seeded
# with the real corpus files. Fails on any crash. A build without libFuzzer (the driver's standalone
# main) takes the same command line and replays the seeds once.
set -eu
build=$1
seconds=${2:-8}
here=$(cd "$(dirname "$0")" && pwd)
corpus=${UNIFW_CORPUS:-$here/../../../shared/corpus}
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
# Seed with every corpus file under 1 MiB (libFuzzer's -max_len keeps runs fast).
find "$corpus" -type f -size -1024k -exec cp {} "$seeds/" \;
status=0
for f in "$build"/tests/fuzz/fuzz_*; do
	name=$(basename "$f")
	# meson keeps object directories (fuzz_x.p) beside the binaries
	case "$name" in *.*) continue ;; esac
	[ -f "$f" ] && [ -x "$f" ] || continue
	work=$(mktemp -d)
	cp "$seeds"/* "$work/"
	if ! ASAN_OPTIONS=detect_leaks=1 "$f" -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=2048 \
		-print_final_stats=0 "$work" >"$work.log" 2>&1; then
		echo "FUZZ FAIL: $name"; tail -40 "$work.log"; status=1
	else
		echo "fuzz ok: $name ($(grep -o 'Done [0-9]* runs' "$work.log" || echo '?'))"
	fi
	rm -rf "$work" "$work.log"
done
exit $status
