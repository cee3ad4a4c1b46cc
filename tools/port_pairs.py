#!/usr/bin/env python3
"""Does `unifw port` make a firmware that boots? Every phone model x every base (docs/port.md "Proof").

For every model X and every base B in {the universal package, the other models' stock packages}:
  base as it is   unifw check B --backup BACKUP_X --json against a copy of X's factory eMMC with
                  `unifw-sim flash-package` B (no preloader: SP Flash Tool's Download default) and
                  `unifw-sim boot --json`: the sim's outcome is not `boots`, and the check agrees with it by
                  tools/check_agree.py's rules (predicted boot and faults; a refused Download is BRICK RISK);
  ported          unifw port B --stock BACKUP_X -o OUT exits 0; unifw check OUT --backup BACKUP_X --json says
                  neither BRICK RISK nor WILL NOT BOOT and predicts `boots` without faults; unifw info OUT reads
                  it; then the real flash: a copy of X's factory eMMC served by unifw-sim over a Unix socket,
                  unifw flash OUT --yes --reboot (no --repartition, no --with-preloader) exits 0, and the boot
                  evaluation the sim writes after FINISH (--verdict-file) is `boots`, no faults, with the
                  phone's identity intact: an IMEI record, WiFi MAC and BT address `set` and equal to the
                  backup's (unifw identity show BACKUP_X).
BACKUP_X is taken once per model by `unifw backup` from the served factory phone (check_agree.Bench), each
package is made once, each pair works on its own sparse copy of the phone image. Prints the table (markdown)
and exits 1 listing each failed pair.

usage: port_pairs.py [--unifw BIN] [--sim BIN] [--work DIR] [--keep] [--jobs N] [--only X:B,...]
                     [--as-is-only] [--json FILE] [--self-test] [--update-doc [--doc FILE]] [--doc-check]
--update-doc writes the table into docs/port.md "Proof" (between its markers); --doc-check fails when the table
there is not the one generated (not in the test: the table follows every change of the sim and the rules).
Exit: 0 every pair passes (and the doc is current with --doc-check), 1 a pair fails, 2 setup error.
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in tools/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_agree as ca  # noqa: E402  (the packages, phones, backups and the agreement rules)

PASSING_CHECK = ("safe", "caveats")  # no BRICK RISK, no WILL NOT BOOT
DOC_BEGIN = "<!-- port_pairs table begin (tools/port_pairs.py --update-doc) -->"
DOC_END = "<!-- port_pairs table end -->"


class PairsBench(ca.Bench):
    """check_agree's bench reduced to what the pairs need: the stock and universal packages, the
    factory-fresh phones and their backups (no kernel/modem variants, no NVRAM-erased phones)."""

    def packages(self):
        pk = {"stock-" + m: ("stock " + m, ["--model", m]) for m in self.models}
        pk["universal"] = ("universal", ["--universal"])
        return pk

    def build_phone(self, m):
        img = self.path("phone", "%s-factory.img" % m)
        if os.path.exists(img):
            return
        ca.run([self.sim, "make-emmc", "--model", m, "-o", img + ".tmp"])
        os.replace(img + ".tmp", img)

    def identity(self, m):
        """The backup's WiFi MAC and BT address (unifw identity show: the NVRAM BinRegion copy)."""
        p = ca.run([self.unifw, "identity", "show", self.path("backup", "%s-factory" % m), "--json"], env=self.env,
                   ok=None)
        try:
            b = json.loads(p.stdout).get("binregion") or {}
        except ValueError:
            raise ca.SetupError("unifw identity show of %s's backup: exit %d, no JSON" % (m, p.returncode))
        return {"wifi_mac": b.get("wifi_mac"), "bt_address": b.get("bt_address")}

    def build(self, jobs):
        for sub in ("state", "pkg", "phone", "backup", "run", "port"):
            os.makedirs(self.path(sub), exist_ok=True)
        if not os.path.exists(self.env["UNIFW_DA"]):
            ca.run([self.sim, "make-da", "-o", self.env["UNIFW_DA"]])
        with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
            futs = [ex.submit(self.build_package, k, a) for k, (_, a) in self.packages().items()]
            futs += [ex.submit(self.build_phone, m) for m in self.models]
            for f in futs:
                f.result()
            for f in [ex.submit(self.backup, m, "factory") for m in self.models]:
                f.result()
        self.ids = {m: self.identity(m) for m in self.models}


