#!/usr/bin/env python3
"""The page of `unifw check --html` in headless Chromium (docs/check.md "HTML report").

  check_html.py CHROMIUM REPORT_JSON PAGE_HTML WORKDIR [WIDTH HEIGHT]

REPORT_JSON is what `unifw check --json` printed for the same run. Checks, each against the report
(re-derived here, not read back from the page):
  - the file references nothing outside itself (no http(s) URL, every src/href a data: URL, one inline
    script and no script file);
  - Chromium loads it without a console message (errors, CSP refusals, uncaught exceptions), with every
    host name unresolvable;
  - the dumped DOM has both partition maps with one rect per partition of each side, each marked same /
    diff / only as the user-area offsets and sizes of the two layouts say, the verdict table with one row
    per finding, worst first, and one image per logo frame;
  - the screenshot is a PNG of the window's size that is not one colour, and the boxes the page recorded
    for the maps and the table (data-bbox, written on load) lie in it and are not blank there.
"""
import json
import os
import re
import struct
import subprocess
import sys
import zlib
from html.parser import HTMLParser

RANK = {"safe": 0, "caveats": 1, "will_not_boot": 2, "brick_risk": 3}


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


# ---------------------------------------------------------------- the file itself

def check_self_contained(html):
    check(not re.search(r"https?://", html, re.I), "the page names an http(s) URL")
    for attr in ("src", "href"):
        for m in re.finditer(r'\b%s\s*=\s*"([^"]*)"' % attr, html, re.I):
            check(m.group(1).startswith("data:"), "%s=%r is not a data: URL" % (attr, m.group(1)[:60]))
    check(len(re.findall(r"<script\b", html, re.I)) == 1, "expected exactly one (inline) script")
    check(not re.search(r"<script[^>]*\bsrc\b", html, re.I), "a script file is referenced")
    check("default-src 'none'" in html, "no Content-Security-Policy forbidding fetches")


# ---------------------------------------------------------------- Chromium

def chromium(binary, work, page, size, extra):
    home = os.path.join(work, "chromium-home")
    os.makedirs(home, exist_ok=True)
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=home, XDG_CACHE_HOME=home)
    cmd = [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
           "--disable-extensions", "--user-data-dir=" + os.path.join(work, "chromium-profile"),
           "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0",
           "--virtual-time-budget=5000", "--hide-scrollbars", "--window-size=%d,%d" % size] + extra + \
          ["file://" + os.path.abspath(page)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    except subprocess.TimeoutExpired:
        fail("chromium did not finish in 120 s: " + " ".join(cmd))
    console = [l for l in p.stderr.splitlines() if ":CONSOLE" in l or "Uncaught" in l]
    check(not console, "console messages while loading the page:\n" + "\n".join(console))
    check(p.returncode == 0, "chromium exited %d:\n%s" % (p.returncode, p.stderr[-2000:]))
    return p.stdout


class Dom(HTMLParser):
    """What the test needs from the dumped DOM: map rects per side, verdict rows, boxes, logo images."""

    def __init__(self):
        super().__init__()
        self.svg = None
        self.in_table = False
        self.rects = {"package": [], "phone": []}
        self.rows = []
        self.boxes = {}
        self.logos = {"package": 0, "phone": 0}
        self.laid_out = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if "data-bbox" in a:
            self.boxes[a.get("id") or tag] = [int(v) for v in a["data-bbox"].split(",")]
        if tag == "body":
            self.laid_out = a.get("data-laid-out") == "1"
        elif tag == "svg" and (a.get("id") or "").startswith("map-"):
            self.svg = a["id"][4:]
        elif tag == "rect" and self.svg and "part" in cls:
            self.rects[self.svg].append(a)
        elif tag == "table" and a.get("id") == "verdict-table":
            self.in_table = True
        elif tag == "tr" and self.in_table and "item" in cls:
            self.rows.append(a)
        elif tag == "img" and "logo-frame" in cls:
            self.logos[a.get("data-side")] = self.logos.get(a.get("data-side"), 0) + 1

    def handle_endtag(self, tag):
        if tag == "svg":
            self.svg = None
        elif tag == "table":
            self.in_table = False


# ---------------------------------------------------------------- what the report says

def layout(fp):
    lay = fp.get("layout") or {}
    parts = lay.get("partitions") or lay.get("parts") or []
    return int(str(lay.get("boot_region", 0)), 0), [p for p in parts if "name" in p and "linear" in p]


def num(v):
    return int(str(v), 0)


def expected_status(report):
    """name -> same/diff/only per side: compared by user-area offset (linear - boot region) and size."""
    sides = {}
    for side in ("package", "phone"):
        boot, parts = layout(report[side])
        sides[side] = {p["name"].upper(): (num(p["linear"]) - boot, num(p.get("size", 0))) for p in parts}
    out = {}
    for side, other in (("package", "phone"), ("phone", "package")):
        out[side] = {}
        for name, place in sides[side].items():
            theirs = sides[other].get(name)
            out[side][name] = "only" if theirs is None else "same" if theirs == place else "diff"
    return out


def check_dom(dom, report):
    check(dom.laid_out, "the page's load script did not run (no data-laid-out)")
    status = expected_status(report)
    for side in ("package", "phone"):
        _, parts = layout(report[side])
        rects = dom.rects[side]
        check(len(rects) == len(parts), "%s map: %d rects for %d partitions" % (side, len(rects), len(parts)))
        for r in rects:
            name = r["data-name"].upper()
            want = status[side][name]
            check(r.get("data-status") == want and want in r["class"].split(),
                  "%s map: %s is %s, expected %s" % (side, name, r.get("class"), want))
        check(any(r["data-status"] != "same" for r in rects), "%s map: no difference highlighted" % side)
    items = report["check"]["items"]
    check(len(dom.rows) == len(items), "verdict table: %d rows for %d findings" % (len(dom.rows), len(items)))
    order = sorted(items, key=lambda it: -RANK[it["verdict"]])  # stable: equal verdicts keep their order
    check([r["data-code"] for r in dom.rows] == [it["code"] for it in order],
          "verdict table not worst first: %s" % [r["data-code"] for r in dom.rows])
    check(any(r["data-verdict"] in ("brick_risk", "will_not_boot") for r in dom.rows),
          "no BRICK RISK or WILL NOT BOOT row")
    for side in ("package", "phone"):
        want = len(report.get("logos", {}).get(side, []))
        check(dom.logos.get(side, 0) == want, "%s logos: %d images for %d frames" % (side, dom.logos.get(side, 0), want))


# ---------------------------------------------------------------- the screenshot

def png_pixels(path):
    """(width, height, rows of bytes, bytes per pixel) of an 8-bit RGB/RGBA PNG, unfiltered."""
    data = open(path, "rb").read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "screenshot is not a PNG")
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    w, h, depth, ctype, _, _, interlace = ihdr
    check(depth == 8 and ctype in (2, 6) and interlace == 0, "unexpected PNG format %s" % (ihdr,))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, rows, bpp


