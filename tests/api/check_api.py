#!/usr/bin/env python3
"""libunifw's public API, checked from the headers themselves (docs/api.md).

  check_api.py exports GCC NM LIB MAP HEADER...
      The dynamic symbols libunifw.so defines (nm -D --defined-only) must be exactly the functions the
      public headers declare, as GCC itself reads them (-aux-info: every prototype of the translation
      unit with the header it came from; static inline helpers excluded). A function renamed or added in
      a public header without src/libunifw.map, or a symbol the map exports that no public header
      declares, fails here instead of changing the library's ABI silently.
  check_api.py headers CC CXX HEADER...
      Each public header compiles alone, as C17 and as C++17 (-pedantic), from a folder that holds only
      the public headers (as `meson install` installs them): no internal header, no C-only construct.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

PROTO = re.compile(r"^/\* (?P<file>.+?):(?P<line>\d+):(?P<kind>[A-Z]+) \*/ (?P<decl>.*)$")
NAME = re.compile(r"([A-Za-z_]\w*) \((?!\*)")


def public_copy(headers, work):
    """Copy the public headers into work/unifw/ (the installed layout) and return the folder."""
    inc = os.path.join(work, "include")
    os.makedirs(os.path.join(inc, "unifw"))
    for h in headers:
        shutil.copy(h, os.path.join(inc, "unifw", os.path.basename(h)))
    return inc


def declared_functions(gcc, headers, work):
    inc = public_copy(headers, work)
    tu = os.path.join(work, "all.c")
    with open(tu, "w") as f:
        for h in headers:
            f.write('#include "unifw/%s"\n' % os.path.basename(h))
    aux = os.path.join(work, "aux.txt")
    subprocess.run(gcc + ["-std=c17", "-D_GNU_SOURCE", "-I", inc, "-fsyntax-only", "-aux-info", aux, tu],
                   check=True)
    ours = os.path.realpath(os.path.join(inc, "unifw"))
    found = {}
    with open(aux) as f:
        for line in f:
            m = PROTO.match(line.strip())
            if not m or os.path.dirname(os.path.realpath(m.group("file"))) != ours:
                continue
            decl = m.group("decl")
            if decl.startswith("static "):  # an inline helper: compiled into the caller, not exported
                continue
            n = NAME.search(decl)
            if n:
                found[n.group(1)] = "%s:%s" % (os.path.basename(m.group("file")), m.group("line"))
    return found


def exported_symbols(nm, lib):
    out = subprocess.run(nm + ["-D", "--defined-only", lib], check=True, capture_output=True, text=True).stdout
    syms = set()
    for line in out.splitlines():
        parts = line.split()
        # type A: the map's version node (UNIFW_0.1) itself, not a symbol of the API
        if len(parts) >= 3 and parts[1] != "A":
            syms.add(parts[2].split("@")[0])
    return syms


def map_globals(path):
    text = re.sub(r"/\*.*?\*/|#[^\n]*", "", open(path).read(), flags=re.S)
    names = set()
    for block in re.findall(r"global:(.*?)(?:local:|\})", text, flags=re.S):
        names.update(n.strip() for n in block.split(";") if n.strip())
    return names


def check_exports(gcc, nm, lib, mapfile, headers):
    with tempfile.TemporaryDirectory() as work:
        declared = declared_functions(gcc, headers, work)
    exported = exported_symbols(nm, lib)
    in_map = map_globals(mapfile)
    problems = []
    if len(declared) < 100:
        problems.append("only %d functions found in %d public headers: the header scan is broken"
                        % (len(declared), len(headers)))
    for name in sorted(set(declared) - exported):
        problems.append("%s (declared in %s) is not exported by %s%s" % (
            name, declared[name], os.path.basename(lib),
            "" if name in in_map else ": add it to src/libunifw.map"))
    for name in sorted(exported - set(declared)):
        problems.append("%s is exported by %s but declared in no public header%s" % (
            name, os.path.basename(lib), ": remove it from src/libunifw.map" if name in in_map else ""))
    for name in sorted(in_map - set(declared)):
        if name not in exported:
            problems.append("src/libunifw.map names %s, which no public header declares" % name)
    for p in problems:
        print("FAIL: " + p)
    print("%d public functions in %d headers, %d exported" % (len(declared), len(headers), len(exported)))
    return 1 if problems else 0


def check_headers(cc, cxx, headers):
    failed = 0
    with tempfile.TemporaryDirectory() as work:
        inc = public_copy(headers, work)
        for h in headers:
            name = "unifw/" + os.path.basename(h)
            for lang, cmd in (("C17", cc + ["-std=c17", "-x", "c"]), ("C++17", cxx + ["-std=c++17", "-x", "c++"])):
                r = subprocess.run(cmd + ["-fsyntax-only", "-Wall", "-Wextra", "-pedantic", "-Werror", "-I", inc,
                                          os.path.join(inc, name)], capture_output=True, text=True)
                if r.returncode != 0:
                    failed += 1
                    print("FAIL: %s alone as %s:\n%s" % (name, lang, r.stderr))
            with open(os.path.join(inc, name)) as f:
                if 'extern "C"' not in f.read():
                    failed += 1
                    print('FAIL: %s has no extern "C" guard' % name)
    print("%d public headers, %d failures" % (len(headers), failed))
    return 1 if failed else 0


def main(argv):
    if len(argv) > 5 and argv[1] == "exports":
        return check_exports(argv[2].split(), argv[3].split(), argv[4], argv[5], argv[6:])
    if len(argv) > 4 and argv[1] == "headers":
        return check_headers(argv[2].split(), argv[3].split(), argv[4:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