def pair_list(models):
    return [{"phone": x, "state": "factory", "package": b, "with_preloader": False}
            for x in models for b in ["universal"] + ["stock-" + m for m in models if m != x]]


# ------------------------------------------------------------------ the base as it is

def as_is(b, pair, n):
    s = ca.sim_side(b, pair, n)
    c = ca.check_side(b, pair)
    agree, class_ok, why = ca.judge(s, c)
    if s["verdict"] == "boots":
        why = ["the base as it is boots on this phone: nothing to port"] + why
        agree = False
    return {"sim": s, "check": c, "ok": agree and class_ok, "why": why}


# ------------------------------------------------------------------ the ported firmware

def serve_and_flash(b, pair, n, out):
    """A copy of the phone's factory image served over a Unix socket; unifw flash OUT --reboot; the boot
    evaluation the sim writes after FINISH. Returns (flash exit, flash stderr tail, boot report or None)."""
    phone = pair["phone"]
    copy, sock = b.path("run", "flash%02d.img" % n), b.path("run", "f%02d.sock" % n)
    verdict, log = b.path("run", "flash%02d.verdict.json" % n), b.path("run", "flash%02d.sim.log" % n)
    for f in (sock, verdict):
        if os.path.exists(f):
            os.unlink(f)
    ca.run(["cp", "--sparse=always", b.path("phone", "%s-factory.img" % phone), copy])
    with open(log, "w") as lf:
        sim = subprocess.Popen([b.sim, "--socket", sock, "--emmc", copy, "--model", phone, "--preloader-window", "0",
                                "--exit-on-finish", "--verdict-file", verdict], stdout=subprocess.PIPE, stderr=lf,
                               text=True)
    try:
        line = sim.stdout.readline()
        if not line.startswith("socket "):
            raise ca.SetupError("unifw-sim did not start for %s (%s)" % (phone, line.strip()))
        p = ca.run([b.unifw, "flash", out, "--yes", "--reboot", "--port", "unix:" + sock, "--da", b.env["UNIFW_DA"]],
                   env=b.env, ok=None)
        if p.returncode == 0:
            sim.wait(timeout=120)  # --exit-on-finish: the reboot's FINISH ends it, after the verdict file
    finally:
        if sim.poll() is None:
            sim.terminate()
            sim.wait(timeout=30)
    report = None
    if os.path.exists(verdict):
        with open(verdict) as f:
            report = json.load(f)
    elif p.returncode == 0:  # no FINISH seen: evaluate the image the sim left
        q = ca.run([b.sim, "boot", "--emmc", copy, "--json"], ok=None)
        report = json.loads(q.stdout) if q.returncode not in (1, 2) else None
    os.unlink(copy)
    return p.returncode, (p.stderr or p.stdout).strip()[-600:], report


