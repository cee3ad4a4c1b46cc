#!/bin/sh
# `meson install --destdir` into a temporary folder, then the tree is checked (issue 10 "Install"): both
# programs, the library and every public header, the pkg-config file when the build declares one, the
# man pages unifw(1) and unifw-sim(1), the udev rule matching exactly 0e8d:0003, 0e8d:2000 and
# 0e8d:2001, the bash completion (it completes commands, subcommands and each command's options), and
# every docs/*.md that a message or a --help text in src/ or sim/ cites, under share/doc/unifw.
# Exit 0 pass, 77 skip, else fail.
set -u
build=${UNIFW_BUILDDIR:?UNIFW_BUILDDIR not set}
src=${UNIFW_SRCDIR:?UNIFW_SRCDIR not set}
meson=${MESON:-meson}
command -v "$meson" >/dev/null 2>&1 || [ -x "$meson" ] || { echo "SKIP: meson not found"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/unifw-install-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$meson" install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet >"$tmp/log" 2>&1 ||
	{ cat "$tmp/log"; echo "FAIL: meson install"; exit 1; }
root=$tmp/root
# need PATTERN WHAT: exactly one installed path matches (find -path); path_of PATTERN prints it
need() {
	n=$(find "$root" -path "$1" \( -type f -o -type l \) | wc -l)
	[ "$n" -eq 1 ] || { fail "$2: $n installed files match $1"; return 1; }
}
path_of() { find "$root" -path "$1" \( -type f -o -type l \) | head -1; }

# ---- programs, library, headers, pkg-config ----
for p in unifw unifw-sim; do
	need "*/bin/$p" "program $p" && { [ -x "$(path_of "*/bin/$p")" ] || fail "$p is not executable"; }
done
"$(find "$root" -path '*/bin/unifw' -type f)" --version >/dev/null 2>&1 || fail "the installed unifw does not run"
need "*/lib*/libunifw.so" "library (development link)"
[ "$(find "$root" -path '*/lib*/libunifw.so.*' | wc -l)" -ge 1 ] || fail "no versioned libunifw.so.N"
# the public headers are the ones meson.build lists in public_headers (docs/api.md); the internal ones
# (the protocol cores, the CLI's helpers) must not be installed
public=$(sed -n "/^public_headers = files(/,/)/p" "$src/meson.build" | grep -o "include/unifw/[a-z0-9_]*\.h" |
	sed 's|.*/||')
[ -n "$public" ] || fail "no public_headers list in meson.build"
for h in "$src"/include/unifw/*.h; do
	name=$(basename "$h")
	if echo "$public" | grep -qx "$name"; then
		need "*/include/unifw/$name" "header $name"
	elif [ -n "$(path_of "*/include/unifw/$name")" ]; then
		fail "internal header $name is installed"
	fi
done
if grep -q "pkgconfig\|import('pkgconfig')" "$src/meson.build"; then
	need "*/pkgconfig/unifw.pc" "pkg-config file" &&
		{ grep -q '^Libs:.*-lunifw' "$(path_of "*/pkgconfig/unifw.pc")" || fail "unifw.pc has no -lunifw"; }
fi

# ---- man pages ----
for m in unifw unifw-sim; do
	need "*/man1/$m.1" "man page $m(1)" || continue
	head -1 "$(path_of "*/man1/$m.1")" | grep -q "^\.TH $(echo "$m" | tr 'a-z' 'A-Z') 1" || fail "$m.1 has no .TH header"
done
man1=$(find "$root" -path '*/man1/unifw.1')
for cmd in info scatter bootimg logo sparse devices identify backup format flash reboot; do
	grep -q "^\.B unifw $cmd" "$man1" || fail "unifw(1) has no synopsis for $cmd"
done
grep -q "unifw-sim (1)" "$man1" || fail "unifw(1) does not name unifw-sim(1)"

# ---- udev rule: exactly the three download-mode ids, on the usb device and on its tty ----
need "*/udev/rules.d/60-unifw-mediatek.rules" "udev rule" &&
	python3 - "$(path_of "*/udev/rules.d/60-unifw-mediatek.rules")" <<'PY' || fail "udev rule ids"
import re, sys
ids = {}
for line in open(sys.argv[1]):
    if line.lstrip().startswith("#") or "idVendor" not in line:
        continue
    v = re.search(r'idVendor}=="([0-9a-f]{4})"', line)
    p = re.search(r'idProduct}=="([0-9a-f]{4})"', line)
    assert v and p, "a rule matches a vendor without a product: " + line
    sub = re.search(r'SUBSYSTEM=="(\w+)"', line).group(1)
    ids.setdefault(sub, set()).add(v.group(1) + ":" + p.group(1))
want = {"0e8d:0003", "0e8d:2000", "0e8d:2001"}
assert ids == {"usb": want, "tty": want}, ids
PY

# ---- bash completion ----
comp=
need "*/bash-completion/completions/unifw" "bash completion" && comp=$(path_of "*/bash-completion/completions/unifw")
need "*/bash-completion/completions/unifw-sim" "bash completion for unifw-sim"
if [ -n "$comp" ] && command -v bash >/dev/null; then
	bindir=$(dirname "$(find "$root" -path '*/bin/unifw' -type f)")
	# complete WORDS...: COMPREPLY for the last word, one per line
	cat >"$tmp/complete.bash" <<EOF
[ -r /usr/share/bash-completion/bash_completion ] && . /usr/share/bash-completion/bash_completion
. "$comp"
PATH="$bindir:\$PATH"
complete_words() {
	COMP_WORDS=("\$@"); COMP_CWORD=\$((\$# - 1)); COMP_LINE="\$*"; COMP_POINT=\${#COMP_LINE}
	COMPREPLY=()
	if [ "\$1" = unifw-sim ]; then _unifw_sim; else _unifw; fi
	printf '%s\n' "\${COMPREPLY[@]}"
}
EOF
	c() { bash -c ". '$tmp/complete.bash'; complete_words \"\$@\"" complete "$@"; }
	c unifw ba | grep -qx backup || fail "completion: 'unifw ba' does not give backup"
	[ "$(c unifw '' | grep -c .)" -ge 11 ] || fail "completion: not every command: $(c unifw '' | tr '\n' ' ')"
	[ "$(c unifw scatter '' | sort | tr '\n' ' ')" = "--help convert show validate " ] ||
		fail "completion: scatter subcommands: $(c unifw scatter '' | tr '\n' ' ')"
	c unifw scatter convert f --to '' | grep -qx braces || fail "completion: --to values"
	c unifw backup --ch | grep -qx -- --chunk || fail "completion: backup --ch"
	c unifw sparse to-raw x --max | grep -qx -- --max-size || fail "completion: sparse to-raw --max"
	# every option a command's --help names is offered
	for cmd in info devices identify backup format flash reboot; do
		"$bindir/unifw" "$cmd" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u >"$tmp/want"
		c unifw "$cmd" -- | sort -u >"$tmp/got"
		missing=$(comm -23 "$tmp/want" "$tmp/got" | tr '\n' ' ')
		[ -z "$missing" ] || fail "completion of 'unifw $cmd --': missing $missing"
	done
	c unifw-sim make | grep -qx make-emmc || fail "completion: unifw-sim make"
	c unifw-sim --mo | grep -qx -- --model || fail "completion: unifw-sim --mo"
fi

# ---- the docs that messages and --help texts cite ----
grep -rhoE '"[^"]*docs/[a-z0-9-]+\.md' "$src/src" "$src/sim" | grep -oE 'docs/[a-z0-9-]+\.md' | sort -u >"$tmp/cited"
[ -s "$tmp/cited" ] || fail "no doc citation found in the sources (the grep is broken)"
while read -r d; do
	need "*/share/doc/unifw/$(basename "$d")" "$d (cited by a message)"
done <"$tmp/cited"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "PASS ($(find "$root" -type f | wc -l) files installed)"
