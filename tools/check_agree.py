#!/usr/bin/env python3
"""Does `unifw check` agree with the virtual phone? Every pair the suite can build (docs/check.md "Agreement").

For every phone model x {each model's stock package, the universal package, without and with the preloader;
its own stock package with the kernel swapped for one without the panel's driver; with a modem the kernel
rejects; its own stock package on the phone with NVRAM erased; the universal package's ANDROID alone and its
BOOTIMG alone (--only: a system or a kernel of another release than the phone's, the WLAN module rule)}:
  (a) unifw check PKG --backup BACKUP [--with-preloader] [--only P] --json -> verdict, predicted_boot,
      predicted_faults
  (b) a copy of the phone's eMMC image, unifw-sim flash-package [--with-preloader] [--only P] PKG (refused:
      "refused"),
      unifw-sim boot --json                                         -> verdict, reason and fault codes
and two rules:
  agreement   (b) refused: (a)'s verdict is BRICK RISK;
              else (a)'s predicted_boot == (b)'s verdict, and when the phone boots (boots, boots_with_faults)
              (a)'s predicted_faults == (b)'s fault codes (as sets); a phone that does not boot shows no faults
              (check.h: predicted_faults are a booting phone's), so the check lists none and the sim's are not
              compared
  class       the class of (b)'s outcome: BRICK RISK for refused, dead, brom_loop; WILL NOT BOOT for
              stuck_brom, boot_loop, white_screen, black_screen (docs/check.md "Verdicts": a reflash fixes it); WORKS WITH CAVEATS for boots_with_faults; SAFE for boots.
              (a)'s items the boot sees (a boot_effect) must make exactly that class (the worst of them, SAFE
              when none); items the boot does not see (no boot_effect) may make (a)'s verdict worse only as
              WORKS WITH CAVEATS (another logo resolution) or as BRICK RISK that `unifw flash` refuses
              (flash_refuses: a layout the Download would move identity partitions under); refused: BRICK RISK

Each package variant, each phone image and each phone's backup is built once (in --work, reused with --keep).
Prints the table (markdown) and exits 1 listing each disagreement, or when docs/check.md's table (between
the markers) differs from the generated one; --update-doc rewrites it. --sim-only runs side (b) alone (no
unifw check: the table's check columns say "not run"; nothing is compared).

usage: check_agree.py [--unifw BIN] [--sim BIN] [--work DIR] [--keep] [--jobs N] [--doc FILE]
                      [--update-doc] [--no-doc-check] [--sim-only] [--json FILE] [--disagreements FILE]
                      [--self-test]
Exit: 0 every pair agrees and the doc is current, 1 disagreement(s) or doc out of date, 2 setup error.
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

DOC_BEGIN = "<!-- check_agree table begin (tools/check_agree.py --update-doc) -->"
DOC_END = "<!-- check_agree table end -->"

# A kernel without the panel's driver, per model (make-firmware --kernel-lcm): three ways the kernel's pick
# goes wrong (docs/sim.md "Boot evaluation", kernel panel rows). The names are drivers of the other firmwares.
KERNEL_WITHOUT_PANEL = {
    # none named in LK's lcm=, no compare_id matches OTM8018B: no LCM at all (kernel_no_lcm)
    "a516-like": "hx8379a_wvga_dsi_vdo,ili9806e_wvga_dsi_vdo",
    # one driver, for an OTM8018B: the kernel takes it whatever lcm= says (kernel_wrong_lcm)
    "wiko-like": "otm8018b_dsi_vdo",
    # one driver whose compare_id returns 1, for another controller (kernel_wrong_lcm)
    "s10-like": "nt35512_wvga_dsi_vdo_dj",
    # two drivers, neither named in lcm=: compare_id in list order picks the return-1 one (kernel_wrong_lcm)
    "y600-like": "hx8389b_kelai_dsi_vdo_qhd,nt35512_wvga_dsi_vdo_dj",
}
# A modem the kernel rejects: its MD_CHECK_HEADER asks 24 MiB, the models' kernels reserve 22 MiB.
MODEM_REJECTED_SIZE = "24M"
# The universal package written in part (--only): its KK system under the phone's kernel, its KK kernel over
# the phone's system: the WLAN module of one release under a kernel of another (no_wifi) on the JB models.
ONLY_PARTS = ["ANDROID", "BOOTIMG"]

SIM_CLASS = {
    "refused": "brick_risk", "dead": "brick_risk", "brom_loop": "brick_risk", "stuck_brom": "will_not_boot",
    "boot_loop": "will_not_boot", "white_screen": "will_not_boot", "black_screen": "will_not_boot",
    "boots_with_faults": "caveats", "boots": "safe",
}
CLASS_TEXT = {"brick_risk": "BRICK RISK", "will_not_boot": "WILL NOT BOOT", "caveats": "WORKS WITH CAVEATS",
              "safe": "SAFE"}
CHECK_EXIT = {0: "safe", 3: "caveats", 4: "will_not_boot", 5: "brick_risk"}


class SetupError(Exception):
    pass


def run(cmd, timeout=600, env=None, ok=(0,)):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    if ok is not None and p.returncode not in ok:
        raise SetupError("%s: exit %d\n%s" % (" ".join(cmd), p.returncode, (p.stderr or p.stdout)[-2000:]))
    return p


class Bench:
    """The things built once: packages, phone images, backups."""

    def __init__(self, args):
        self.unifw, self.sim, self.work = args.unifw, args.sim, args.work
        self.sim_only = args.sim_only
        self.models = [line.split()[0] for line in run([self.sim, "models"]).stdout.splitlines()
                       if line.split() and line.split()[0] != "universal"]
        if len(self.models) < 2:
            raise SetupError("unifw-sim lists fewer than two models")
        for m in self.models:
            if m not in KERNEL_WITHOUT_PANEL:
                raise SetupError("no swapped-kernel driver list for model %s (KERNEL_WITHOUT_PANEL)" % m)
        self.env = dict(os.environ)
        self.env.setdefault("UNIFW_TIMEOUT_PERCENT", "400")
        self.env["UNIFW_STATE_DIR"] = os.path.join(self.work, "state")
        self.env["UNIFW_DA"] = os.path.join(self.work, "da.bin")

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    def packages(self):
        """key -> (label, make-firmware arguments)"""
        pk = {}
        for m in self.models:
            pk["stock-" + m] = ("stock " + m, ["--model", m])
        pk["universal"] = ("universal", ["--universal"])
        # the ODM-style reference kernel: its partition map comes from the phone's PMT at boot
        pk["all-drivers"] = ("universal, all drivers", ["--universal", "--all-drivers"])
        for m in self.models:
            pk["kernel-" + m] = ("stock %s, kernel with %s" % (m, KERNEL_WITHOUT_PANEL[m].replace(",", " + ")),
                                 ["--model", m, "--kernel-lcm", KERNEL_WITHOUT_PANEL[m]])
            pk["modem-" + m] = ("stock %s, modem asking %s" % (m, MODEM_REJECTED_SIZE),
                                ["--model", m, "--modem-mem-size", MODEM_REJECTED_SIZE])
        return pk

    def build_package(self, key, argv):
        out = self.path("pkg", key)
        if os.path.exists(os.path.join(out, ".done")):
            return
        shutil.rmtree(out, ignore_errors=True)
        run([self.sim, "make-firmware", *argv, "-o", out])
        open(os.path.join(out, ".done"), "w").close()

    def build_phone(self, m):
        """The factory-fresh phone, and a copy of it with NVRAM erased."""
        img = self.path("phone", "%s-factory.img" % m)
        erased = self.path("phone", "%s-nvram_erased.img" % m)
        if os.path.exists(erased + ".done"):
            return
        run([self.sim, "make-emmc", "--model", m, "-o", img + ".tmp"])
        os.replace(img + ".tmp", img)
        run(["cp", "--sparse=always", img, erased + ".tmp"])
        run([self.sim, "erase", "--emmc", erased + ".tmp", "NVRAM"])
        os.replace(erased + ".tmp", erased)
        open(erased + ".done", "w").close()

    def backup(self, m, state):
        """The phone's backup, taken by `unifw backup` from the served image (what `unifw check --backup`
        takes). --skip-empty keeps the folder small: empty ranges are holes."""
        bk = self.path("backup", "%s-%s" % (m, state))
        if os.path.exists(os.path.join(bk, ".done")):
            return
        shutil.rmtree(bk, ignore_errors=True)
        os.makedirs(self.path("backup"), exist_ok=True)
        sock = self.path("backup", "%s-%s.sock" % (m, state))
        if os.path.exists(sock):
            os.unlink(sock)
        img = self.path("phone", "%s-%s.img" % (m, state))
        log = open(self.path("backup", "%s-%s.sim.log" % (m, state)), "w")
        sim = subprocess.Popen([self.sim, "--socket", sock, "--emmc", img, "--model", m, "--mode", "preloader",
                                "--preloader-window", "0"], stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            line = sim.stdout.readline()
            if not line.startswith("socket "):
                raise SetupError("unifw-sim did not start for %s (%s)" % (m, line.strip()))
            run([self.unifw, "backup", "--port", "unix:" + sock, "--skip-empty", "-o", bk], env=self.env)
        finally:
            sim.terminate()
            sim.wait(timeout=30)
            log.close()
        open(os.path.join(bk, ".done"), "w").close()

    def build(self, jobs):
        for sub in ("state", "pkg", "phone", "backup", "run"):
            os.makedirs(self.path(sub), exist_ok=True)
        if not os.path.exists(self.env["UNIFW_DA"]):
            run([self.sim, "make-da", "-o", self.env["UNIFW_DA"]])
        with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
            futs = [ex.submit(self.build_package, k, a) for k, (_, a) in self.packages().items()]
            futs += [ex.submit(self.build_phone, m) for m in self.models]
            for f in futs:
                f.result()
            if not self.sim_only:
                futs = [ex.submit(self.backup, m, s) for m in self.models for s in ("factory", "nvram_erased")]
                for f in futs:
                    f.result()


def pair_list(models):
    pairs = []
    for phone in models:
        for pkg in ["stock-" + m for m in models] + ["universal"]:
            for pl in (False, True):
                pairs.append({"phone": phone, "state": "factory", "package": pkg, "with_preloader": pl})
        pairs.append({"phone": phone, "state": "factory", "package": "kernel-" + phone, "with_preloader": False})
        pairs.append({"phone": phone, "state": "factory", "package": "modem-" + phone, "with_preloader": False})
        pairs.append({"phone": phone, "state": "nvram_erased", "package": "stock-" + phone, "with_preloader": False})
        for only in ONLY_PARTS:
            pairs.append({"phone": phone, "state": "factory", "package": "universal", "with_preloader": False,
                          "only": only})
        pairs.append({"phone": phone, "state": "factory", "package": "all-drivers", "with_preloader": False,
                      "only": "BOOTIMG"})
    return pairs


def sim_side(b, pair, n):
    img = b.path("phone", "%s-%s.img" % (pair["phone"], pair["state"]))
    copy = b.path("run", "pair%02d.img" % n)
    os.makedirs(b.path("run"), exist_ok=True)
    run(["cp", "--sparse=always", img, copy])
    try:
        cmd = [b.sim, "flash-package", "--emmc", copy]
        if pair["with_preloader"]:
            cmd.append("--with-preloader")
        if pair.get("only"):
            cmd += ["--only", pair["only"]]
        p = run(cmd + [b.path("pkg", pair["package"])], ok=None)
        if p.returncode == 1:
            msg = [ln for ln in p.stderr.splitlines() if "error" in ln] or p.stderr.splitlines()[-1:]
            return {"verdict": "refused", "reasons": [], "faults": [], "message": msg[0] if msg else ""}
        if p.returncode != 0:
            raise SetupError("flash-package exit %d: %s" % (p.returncode, p.stderr[-500:]))
        p = run([b.sim, "boot", "--emmc", copy, "--json"], ok=None)
        if p.returncode in (1, 2):
            raise SetupError("unifw-sim boot exit %d: %s" % (p.returncode, p.stderr[-500:]))
        j = json.loads(p.stdout)
        return {"verdict": j["verdict"], "reasons": [r["code"] for r in j.get("reasons", [])],
                "faults": sorted({f["code"] for f in j.get("faults", [])}), "message": j.get("summary", "")}
    finally:
        os.unlink(copy)


def check_side(b, pair):
    cmd = [b.unifw, "check", b.path("pkg", pair["package"]), "--backup",
           b.path("backup", "%s-%s" % (pair["phone"], pair["state"])), "--json"]
    if pair["with_preloader"]:
        cmd.append("--with-preloader")
    if pair.get("only"):
        cmd += ["--only", pair["only"]]
    p = run(cmd, env=b.env, ok=None)
    if p.returncode not in CHECK_EXIT:
        return {"error": "exit %d: %s" % (p.returncode, (p.stderr or p.stdout).strip()[-400:])}
    try:
        j = json.loads(p.stdout)
    except ValueError as e:
        return {"error": "JSON: %s" % e}
    c = j.get("check", j) if isinstance(j, dict) else {}
    items = [{"verdict": it.get("verdict"), "code": it.get("code"), "seen": bool(it.get("boot_effect")),
              "flash_refuses": bool(it.get("flash_refuses"))} for it in c.get("items", [])]
    return {"verdict": c.get("verdict"), "exit": p.returncode, "exit_class": CHECK_EXIT[p.returncode],
            "predicted_boot": c.get("predicted_boot"), "faults": sorted(set(c.get("predicted_faults") or [])),
            "items": items}


RANK = ["safe", "caveats", "will_not_boot", "brick_risk"]


def class_of_items(c, want):
    """Is the check's verdict the class `want`, counting the items the boot does not see only as far as
    they may go (CAVEATS, or BRICK RISK that unifw flash refuses)? Returns a reason when not."""
    if c["verdict"] == want and want == "brick_risk":
        return None  # a refusal or a brick: the BRICK RISK itself is the class, whatever else is found
    seen = [it for it in c["items"] if it["seen"]]
    worst_seen = max((RANK.index(it["verdict"]) for it in seen if it["verdict"] in RANK), default=0)
    if RANK[worst_seen] != want:
        return "the findings the boot sees make %s, the sim's outcome %s" % (
            CLASS_TEXT[RANK[worst_seen]], CLASS_TEXT[want])
    for it in c["items"]:
        if it["seen"] or it["verdict"] not in RANK or RANK.index(it["verdict"]) <= worst_seen:
            continue
        if it["verdict"] == "caveats" or (it["verdict"] == "brick_risk" and it["flash_refuses"]):
            continue
        return "%s (%s) is one the boot does not see, and may not make it %s" % (
            it["code"], CLASS_TEXT[it["verdict"]], CLASS_TEXT[it["verdict"]])
    return None


def judge(s, c):
    """Both rules; returns (agree, class_ok, why) where why lists what differs."""
    why = []
    if "error" in c:
        return False, False, ["unifw check failed: " + c["error"]]
    if c["verdict"] not in CLASS_TEXT:
        return False, False, ["unifw check gave verdict %r" % c["verdict"]]
    if c["exit_class"] != c["verdict"]:
        why.append("exit status says %s, JSON %s" % (c["exit_class"], c["verdict"]))
    want = SIM_CLASS[s["verdict"]]
    if s["verdict"] == "refused":
        problem = None if c["verdict"] == "brick_risk" else "a refused flash is BRICK RISK"
    else:
        problem = class_of_items(c, want)
    class_ok = problem is None
    if not class_ok:
        why.append("class: sim %s wants %s, check says %s: %s" % (s["verdict"], CLASS_TEXT[want],
                                                                  CLASS_TEXT[c["verdict"]], problem))
    if s["verdict"] == "refused":
        agree = c["verdict"] == "brick_risk"
    else:
        want_faults = s["faults"] if s["verdict"] in ("boots", "boots_with_faults") else []
        agree = c["predicted_boot"] == s["verdict"] and c["faults"] == want_faults
        if c["predicted_boot"] != s["verdict"]:
            why.append("boot: sim %s, check predicts %s" % (s["verdict"], c["predicted_boot"]))
        if c["faults"] != want_faults:
            why.append("faults: sim {%s}, check {%s}" % (", ".join(want_faults), ", ".join(c["faults"])))
    return agree and not why, class_ok, why


def self_test():
    """The two rules on made-up outcomes, so that a judge that passes everything cannot pass the test."""
    def c(verdict, boot, faults=(), items=None, exit_class=None):
        """items: (verdict, seen by the boot, flash_refuses); default: one seen item of the verdict"""
        if items is None:
            items = [] if verdict == "safe" else [(verdict, True, verdict == "brick_risk")]
        return {"verdict": verdict, "exit_class": exit_class or verdict, "predicted_boot": boot,
                "faults": sorted(faults), "items": [{"verdict": v, "code": "x%d" % i, "seen": seen,
                                                     "flash_refuses": fr} for i, (v, seen, fr) in enumerate(items)]}

    def s(verdict, faults=()):
        return {"verdict": verdict, "reasons": [], "faults": sorted(faults)}
    cases = [  # (sim, check, agree, class_ok)
        (s("boots"), c("safe", "boots"), True, True),
        (s("boots"), c("caveats", "boots", items=[("caveats", False, False)]), True, True),  # a logo
        (s("boots"), c("caveats", "boots"), False, False),  # a caveat the boot sees, the sim did not
        (s("boots"), c("will_not_boot", "boots"), False, False),
        (s("boots"), c("will_not_boot", "boots", items=[("will_not_boot", False, False)]), False, False),
        # a layout unifw flash refuses while the Download boots: BRICK RISK the boot does not see
        (s("boots_with_faults", ["no_touch"]), c("brick_risk", "boots_with_faults", ["no_touch"],
         items=[("brick_risk", False, True), ("caveats", True, False)]), True, True),
        (s("boots_with_faults", ["no_touch"]), c("brick_risk", "boots_with_faults", ["no_touch"],
         items=[("brick_risk", False, False), ("caveats", True, False)]), False, False),
        (s("boots"), c("brick_risk", "boots", items=[("brick_risk", False, True), ("caveats", True, False)]),
         False, False),
        (s("white_screen"), c("brick_risk", "white_screen", items=[("brick_risk", False, True),
                                                                   ("will_not_boot", True, False)]), True, True),
        # after a halt the later findings are reported without a boot effect: they may not raise the verdict
        (s("brom_loop"), c("brick_risk", "brom_loop", items=[("brick_risk", True, True),
                                                             ("will_not_boot", False, False)]), True, True),
        (s("boots_with_faults", ["no_touch"]), c("caveats", "boots_with_faults", ["no_touch"]), True, True),
        (s("boots_with_faults", ["no_touch"]), c("caveats", "boots_with_faults", ["no_radio"]), False, True),
        (s("boots_with_faults", ["no_touch", "no_radio"]), c("caveats", "boots_with_faults", ["no_touch"]),
         False, True),
        (s("boots_with_faults", ["no_touch"]), c("safe", "boots"), False, False),
        (s("white_screen", ["no_touch"]), c("will_not_boot", "white_screen"), True, True),
        (s("white_screen", ["no_touch"]), c("will_not_boot", "white_screen", ["no_touch"]), False, True),
        (s("white_screen"), c("will_not_boot", "black_screen"), False, True),
        (s("black_screen"), c("caveats", "black_screen"), False, False),
        (s("boot_loop"), c("will_not_boot", "boot_loop"), True, True),
        (s("brom_loop"), c("brick_risk", "brom_loop"), True, True),
        (s("brom_loop"), c("will_not_boot", "brom_loop"), False, False),
        (s("stuck_brom"), c("will_not_boot", "stuck_brom"), True, True),
        (s("stuck_brom"), c("brick_risk", "stuck_brom"), False, False),
        (s("dead"), c("brick_risk", "dead"), True, True),
        (s("refused"), c("brick_risk", "boots"), True, True),
        (s("refused"), c("will_not_boot", "boot_loop"), False, False),
        (s("boots"), c("safe", "boots", exit_class="caveats"), False, True),  # exit status vs JSON
        (s("boots"), {"error": "exit 1: no such file"}, False, False),
    ]
    bad = 0
    for n, (sim, chk, agree, class_ok) in enumerate(cases, 1):
        got = judge(sim, chk)
        if (got[0], got[1]) != (agree, class_ok):
            print("self-test case %d: sim %s, check %s: judged agree=%s class=%s, expected %s %s" % (
                n, sim, chk, got[0], got[1], agree, class_ok))
            bad += 1
    print("check_agree: self-test, %d cases, %d wrong" % (len(cases), bad), file=sys.stderr)
    return 1 if bad else 0


def run_pairs(b, pairs, jobs):
    def one(n):
        pair = pairs[n]
        r = dict(pair)
        r["sim"] = sim_side(b, pair, n)
        if b.sim_only:
            r["check"], r["agree"], r["class_ok"], r["why"] = None, None, None, []
        else:
            r["check"] = check_side(b, pair)
            r["agree"], r["class_ok"], r["why"] = judge(r["sim"], r["check"])
        return r
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        return list(ex.map(one, range(len(pairs))))


def sim_cell(s):
    if s["verdict"] == "refused":
        return "refused"
    cell = s["verdict"]
    if s["reasons"]:
        cell += " (%s)" % ", ".join(dict.fromkeys(s["reasons"]))
    if s["faults"]:
        cell += ": " + ", ".join(s["faults"])
    return cell


def check_cell(c):
    if c is None:
        return "not run", "not run"
    if "error" in c:
        return "error", "error"
    pred = str(c["predicted_boot"])
    if c["faults"]:
        pred += ": " + ", ".join(c["faults"])
    verdict = CLASS_TEXT.get(c["verdict"], str(c["verdict"]))
    worst = list(dict.fromkeys(it["code"] for it in c["items"] if it["verdict"] == c["verdict"]))
    if worst:
        verdict += " (%s)" % ", ".join(worst)
    return verdict, pred


def table(results, packages):
    rows = ["| # | phone | package | PL | unifw-sim | check verdict | check predicts | agree |",
            "|---|---|---|---|---|---|---|---|"]
    for n, r in enumerate(results, 1):
        phone = r["phone"] + (", NVRAM erased" if r["state"] == "nvram_erased" else "")
        verdict, pred = check_cell(r["check"])
        agree = "—" if r["agree"] is None else ("yes" if r["agree"] and r["class_ok"] else "**NO**")
        rows.append("| %d | %s | %s | %s | %s | %s | %s | %s |" % (
            n, phone, packages[r["package"]][0] + (", %s only" % r["only"] if r.get("only") else ""),
            "with" if r["with_preloader"] else "—", sim_cell(r["sim"]),
            verdict, pred, agree))
    judged = [r for r in results if r["agree"] is not None]
    agreed = sum(1 for r in judged if r["agree"] and r["class_ok"])
    summary = "%d pairs" % len(results)
    if judged:
        summary += ", %d agree (boot and faults), %d in the right verdict class" % (
            agreed, sum(1 for r in judged if r["class_ok"]))
    else:
        summary += ", unifw check not run"
    return summary + ".\n\n" + "\n".join(rows) + "\n"


def doc_section(doc):
    text = open(doc).read()
    a, z = text.find(DOC_BEGIN), text.find(DOC_END)
    if a < 0 or z < a:
        raise SetupError("%s has no table markers (%s ... %s)" % (doc, DOC_BEGIN, DOC_END))
    return text, a + len(DOC_BEGIN), z


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--unifw", default=os.environ.get("UNIFW_BIN", "unifw"))
    ap.add_argument("--sim", default=os.environ.get("UNIFW_SIM_BIN"))
    ap.add_argument("--work")
    ap.add_argument("--keep", action="store_true", help="keep --work (and reuse what it holds)")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("CHECK_AGREE_JOBS", "2")))
    ap.add_argument("--doc")
    ap.add_argument("--update-doc", action="store_true")
    ap.add_argument("--no-doc-check", action="store_true")
    ap.add_argument("--sim-only", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--disagreements")
    ap.add_argument("--self-test", action="store_true", help="check the rules on made-up outcomes, then run")
    args = ap.parse_args()
    if args.self_test and self_test() != 0:
        return 1
    src = os.environ.get("UNIFW_SRCDIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    args.doc = args.doc or os.path.join(src, "docs", "check.md")
    if not args.sim:
        args.sim = os.path.join(os.path.dirname(args.unifw), "sim", "unifw-sim")
    made_work = not args.work
    args.work = os.path.abspath(args.work or tempfile.mkdtemp(prefix="unifw-agree-", dir=os.environ.get("TMPDIR")))
    os.makedirs(args.work, exist_ok=True)
    t0 = time.monotonic()
    try:
        b = Bench(args)
        b.build(max(1, args.jobs))
        t_build = time.monotonic() - t0
        results = run_pairs(b, pair_list(b.models), max(1, args.jobs))
    except (SetupError, subprocess.TimeoutExpired) as e:
        print("check_agree: setup: %s" % e, file=sys.stderr)
        return 2
    finally:
        if made_work and not args.keep:
            shutil.rmtree(args.work, ignore_errors=True)
    print("check_agree: built in %.1f s, %d pairs in %.1f s" % (t_build, len(results), time.monotonic() - t0 - t_build),
          file=sys.stderr)
    md = table(results, b.packages())
    print(md)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    bad = [(n, r) for n, r in enumerate(results, 1) if r["agree"] is not None and not (r["agree"] and r["class_ok"])]
    lines = []
    for n, r in bad:
        lines.append("pair %d: phone %s%s, package %s%s: sim %s | check %s %s\n    %s" % (
            n, r["phone"], " (NVRAM erased)" if r["state"] == "nvram_erased" else "", r["package"],
            (" --with-preloader" if r["with_preloader"] else "") + (" --only " + r["only"] if r.get("only") else ""),
            sim_cell(r["sim"]), *check_cell(r["check"]),
            "\n    ".join(r["why"])))
    if args.disagreements:
        with open(args.disagreements, "w") as f:
            f.write("%d disagreement(s) of %d pairs\n%s\n" % (len(bad), len(results), "\n".join(lines)))
    rc = 0
    if bad:
        print("DISAGREEMENTS (%d of %d pairs):\n%s" % (len(bad), len(results), "\n".join(lines)))
        rc = 1
    if args.update_doc:
        text, a, z = doc_section(args.doc)
        with open(args.doc, "w") as f:
            f.write(text[:a] + "\n" + md + text[z:])
        print("check_agree: %s updated" % args.doc, file=sys.stderr)
    elif not args.no_doc_check and not args.sim_only:
        text, a, z = doc_section(args.doc)
        if text[a:z].strip() != md.strip():
            print("FAIL: the table in %s differs from the generated one (run tools/check_agree.py --update-doc)"
                  % args.doc)
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