def ported(b, pair, n):
    r = {"port_exit": None, "check": None, "info_exit": None, "flash_exit": None, "boot": None, "why": [], "t": {}}
    t = time.monotonic()

    def lap(name):
        nonlocal t
        now = time.monotonic()
        r["t"][name] = round(now - t, 2)
        t = now
    out = b.path("port", "%s_on_%s" % (pair["package"], pair["phone"]))
    shutil.rmtree(out, ignore_errors=True)
    p = ca.run([b.unifw, "port", b.path("pkg", pair["package"]), "--stock",
                b.path("backup", "%s-factory" % pair["phone"]), "-o", out, "--json"], env=b.env, ok=None)
    r["port_exit"] = p.returncode
    lap("port")
    if p.returncode != 0:
        r["why"].append("unifw port exit %d: %s" % (p.returncode, (p.stderr or p.stdout).strip()[-600:]))
        return r
    # check_side joins pkg/ with the package name: an absolute path stands for itself
    r["check"] = ca.check_side(b, dict(pair, package=out))
    lap("check")
    r["info_exit"] = ca.run([b.unifw, "info", out], env=b.env, ok=None).returncode
    lap("info")
    r["flash_exit"], flash_err, rep = serve_and_flash(b, pair, n, out)
    lap("flash")
    if rep is not None:
        nv = (rep.get("facts") or {}).get("nvram") or {}
        r["boot"] = {"verdict": rep.get("verdict"), "faults": sorted({f["code"] for f in rep.get("faults", [])}),
                     "reasons": [x["code"] for x in rep.get("reasons", [])], "imei_record": nv.get("imei_record"),
                     "wifi_mac_state": nv.get("wifi_mac_state"), "wifi_mac": nv.get("wifi_mac"),
                     "bt_address_state": nv.get("bt_address_state"), "bt_address": nv.get("bt_address")}
    if r["flash_exit"] != 0:
        r["why"].append("unifw flash exit %d: %s" % (r["flash_exit"], flash_err))
    r["why"] += judge_ported(r, b.ids[pair["phone"]])
    return r


def judge_ported(r, ident):
    """What is wrong with a ported pair's outcome (empty: it passes)."""
    why = []
    if r["port_exit"] != 0:
        return ["unifw port exit %s" % r["port_exit"]]
    c = r["check"] or {"error": "not run"}
    if "error" in c:
        why.append("unifw check OUT: " + c["error"])
    else:
        if c["verdict"] not in PASSING_CHECK or c["exit_class"] != c["verdict"]:
            why.append("unifw check OUT: %s (exit class %s)" % (ca.CLASS_TEXT.get(c["verdict"], c["verdict"]),
                                                                 c["exit_class"]))
        if c["predicted_boot"] != "boots" or c["faults"]:
            why.append("unifw check OUT predicts %s %s" % (c["predicted_boot"], ", ".join(c["faults"])))
    if r["info_exit"] != 0:
        why.append("unifw info OUT exit %s" % r["info_exit"])
    if r["flash_exit"] != 0:
        why.append("unifw flash OUT exit %s" % r["flash_exit"])
    bt = r["boot"]
    if bt is None:
        why.append("no boot evaluation after the flash")
        return why
    if bt["verdict"] != "boots" or bt["faults"]:
        why.append("the phone after the flash: %s (%s) %s" % (bt["verdict"], ", ".join(bt["reasons"]),
                                                              ", ".join(bt["faults"])))
    if bt["imei_record"] is not True:
        why.append("no IMEI record after the flash")
    for key, state in (("wifi_mac", "wifi_mac_state"), ("bt_address", "bt_address_state")):
        if bt[state] != "set" or not ident.get(key) or bt[key] != ident[key]:
            why.append("%s after the flash: %s %s, the backup's %s" % (key, bt[state], bt[key], ident.get(key)))
    return why


