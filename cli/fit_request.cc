#include "cli/fit_request.h"

#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "analysis/model_fit.h"
#include "api/enum_names.h"
#include "cli/row_filter.h"

namespace scalebench::cli {

const char kFitHelp[] =
    R"(usage: scalebench fit --data FILE.csv --x COLUMN --y COLUMN --model MODEL
                      [--by COLUMN[,COLUMN...]] [--train EXPR --test EXPR]
                      [--json]

Fits a scalability model to measurements in a CSV file and says how far to
believe it: estimates with standard errors and 95% confidence intervals,
R^2, AIC and AICc, and for linear and poly:D the leave-one-out error; the
peak of the curve and where it falls back (described under JSON).

Flags:
  --data FILE    CSV file: a header row naming the columns, then one row per
                 measurement. Cells are separated by commas; quote a cell
                 ("...") to include commas or quotes (doubled: ""). Blank
                 lines and lines starting with # are skipped; columns other
                 than those named here are ignored.
  --x COLUMN     the explanatory variable: instances, vCPUs, hosts, ...
  --y COLUMN     the measured response: requests_per_s, kb_per_s, ...
  --model MODEL  linear    y = b0 + b1 x
                 poly:D    y = b0 + b1 x + ... + bD x^D, 2 <= D <= 10
                           (poly:2 is the original study's quadratic; for
                           the straight line write linear)
                 usl       Universal Scalability Law, needs x > 0 and y > 0:
                           X(x) = lambda x / (1 + sigma (x-1) + kappa x (x-1))
                 amdahl    Amdahl's law: the USL with kappa = 0
  --by COLUMNS   fit each distinct combination of values of these columns
                 (comma-separated, e.g. platform or platform,hosts) on its
                 own, in the order the combinations first appear
  --train EXPR   the cross-host model test (linear and poly:D only): fit on
  --test EXPR    the rows --train selects, predict the rows --test selects,
                 and report each prediction, its 95% prediction interval,
                 whether the measurement lies inside, the RMSE, and a
                 verdict. EXPR is COLUMN=VALUE[,VALUE...]: the rows whose
                 COLUMN holds one of the values (as numbers when both sides
                 are numbers, so 2 matches 2.0). Rows selected by neither are
                 ignored; a row selected by both is an error. With --by,
                 each group is tested on its own.
  --json         print JSON instead of text (described below)
  --help         print this help

Rows that repeat an x (repetitions) are used as they are, not averaged. A
polynomial of degree D (linear: D = 1) needs D + 2 rows and D + 1 distinct x
values; the USL needs 4 rows and 3 distinct x, Amdahl 3 rows and 2 distinct
x.

JSON: one object, {"spec": {...}, "fits": [...]}, with or without --by; keys
are the field names of the scalebench.v1 API's ModelSpec and ModelFit. spec
is the model asked for: fit (linear, poly, usl or amdahl), degree (null
unless poly), x, y, by (a list), train and test (null without --train/--test,
else {"factors": {COLUMN: {"values": [VALUE, ...]}}}). fits has one object
per group, in the order the groups first appear (one, whose group is {},
without --by): group ({COLUMN: value}), n (rows fitted; with --train, the
training rows), dof, parameters ([{name, estimate, std_error, ci_low,
ci_high}]: b0, b1, ... in ascending powers of x for linear and poly:D;
lambda, sigma, kappa for usl; lambda, sigma for amdahl), r2, adj_r2, aic,
aicc, residual_se, loo_rmse, peak_x, peak_y, peak_beyond_data, fallback_x,
cross_host, error. cross_host is null without --train/--test, else
predictions (x, measured, predicted, relative_error = (measured - predicted)
/ measured, pi_low, pi_high, inside), rmse, outside, miss_probability, holds
(true when the model carries over to the test rows) and verdict (the same in
a sentence). error is null, or says why the group could not be fitted; then
every field but group, n and error is null.

AIC = 2k - 2 ln L (Gaussian likelihood at RSS/n, k = parameters + 1). A
quantity that does not exist is null in JSON and n/a in text, never NaN: the
AIC of a perfect fit, AICc when n <= k + 1, adj_r2 and loo_rmse for usl and
amdahl, LOO when one row alone fixes a coefficient, a peak or fallback the
curve does not have. The peak is the highest local maximum at x >= the
smallest x fitted; peak_beyond_data says it lies past the largest x measured
(an extrapolation). The fallback is the x past the peak where the curve comes
back down to its value at the smallest x measured (linear, poly:D) or at
x = 1 (usl, amdahl): scaling beyond it is worse than not scaling at all.

Exit status: 0 on success; 2 when the command line or the data are wrong or
cannot identify the model (the message names the file, line, column or
group; with --by the other groups are still printed); 1 otherwise.

Examples:
  scalebench fit --data results.csv --x instances --y requests_per_s \
      --model poly:2
  scalebench fit --data results.csv --x instances --y requests_per_s \
      --model usl --by platform,hosts --json
  scalebench fit --data vcpus.csv --x vcpus_total --y requests_per_s \
      --model linear --train hosts=1 --test hosts=2,3
)";

