#!/usr/bin/env python3
"""One image for many phones, end to end (docs/universal.md "Proof").

  base      unifw-sim make-firmware --universal --all-drivers (every model's LCM and touch driver)
  phones    each model's factory phone (unifw-sim make-emmc), backed up once by `unifw backup` from the
            served phone (check_agree.Bench.backup), the fifth variant: a wiko-like whose eMMC is the second
            part its own preloader lists (make-emmc --emmc-part 1: Samsung N5WZMB), not in the build
  build     unifw universal build --base BASE --phone B1 B2 B3 B4 -o OUT --json: verdict built, one variant
            per phone, each naming its phone's LCM, touch and CID prefix (the backup's first 9 CID bytes). (The
            reference kernel resolves its partitions through the PMT, so every model's layout is served; a
            phone in REFUSED would be asserted refused first, by name.)
  info      unifw info OUT --json names the variants
  check     unifw check OUT --backup Bi --json: not BRICK RISK / WILL NOT BOOT, predicts boots without faults
            (no no_signal, no touch_uncalibrated) and that the probe binds the phone's variant (check.universal);
            the fifth phone (unifw check OUT --port, the phone itself): predicts boots_with_faults with exactly
            no_signal, the board's fallback
  flash     a copy of each factory phone served by unifw-sim (over a Unix socket; y600-like over the pty, as
            pty_jobs does), unifw flash OUT --yes --reboot (no --repartition, no --with-preloader) exits 0
  boot      unifw-sim boot --json on the flashed image: boots, no faults, facts.probe.bound panel / touch /
            board = that model's variant; the fifth: boots_with_faults, faults exactly {no_signal}, a
            probe_fallback note naming its CID, bound board "fallback", panel and touch wiko-like's variant
  identity  an IMEI record, WiFi MAC and BT address set and equal to the backup's (unifw identity show)
  identify  the flashed phone served again: unifw identify --json shows the probe record (what was bound)

Each assertion is reported (pass, FAIL, or blocked by the failed step it needs); the flashes run two at a time.
usage: universal_phones.py [--unifw BIN] [--sim BIN] [--work DIR] [--keep] [--jobs N] [--json FILE] [--self-test]
Exit: 0 every assertion passes, 1 one fails or is blocked, 2 setup error.
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
import check_agree as ca  # noqa: E402  (run, SetupError, the check's exit classes, Bench.backup)
import port_pairs as pp  # noqa: E402  (PairsBench: phones, backups, the backups' identity; judge_ported)

COMPONENTS = ("panel", "touch", "board")
PTY_MODEL = "y600-like"  # flashed over the pseudo terminal (the others over a Unix socket)
FIFTH = {"name": "wiko-like-part1", "model": "wiko-like", "emmc_part": "1"}
NEVER_PREDICTED = ("no_signal", "touch_uncalibrated")  # the faults an overlay exists to prevent
# Phones the base cannot serve, and why: the universal kernel mounts /system, /cache, /data by its compiled
# partition index map (mmcblk0pN), and the a516-like's table has PRELOAD where that map puts /system (the sim:
# system_invalid, boot_loop). unifw universal build refuses it, naming the map; the proof builds the others.
REFUSED = {}  # model -> a word of its refusal; none since the reference kernel maps partitions through the PMT


class UniversalBench(pp.PairsBench):
    """The base, the four factory phones and their backups, and the fifth phone (no backup: it is checked
    through its DA, as a phone on the bench would be)."""

    def packages(self):
        return {"base": ("universal, all drivers", ["--universal", "--all-drivers"])}

    def build_fifth(self):
        img = self.path("phone", "%s.img" % FIFTH["name"])
        if os.path.exists(img):
            return None
        p = ca.run([self.sim, "make-emmc", "--model", FIFTH["model"], "--emmc-part", FIFTH["emmc_part"], "-o",
                    img + ".tmp"], ok=None)
        if p.returncode != 0:
            return "unifw-sim make-emmc --emmc-part %s: exit %d: %s" % (FIFTH["emmc_part"], p.returncode,
                                                                      (p.stderr or p.stdout).strip()[-300:])
        os.replace(img + ".tmp", img)
        return None

    def factory_facts(self, img):
        """What the phone is (unifw-sim boot --json of an image: facts.phone): its LCM, touch and CID."""
        p = ca.run([self.sim, "boot", "--emmc", img, "--json"], ok=None)
        try:
            return json.loads(p.stdout)["facts"]["phone"]
        except (ValueError, KeyError):
            raise ca.SetupError("unifw-sim boot of %s: exit %d, no facts.phone" % (img, p.returncode))

    def build(self, jobs):
        for sub in ("state", "pkg", "phone", "backup", "run"):
            os.makedirs(self.path(sub), exist_ok=True)
        if not os.path.exists(self.env["UNIFW_DA"]):
            ca.run([self.sim, "make-da", "-o", self.env["UNIFW_DA"]])
        with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
            futs = [ex.submit(self.build_package, k, a) for k, (_, a) in self.packages().items()]
            futs += [ex.submit(self.build_phone, m) for m in self.models]
            fifth = ex.submit(self.build_fifth)
            for f in futs:
                f.result()
            for f in [ex.submit(self.backup, m, "factory") for m in self.models]:
                f.result()
            self.fifth_error = fifth.result()
        self.ids = {m: self.identity(m) for m in self.models}
        self.facts = {m: self.factory_facts(self.path("phone", "%s-factory.img" % m)) for m in self.models}
        if not self.fifth_error:
            self.facts[FIFTH["name"]] = self.factory_facts(self.path("phone", "%s.img" % FIFTH["name"]))


# ------------------------------------------------------------------ the judges (pure: self-tested)

def cid_prefix(cid):
    """The probe's board key: the first 9 CID bytes (MID CBX OID PNM), lowercase hex."""
    return (cid or "").lower()[:18]


