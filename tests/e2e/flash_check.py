#!/usr/bin/env python3
"""Compare a unifw-sim eMMC image with the images a flash plan wrote, bit for bit.

usage: flash_check.py PLAN_OR_RESULT_JSON EMMC_IMAGE [--expect-differs]

The JSON is `unifw flash --json` output (its last line, the result event, whose result.plan is the
plan) or `unifw flash --plan --json` output. For every partition with action "write":
  raw        the file's bytes at user-area offset `offset`;
  sparse     every RAW and FILL chunk at its place (DONT_CARE chunks are not written, so not compared);
  pmt        the PMT unifw built for a phone without one: both signatures at `offset`;
  preloader  boot1 holds the EMMC_BOOT header and the GFH image at 0x800 (or the file as it is when it
             already is a boot-region dump).
The eMMC image layout (boot1 | boot2 | rpmb | gp1-4 | user | 4 KiB footer) is read from the footer
(docs/sim.md). Exit 0 when everything matches (with --expect-differs: when something differs)."""
import json
import struct
import sys

FOOTER = 4096
SPARSE_MAGIC = 0xED26FF3A


def load_plan(path):
    with open(path) as f:
        lines = [l for l in f.read().splitlines() if l.strip()]
    doc = json.loads(lines[-1])
    if doc.get("event") == "result":
        doc = doc["result"]
    if doc.get("type") in ("flash", "write"):  # unifw write: the same plan, one partition
        doc = doc["plan"]
    assert doc.get("type") == "flash_plan", doc.get("type")
    return doc


def emmc_layout(f):
    f.seek(0, 2)
    total = f.tell()
    f.seek(total - FOOTER)
    foot = f.read(FOOTER)
    assert foot[:14] == b"UNIFW-SIM-EMMC", "not a unifw-sim eMMC image"
    sizes = struct.unpack_from("<8Q", foot, 0x18)
    return {"boot1": 0, "user": sum(sizes[:7])}, sizes


def sparse_chunks(data):
    """(kind, out_offset, bytes or fill word, length) for every chunk."""
    magic, major, _minor, fhdr, chdr, blk, _blocks, nchunks, _csum = struct.unpack_from("<IHHHHIIII", data, 0)
    assert magic == SPARSE_MAGIC and major == 1
    pos, out = fhdr, 0
    for _ in range(nchunks):
        ctype, _res, csize, tsize = struct.unpack_from("<HHII", data, pos)
        body = data[pos + chdr:pos + tsize]
        n = csize * blk
        if ctype == 0xCAC1:
            yield "raw", out, body[:n], n
        elif ctype == 0xCAC2:
            yield "fill", out, body[:4], n
        pos += tsize
        if ctype != 0xCAC4:
            out += n


def compare(emmc, base, offset, want, what):
    emmc.seek(base + offset)
    got = emmc.read(len(want))
    if got == want:
        return None
    i = next(k for k in range(len(want)) if k >= len(got) or got[k] != want[k])
    return "%s: first difference at byte 0x%x (phone offset 0x%x)" % (what, i, offset + i)


def check(plan, emmc_path):
    problems, checked = [], 0
    with open(emmc_path, "rb") as emmc:
        bases, _ = emmc_layout(emmc)
        for p in plan["partitions"]:
            if p["action"] != "write":
                continue
            data = b""
            if p["file"] is not None:
                with open("%s/%s" % (plan["package"], p["file"]), "rb") as f:
                    data = f.read()
            base = bases["boot1" if p["region"] == "EMMC_BOOT_1" else "user"]
            off = int(p["offset"], 16)
            name = p["name"]
            if p["form"] == "sparse":
                for kind, out, body, n in sparse_chunks(data):
                    want = body if kind == "raw" else body * (n // 4)
                    err = compare(emmc, base, off + out, want, "%s %s chunk at 0x%x" % (name, kind, out))
                    if err:
                        problems.append(err)
                        break
            elif p["form"] == "pmt":
                # built by unifw from the scatter: its two signatures, "PTv1" and the mirror "MPT1"
                err = compare(emmc, base, off, struct.pack("<I", 0x50547631), name) or \
                    compare(emmc, base, off + 0x1000, struct.pack("<I", 0x4D505431), name + " mirror")
                if err:
                    problems.append(err)
            elif p["form"] == "preloader":
                if data[:9] == b"EMMC_BOOT":
                    err = compare(emmc, base, off, data, name)
                else:
                    err = compare(emmc, base, off, b"EMMC_BOOT", name + " header") or \
                        compare(emmc, base, off + 0x800, data, name + " image at 0x800")
                if err:
                    problems.append(err)
            else:
                err = compare(emmc, base, off, data, name)
                if err:
                    problems.append(err)
            checked += 1
    return checked, problems


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    plan = load_plan(sys.argv[1])
    checked, problems = check(plan, sys.argv[2])
    expect_differs = "--expect-differs" in sys.argv[3:]
    if checked == 0:
        print("flash_check: the plan writes nothing")
        return 1
    for p in problems:
        print("flash_check:", p)
    if expect_differs:
        return 0 if problems else 1
    if not problems:
        print("flash_check: %d partition(s) equal bit for bit" % checked)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
