#!/bin/sh
# unifw catalog end to end (docs/catalog.md): the four models' stock packages (folders and zips), the
# universal package and a backup indexed; a second add skips every one by content hash; list and show;
# match --backup of each model's backup ranks that model's own stock package first, SAFE, and gives for
# the universal package the findings `unifw check` gives; the default database under XDG_DATA_HOME (0700);
# hostile inputs (a missing path among good ones, a file that is no database, an unknown id) fail with
# the path named. Exit 0 pass, 77 skip, else fail.
set -eu
. "$(dirname "$0")/backup_lib.sh"
export UNIFW_STATE_DIR="$work/state"
db="$work/catalog.db"
cat_() { "$UNIFW" catalog "$@" --db "$db"; }

# zip_of DIR ZIP: the package's files (not the factory/ images) into a deflated zip, in name order
zip_of() {
	python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for n in sorted(os.listdir(src)):
        if os.path.isfile(os.path.join(src, n)):
            z.write(os.path.join(src, n), "firmware/" + n)
PY
}

models=$("$SIM" models | awk '$1 != "universal" {print $1}')
[ "$(echo "$models" | wc -w)" -eq 4 ] || fail "unifw-sim lists $(echo "$models" | wc -w) models, expected 4"
paths=
for m in $models; do
	"$SIM" make-firmware --model "$m" -o "$work/$m-fw" >/dev/null
	zip_of "$work/$m-fw" "$work/$m.zip"
	paths="$paths $work/$m-fw $work/$m.zip"
done
"$SIM" make-firmware --universal -o "$work/universal" >/dev/null
paths="$paths $work/universal"

# a backup of each model's phone in its factory state (the first one is indexed too)
first=
for m in $models; do
	"$SIM" make-emmc --model "$m" -o "$work/$m.img" >/dev/null
	sim_start "$work/$m.img" --model "$m" --mode preloader --preloader-window 0
	"$UNIFW" backup --port "$PORT" --skip-empty -o "$work/$m-bk" >/dev/null 2>"$work/$m.log" ||
		{ cat "$work/$m.log"; fail "$m: backup"; }
	sim_stop
	[ -z "$first" ] || rm -f "$work/$m.img" # the first phone serves match --port below
	[ -n "$first" ] || first=$m
done

echo "== add"
# shellcheck disable=SC2086 # $paths: the package paths, none with blanks ($work is mktemp's)
"$UNIFW" catalog add $paths "$work/$first-bk" --db "$db" --json >"$work/add1.json" 2>"$work/add1.err" ||
	{ cat "$work/add1.err"; fail "catalog add"; }
# shellcheck disable=SC2086
"$UNIFW" catalog add $paths "$work/$first-bk" --db "$db" --json >"$work/add2.json" 2>"$work/add2.err" ||
	{ cat "$work/add2.err"; fail "catalog add, second time"; }
python3 - "$work/add1.json" "$work/add2.json" <<'PY' || fail "add / skip"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["type"] == "catalog_add", a["type"]
assert len(a["entries"]) == 10, len(a["entries"])
assert all(e["added"] for e in a["entries"]), [e for e in a["entries"] if not e["added"]]
ids = [e["id"] for e in a["entries"]]
assert len(set(ids)) == 10, ids
assert not any(e["added"] for e in b["entries"]), "the second add indexed something again"
assert [e["id"] for e in b["entries"]] == ids, "skipped entries name other ids"
print("add: 10 entries; second add: 10 skipped with the same ids")
PY
# text: the skip is reported with the entry it found; a scatter file names its folder: the same content
cat_ add "$work/universal" "$(ls "$work/$first-fw"/*_scatter.txt)" >"$work/add3.out" || fail "catalog add (text)"
[ "$(grep -c "already indexed as" "$work/add3.out")" = 2 ] || fail "not two 'already indexed as': $(cat "$work/add3.out")"

echo "== list, show"
cat_ list --json >"$work/list.json" || fail "catalog list"
cat_ list >"$work/list.out" || fail "catalog list (text)"
grep -q "universal72_generic" "$work/list.out" || fail "list (text) lacks the universal project"
python3 - "$work/list.json" "$work" <<'PY' || fail "list"
import json, sys
l, work = json.load(open(sys.argv[1])), sys.argv[2]
assert l["type"] == "catalog" and l["schema"] == 2, (l["type"], l["schema"])
es = l["entries"]
assert len(es) == 10, len(es)
kinds = sorted(e["kind"] for e in es)
assert kinds == ["backup"] + ["package"] * 9, kinds
for e in es:
    assert e["path"].startswith("/") and len(e["content_sha256"]) == 64, e
    assert e["platform"] == "MT6572", e