def judge_build(rep, exit_code, want):
    """want: model -> {"source", "lcm", "touch", "cid"}. Returns (why, model -> variant name)."""
    if exit_code != 0 or not isinstance(rep, dict):
        return ["unifw universal build exit %s" % exit_code], {}
    why, variant_of = [], {}
    if rep.get("verdict") != "built":
        why.append("verdict %r (refusals: %s)" % (rep.get("verdict"), rep.get("refusals") or rep.get("refusal")))
    variants = rep.get("variants") or []
    if len(variants) != len(want):
        why.append("%d variants, want %d" % (len(variants), len(want)))
    for m, w in want.items():
        v = [x for x in variants if x.get("source") == w["source"]]
        if len(v) != 1:
            why.append("%s: %d variants built from %s" % (m, len(v), w["source"]))
            continue
        v = v[0]
        variant_of[m] = v.get("name")
        for key, expect in (("lcm", w["lcm"]), ("touch", w["touch"]), ("cid_prefix", cid_prefix(w["cid"]))):
            if v.get(key) != expect:
                why.append("%s: variant %s has %s %r, the phone's is %r" % (m, v.get("name"), key, v.get(key), expect))
    if len(set(variant_of.values())) != len(variant_of):
        why.append("variant names not distinct: %s" % variant_of)
    return why, variant_of


def judge_refusal(rep, exit_code, out_left, refused, accepted):
    """The build of every phone: refused, each refusal naming a phone of `refused` (source -> a word its reason
    must hold), every one of them named, none of `accepted` (sources), nothing left in OUT."""
    if exit_code != 4 or not isinstance(rep, dict):  # docs/universal.md: 0 built, 4 refused, 1 error, 2 usage
        return ["unifw universal build exit %s (4: refused)%s" % (exit_code, "" if isinstance(rep, dict) else
                                                                    ", no JSON")]
    why = []
    lines = rep.get("refusals") or []
    if rep.get("verdict") != "refused":
        why.append("verdict %r, want refused" % rep.get("verdict"))
    for src, word in refused.items():
        named = [ln for ln in lines if src in ln]
        if not named:
            why.append("no refusal names %s" % src)
        elif not all(word in ln.lower() for ln in named):
            why.append("a refusal of %s does not say why (%r): %s" % (src, word, named))
    for ln in lines:
        if not any(src in ln for src in refused):
            why.append("a refusal names none of the phones the base cannot serve: %s" % ln)
        for src in accepted:
            if src in ln:
                why.append("refuses %s: %s" % (src, ln))
    if out_left:
        why.append("a refused build left OUT: %s" % ", ".join(out_left))
    return why


