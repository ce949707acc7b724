// Distribution functions behind scalebench's intervals and tests: the
// standard normal and Student's t (CDF, quantile, density), the regularized
// incomplete beta function they rest on, and the binomial CDF.
//
// Pure functions of their arguments; thread-safe. Accuracy is close to
// double precision (about 1e-13 relative or better) over the arguments the
// analysis uses; distributions_test.cc checks it against closed forms and
// published table values. Arguments outside a function's domain give NaN,
// as <cmath> does: callers validate their inputs first.
#ifndef SCALEBENCH_ANALYSIS_DISTRIBUTIONS_H_
#define SCALEBENCH_ANALYSIS_DISTRIBUTIONS_H_

namespace scalebench::analysis {

// The regularized incomplete beta function I_x(a, b) for a > 0, b > 0 and
// 0 <= x <= 1.
double RegularizedIncompleteBeta(double a, double b, double x);

// The standard normal CDF, Phi(z). Accurate in both tails.
double NormalCdf(double z);

// The standard normal quantile: the z with Phi(z) = p, for 0 < p < 1.
double NormalQuantile(double p);

// The density of Student's t with `dof` > 0 degrees of freedom.
double StudentTPdf(double t, double dof);

// The CDF of Student's t with `dof` > 0 degrees of freedom.
double StudentTCdf(double t, double dof);

// The quantile of Student's t: the t with StudentTCdf(t, dof) = p, for
// 0 < p < 1 and dof > 0. Solved by a bracketed Newton iteration on the CDF
// to nearly full double precision.
double StudentTQuantile(double p, double dof);

// P(B <= k) for B ~ Binomial(n, p), 0 <= p <= 1. Returns 0 for k < 0 and 1
// for k >= n.
double BinomialCdf(long k, long n, double p);

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_DISTRIBUTIONS_H_