def colours(rows, bpp, x0, y0, x1, y1, step=2):
    seen = set()
    for y in range(y0, y1, step):
        r = rows[y]
        for x in range(x0, x1, step):
            seen.add(r[x * bpp:x * bpp + 3])
    return seen


def check_screenshot(path, size, boxes):
    w, h, rows, bpp = png_pixels(path)
    check((w, h) == size, "screenshot is %dx%d, expected %dx%d" % (w, h, size[0], size[1]))
    check(len(colours(rows, bpp, 0, 0, w, h, 4)) > 8, "the screenshot is (nearly) one colour")
    for key in ("maps", "verdict-table"):
        check(key in boxes, "no data-bbox for #%s" % key)
        x, y, bw, bh = boxes[key]
        check(bw > 0 and bh > 0, "#%s has an empty box %s" % (key, boxes[key]))
        check(0 <= x < w and 0 <= y < h, "#%s starts outside the screenshot: %s" % (key, boxes[key]))
        x1, y1 = min(x + bw, w), min(y + bh, h)
        check(x1 - x >= 50 and y1 - y >= 50, "#%s shows less than 50x50 pixels: %s" % (key, boxes[key]))
        check(len(colours(rows, bpp, x, y, x1, y1)) >= 4, "#%s is blank in the screenshot" % key)
    # side by side: the maps' and the table's boxes do not overlap
    mx, my, mw, mh = boxes["maps"]
    tx, ty, tw, th = boxes["verdict-table"]
    check(mx + mw <= tx or tx + tw <= mx or my + mh <= ty or ty + th <= my, "maps and table overlap")


def main():
    if len(sys.argv) not in (5, 7):
        fail(__doc__)
    binary, report_path, page, work = sys.argv[1:5]
    size = (int(sys.argv[5]), int(sys.argv[6])) if len(sys.argv) == 7 else (1400, 1000)
    report = json.load(open(report_path))
    html = open(page, encoding="utf-8").read()
    check_self_contained(html)
    dom = Dom()
    dom.feed(chromium(binary, work, page, size, ["--dump-dom"]))
    check_dom(dom, report)
    shot = os.path.join(work, "screenshot.png")
    chromium(binary, work, page, size, ["--screenshot=" + shot])
    check_screenshot(shot, size, dom.boxes)
    print("page: %d+%d map rects, %d rows, %d+%d logo frames; boxes maps %s table %s" % (
        len(dom.rects["package"]), len(dom.rects["phone"]), len(dom.rows), dom.logos.get("package", 0),
        dom.logos.get("phone", 0), dom.boxes["maps"], dom.boxes["verdict-table"]))


if __name__ == "__main__":
    main()
