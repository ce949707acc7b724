#!/usr/bin/env python3
"""Checks build/bin/scalebench changepoints against an independent
E-divisive implementation.

Writes random nightly series (zero, one or two level shifts, several
groups, rows in shuffled order, some nights measured twice) to a CSV, runs
the binary with --output json, and checks for every group:
  - the change points replay the hierarchical search done here by brute
    force (the energy statistic summed pair by pair, O(n^4)): each reported
    point is, in turn, the best split over the segments between those
    already found;
  - before/after are the medians of the nightly medians between
    neighbouring change points, change = after/before - 1, x is the night
    at the index, p_value is in (0, significance];
  - series with a shift of 10 sd or more have the shift within 1 night.
The p-values come from the binary's seeded permutations and are not
recomputed. Uses numpy (Debian's python3-numpy).

usage: check_changepoints.py --scalebench build/bin/scalebench [--seed S]
"""

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile

import numpy as np

MIN_SEGMENT = 3
SIGNIFICANCE = 0.05


def best_split(values):
    """Max over tau, kappa of Q(v[:tau], v[tau:kappa]), alpha = 1."""
    v = np.asarray(values, dtype=float)
    n = len(v)
    d = np.abs(v[:, None] - v[None, :])
    best = (0.0, None)
    for tau in range(MIN_SEGMENT, n - MIN_SEGMENT + 1):
        x = d[:tau, :tau]
        m = tau
        within_x = x.sum() / (m * (m - 1))
        for kappa in range(tau + MIN_SEGMENT, n + 1):
            k = kappa - tau
            between = d[:tau, tau:kappa].sum() * 2 / (m * k)
            within_y = d[tau:kappa, tau:kappa].sum() / (k * (k - 1))
            q = m * k / (m + k) * (between - within_x - within_y)
            if q > best[0] * (1 + 1e-12):
                best = (q, tau)
    return best


def replay(series, reported):
    """The reported indices in the order the search must find them."""
    cuts = []
    remaining = set(reported)
    while remaining:
        bounds = [0] + sorted(cuts) + [len(series)]
        candidates = []
        for begin, end in zip(bounds, bounds[1:]):
            q, tau = best_split(series[begin:end])
            if tau is not None:
                candidates.append((q, begin + tau))
        if not candidates:
            return "no split left for %s" % sorted(remaining)
        q, cut = max(candidates)
        if cut not in remaining:
            return "expected a change point at %d (q %.6g), got %s" % (
                cut, q, sorted(reported))
        remaining.remove(cut)
        cuts.append(cut)
    return None


def make_groups(rng):
    groups = []
    for g in range(12):
        n = rng.choice([20, 35, 60])
        sd = rng.choice([1.0, 2.0, 5.0])
        shifts = sorted(rng.sample(range(5, n - 5), rng.choice([0, 1, 2])))
        if len(shifts) == 2 and shifts[1] - shifts[0] < 5:
            shifts = shifts[:1]
        level, levels = 1000.0, []
        sizes = []
        for i in range(n):
            if i in shifts:
                size = rng.choice([-1, 1]) * rng.choice([3, 10, 20]) * sd
                level += size
                sizes.append((i, abs(size) / sd))
            levels.append(level)
        values = [lv + rng.gauss(0, sd) for lv in levels]
        groups.append(("g%02d" % g, values, sizes))
    return groups


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scalebench", required=True)
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    groups = make_groups(rng)

    rows = []
    nightly = {}  # group -> list of nightly medians
    for name, values, _ in groups:
        medians = []
        for night, value in enumerate(values):
            date = "2026-%02d-%02d" % (1 + night // 28, 1 + night % 28)
            if rng.random() < 0.2:  # Measured twice: the median is the mean.
                delta = rng.uniform(0.1, 1.0)
                rows.append((name, date, value - delta))
                rows.append((name, date, value + delta))
            else:
                rows.append((name, date, value))
            medians.append(value)
        nightly[name] = medians
    rng.shuffle(rows)

    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "nightly.csv")
        with open(path, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["suite", "date", "rps"])
            for row in rows:
                writer.writerow([row[0], row[1], repr(row[2])])
        run = subprocess.run(
            [args.scalebench, "changepoints", "--data", path, "--x", "date",
             "--y", "rps", "--by", "suite", "--output", "json"],
            capture_output=True, text=True, check=False)
        if run.returncode != 0:
            print(run.stderr, file=sys.stderr)
            return 1
        doc = json.loads(run.stdout)

    by_name = {g["group"]["suite"]: g for g in doc["groups"]}
    hits = shifts_total = 0
    for name, values, sizes in groups:
        group = by_name[name]
        series = nightly[name]
        points = group["change_points"]
        indices = [p["index"] for p in points]
        where = "%s (%d nights, shifts %s)" % (name, len(series), sizes)
        if group["points"] != len(series):
            failures.append("%s: points %d" % (where, group["points"]))
        if indices != sorted(indices):
            failures.append("%s: not sorted: %s" % (where, indices))
        problem = replay(series, indices)
        if problem:
            failures.append("%s: %s" % (where, problem))
        bounds = [0] + indices + [len(series)]
        for i, p in enumerate(points):
            before = float(np.median(series[bounds[i]:bounds[i + 1]]))
            after = float(np.median(series[bounds[i + 1]:bounds[i + 2]]))
            date = "2026-%02d-%02d" % (1 + p["index"] // 28,
                                       1 + p["index"] % 28)
            ok = (abs(p["before"] - before) <= 1e-9 * abs(before) and
                  abs(p["after"] - after) <= 1e-9 * abs(after) and
                  abs(p["change"] - (after / before - 1)) <= 1e-9 and
                  p["x"] == date and 0 < p["p_value"] <= SIGNIFICANCE)
            if not ok:
                failures.append("%s: %s; expected before %r after %r x %s"
                                % (where, p, before, after, date))
        for at, snr in sizes:
            if snr >= 10:
                shifts_total += 1
                if any(abs(i - at) <= 1 for i in indices):
                    hits += 1
                else:
                    failures.append("%s: shift of %g sd at %d not found: %s"
                                    % (where, snr, at, indices))
    print("%d groups; %d change points; %d/%d shifts >= 10 sd found" % (
        len(groups), sum(len(g["change_points"]) for g in doc["groups"]),
        hits, shifts_total))
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
