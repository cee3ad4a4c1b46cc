#!/bin/sh
# Run every benchmark against a build directory: ./bench/run.sh BUILD_DIR
# Each bench prints its measurements, the limit it checks and PASS/FAIL; the exit status is non-zero if
# any benchmark fails its limit.
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
status=0
for b in "$here"/zip_info.sh "$here"/backup.sh "$here"/flash.sh; do
	echo "== $(basename "$b")"
	"$b" "$build" || status=1
done
exit $status