def strings_in(j):
    if isinstance(j, dict):
        for k, v in j.items():
            yield k
            yield from strings_in(v)
    elif isinstance(j, list):
        for v in j:
            yield from strings_in(v)
    elif isinstance(j, str):
        yield j


def judge_info(j, exit_code, variants):
    if exit_code != 0 or j is None:
        return ["unifw info OUT --json exit %s" % exit_code]
    seen = set(strings_in(j))
    return ["unifw info does not name variant %s" % v for v in variants if v not in seen]


def judge_check(c, want_boot="boots", want_faults=(), bound=None):
    """unifw check's outcome (check_out). bound: component -> the variant the check must predict the probe binds
    ("fallback": none)."""
    if c is None or "error" in c:
        return ["unifw check: %s" % ((c or {}).get("error") or "not run")]
    why = []
    if c["exit_class"] != c["verdict"]:
        why.append("exit status says %s, JSON %s" % (c["exit_class"], c["verdict"]))
    if c["verdict"] not in pp.PASSING_CHECK:
        why.append("verdict %s" % ca.CLASS_TEXT.get(c["verdict"], c["verdict"]))
    if c["predicted_boot"] != want_boot or c["faults"] != sorted(want_faults):
        why.append("predicts %s {%s}, want %s {%s}" % (c["predicted_boot"], ", ".join(c["faults"]), want_boot,
                                                       ", ".join(sorted(want_faults))))
    for f in NEVER_PREDICTED:
        if f in c["faults"] and f not in want_faults:
            why.append("predicts %s" % f)
    for comp, v in (bound or {}).items():
        want = None if v == "fallback" else v
        got = (c.get("binding") or {}).get(comp, "(not predicted)")
        if got != want:
            why.append("predicts the probe binds %s to %r, want %r" % (comp, got, want))
    return why


def judge_boot(rep, ident, bound, fifth_cid=None):
    """The boot evaluation after the flash (unifw-sim boot --json). bound: component -> variant expected
    ("fallback" for a component nothing matched). fifth_cid: the fallback phone's CID (its note names it)."""
    if rep is None:
        return ["no boot evaluation"]
    faults = sorted({f.get("code") for f in rep.get("faults", [])})
    want_faults = ["no_signal"] if fifth_cid else []
    want_verdict = "boots_with_faults" if fifth_cid else "boots"
    why = []
    if rep.get("verdict") != want_verdict or faults != want_faults:
        why.append("%s {%s}, want %s {%s}: %s" % (rep.get("verdict"), ", ".join(faults), want_verdict,
                                                  ", ".join(want_faults), rep.get("summary", "")))
    probe = (rep.get("facts") or {}).get("probe")
    got = (probe or {}).get("bound") or {}
    for c in COMPONENTS:
        if got.get(c) != bound[c]:
            why.append("facts.probe.bound.%s %r, want %r" % (c, got.get(c), bound[c]))
    notes = [n for n in rep.get("notes", []) if n.get("code") == "probe_fallback"]
    if fifth_cid:
        if not any(cid_prefix(fifth_cid) in (n.get("message") or "").lower() for n in notes):
            why.append("no probe_fallback note naming the CID %s (notes: %s)" % (
                cid_prefix(fifth_cid), [n.get("message") for n in notes]))
    elif notes:
        why.append("a probe_fallback note: %s" % notes[0].get("message"))
    nv = (rep.get("facts") or {}).get("nvram") or {}
    if nv.get("imei_record") is not True:
        why.append("no IMEI record after the flash")
    for key in ("wifi_mac", "bt_address"):
        if nv.get(key + "_state") != "set" or not ident.get(key) or nv.get(key) != ident[key]:
            why.append("%s after the flash: %s %s, the backup's %s" % (key, nv.get(key + "_state"), nv.get(key),
                                                                       ident.get(key)))
    return why