uni = [e for e in es if e["path"].endswith("/universal")][0]
assert uni["project"] == "universal72_generic", uni["project"]
assert len(uni["lk_lcm"]) > 1, uni["lk_lcm"]  # the universal LK carries several LCM drivers
open(work + "/uni.id", "w").write(str(uni["id"]))
PY
uni_id=$(cat "$work/uni.id")
cat_ show "$uni_id" --json >"$work/show.json" || fail "catalog show"
python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["type"] == "catalog_entry" and s["project"] == "universal72_generic", s["project"]
assert s["fingerprint"]["project"] == "universal72_generic", s["fingerprint"].get("project")
' "$work/show.json" || fail "show"

echo "== match"
for m in $models; do
	cat_ match --backup "$work/$m-bk" --json >"$work/match-$m.json" 2>"$work/match-$m.err" ||
		{ cat "$work/match-$m.err"; fail "$m: catalog match"; }
	python3 - "$work/match-$m.json" "$work/$m-fw" "$work/$m.zip" <<'PY' || fail "$m: match ranking"
import json, sys
r, own_dir, own_zip = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
ps = r["packages"]
assert r["type"] == "catalog_match" and len(ps) == 9, (r["type"], len(ps))
assert [p["rank"] for p in ps] == list(range(1, 10))
top = {ps[0]["path"], ps[1]["path"]}
assert top == {own_dir, own_zip}, "own stock not first: " + ", ".join("%s %s" % (p["verdict"], p["path"]) for p in ps)
for p in ps[:2]:
    assert p["verdict"] == "safe", (p["path"], p["verdict"], [i["code"] for i in p["items"]])
order = ["safe", "caveats", "will_not_boot", "brick_risk"]
v = [order.index(p["verdict"]) for p in ps]
assert v == sorted(v), v
print("%s: own stock first (SAFE), then %s" % (own_dir.split("/")[-1], ", ".join(p["verdict"] for p in ps[2:])))
PY
done
# the universal package's findings are check's, for the same pair
st=0
"$UNIFW" check "$work/universal" --backup "$work/$first-bk" --json >"$work/check.json" 2>"$work/check.err" || st=$?
[ $st -ge 3 ] && [ $st -le 5 ] || fail "unifw check of the universal package: exit $st: $(cat "$work/check.err")"
python3 - "$work/match-$first.json" "$work/check.json" "$work/universal" <<'PY' || fail "universal: match vs check"
import json, sys
m, path = json.load(open(sys.argv[1])), sys.argv[3]
c = json.load(open(sys.argv[2]))
c = c.get("check", c)
u = [p for p in m["packages"] if p["path"] == path][0]
assert u["items"] == c["items"], "items differ:\n%s\n%s" % (u["items"], c["items"])
assert u["verdict"] == c["verdict"] and u["predicted_boot"] == c["predicted_boot"], (u["verdict"], c["verdict"])
print("universal: %s, %d findings, the same as unifw check's" % (u["verdict"], len(u["items"])))
PY
# the same phone as a saved fingerprint, and as the phone itself: the same ranking
"$UNIFW" fingerprint "$work/$first-bk" --json >"$work/phone-fp.json" || fail "unifw fingerprint of the backup"
cat_ match --fingerprint "$work/phone-fp.json" --json >"$work/match-fp.json" || fail "match --fingerprint"
sim_start "$work/$first.img" --model "$first" --mode preloader --preloader-window 0
cat_ match --port "$PORT" --json >"$work/match-port.json" 2>"$work/match-port.err" ||
	{ cat "$work/match-port.err"; fail "match --port"; }
