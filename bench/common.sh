# shellcheck shell=sh disable=SC2154 # $sim, $unifw and $dir are the caller's
# Shared by the benches (sourced): the tools a bench needs, and the scratch space and virtual phone its trap
# cleans up. The caller sets $unifw, $sim and $dir first.

# bench_require TOOL...: every tool in PATH, /usr/bin/time (peak RSS) and both programs built, else exit 1.
bench_require() {
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (run 'make deps')"; exit 1; }
	done
	[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (Debian package 'time')"; exit 1; }
	[ -x "$unifw" ] || { echo "bench: $unifw not built"; exit 1; }
	[ -x "$sim" ] || { echo "bench: $sim not built"; exit 1; }
}

# bench_trap: on exit or a signal, stop the virtual phone the bench started ($simpid) and remove $dir/work.
bench_trap() {
	simpid=
	trap bench_cleanup EXIT INT TERM
}
bench_cleanup() {
	[ -z "$simpid" ] || { kill "$simpid" 2>/dev/null || true; wait "$simpid" 2>/dev/null || true; }
	rm -rf "$dir/work"
}