def judge_identify(j, exit_code, bound):
    """unifw identify --json's universal_probe (docs/identify.md): the record the probe wrote at the last boot,
    components[] {name, variant (null: fallback)}, done."""
    if exit_code != 0 or not isinstance(j, dict):
        return ["unifw identify --json exit %s" % exit_code]
    rec = j.get("universal_probe")
    if not isinstance(rec, dict):
        return ["unifw identify --json shows no universal_probe record"]
    if rec.get("error"):
        return ["identify: the record could not be read: %s" % rec["error"]]
    got = {c.get("name"): c.get("variant") for c in rec.get("components") or [] if isinstance(c, dict)}
    why = [] if rec.get("done") is True else ["identify: the record has no done line"]
    for c in COMPONENTS:
        want = None if bound[c] == "fallback" else bound[c]
        if c not in got or got[c] != want:
            why.append("identify: %s bound to %r, want %r" % (c, got.get(c, "(missing)"), want))
    return why


def self_test():
    """The judges on made-up outcomes: a judge that passes everything cannot pass the test."""
    ident = {"wifi_mac": "02:5a:11:05:16:01", "bt_address": "02:5a:21:05:16:01"}
    bound = {"panel": "a516-like", "touch": "a516-like", "board": "a516-like"}
    fb = dict(bound, board="fallback")
    cid = "1501004e35575a4d421100000516a6f9"

    def boot(**kw):
        r = {"verdict": "boots", "faults": [], "notes": [], "summary": "",
             "facts": {"probe": {"bound": dict(bound)},
                       "nvram": {"imei_record": True, "wifi_mac_state": "set", "wifi_mac": ident["wifi_mac"],
                                 "bt_address_state": "set", "bt_address": ident["bt_address"]}}}
        for k, v in kw.items():
            if k in ("probe", "nvram"):
                r["facts"][k] = dict(r["facts"][k], **v)
            else:
                r[k] = v
        return r
    fifth = dict(verdict="boots_with_faults", faults=[{"code": "no_signal"}], probe={"bound": fb},
                 notes=[{"code": "probe_fallback", "message": "board: no overlay for CID " + cid[:18]}])
    boots = [  # (report, fifth CID or None, passes)
        (boot(), None, True),
        (None, None, False),
        (boot(verdict="boots_with_faults", faults=[{"code": "no_signal"}]), None, False),
        (boot(faults=[{"code": "touch_uncalibrated"}]), None, False),
        (boot(probe={"bound": dict(bound, touch="y600-like")}), None, False),
        (boot(probe={"bound": fb}), None, False),
        (boot(facts={"nvram": {}}), None, False),
        (boot(nvram={"imei_record": False}), None, False),
        (boot(nvram={"wifi_mac": "02:5a:11:05:16:02"}), None, False),
        (boot(nvram={"bt_address_state": "default"}), None, False),
        (boot(notes=[{"code": "probe_fallback", "message": "x"}]), None, False),
        (boot(**fifth), cid, True),
        (boot(**dict(fifth, verdict="boots")), cid, False),
        (boot(**dict(fifth, faults=[{"code": "no_signal"}, {"code": "no_touch"}])), cid, False),
        (boot(**dict(fifth, faults=[])), cid, False),
        (boot(**dict(fifth, notes=[])), cid, False),
        (boot(**dict(fifth, notes=[{"code": "probe_fallback", "message": "board: no overlay"}])), cid, False),
        (boot(**dict(fifth, probe={"bound": bound})), cid, False),
    ]
    chk = {"verdict": "safe", "exit_class": "safe", "predicted_boot": "boots", "faults": [], "items": []}
    checks = [  # (check, want boot, want faults, passes[, bound])
        (chk, "boots", (), True),
        (dict(chk, verdict="caveats", exit_class="caveats"), "boots", (), True),
        (dict(chk, faults=["no_signal"]), "boots", (), False),
        (dict(chk, faults=["touch_uncalibrated"]), "boots", (), False),
        (dict(chk, predicted_boot="boots_with_faults"), "boots", (), False),
        (dict(chk, verdict="brick_risk", exit_class="brick_risk"), "boots", (), False),
        (dict(chk, exit_class="caveats"), "boots", (), False),
        ({"error": "exit 1"}, "boots", (), False),
        (None, "boots", (), False),
        (dict(chk, verdict="caveats", exit_class="caveats", predicted_boot="boots_with_faults",
              faults=["no_signal"]), "boots_with_faults", ("no_signal",), True),
        (dict(chk, verdict="caveats", exit_class="caveats", predicted_boot="boots_with_faults",
              faults=["no_signal", "touch_uncalibrated"]), "boots_with_faults", ("no_signal",), False),
        (chk, "boots_with_faults", ("no_signal",), False),
    ]
    cb = dict(chk, binding={"panel": "a516-like", "touch": "a516-like", "board": "a516-like"})
    checks += [
        (cb, "boots", (), True, bound),
        (dict(cb, binding=dict(cb["binding"], board=None)), "boots", (), False, bound),
        (dict(cb, binding={}), "boots", (), False, bound),
        (dict(cb, binding=dict(cb["binding"], board=None)), "boots", (), True, fb),
        (cb, "boots", (), False, fb),
    ]
    want = {"a516-like": {"source": "/b/a", "lcm": "otm8018b_dsi_vdo", "touch": "gt9xx", "cid": cid}}
    v_ok = {"name": "a516-like", "source": "/b/a", "lcm": "otm8018b_dsi_vdo", "touch": "gt9xx",
            "cid_prefix": cid[:18]}
    builds = [  # (report, exit, passes)
        ({"verdict": "built", "variants": [v_ok]}, 0, True),
        ({"verdict": "built", "variants": [v_ok]}, 1, False),
        ({"verdict": "refused", "variants": [v_ok]}, 0, False),
        ({"verdict": "built", "variants": []}, 0, False),
        ({"verdict": "built", "variants": [v_ok, v_ok]}, 0, False),
        ({"verdict": "built", "variants": [dict(v_ok, touch="ft5206")]}, 0, False),
        ({"verdict": "built", "variants": [dict(v_ok, cid_prefix=cid[:16])]}, 0, False),
        ({"verdict": "built", "variants": [dict(v_ok, source="/b/b")]}, 0, False),
    ]
    ref = {"/b/a": "partition"}
    r_ok = {"verdict": "refused", "refusals": ["the base's kernel mounts /system from mmcblk0p4 (its partition map): "
                                               "on phone a516-like (/b/a) that is its PRELOAD"]}
    refusals = [  # (report, exit, OUT left, passes)
        (r_ok, 4, [], True),
        (r_ok, 0, [], False),
        (r_ok, 1, [], False),
        (r_ok, 4, ["system.img"], False),
        (dict(r_ok, verdict="built"), 4, [], False),
        ({"verdict": "refused", "refusals": []}, 4, [], False),
        ({"verdict": "refused", "refusals": ["phone /b/a: no LCM driver"]}, 4, [], False),
        (dict(r_ok, refusals=r_ok["refusals"] + ["phone /b/w: partition map"]), 4, [], False),
        (dict(r_ok, refusals=r_ok["refusals"] + ["the base has no kernel"]), 4, [], False),
        (None, 4, [], False),
    ]
    def rec(panel="a516-like", touch="a516-like", board="a516-like", done=True):
        return {"universal_probe": {"components": [{"name": "panel", "variant": panel},
                                                   {"name": "touch", "variant": touch},
                                                   {"name": "board", "variant": board}], "done": done}}
    idents = [  # (identify JSON, exit, bound, passes)
        (rec(), 0, bound, True),
        (rec(board=None), 0, fb, True),
        (rec(board=None), 0, bound, False),
        (rec(), 0, fb, False),
        (rec(touch="y600-like"), 0, bound, False),
        (rec(done=False), 0, bound, False),
        ({"universal_probe": {"error": "no ext4"}}, 0, bound, False),
        ({"universal_probe": {"components": [], "done": True}}, 0, bound, False),
        ({}, 0, bound, False),
        (rec(), 1, bound, False),
    ]
    bad = 0
    results = [(not judge_boot(r, ident, fb if c else bound, c), ok, "boot %d" % n)
               for n, (r, c, ok) in enumerate(boots, 1)]
    results += [(not judge_check(c, b_, f, rest[0] if rest else None), ok, "check %d" % n)
                for n, (c, b_, f, ok, *rest) in enumerate(checks, 1)]
    results += [(not judge_build(r, e, want)[0], ok, "build %d" % n) for n, (r, e, ok) in enumerate(builds, 1)]
    results += [(not judge_info({"variants": ["a516-like"]}, 0, ["a516-like"]), True, "info 1"),
                (not judge_info({"variants": []}, 0, ["a516-like"]), False, "info 2"),
                (not judge_info(None, 1, ["a516-like"]), False, "info 3")]
    results += [(not judge_refusal(r, e, left, ref, ["/b/w"]), ok, "refusal %d" % n)
                for n, (r, e, left, ok) in enumerate(refusals, 1)]
    results += [(not judge_identify(j, e, b), ok, "identify %d" % n) for n, (j, e, b, ok) in enumerate(idents, 1)]
    for passed, expect, name in results:
        if passed != expect:
            print("self-test case %s: judged %s, expected %s" % (name, "pass" if passed else "a failure",
                                                               "pass" if expect else "a failure"))
            bad += 1
    print("universal_phones: self-test, %d cases, %d wrong" % (len(results), bad), file=sys.stderr)
    return 1 if bad else 0