sim_stop
python3 - "$work/match-$first.json" "$work/match-fp.json" "$work/match-port.json" <<'PY' || fail "match --fingerprint / --port"
import json, sys
b, f, p = (json.load(open(x)) for x in sys.argv[1:4])
ids = lambda r: [(c["id"], c["verdict"]) for c in r["packages"]]
assert ids(f) == ids(b), "--fingerprint ranks otherwise than --backup:\n%s\n%s" % (ids(f), ids(b))
assert p["phone"]["source"] == "phone", p["phone"]
assert ids(p)[:2] == ids(b)[:2], "--port: %s, --backup: %s" % (ids(p)[:2], ids(b)[:2])
print("match --fingerprint == --backup; --port ranks the same stock first")
PY
# --with-preloader: the check of a Download with PRELOADER ticked; the phone's own stock still fits
cat_ match --backup "$work/$first-bk" --with-preloader --json >"$work/match-pl.json" || fail "match --with-preloader"
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["with_preloader"] is True
top = r["packages"][0]
assert top["verdict"] == "safe" and top["preloader_fit"]["written"] is True, (top["verdict"], top["preloader_fit"])
' "$work/match-pl.json" || fail "match --with-preloader: own stock not SAFE with its preloader written"
cat_ match --backup "$work/$first-bk" >"$work/match.out" || fail "match (text)"
grep -q "universal" "$work/match.out" || fail "match (text) lacks the universal package"

# progress (not a terminal: lines on stderr) names the steps
grep -q "fingerprint" "$work/add1.err" || fail "no progress lines from add: $(head -5 "$work/add1.err")"
# two adds at once into a new database: both wait their turn (migration and inserts), neither fails
"$UNIFW" catalog add "$work/$first.zip" --db "$work/two.db" >"$work/p1.out" 2>&1 &
p1=$!
"$UNIFW" catalog add "$work/universal" --db "$work/two.db" >"$work/p2.out" 2>&1 || fail "concurrent add: $(cat "$work/p2.out")"
wait "$p1" || fail "concurrent add: $(cat "$work/p1.out")"
[ "$("$UNIFW" catalog list --db "$work/two.db" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]))')" = 2 ] ||
	fail "concurrent adds: not 2 entries"

echo "== default database, hostile inputs"
export XDG_DATA_HOME="$work/xdg"
"$UNIFW" catalog add "$work/universal" >/dev/null || fail "add into the default database"
[ -f "$work/xdg/unifw/catalog.db" ] || fail "no $work/xdg/unifw/catalog.db"
[ "$(stat -c %a "$work/xdg/unifw")" = 700 ] || fail "default folder mode $(stat -c %a "$work/xdg/unifw"), expected 700"
# one missing path among good ones: exit 1, the others indexed, the missing one named
st=0
"$UNIFW" catalog add "$work/nothing-here.zip" "$work/$first.zip" --json >"$work/bad.json" 2>"$work/bad.err" || st=$?
[ $st -eq 1 ] || fail "a missing path: exit $st, expected 1"
grep -q "nothing-here.zip" "$work/bad.err" || fail "the missing path is not named: $(cat "$work/bad.err")"
python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["entries"]
assert "error" in e[0] and e[1]["added"] is True, e
' "$work/bad.json" || fail "the good path after a bad one"
# a cut zip: refused, named, nothing indexed
head -c 300000 "$work/$first.zip" >"$work/cut.zip"
st=0
cat_ add "$work/cut.zip" 2>"$work/cut.err" || st=$?
[ $st -eq 1 ] && grep -q "cut.zip" "$work/cut.err" || fail "a cut zip: exit $st, $(cat "$work/cut.err")"
[ "$(cat_ list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]))')" = 10 ] ||
	fail "the cut zip left an entry"
echo "not a database, a text file of some length........................" >"$work/notes.db"
st=0
"$UNIFW" catalog list --db "$work/notes.db" 2>"$work/notdb.err" || st=$?
[ $st -eq 1 ] && grep -q "notes.db" "$work/notdb.err" || fail "a text file as --db: exit $st, $(cat "$work/notdb.err")"
st=0
cat_ show 999 2>"$work/show.err" || st=$?
[ $st -eq 1 ] && grep -q "no catalog entry 999" "$work/show.err" || fail "show 999: exit $st, $(cat "$work/show.err")"
for bad in "show abc" "show" "match" "match --backup a --fingerprint b" "list extra" "add" "frobnicate"; do
	st=0
	# shellcheck disable=SC2086 # word splitting of the usage cases is the point
	"$UNIFW" catalog $bad --db "$db" >/dev/null 2>&1 || st=$?
	[ $st -eq 2 ] || fail "'catalog $bad': exit $st, expected 2 (usage)"
done
echo "catalog e2e: ok"