namespace {

// "poly:D (2 <= D <= 10), linear, usl or amdahl", from v1::ModelKind.
std::string ModelChoices() {
  std::vector<std::string> names = api::EnumNames<v1::ModelKind>();
  for (std::string& name : names) {
    if (name == api::EnumName(v1::MODEL_KIND_POLY)) {
      name = absl::StrCat(name, ":D (", analysis::kMinPolyDegree,
                          " <= D <= ", analysis::kMaxPolyDegree, ")");
    }
  }
  const std::string last = names.back();
  names.pop_back();
  return absl::StrCat(absl::StrJoin(names, ", "), " or ", last);
}

}  // namespace

absl::StatusOr<v1::ModelSpec> ParseModel(absl::string_view text) {
  const absl::Status bad = absl::InvalidArgumentError(
      absl::StrCat("--model must be ", ModelChoices(), "; got '", text, "'"));
  const size_t colon = text.find(':');
  absl::StatusOr<v1::ModelKind> kind =
      api::ParseEnumName<v1::ModelKind>(text.substr(0, colon));
  if (!kind.ok()) return bad;
  v1::ModelSpec spec;
  spec.set_fit(*kind);
  if (*kind != v1::MODEL_KIND_POLY) {
    if (colon != absl::string_view::npos) return bad;
    return spec;
  }
  int degree = 0;
  if (colon == absl::string_view::npos ||
      !absl::SimpleAtoi(text.substr(colon + 1), &degree)) {
    return bad;
  }
  if (degree == 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--model ", text, " is the straight line: write --model ",
                     api::EnumName(v1::MODEL_KIND_LINEAR)));
  }
  if (degree < analysis::kMinPolyDegree || degree > analysis::kMaxPolyDegree) {
    return bad;
  }
  spec.set_degree(degree);
  return spec;
}

std::string ModelFlagValue(const v1::ModelSpec& spec) {
  std::string name = api::EnumName(spec.fit());
  if (spec.fit() == v1::MODEL_KIND_POLY) {
    absl::StrAppend(&name, ":", spec.degree());
  }
  return name;
}

std::string FlagForField(absl::string_view field) {
  if (field == "fit" || field == "degree") return "--model";
  return absl::StrCat("--", field);
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
  absl::StatusOr<v1::ModelSpec> spec = ParseModel(values["model"]);
  if (!spec.ok()) return spec.status();
  request.spec = *std::move(spec);
  request.spec.set_x(values["x"]);
  request.spec.set_y(values["y"]);
  if (values.contains("by")) {
    for (absl::string_view column : absl::StrSplit(values["by"], ',')) {
      column = absl::StripAsciiWhitespace(column);
      if (column.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--by expects COLUMN[,COLUMN...]; got '", values["by"], "'"));
      }
      request.spec.add_by(std::string(column));
    }
  }
  const std::pair<const char*, v1::RowFilter*> filters[] = {
      {"train", request.spec.mutable_train()},
      {"test", request.spec.mutable_test()}};
  for (const auto& [flag, filter] : filters) {
    if (!values.contains(flag)) continue;
    absl::StatusOr<v1::RowFilter> parsed =
        ParseRowFilter(values[flag], absl::StrCat("--", flag));
    if (!parsed.ok()) return parsed.status();
    *filter = *std::move(parsed);
  }
  analysis::ApplyModelOptions options;
  options.field_name = FlagForField;
  if (absl::Status s = analysis::ValidateModelSpec(request.spec, options);
      !s.ok()) {
    return s;
  }
  return request;
}

}  // namespace scalebench::cli