# ------------------------------------------------------------------ running it

class Report:
    """Every assertion's outcome, in order: pass, FAIL (why) or blocked (by which step)."""

    def __init__(self):
        self.rows = []

    def add(self, name, why, blocked_by=None):
        state = "blocked" if blocked_by else ("pass" if not why else "FAIL")
        print("universal_phones: %s: %s" % (state, name), file=sys.stderr, flush=True)  # progress, if it hangs
        self.rows.append({"assertion": name, "state": state, "why": why or [], "blocked_by": blocked_by})
        return state == "pass"

    def block(self, name, by):
        return self.add(name, [], blocked_by=by)

    def ok(self):
        return self.rows and all(r["state"] == "pass" for r in self.rows)


def json_of(p):
    try:
        return json.loads(p.stdout)
    except ValueError:
        return None


def check_out(b, out, phone_args):
    """unifw check OUT (--backup DIR | --port PORT) --json: check_agree.check_side's shape, plus the probe's
    predicted binding (check.universal.components: component -> variant, None for the fallback)."""
    p = ca.run([b.unifw, "check", out, *phone_args, "--json"], env=b.env, ok=None)
    if p.returncode not in ca.CHECK_EXIT:
        return {"error": "exit %d: %s" % (p.returncode, (p.stderr or p.stdout).strip()[-400:])}
    j = json_of(p)
    c = j.get("check", j) if isinstance(j, dict) else None
    if c is None:
        return {"error": "no JSON"}
    comps = (c.get("universal") or {}).get("components") or []
    return {"verdict": c.get("verdict"), "exit_class": ca.CHECK_EXIT[p.returncode],
            "predicted_boot": c.get("predicted_boot"), "faults": sorted(set(c.get("predicted_faults") or [])),
            "binding": {x.get("name"): x.get("variant") for x in comps if isinstance(x, dict)}}


