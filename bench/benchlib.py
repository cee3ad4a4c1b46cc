"""Helpers shared by the bench scripts (backup.sh, flash.sh): reading /usr/bin/time -v reports and the
per-round results file. Import with PYTHONPATH=bench, or run `python3 bench/benchlib.py time-v FILE`."""
import statistics
import sys


def time_v(path):
    """(wall seconds, peak RSS in KiB) from a /usr/bin/time -v report."""
    lines = open(path).read().splitlines()
    wall = [l for l in lines if "Elapsed (wall clock)" in l][0].split()[-1]
    parts = [float(x) for x in wall.split(":")]
    secs = parts[-1] + 60 * (parts[-2] if len(parts) > 1 else 0) + 3600 * (parts[-3] if len(parts) > 2 else 0)
    rss = int([l for l in lines if "Maximum resident" in l][0].split()[-1])
    return secs, rss


def load_results(path):
    """The results file, one line a run: KIND VALUE... -> {kind: [[value, ...], ...]}."""
    runs = {}
    for line in open(path):
        kind, *values = line.split()
        runs.setdefault(kind, []).append([float(x) for x in values])
    return runs


def median(runs, kind, column=0):
    return statistics.median(r[column] for r in runs[kind])


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "time-v":
        s, r = time_v(sys.argv[2])
        print("%.3f %d" % (s, r))
    else:
        sys.exit("usage: benchlib.py time-v FILE")
