#include "cli/fit_request.h"

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace scalebench::cli {

const char kFitHelp[] =
    R"(usage: scalebench fit --data FILE.csv --x COLUMN --y COLUMN --model MODEL
                      [--by COLUMN] [--train EXPR --test EXPR] [--json]

Fits a scalability model to measurements in a CSV file and says how far to
believe it: estimates with standard errors and 95% confidence intervals,
R^2, AIC and AICc, and for polynomials the leave-one-out error; the peak of
the curve and where it falls back to its value at x = 1.

Flags:
  --data FILE    CSV file: a header row naming the columns, then one row per
                 measurement. Cells are separated by commas; quote a cell
                 ("...") to include commas or quotes (doubled: ""). Blank
                 lines and lines starting with # are skipped; columns other
                 than those named here are ignored.
  --x COLUMN     the explanatory variable: instances, vCPUs, hosts, ...
  --y COLUMN     the measured response: requests_per_s, kb_per_s, ...
  --model MODEL  linear    y = b0 + b1 x
                 poly:D    y = b0 + b1 x + ... + bD x^D, 1 <= D <= 10
                           (poly:2 is the original study's quadratic)
                 usl       Universal Scalability Law, needs x > 0 and y > 0:
                           X(N) = lambda N / (1 + sigma (N-1) + kappa N (N-1))
                 amdahl    Amdahl's law: the USL with kappa = 0
  --by COLUMN    fit each distinct value of COLUMN on its own (e.g. platform),
                 in the order the values first appear
  --train EXPR   the cross-host model test (linear and poly:D only): fit on
  --test EXPR    the rows --train selects, predict the rows --test selects,
                 and report each prediction, its 95% prediction interval,
                 whether the measurement lies inside, the RMSE, and a
                 verdict. EXPR is COLUMN=VALUE[,VALUE...]: the rows whose
                 COLUMN holds one of the values (as numbers when both sides
                 are numbers, so 2 matches 2.0). Rows selected by neither are
                 ignored; a row selected by both is an error.
  --json         print JSON instead of text (described below)
  --help         print this help

Rows that repeat an x (repetitions) are used as they are, not averaged. A
polynomial of degree D needs D + 2 rows and D + 1 distinct x values; the USL
needs 4 rows and 3 distinct x, Amdahl 3 rows and 2 distinct x.

JSON: one object. For linear and poly:D: model, x, y, n, dof, coefficients
(ascending powers: the intercept first), std_errors, conf_int_95 (a
[low, high] pair per coefficient), r2, adj_r2, aic, aicc, residual_se,
loo_rmse, peak_x, peak_y, fallback_x. For usl and amdahl: model, x, y, n,
dof, params, std_errors and conf_int_95 (objects keyed lambda, sigma, kappa;
Amdahl's kappa is 0 with standard error 0), peak_n, peak_y, fallback_n, r2,
aic, aicc, residual_se. With --train/--test, also: train, test, test_n,
predictions (x, measured, predicted, relative_error = (measured -
predicted) / measured, pi_low, pi_high, inside), rmse, outside,
miss_probability, holds, verdict. AIC = 2k - 2 ln L (Gaussian likelihood at
RSS/n, k = parameters + 1). A quantity that does not exist is null: the AIC
of a perfect fit, AICc when n <= k + 1, LOO when one row alone fixes a
coefficient, a peak or fallback the curve does not have. The peak is the
highest local maximum at x >= the smallest x fitted (it may lie beyond the
data: an extrapolation); the fallback is the x > 1 where the curve comes back
down to its value at x = 1. With --by: an object keyed by the group's value,
each member a fit object as above or {"error": "..."}.

Exit status: 0 on success; 2 when the command line or the data are wrong or
cannot identify the model (the message names the file, line, column or
group; with --by the other groups are still printed); 1 otherwise.

Examples:
  scalebench fit --data results.csv --x instances --y requests_per_s \
      --model poly:2
  scalebench fit --data results.csv --x instances --y requests_per_s \
      --model usl --by platform --json
  scalebench fit --data vcpus.csv --x vcpus_total --y requests_per_s \
      --model linear --train hosts=1 --test hosts=2,3
)";

absl::StatusOr<ModelSpec> ParseModel(absl::string_view text) {
  ModelSpec spec;
  if (text == "linear") {
    spec.degree = 1;
    spec.name = "linear";
    return spec;
  }
  if (text == "usl") {
    spec.kind = ModelSpec::Kind::kUsl;
    spec.name = "usl";
    return spec;
  }
  if (text == "amdahl") {
    spec.kind = ModelSpec::Kind::kAmdahl;
    spec.name = "amdahl";
    return spec;
  }
  int degree = 0;
  if (absl::StartsWith(text, "poly:") &&
      absl::SimpleAtoi(text.substr(5), &degree) && degree >= 1 &&
      degree <= kMaxPolynomialDegree) {
    spec.degree = degree;
    spec.name = absl::StrCat("poly:", degree);
    return spec;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--model must be linear, poly:D (1 <= D <= ", kMaxPolynomialDegree,
      "), usl or amdahl; got '", text, "'"));
}

absl::StatusOr<FitRequest> ParseFitRequest(
    const std::vector<std::string>& args) {
  static constexpr const char* kValueFlags[] = {"data", "x",     "y",   "model",
                                                "by",   "train", "test"};
  FitRequest request;
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") {
      request.help = true;
      return request;
    }
  }
  absl::flat_hash_map<std::string, std::string> values;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!absl::StartsWith(arg, "--")) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument '", arg, "'"));
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (const size_t equals = name.find('='); equals != std::string::npos) {
      value = name.substr(equals + 1);
      name = name.substr(0, equals);
    }
    if (name == "json") {
      if (value.has_value()) {
        return absl::InvalidArgumentError("--json takes no value");
      }
      request.json = true;
      continue;
    }
    bool known = false;
    for (const char* flag : kValueFlags) known = known || name == flag;
    if (!known) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    if (!value.has_value()) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " needs a value"));
      }
      value = args[++i];
    }
    if (!values.emplace(name, *value).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, " is given twice"));
    }
  }
  for (const char* required : {"data", "x", "y", "model"}) {
    if (!values.contains(required) || values[required].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", required, " is required"));
    }
  }
  request.data = values["data"];
  request.x = values["x"];
  request.y = values["y"];
  absl::StatusOr<ModelSpec> model = ParseModel(values["model"]);
  if (!model.ok()) return model.status();
  request.model = *std::move(model);
  if (values.contains("by")) request.by = values["by"];
  if (values.contains("train") != values.contains("test")) {
    return absl::InvalidArgumentError(
        "--train and --test go together: give both or neither");
  }
  if (values.contains("train")) {
    if (request.model.kind != ModelSpec::Kind::kPolynomial) {
      return absl::InvalidArgumentError(
          "--train/--test need --model linear or poly:D (the test uses the "
          "polynomial's prediction intervals)");
    }
    absl::StatusOr<RowFilter> train =
        RowFilter::Parse(values["train"], "--train");
    if (!train.ok()) return train.status();
    absl::StatusOr<RowFilter> test = RowFilter::Parse(values["test"], "--test");
    if (!test.ok()) return test.status();
    request.train = *std::move(train);
    request.test = *std::move(test);
  }
  return request;
}

}  // namespace scalebench::cli
