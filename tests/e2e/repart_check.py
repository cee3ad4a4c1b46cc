#!/usr/bin/env python3
"""After `unifw flash --repartition`: is the eMMC what the Firmware Upgrade promised?

usage: repart_check.py PLAN_JSON OLD_EMMC NEW_EMMC RESULT_JSON

PLAN_JSON is the `--plan --json --repartition` output made BEFORE the flash (the phone's old layout and
where each identity partition was); RESULT_JSON the output of the run (or resume) that finished. Checks:
  identity   for every carried partition: the new place holds the old place's bytes of OLD_EMMC byte for byte
             (same size; a larger new partition: the rest zero);
  firmware   every raw/sparse/pmt write of the result's plan bit-exact (flash_check.py);
  zero       every partition the package had no image for reads zero;
  pmt        the PMT at its place lists every partition of the package at user offset + the phone's boot
             region (what the phone's preloader, LK and kernel read), with the package's size.
Exit 0 when all hold; the problems are printed."""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flash_check  # noqa: E402


def load(path):
    return flash_check.load_plan(path)


def read_at(f, off, n):
    f.seek(off)
    return f.read(n)


def check_identity(plan_before, old_path, new_path, problems):
    carries = plan_before["repartition"]["identity"]
    with open(old_path, "rb") as old, open(new_path, "rb") as new:
        ob, _ = flash_check.emmc_layout(old)
        nb, _ = flash_check.emmc_layout(new)
        for c in carries:
            if c["old_offset"] is None:
                problems.append("%s: the plan before the flash knows no old place" % c["name"])
                continue
            oo, os_ = int(c["old_offset"], 16), c["old_size"]
            no, ns = int(c["new_offset"], 16), c["new_size"]
            if c["resize"]:
                continue  # an ext4 resized: its files, not its bytes, survive (checked by the unit test)
            was = read_at(old, ob["user"] + oo, os_)
            now = read_at(new, nb["user"] + no, min(os_, ns))
            if was != now:
                i = next(k for k in range(len(now)) if now[k] != was[k])
                problems.append("%s: new place user 0x%x differs from the old place user 0x%x at byte 0x%x"
                                % (c["name"], no, oo, i))
            if ns > os_ and read_at(new, nb["user"] + no + os_, ns - os_).strip(b"\0"):
                problems.append("%s: the new partition's tail past the old content is not zero" % c["name"])
    return len(carries)


def check_zero_and_pmt(plan, new_path, problems):
    rep = plan["repartition"]
    phone_br = int(rep["phone_boot_region"], 16)
    zeroed = 0
    with open(new_path, "rb") as new:
        nb, _ = flash_check.emmc_layout(new)
        for p in plan["partitions"]:
            if p["action"] == "write" and p["form"] == "zero":
                off, n = int(p["offset"], 16), p["written_size"] if "written_size" in p else p["size"]
                if read_at(new, nb["user"] + off, p["size"]).strip(b"\0"):
                    problems.append("%s (zeroed) is not all zero" % p["name"])
                zeroed += 1
            if p["action"] == "write" and p["form"] == "pmt":
                region = read_at(new, nb["user"] + int(p["offset"], 16), 0x1000)
                entries = {}
                for k in range(40):
                    e = region[8 + k * 0x58: 8 + (k + 1) * 0x58]
                    name = e[:64].split(b"\0")[0].decode()
                    if name:
                        size, offset = struct.unpack_from("<QQ", e, 64)
                        entries[name] = (offset, size)
                for row in rep["layouts"]:
                    if row["new_offset"] is None:
                        continue
                    want = (int(row["new_offset"], 16) + phone_br, row["new_size"])
                    if entries.get(row["name"]) != want:
                        problems.append("PMT entry %s is %s, expected (0x%x, %d)" % (
                            row["name"], entries.get(row["name"]), want[0], want[1]))
    return zeroed


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    before, after = load(sys.argv[1]), load(sys.argv[4])
    problems = []
    carried = check_identity(before, sys.argv[2], sys.argv[3], problems)
    checked, fw = flash_check.check(after, sys.argv[3])
    problems += fw
    zeroed = check_zero_and_pmt(after, sys.argv[3], problems)
    for p in problems:
        print("repart_check:", p)
    if carried < 4:
        print("repart_check: only %d identity partition(s) carried" % carried)
        return 1
    if not problems:
        print("repart_check: %d identity partition(s) carried byte for byte, %d write(s) bit-exact, %d zeroed, "
              "PMT in the phone's boot region" % (carried, checked, zeroed))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