def self_test():
    """judge_ported on made-up outcomes: a judge that passes everything cannot pass the test."""
    ident = {"wifi_mac": "02:5a:11:05:16:01", "bt_address": "02:5a:21:05:16:01"}

    def r(**kw):
        good = {"port_exit": 0, "info_exit": 0, "flash_exit": 0,
                "check": {"verdict": "safe", "exit_class": "safe", "predicted_boot": "boots", "faults": []},
                "boot": {"verdict": "boots", "faults": [], "reasons": [], "imei_record": True,
                         "wifi_mac_state": "set", "wifi_mac": ident["wifi_mac"], "bt_address_state": "set",
                         "bt_address": ident["bt_address"]}}
        for k, v in kw.items():
            if k in ("check", "boot") and isinstance(v, dict):
                good[k] = dict(good[k], **v)
            else:
                good[k] = v
        return good
    cases = [  # (outcome, passes)
        (r(), True),
        (r(check={"verdict": "caveats", "exit_class": "caveats"}), True),  # e.g. another logo resolution
        (r(port_exit=1), False),
        (r(port_exit=4), False),
        (r(check={"verdict": "brick_risk", "exit_class": "brick_risk"}), False),
        (r(check={"verdict": "will_not_boot", "exit_class": "will_not_boot"}), False),
        (r(check={"exit_class": "caveats"}), False),
        (r(check={"predicted_boot": "white_screen"}), False),
        (r(check={"faults": ["no_wifi"]}), False),
        (r(check={"error": "exit 1"}), False),
        (r(info_exit=1), False),
        (r(flash_exit=1), False),
        (r(boot=None), False),
        (r(boot={"verdict": "boots_with_faults", "faults": ["no_touch"]}), False),
        (r(boot={"faults": ["no_wifi"]}), False),
        (r(boot={"verdict": "white_screen"}), False),
        (r(boot={"imei_record": False}), False),
        (r(boot={"wifi_mac_state": "random"}), False),
        (r(boot={"wifi_mac": "02:5a:11:05:16:02"}), False),
        (r(boot={"bt_address_state": "default"}), False),
        (r(boot={"bt_address": "00:00:46:66:30:01"}), False),
    ]
    bad = 0
    for n, (outcome, passes) in enumerate(cases, 1):
        why = judge_ported(outcome, ident)
        if (not why) != passes:
            print("self-test case %d: judged %s, expected %s" % (n, why or "pass", "pass" if passes else "a failure"))
            bad += 1
    print("port_pairs: self-test, %d cases, %d wrong" % (len(cases), bad), file=sys.stderr)
    return 1 if bad else 0


# ------------------------------------------------------------------ the run

def run_pairs(b, pairs, jobs, as_is_only):
    def one(n):
        pair = pairs[n]
        t = time.monotonic()
        r = dict(pair, as_is=as_is(b, pair, n))
        r["as_is_seconds"] = round(time.monotonic() - t, 1)
        r["ported"] = None if as_is_only else ported(b, pair, n)
        r["ok"] = r["as_is"]["ok"] and (as_is_only or not r["ported"]["why"])
        r["seconds"] = round(time.monotonic() - t, 1)
        return r
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        return list(ex.map(one, range(len(pairs))))


def ported_cell(p):
    if p is None:
        return "not run", "not run"
    c = p["check"]
    chk = "—" if c is None else ("error" if "error" in c else "%s, predicts %s%s" % (
        ca.CLASS_TEXT.get(c["verdict"], c["verdict"]), c["predicted_boot"],
        (": " + ", ".join(c["faults"])) if c["faults"] else ""))
    if p["port_exit"] != 0:
        return "port exit %s" % p["port_exit"], chk
    bt = p["boot"]
    if bt is None:
        return "flash exit %s, no boot" % p["flash_exit"], chk
    cell = bt["verdict"] + ((": " + ", ".join(bt["faults"])) if bt["faults"] else "")
    ident = bt["imei_record"] and bt["wifi_mac_state"] == "set" and bt["bt_address_state"] == "set"
    return cell + (", identity intact" if ident and not p["why"] else ""), chk


