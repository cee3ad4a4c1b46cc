#!/usr/bin/env python3
"""json_contract.py DOCS/json.md OUTDIR: check every *.json file of OUTDIR (one JSON document, or one JSON
value per line) against the object-type tables of docs/json.md ("## Object types: the contract"):
every object has a string "type" as its first key, the type is documented, every key is documented for
that type with the JSON type found, and no string looks cut by a fixed-size buffer (ends with "...", a
"sha256" that is not 64 hex digits). Prints one line per problem; exit 1 if any."""
import json
import os
import re
import sys

JSON_TYPES = {"string", "number", "boolean", "object", "array", "null"}


def read_contract(path):
    text = open(path, encoding="utf-8").read()
    start = text.find("\n## Object types: the contract")
    if start < 0:
        sys.exit("%s: no '## Object types: the contract' section" % path)
    end = text.find("\n## ", start + 1)
    section = text[start:end if end > 0 else len(text)]
    types, current = {}, None
    for line in section.splitlines():
        h = re.match(r"^### (.+)$", line)
        if h:
            names = re.findall(r"`([a-z0-9_]+)`", h.group(1))
            if not names:
                sys.exit("%s: heading without a type name: %s" % (path, line))
            current = {}
            for n in names:
                if n in types:
                    sys.exit("%s: type %s documented twice" % (path, n))
                types[n] = current
            continue
        row = re.match(r"^\| `([^`]+)` \| ([a-z ]+) \|$", line)
        if row and current is not None:
            allowed = set(row.group(2).split(" or "))
            if not allowed <= JSON_TYPES:
                sys.exit("%s: unknown JSON type in: %s" % (path, line))
            current[row.group(1)] = allowed
    if not types:
        sys.exit("%s: no object types found" % path)
    for n, keys in types.items():
        if keys.get("type") != {"string"}:
            sys.exit("%s: type %s has no `type` string row" % (path, n))
    return types


def json_type(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def documents(path):
    text = open(path, encoding="utf-8").read()
    try:
        return [json.loads(text)]
    except ValueError:
        pass
    docs = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                docs.append(json.loads(line))
            except ValueError as e:
                raise ValueError("line %d is not JSON: %s" % (n, e))
    return docs


def check(v, where, types, problems, seen):
    if isinstance(v, list):
        for i, x in enumerate(v):
            check(x, "%s[%d]" % (where, i), types, problems, seen)
        return
    if isinstance(v, str):
        if v.endswith("...") or v.endswith("\u2026"):
            problems.append("%s: string cut by a buffer? %r" % (where, v[-60:]))
        return
    if not isinstance(v, dict):
        return
    t = v.get("type")
    if not isinstance(t, str):
        problems.append("%s: object without a string \"type\" (keys %s)" % (where, sorted(v)[:8]))
        return
    if next(iter(v)) != "type":
        problems.append("%s: \"type\" is not the first key" % where)
    if t not in types:
        problems.append("%s: type %r is not documented" % (where, t))
        return
    seen.add(t)
    keys = types[t]
    for k, x in v.items():
        allowed = keys.get(k, keys.get("*"))
        if allowed is None:
            problems.append("%s: key %r of type %r is not documented" % (where, k, t))
        elif json_type(x) not in allowed:
            problems.append("%s.%s: %s, documented as %s" % (where, k, json_type(x), " or ".join(sorted(allowed))))
        if k == "sha256" and isinstance(x, str) and not re.fullmatch(r"[0-9a-f]{64}", x):
            problems.append("%s.%s: not a whole SHA-256: %r" % (where, k, x))
        check(x, "%s.%s" % (where, k), types, problems, seen)


def main():
    types = read_contract(sys.argv[1])
    problems, seen, files = [], set(), 0
    for name in sorted(os.listdir(sys.argv[2])):
        if not name.endswith(".json"):
            continue
        files += 1
        path = os.path.join(sys.argv[2], name)
        try:
            docs = documents(path)
        except ValueError as e:
            problems.append("%s: %s" % (name, e))
            continue
        for i, d in enumerate(docs):
            check(d, "%s#%d" % (name[:-5], i + 1), types, problems, seen)
    for p in problems[:200]:
        print(p)
    if len(problems) > 200:
        print("... and %d more" % (len(problems) - 200))
    print("%d files, %d object types seen of %d documented, %d problems" % (files, len(seen), len(types), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
