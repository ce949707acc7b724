#!/usr/bin/env python3
"""Validates `scalebench fit --output json` against independent implementations.

Generates random data sets of varied size, degree, x range and noise,
writes each to a CSV file, runs the scalebench binary on it, and compares
every number it prints with:

  * statsmodels OLS (coefficients, standard errors, 95% intervals, R^2,
    adjusted R^2, residual SE, AIC, AICc) and leave-one-out RMSE from n
    explicit refits, for polynomials whose raw design is well conditioned;
  * exact rational arithmetic (fractions.Fraction) for every polynomial,
    to 1e-8, including ill-conditioned ones (x in the thousands, degree
    3) where statsmodels itself loses digits and is not used;
  * statsmodels get_prediction for the cross-host test's 95% prediction
    intervals;
  * scipy.optimize.least_squares (bounded, analytic Jacobian, several
    starts) with covariance s^2 (J'J)^-1 for the USL and Amdahl's law.

Tolerances: 1e-6 relative for everything linear; 1e-3 relative for USL and
Amdahl parameters and 2e-2 for their standard errors. Relative errors of
a coefficient are taken against max(|reference|, its standard error) and
of an interval end against max(|reference|, the interval's half-width), so
that a value that is statistically zero is not compared digit by digit.

Exits 1 on any mismatch. Needs Debian's python3-numpy, python3-scipy and
python3-statsmodels (deploy/install-deps.sh installs them).

usage: validate_against_statsmodels.py --scalebench build/bin/scalebench
"""

import argparse
import csv
import json
import math
import os
import re
import subprocess
import sys
import tempfile
from fractions import Fraction

import numpy as np
import statsmodels.api as sm
from scipy import optimize, stats
from statsmodels.tools import eval_measures

LINEAR_TOLERANCE = 1e-6
USL_PARAM_TOLERANCE = 1e-3
USL_SE_TOLERANCE = 2e-2
# Above this condition number of the raw design [1, x, x^2, ...],
# statsmodels' own answers (by pinv of that design) can be off by more
# than ~1e-7, so exact rational arithmetic is the reference.
STATSMODELS_MAX_CONDITION = 1e7
# Agreement asked of scalebench with exact rational arithmetic (the t
# quantile there comes from scipy, itself good to ~1e-9).
EXACT_TOLERANCE = 1e-8


class Checker:
    """Collects relative errors per quantity and the failures."""

    def __init__(self):
        self.worst = {}
        self.failures = []
        self.checks = 0

    def close(self, what, case, actual, expected, tolerance, scale=0.0):
        self.checks += 1
        if actual is None or expected is None:
            if actual is not expected:
                self.failures.append(
                    f"{case}: {what}: got {actual}, expected {expected}")
            return
        denominator = max(abs(expected), abs(scale), 1e-300)
        error = abs(actual - expected) / denominator
        if not math.isfinite(actual) or error > tolerance:
            self.failures.append(
                f"{case}: {what}: got {actual!r}, expected {expected!r} "
                f"(relative error {error:.3g} > {tolerance:g})")
        key = what.split("[")[0]
        self.worst[key] = max(self.worst.get(key, 0.0), error)

    def equal(self, what, case, actual, expected):
        self.checks += 1
        if actual != expected:
            self.failures.append(
                f"{case}: {what}: got {actual!r}, expected {expected!r}")


def run_fit(binary, path, args):
    command = [binary, "fit", "--data", path, "--x", "x", "--y", "y",
               "--output", "json"] + args
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {result.returncode}: "
                           f"{result.stderr}")
    if re.search(r"\b(nan|inf|infinity)\b", result.stdout, re.IGNORECASE):
        raise RuntimeError(f"{path}: output contains NaN or infinity")
    document = json.loads(result.stdout)
    if sorted(document) != ["fits", "spec"] or len(document["fits"]) != 1:
        raise RuntimeError(f"{path}: expected {{spec, fits: [one fit]}}, got "
                           f"{result.stdout[:200]}")
    fit = document["fits"][0]
    if fit["group"] != {} or fit["error"] is not None:
        raise RuntimeError(f"{path}: unexpected group or error: {fit}")
    return document["spec"], fit