def table(results, packages):
    rows = ["| # | phone | base | as it is: unifw-sim | as it is: check | ported: check | ported: flashed, booted | pass |",
            "|---|---|---|---|---|---|---|---|"]
    for n, r in enumerate(results, 1):
        verdict, pred = ca.check_cell(r["as_is"]["check"])
        boot, chk = ported_cell(r["ported"])
        rows.append("| %d | %s | %s | %s | %s, predicts %s | %s | %s | %s |" % (
            n, r["phone"], packages[r["package"]][0], ca.sim_cell(r["as_is"]["sim"]), verdict, pred, chk, boot,
            "yes" if r["ok"] else "**NO**"))
    ok = sum(1 for r in results if r["ok"])
    return "%d pairs, %d pass.\n\n%s\n" % (len(results), ok, "\n".join(rows))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--unifw", default=os.environ.get("UNIFW_BIN", "unifw"))
    ap.add_argument("--sim", default=os.environ.get("UNIFW_SIM_BIN"))
    ap.add_argument("--work")
    ap.add_argument("--keep", action="store_true", help="keep --work (and reuse the packages, phones, backups)")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("PORT_PAIRS_JOBS", "2")))
    ap.add_argument("--only", help="X:B,... (phone model : base key, e.g. wiko-like:universal)")
    ap.add_argument("--as-is-only", action="store_true", help="the base-as-is half alone (no unifw port)")
    ap.add_argument("--json")
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("--doc")
    ap.add_argument("--update-doc", action="store_true")
    ap.add_argument("--doc-check", action="store_true")
    args = ap.parse_args()
    if args.self_test and self_test() != 0:
        return 1
    args.sim_only = False
    if not args.sim:
        args.sim = os.path.join(os.path.dirname(args.unifw), "sim", "unifw-sim")
    made_work = not args.work
    args.work = os.path.abspath(args.work or tempfile.mkdtemp(prefix="unifw-pairs-", dir=os.environ.get("TMPDIR")))
    os.makedirs(args.work, exist_ok=True)
    t0 = time.monotonic()
    try:
        b = PairsBench(args)
        b.build(max(1, args.jobs))
        t_build = time.monotonic() - t0
        pairs = pair_list(b.models)
        if args.only:
            want = set(args.only.split(","))
            pairs = [p for p in pairs if "%s:%s" % (p["phone"], p["package"]) in want]
        results = run_pairs(b, pairs, max(1, args.jobs), args.as_is_only)
    except (ca.SetupError, subprocess.TimeoutExpired) as e:
        print("port_pairs: setup: %s" % e, file=sys.stderr)
        return 2
    finally:
        if made_work and not args.keep:
            shutil.rmtree(args.work, ignore_errors=True)
    print("port_pairs: built in %.1f s, %d pairs in %.1f s (slowest %.1f s)" % (
        t_build, len(results), time.monotonic() - t0 - t_build, max((r["seconds"] for r in results), default=0)),
        file=sys.stderr)
    print(table(results, b.packages()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    bad = [(n, r) for n, r in enumerate(results, 1) if not r["ok"]]
    for n, r in bad:
        why = r["as_is"]["why"] + ([] if r["ported"] is None else r["ported"]["why"])
        print("pair %d: phone %s, base %s:\n    %s" % (n, r["phone"], r["package"], "\n    ".join(why)))
    if not results:
        print("FAIL: no pair ran")
        return 1
    rc = 1 if bad else 0
    if args.update_doc or args.doc_check:
        src = os.environ.get("UNIFW_SRCDIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
        doc = args.doc or os.path.join(src, "docs", "port.md")
        text = open(doc).read()
        a, z = text.find(DOC_BEGIN), text.find(DOC_END)
        if a < 0 or z < a:
            print("port_pairs: %s has no table markers (%s ... %s)" % (doc, DOC_BEGIN, DOC_END), file=sys.stderr)
            return 2
        a += len(DOC_BEGIN)
        md = table(results, b.packages())
        if args.update_doc:
            with open(doc, "w") as f:
                f.write(text[:a] + "\n" + md + text[z:])
            print("port_pairs: %s updated" % doc, file=sys.stderr)
        elif text[a:z].strip() != md.strip():
            print("FAIL: the table in %s differs from the generated one (run tools/port_pairs.py --update-doc)" % doc)
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
