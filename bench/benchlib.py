"""Helpers shared by the bench scripts: the number of rounds, reading /usr/bin/time -v reports and the
per-round results file, and the spread of a series (median, min, max). Import with PYTHONPATH=bench, or
run `python3 bench/benchlib.py time-v FILE` / `python3 bench/benchlib.py rounds`."""
import os
import statistics
import sys

DEFAULT_ROUNDS = 5


def rounds():
    """BENCH_ROUNDS from the environment (default 5): measured rounds of every bench. At least 3, so
    that a median and a spread mean something."""
    text = os.environ.get("BENCH_ROUNDS", str(DEFAULT_ROUNDS))
    if not text.isdigit() or not 3 <= int(text) <= 100:
        sys.exit("bench: BENCH_ROUNDS must be a number from 3 to 100, not %r" % text)
    return int(text)


def time_v(path):
    """(wall seconds, peak RSS in KiB) from a /usr/bin/time -v report."""
    lines = open(path).read().splitlines()
    wall = [l for l in lines if "Elapsed (wall clock)" in l][0].split()[-1]
    parts = [float(x) for x in wall.split(":")]
    secs = parts[-1] + 60 * (parts[-2] if len(parts) > 1 else 0) + 3600 * (parts[-3] if len(parts) > 2 else 0)
    rss = int([l for l in lines if "Maximum resident" in l][0].split()[-1])
    return secs, rss


def load_results(path):
    """The results file, one line a run: KIND VALUE... -> {kind: [[value, ...], ...]}, in round order."""
    runs = {}
    for line in open(path):
        kind, *values = line.split()
        runs.setdefault(kind, []).append([float(x) for x in values])
    return runs


def column(runs, kind, col=0):
    """One value of every round of KIND, in round order."""
    return [r[col] for r in runs[kind]]


def median(runs, kind, col=0):
    return statistics.median(column(runs, kind, col))


def spread(values, fmt="%.2f"):
    """'median M (min A, max B)' of a series; with one value, the value alone."""
    if len(values) == 1:
        return fmt % values[0]
    return (fmt + " (min " + fmt + ", max " + fmt + ")") % (statistics.median(values), min(values), max(values))


def per_round(a, b, f):
    """f(a[i], b[i]) for every round: a ratio of two sides measured in the same round."""
    assert len(a) == len(b), (len(a), len(b))
    return [f(x, y) for x, y in zip(a, b)]


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "time-v":
        s, r = time_v(sys.argv[2])
        print("%.3f %d" % (s, r))
    elif len(sys.argv) == 2 and sys.argv[1] == "rounds":
        print(rounds())
    else:
        sys.exit("usage: benchlib.py time-v FILE | benchlib.py rounds")