def parameters(fit):
    """The fit's parameters by name, in order."""
    return {p["name"]: p for p in fit["parameters"]}


def write_csv(path, columns, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([repr(float(v)) if isinstance(v, float) else v
                             for v in row])


# ---- Polynomials -----------------------------------------------------------

def random_polynomial_case(rng):
    degree = int(rng.integers(1, 5))
    p = degree + 1
    style = rng.choice(["instances", "uniform", "offset"])
    if style == "instances":
        levels = np.arange(1, int(rng.integers(p + 1, 17)) + 1, dtype=float)
        reps = int(rng.integers(1, 4))
        x = np.repeat(levels, reps)
        x = x[: max(p + 1, int(rng.integers(p + 1, len(x) + 1)))]
    else:
        n = int(rng.integers(p + 1, 61))
        low = 0.0 if style == "uniform" else float(rng.uniform(-50, 200))
        width = float(rng.choice([1.0, 10.0, 50.0]))
        x = np.sort(rng.uniform(low, low + width, n))
    x = x.astype(float)
    if len(set(x)) < p + 1:  # keep leave-one-out defined
        x = np.linspace(1, p + 2, len(x))
    u = (x - x.mean()) / (x.std() + 1e-300)
    # Coefficients given on the standardized x so that every term matters.
    beta_u = rng.normal(0, 1, p) * float(rng.choice([1.0, 100.0, 1e4]))
    signal = np.polyval(beta_u[::-1], u)
    noise_scale = float(rng.choice([1e-3, 0.05, 0.5, 3.0])) * np.std(signal)
    y = signal + rng.normal(0, noise_scale + 1e-12, len(x)) + 1000.0
    return degree, x, y


def ill_conditioned_case(rng):
    n = int(rng.integers(8, 40))
    x = np.sort(rng.uniform(1000, 5000, n)).round(3)
    b = [5.0, 0.02, -1e-5, 2e-9]
    y = b[0] + x * (b[1] + x * (b[2] + x * b[3]))
    y = y + rng.normal(0, 0.01 * np.std(y), n)
    return 3, x, y


def statsmodels_reference(x, y, degree):
    n, p = len(x), degree + 1
    design = np.vander(x, p, increasing=True)
    res = sm.OLS(y, design).fit()
    # Leave-one-out by n statsmodels refits. The LOO error does not depend
    # on the basis, so the refits use standardized x, where statsmodels is
    # accurate even for points of high leverage (its PRESS residuals on the
    # raw design lose up to 1e-5 there).
    u = (x - x.mean()) / x.std()
    scaled = np.vander(u, p, increasing=True)
    loo = []
    for i in range(n):
        keep = np.arange(n) != i
        fit_i = sm.OLS(y[keep], scaled[keep]).fit()
        loo.append(y[i] - scaled[i] @ fit_i.params)
    k = p + 1
    aic = res.aic + 2  # statsmodels counts p parameters; scalebench p + 1
    aicc = eval_measures.aicc(res.llf, n, k) if n - k - 1 > 0 else None
    return {
        "coefficients": list(res.params), "std_errors": list(res.bse),
        "conf_int_95": [list(r) for r in res.conf_int(alpha=0.05)],
        "r2": res.rsquared, "adj_r2": res.rsquared_adj,
        "residual_se": math.sqrt(res.scale), "aic": aic, "aicc": aicc,
        "loo_rmse": math.sqrt(np.mean(np.square(loo))), "dof": int(res.df_resid),
        "condition": np.linalg.cond(design),
    }


def solve_exact(matrix, rhs):
    """Gauss-Jordan elimination over the rationals."""
    size = len(matrix)
    a = [row[:] + [rhs[i]] for i, row in enumerate(matrix)]
    for col in range(size):
        pivot = next(r for r in range(col, size) if a[r][col] != 0)
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(size):
            if r != col and a[r][col] != 0:
                factor = a[r][col] / a[col][col]
                a[r] = [v - factor * w for v, w in zip(a[r], a[col])]
    return [a[i][size] / a[i][i] for i in range(size)]


def exact_reference(x, y, degree):
    """OLS in exact rational arithmetic (the normal equations are exact)."""
    n, p = len(x), degree + 1
    xf = [Fraction(float(v)) for v in x]
    yf = [Fraction(float(v)) for v in y]
    rows = [[xi ** j for j in range(p)] for xi in xf]
    xtx = [[sum(r[i] * r[j] for r in rows) for j in range(p)] for i in range(p)]
    xty = [sum(r[i] * yi for r, yi in zip(rows, yf)) for i in range(p)]
    beta = solve_exact(xtx, xty)
    inverse_cols = [solve_exact(xtx, [Fraction(int(i == j)) for i in range(p)])
                    for j in range(p)]
    inverse = [[inverse_cols[j][i] for j in range(p)] for i in range(p)]
    residuals = [yi - sum(b * v for b, v in zip(beta, r))
                 for r, yi in zip(rows, yf)]
    rss = sum(e * e for e in residuals)
    mean = sum(yf) / n
    tss = sum((yi - mean) ** 2 for yi in yf)
    dof = n - p
    s2 = rss / dof
    se = [math.sqrt(float(s2 * inverse[k][k])) for k in range(p)]
    t = stats.t.ppf(0.975, dof)
    loo = []
    for r, e in zip(rows, residuals):
        h = sum(r[i] * inverse[i][j] * r[j] for i in range(p) for j in range(p))
        loo.append(float(e / (1 - h)) ** 2)
    r2 = float(1 - rss / tss)
    k = p + 1
    aic = 2 * k + n * (math.log(2 * math.pi) + math.log(float(rss / n)) + 1)
    return {
        "coefficients": [float(b) for b in beta], "std_errors": se,
        "conf_int_95": [[float(b) - t * s, float(b) + t * s]
                        for b, s in zip(beta, se)],
        "r2": r2, "adj_r2": 1 - (1 - r2) * (n - 1) / dof,
        "residual_se": math.sqrt(float(s2)), "aic": aic,
        "aicc": aic + 2 * k * (k + 1) / (n - k - 1) if n - k - 1 > 0 else None,
        "loo_rmse": math.sqrt(sum(loo) / n), "dof": dof,
    }


def compare_polynomial(checker, case, got, ref, tolerance=LINEAR_TOLERANCE,
                       source="statsmodels"):
    checker.equal("dof", case, got["dof"], ref["dof"])
    checker.equal("parameter names", case,
                  [p["name"] for p in got["parameters"]],
                  [f"b{k}" for k in range(len(ref["coefficients"]))])
    for k, (b, se, ci) in enumerate(zip(ref["coefficients"], ref["std_errors"],
                                        ref["conf_int_95"])):
        param = got["parameters"][k]
        checker.close(f"{source}: coefficients[{k}]", case,
                      param["estimate"], b, tolerance, scale=se)
        checker.close(f"{source}: std_errors[{k}]", case, param["std_error"],
                      se, tolerance)
        half = (ci[1] - ci[0]) / 2
        for end, key in ((0, "ci_low"), (1, "ci_high")):
            checker.close(f"{source}: conf_int_95[{k}]", case,
                          param[key], ci[end], tolerance, scale=half)
    for name in ("r2", "adj_r2", "residual_se", "loo_rmse"):
        checker.close(f"{source}: {name}", case, got[name], ref[name],
                      tolerance)
    # AIC = n (log terms) + 2k can sum to nearly 0; its natural scale is n.
    for name in ("aic", "aicc"):
        checker.close(f"{source}: {name}", case, got[name], ref[name],
                      tolerance, scale=got["n"])


def validate_polynomials(binary, directory, rng, count, checker):
    well, ill, statsmodels_ill_error = 0, 0, 0.0
    for i in range(count):
        ill_case = i % 8 == 7
        degree, x, y = ill_conditioned_case(rng) if ill_case \
            else random_polynomial_case(rng)
        case = f"poly case {i} (degree {degree}, n {len(x)})"
        path = os.path.join(directory, f"poly{i}.csv")
        write_csv(path, ["x", "y"], zip(x, y))
        model = "linear" if degree == 1 else f"poly:{degree}"
        spec, got = run_fit(binary, path, ["--model", model])
        checker.equal("spec.fit", case, spec["fit"],
                      "linear" if degree == 1 else "poly")
        checker.equal("spec.degree", case, spec["degree"],
                      None if degree == 1 else degree)
        checker.equal("n", case, got["n"], len(x))
        # Every case against exact arithmetic, tightly; and against
        # statsmodels where its own answers are accurate to ~1e-7.
        exact = exact_reference(x, y, degree)
        compare_polynomial(checker, case, got, exact, EXACT_TOLERANCE, "exact")
        sm_ref = statsmodels_reference(x, y, degree)
        if ill_case or sm_ref["condition"] > STATSMODELS_MAX_CONDITION:
            for key in ("coefficients", "std_errors"):
                for a, b in zip(sm_ref[key], exact[key]):
                    statsmodels_ill_error = max(statsmodels_ill_error,
                                                abs(a - b) / abs(b))
            ill += 1
        else:
            compare_polynomial(checker, case, got, sm_ref)
            well += 1
    return well, ill, statsmodels_ill_error


def validate_cross_host(binary, directory, rng, count, checker):
    for i in range(count):
        degree = 1 if i % 3 else 2
        # One host at 1..8 vCPUs, some levels repeated; two and three
        # hosts at random multiples.
        train_x = np.concatenate([np.arange(1, 9),
                                  rng.integers(1, 9, int(rng.integers(0, 8)))])
        test_hosts = np.repeat([2, 3], [int(rng.integers(2, 6)),
                                        int(rng.integers(2, 6))])
        hosts = np.concatenate([np.ones(len(train_x), dtype=int), test_hosts])
        x = np.concatenate([train_x, rng.integers(1, 9, len(test_hosts))
                            * test_hosts]).astype(float)
        y = 900.0 * x + 50 + rng.normal(0, 40, len(x)) \
            - (0 if i % 2 else 60.0 * (hosts > 1) * x)
        path = os.path.join(directory, f"hosts{i}.csv")
        write_csv(path, ["x", "y", "hosts"], zip(x, y, hosts))
        model = "linear" if degree == 1 else f"poly:{degree}"
        spec, got = run_fit(binary, path, ["--model", model, "--train",
                                           "hosts=1", "--test", "hosts=2,3"])
        case = f"cross-host case {i}"
        checker.equal("spec.train", case, spec["train"],
                      {"factors": {"hosts": {"values": ["1"]}}})
        checker.equal("spec.test", case, spec["test"],
                      {"factors": {"hosts": {"values": ["2", "3"]}}})
        checker.equal("n", case, got["n"], int((hosts == 1).sum()))
        train, test = hosts == 1, hosts > 1
        design = np.vander(x[train], degree + 1, increasing=True)
        res = sm.OLS(y[train], design).fit()
        frame = res.get_prediction(
            np.vander(x[test], degree + 1, increasing=True)).summary_frame(
                alpha=0.05)
        compare_polynomial(checker, case, got,
                           statsmodels_reference(x[train], y[train], degree))
        cross = got["cross_host"]
        checker.equal("test rows", case, len(cross["predictions"]),
                      int(test.sum()))
        squares = 0.0
        for row, (_, ref) in zip(cross["predictions"], frame.iterrows()):
            half = (ref["obs_ci_upper"] - ref["obs_ci_lower"]) / 2
            checker.close("predicted", case, row["predicted"], ref["mean"],
                          LINEAR_TOLERANCE, scale=half)
            checker.close("pi_low", case, row["pi_low"], ref["obs_ci_lower"],
                          LINEAR_TOLERANCE, scale=half)
            checker.close("pi_high", case, row["pi_high"], ref["obs_ci_upper"],
                          LINEAR_TOLERANCE, scale=half)
            inside = ref["obs_ci_lower"] <= row["measured"] <= ref["obs_ci_upper"]
            checker.equal("inside", case, row["inside"], bool(inside))
            squares += (row["measured"] - ref["mean"]) ** 2
        checker.close("rmse", case, cross["rmse"],
                      math.sqrt(squares / test.sum()), LINEAR_TOLERANCE)
        checker.equal("holds", case, cross["holds"],
                      cross["miss_probability"] >= 0.05)


# ---- USL and Amdahl ---------------------------------------------------------

def usl_model(params, n, has_kappa):
    lam, sigma = params[0], params[1]
    kappa = params[2] if has_kappa else 0.0
    return lam * n / (1 + sigma * (n - 1) + kappa * n * (n - 1))


def usl_jacobian(params, n, has_kappa):
    lam, sigma = params[0], params[1]
    kappa = params[2] if has_kappa else 0.0
    d = 1 + sigma * (n - 1) + kappa * n * (n - 1)
    columns = [n / d, -lam * n * (n - 1) / d ** 2]
    if has_kappa:
        columns.append(-lam * n * n * (n - 1) / d ** 2)
    return np.column_stack(columns)


def scipy_usl_reference(n, y, has_kappa, truth):
    p = 3 if has_kappa else 2
    lower = [-np.inf] + [0.0] * (p - 1)
    best = None
    starts = [truth[:p]]
    for scale in (0.5, 2.0):
        starts.append([y[np.argmin(n)] / n.min()] +
                      [v * scale for v in truth[1:p]])
    for start in starts:
        start = np.maximum(start, [-np.inf] + [1e-12] * (p - 1))
        fit = optimize.least_squares(
            lambda q: usl_model(q, n, has_kappa) - y, start,
            jac=lambda q: usl_jacobian(q, n, has_kappa),
            bounds=(lower, [np.inf] * p), method="trf", x_scale="jac",
            ftol=1e-15, xtol=1e-15, gtol=1e-15, max_nfev=20000)
        if best is None or fit.cost < best.cost:
            best = fit
    dof = len(n) - p
    rss = 2 * best.cost
    jac = usl_jacobian(best.x, n, has_kappa)
    covariance = np.linalg.inv(jac.T @ jac) * rss / dof
    tss = np.sum((y - y.mean()) ** 2)
    k = p + 1
    aic = 2 * k + len(n) * (math.log(2 * math.pi) + math.log(rss / len(n)) + 1)
    return best.x, np.sqrt(np.diag(covariance)), rss, {
        "r2": 1 - rss / tss,
        "aicc": aic + 2 * k * (k + 1) / (len(n) - k - 1)
        if len(n) - k - 1 > 0 else None}


def validate_usl(binary, directory, rng, count, checker, has_kappa):
    name = "usl" if has_kappa else "amdahl"
    levels = np.array([1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 48, 64],
                      dtype=float)
    boundary = 0
    for i in range(count):
        chosen = np.sort(rng.choice(levels, int(rng.integers(6, 13)),
                                    replace=False))
        n = np.repeat(chosen, int(rng.integers(1, 4)))
        truth = [float(rng.uniform(50, 5000)),
                 float(math.exp(rng.uniform(math.log(0.005), math.log(0.3)))),
                 float(math.exp(rng.uniform(math.log(1e-5), math.log(5e-3))))
                 if has_kappa else 0.0]
        noise = float(rng.uniform(0.005, 0.05))
        y = usl_model(truth, n, True) * (1 + rng.normal(0, noise, len(n)))
        path = os.path.join(directory, f"{name}{i}.csv")
        write_csv(path, ["x", "y"], zip(n, y))
        spec, got = run_fit(binary, path, ["--model", name])
        case = f"{name} case {i} (n {len(n)})"
        checker.equal("spec.fit", case, spec["fit"], name)
        params, se, rss, summary = scipy_usl_reference(n, y, has_kappa, truth)
        keys = ["lambda", "sigma", "kappa"][: len(params)]
        # Amdahl's law has no kappa at all (not a kappa of 0).
        checker.equal(f"{name}.parameter names", case,
                      [p["name"] for p in got["parameters"]], keys)
        fitted = parameters(got)
        # scalebench must find an optimum at least as good as scipy's.
        ours = np.sum((usl_model([fitted[k]["estimate"] for k in keys], n,
                                 has_kappa) - y) ** 2)
        if ours > rss * (1 + 1e-9):
            checker.failures.append(
                f"{case}: RSS {ours!r} worse than scipy's {rss!r}")
        at_bound = any(params[j] < 1e-12 for j in range(1, len(params)))
        boundary += at_bound
        for j, key in enumerate(keys):
            if params[j] < 1e-12:  # on the bound: compare absolutely
                checker.close(f"{name}.{key} (at bound)", case,
                              fitted[key]["estimate"], params[j], 1e-9,
                              scale=1.0)
            else:
                checker.close(f"{name}.{key}", case, fitted[key]["estimate"],
                              params[j], USL_PARAM_TOLERANCE)
            checker.close(f"{name}.se_{key}", case, fitted[key]["std_error"],
                          se[j], USL_SE_TOLERANCE)
        for absent in ("adj_r2", "loo_rmse"):
            checker.equal(f"{name}.{absent}", case, got[absent], None)
        checker.close(f"{name}.r2", case, got["r2"], summary["r2"],
                      LINEAR_TOLERANCE)
        checker.close(f"{name}.aicc", case, got["aicc"], summary["aicc"],
                      LINEAR_TOLERANCE)
        if has_kappa and params[2] >= 1e-12 and params[1] < 1:
            peak = math.sqrt((1 - params[1]) / params[2])
            checker.close("usl.peak_x", case, got["peak_x"], peak,
                          USL_PARAM_TOLERANCE)
            checker.equal("usl.peak_beyond_data", case,
                          got["peak_beyond_data"], peak > n.max())
        elif not has_kappa:
            checker.equal("amdahl.peak_x", case, got["peak_x"], None)
    return boundary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scalebench", required=True,
                        help="path to build/bin/scalebench")
    parser.add_argument("--polynomials", type=int, default=240)
    parser.add_argument("--cross-host", type=int, default=30)
    parser.add_argument("--usl", type=int, default=120)
    parser.add_argument("--amdahl", type=int, default=40)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    checker = Checker()
    with tempfile.TemporaryDirectory(prefix="scalebench-validate-") as tmp:
        well, ill, sm_ill = validate_polynomials(args.scalebench, tmp, rng,
                                                 args.polynomials, checker)
        validate_cross_host(args.scalebench, tmp, rng, args.cross_host, checker)
        usl_bound = validate_usl(args.scalebench, tmp, rng, args.usl, checker,
                                 True)
        amdahl_bound = validate_usl(args.scalebench, tmp, rng, args.amdahl,
                                    checker, False)

    print(f"polynomial data sets: {well + ill}, all against exact rational "
          f"arithmetic; {well} also against statsmodels ({ill} too "
          f"ill-conditioned for it: there its coefficients and standard "
          f"errors were off by up to {sm_ill:.2g})")
    print(f"cross-host data sets: {args.cross_host}; USL: {args.usl} "
          f"({usl_bound} with a parameter on its bound); Amdahl: "
          f"{args.amdahl} ({amdahl_bound} on the bound)")
    print("worst relative error per quantity:")
    for key in sorted(checker.worst):
        print(f"  {key:28s} {checker.worst[key]:.2e}")
    for failure in checker.failures[:50]:
        print("MISMATCH " + failure)
    failed = len(checker.failures)
    print(f"{checker.checks - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
