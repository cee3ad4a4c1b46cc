#!/bin/sh
# Run every benchmark against a build directory: ./bench/run.sh BUILD_DIR
# Each bench prints its measurements over BENCH_ROUNDS interleaved rounds (default 5: median, min, max),
# the limit it checks and PASS/FAIL; the exit status is non-zero if any benchmark fails its limit.
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
status=0
for b in "$here"/zip_info.sh "$here"/backup.sh "$here"/flash.sh "$here"/paced.sh "$here"/check.sh "$here"/catalog.sh \
	"$here"/port.sh "$here"/universal.sh; do
	echo "== $(basename "$b") ($(date -u +%H:%M:%S) UTC)"
	"$b" "$build" || status=1
done
echo "== done ($(date -u +%H:%M:%S) UTC)"
exit $status