class Served:
    """unifw-sim serving IMG over a Unix socket or (pty=True) a pseudo terminal, in the bench's run/."""

    def __init__(self, b, img, model, tag, pty=False, extra=()):
        self.log = open(b.path("run", "%s.sim.log" % tag), "a")
        if pty:
            link = b.path("run", "%s.tty" % tag)
            cmd = [b.sim, "--pty", "--pty-link", link]
            self.port, want = link, "pty "
        else:
            sock = b.path("run", "%s.sock" % tag)
            cmd = [b.sim, "--socket", sock]
            self.port, want = "unix:" + sock, "socket "
        for f in (b.path("run", "%s.tty" % tag), b.path("run", "%s.sock" % tag)):
            if os.path.lexists(f):
                os.unlink(f)
        self.proc = subprocess.Popen(cmd + ["--emmc", img, "--model", model, "--mode", "preloader",
                                            "--preloader-window", "0", *extra], stdout=subprocess.PIPE,
                                     stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith(want):
            self.stop()
            raise ca.SetupError("unifw-sim did not start (%s): %s" % (tag, line.strip()))

    def stop(self, wait_exit=False):
        if wait_exit:
            try:
                self.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                pass
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.log.close()


def run_phone(b, out, name, model, img_src, bound, pty, fifth_cid, rep):
    """Check (the fifth: through the phone), flash, boot evaluation, identity, identify of one phone."""
    t0 = time.monotonic()
    img = b.path("run", "%s.img" % name)
    ca.run(["cp", "--sparse=always", img_src, img])
    how = "over the pty" if pty else "over a socket"
    if fifth_cid:
        s = Served(b, img, model, name + "-check")
        try:
            c = check_out(b, out, ["--port", s.port])
        finally:
            s.stop()
        rep.add("check %s (through the phone): predicts boots_with_faults {no_signal}, board fallback" % name,
                judge_check(c, "boots_with_faults", ("no_signal",), bound))
    s = Served(b, img, model, name + "-flash", pty=pty, extra=("--exit-on-finish",))
    p = None
    try:
        p = ca.run([b.unifw, "flash", out, "--yes", "--reboot", "--port", s.port], env=b.env, ok=None)
    finally:  # --exit-on-finish: a flash that succeeded ends the sim with the reboot's FINISH
        s.stop(wait_exit=p is not None and p.returncode == 0)
    flashed = rep.add("flash %s %s: unifw flash OUT --yes --reboot exits 0" % (name, how),
                      [] if p.returncode == 0 else ["exit %d: %s" % (p.returncode, (p.stderr or p.stdout)
                                                                    .strip()[-600:])])
    boot_name = "boot %s: %s" % (name, "boots_with_faults {no_signal}, board fallback note" if fifth_cid else
                                 "boots, no faults, probe bound = its variant, identity intact")
    ident_name = "identify %s: the probe record" % name
    if not flashed:
        rep.block(boot_name, "flash %s" % name)
        rep.block(ident_name, "flash %s" % name)
        return time.monotonic() - t0
    q = ca.run([b.sim, "boot", "--emmc", img, "--json"], ok=None)
    bt = json_of(q) if q.returncode not in (1, 2) else None
    rep.add(boot_name, judge_boot(bt, b.ids[model], bound, fifth_cid))
    s = Served(b, img, model, name + "-identify")
    try:
        p = ca.run([b.unifw, "identify", "--port", s.port, "--json"], env=b.env, ok=None)
    finally:
        s.stop()
    rep.add(ident_name, judge_identify(json_of(p), p.returncode, bound))
    os.unlink(img)
    return time.monotonic() - t0


def run_all(b, jobs):
    rep, t = Report(), {}
    out = b.path("OUT")
    shutil.rmtree(out, ignore_errors=True)
    backups = {m: b.path("backup", "%s-factory" % m) for m in b.models}
    served = [m for m in b.models if m not in REFUSED]
    t0 = time.monotonic()
    if REFUSED:
        p = ca.run([b.unifw, "universal", "build", "--base", b.path("pkg", "base"), "--phone", *backups.values(),
                    "-o", out, "--json"], env=b.env, ok=None)
        left = sorted(os.listdir(out)) if os.path.isdir(out) else []
        why = judge_refusal(json_of(p), p.returncode, left, {backups[m]: w for m, w in REFUSED.items()},
                            [backups[m] for m in served])
        rep.add("build of all %d models: refused, naming only %s, OUT left empty" % (
            len(b.models), ", ".join(REFUSED)), why)
        shutil.rmtree(out, ignore_errors=True)
    p = ca.run([b.unifw, "universal", "build", "--base", b.path("pkg", "base"), "--phone",
                *[backups[m] for m in served], "-o", out, "--json"], env=b.env, ok=None)
    t["build"] = time.monotonic() - t0
    want = {m: {"source": backups[m], "lcm": b.facts[m]["panel_lcm"], "touch": b.facts[m]["touch"],
                "cid": b.facts[m]["cid"]} for m in served}
    why, variant_of = judge_build(json_of(p), p.returncode, want)
    if p.returncode != 0:
        why.append((p.stderr or p.stdout).strip()[-600:])
    rep.add("build of %s: verdict built, %d variants with their phones' LCM, touch, CID prefix" % (
        ", ".join(served), len(served)), why)
    if p.returncode != 0 or len(variant_of) != len(served):
        for name in ["info"] + ["check " + m for m in served] + ["flash/boot/identify " + m for m in served] + \
                ["the fifth variant"]:
            rep.block(name, "build")
        return rep, t, variant_of
    p = ca.run([b.unifw, "info", out, "--json"], env=b.env, ok=None)
    rep.add("info: unifw info OUT --json names the variants", judge_info(json_of(p), p.returncode,
                                                                         list(variant_of.values())))
    t0 = time.monotonic()
    for m in served:
        c = check_out(b, out, ["--backup", backups[m]])
        rep.add("check %s: predicts boots, no faults (no no_signal / touch_uncalibrated), binds its variant" % m,
                judge_check(c, bound={k: variant_of[m] for k in COMPONENTS}))
    t["check"] = time.monotonic() - t0
    jobs_list = [(m, m, b.path("phone", "%s-factory.img" % m), {c: variant_of[m] for c in COMPONENTS},
                  m == PTY_MODEL, None) for m in sorted(served, key=lambda m: m != PTY_MODEL)]  # the pty: slowest, first
    if b.fifth_error:
        rep.block("the fifth variant (%s)" % FIFTH["name"], "setup: " + b.fifth_error)
    elif FIFTH["model"] not in variant_of:
        rep.block("the fifth variant (%s)" % FIFTH["name"], "build: no %s variant" % FIFTH["model"])
    else:
        v = variant_of[FIFTH["model"]]
        jobs_list.append((FIFTH["name"], FIFTH["model"], b.path("phone", "%s.img" % FIFTH["name"]),
                          {"panel": v, "touch": v, "board": "fallback"}, False, b.facts[FIFTH["name"]]["cid"]))
    t0 = time.monotonic()
    subs = [Report() for _ in jobs_list]
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        futs = [ex.submit(run_phone, b, out, *j, subs[n]) for n, j in enumerate(jobs_list)]
        for n, f in enumerate(futs):
            t["phone " + jobs_list[n][0]] = f.result()
    t["phones"] = time.monotonic() - t0
    for s in subs:
        rep.rows += s.rows
    return rep, t, variant_of


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--unifw", default=os.environ.get("UNIFW_BIN", "unifw"))
    ap.add_argument("--sim", default=os.environ.get("UNIFW_SIM_BIN"))
    ap.add_argument("--work")
    ap.add_argument("--keep", action="store_true", help="keep --work (and reuse the base, phones, backups)")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("UNIVERSAL_PHONES_JOBS", "2")))
    ap.add_argument("--json")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    if args.self_test and self_test() != 0:
        return 1
    args.sim_only = False
    if not args.sim:
        args.sim = os.path.join(os.path.dirname(args.unifw), "sim", "unifw-sim")
    made_work = not args.work
    args.work = os.path.abspath(args.work or tempfile.mkdtemp(prefix="unifw-univ-", dir=os.environ.get("TMPDIR")))
    os.makedirs(args.work, exist_ok=True)
    t0 = time.monotonic()
    try:
        b = UniversalBench(args)
        b.build(max(1, args.jobs))
        t_setup = time.monotonic() - t0
        rep, t, variant_of = run_all(b, max(1, args.jobs))
    except (ca.SetupError, subprocess.TimeoutExpired) as e:
        print("universal_phones: setup: %s" % e, file=sys.stderr)
        return 2
    finally:
        if made_work and not args.keep:
            shutil.rmtree(args.work, ignore_errors=True)
    total = time.monotonic() - t0
    print("universal_phones: setup (base, phones, backups) %.1f s; %s; total %.1f s" % (
        t_setup, ", ".join("%s %.1f s" % kv for kv in t.items()), total), file=sys.stderr)
    print("variants: %s" % ", ".join("%s=%s" % kv for kv in variant_of.items()))
    for r in rep.rows:
        extra = (" (blocked by %s)" % r["blocked_by"]) if r["blocked_by"] else ""
        print("%-7s %s%s" % (r["state"], r["assertion"], extra))
        for w in r["why"]:
            print("        " + w.replace("\n", "\n        "))
    n_pass = sum(1 for r in rep.rows if r["state"] == "pass")
    print("%d assertions: %d pass, %d fail, %d blocked" % (len(rep.rows), n_pass,
                                                            sum(1 for r in rep.rows if r["state"] == "FAIL"),
                                                            sum(1 for r in rep.rows if r["state"] == "blocked")))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"variants": variant_of, "rows": rep.rows, "seconds": dict(t, total=total)}, f, indent=1)
    return 0 if rep.ok() else 1


if __name__ == "__main__":
    sys.exit(main())
