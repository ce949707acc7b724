#include "cli/fit_request.h"

#include <optional>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "analysis/model_fit.h"
#include "analysis/model_registry.h"
#include "cli/row_filter.h"

namespace scalebench::cli {

const char kFitManual[] =
    R"(MODEL is one of:
                 linear    y = b0 + b1 x
                 poly:D    y = b0 + b1 x + ... + bD x^D, 2 <= D <= 10
                           (poly:2 is the original study's quadratic; for
                           the straight line write linear)
                 usl       Universal Scalability Law, needs x > 0 and y > 0:
                           X(x) = lambda x / (1 + sigma (x-1) + kappa x (x-1))
                 amdahl    Amdahl's law: the USL with kappa = 0

The cross-host model test (--train and --test, linear and poly:D only) fits
on the rows --train selects, predicts the rows --test selects, and reports
each prediction, its 95% prediction interval, whether the measurement lies
inside, the RMSE, and a line starting "verdict: ". EXPR is
COLUMN=VALUE[,VALUE...]: the rows whose COLUMN holds one of the values (as
numbers when both sides are numbers, so 2 matches 2.0). Rows selected by
neither are ignored; a row selected by both is an error. With --by, each
group is tested on its own.

The CSV file has a header row naming the columns, then one row per
measurement. Cells are separated by commas; quote a cell ("...") to include
commas or quotes (doubled: ""). Lines end in LF, CRLF or CR; a UTF-8 byte
order mark is ignored. Blank lines and lines starting with # are skipped;
columns other than those named by the flags are ignored. The file must be a
regular file (not a pipe or device) of at most 32 MiB, 500000 rows, 2000000
cells and 64 KiB a cell (docs/limits.md).

Rows that repeat an x (repetitions) are used as they are, not averaged. A
polynomial of degree D (linear: D = 1) needs D + 2 rows and D + 1 distinct x
values; the USL needs 4 rows and 3 distinct x, Amdahl 3 rows and 2 distinct
x.

With --output json: one object, {"spec": {...}, "fits": [...]}, with or
without --by; keys
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
(true when the model carries over to the test rows), verdict (the same in
a sentence) and saturation (null with --data: see --experiment). error is
null, or says why the group could not be fitted; then every field but
group, n and error is null.

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

With --experiment EXPERIMENT (instead of --data and the model flags): the
fits the coordinator computed for the spec's models from the experiment's
stored results, printed the same way; with --output json a list of
{"spec", "fits"} documents, one per model. A cross-host test there also
says where the model stops holding and which CPU resource ran out (the
balancer's cores, the load generators', the targets', or the machine's), in
a line starting "saturation: " after the verdict (docs/analysis.md). The coordinator and TLS flags
are those of the other remote commands (docs/cli.md).

Examples:
  scalebench fit --experiment exp-000001
  scalebench fit --data results.csv --x instances --y requests_per_s \
      --model poly:2
  scalebench fit --data results.csv --x instances --y requests_per_s \
      --model usl --by platform,hosts --output json
  scalebench fit --data vcpus.csv --x vcpus_total --y requests_per_s \
      --model linear --train hosts=1 --test hosts=2,3
)";

namespace {

// "poly:D (2 <= D <= 10), linear, usl or amdahl", from the registry.
std::string ModelChoices() {
  std::vector<std::string> names;
  for (const analysis::Model* model : analysis::Models()) {
    names.push_back(model->NameSyntax());
  }
  const std::string last = names.back();
  names.pop_back();
  return absl::StrCat(absl::StrJoin(names, ", "), " or ", last);
}

}  // namespace

absl::StatusOr<v1::ModelSpec> ParseModel(absl::string_view text) {
  const size_t colon = text.find(':');
  const analysis::Model* model =
      analysis::FindModelByName(text.substr(0, colon));
  absl::StatusOr<v1::ModelSpec> spec = absl::InvalidArgumentError("");
  if (model != nullptr) {
    spec = model->ParseName(colon == absl::string_view::npos
                                ? std::nullopt
                                : std::optional(text.substr(colon + 1)));
  }
  if (spec.ok()) return spec;
  if (!spec.status().message().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--model ", text, " ", spec.status().message()));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--model must be ", ModelChoices(), "; got '", text, "'"));
}

std::string ModelFlagValue(const v1::ModelSpec& spec) {
  return analysis::ModelName(spec);
}

std::string FlagForField(absl::string_view field) {
  if (field == "fit" || field == "degree") return "--model";
  return absl::StrCat("--", field);
}

void AddFitFlags(CLI::App& fit, FitFlags* flags) {
  CLI::Option* data =
      fit.add_option("--data", flags->data,
                     "the CSV file of measurements (described below)")
          ->type_name("FILE");
  fit.add_option("--experiment", flags->experiment,
                 "instead of --data: print the model fits the coordinator "
                 "computed for this experiment's spec")
      ->type_name("EXPERIMENT")
      ->excludes(data);
  fit.add_option("--x", flags->x,
                 "with --data: the explanatory column: instances, "
                 "vcpus_total, hosts, ...")
      ->type_name("COLUMN");
  fit.add_option("--y", flags->y,
                 "with --data: the measured column: requests_per_s, "
                 "transfer_kb_per_s, ...")
      ->type_name("COLUMN");
  fit.add_option("--model", flags->model,
                 "with --data: linear, poly:D, usl or amdahl")
      ->type_name("MODEL");
  fit.add_option("--by", flags->by,
                 "fit each distinct combination of these columns' values on "
                 "its own (platform, or platform,hosts), in order of first "
                 "appearance")
      ->type_name("COLUMNS");
  fit.add_option("--train", flags->train,
                 "cross-host test: fit on the rows EXPR selects")
      ->type_name("EXPR");
  fit.add_option("--test", flags->test,
                 "cross-host test: predict the rows EXPR selects")
      ->type_name("EXPR");
  AddOutputOption(fit, &flags->output,
                  {OutputFormat::kText, OutputFormat::kJson});
  AddClientFlags(fit, &flags->client);
  fit.footer(kFitManual);
}

absl::Status CheckFitSource(const FitFlags& flags) {
  const std::pair<const char*, const std::string&> model_flags[] = {
      {"--x", flags.x},   {"--y", flags.y},         {"--model", flags.model},
      {"--by", flags.by}, {"--train", flags.train}, {"--test", flags.test}};
  if (!flags.experiment.empty()) {
    for (const auto& [flag, value] : model_flags) {
      if (!value.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            flag,
            " applies to --data only; with --experiment the models are the "
            "spec's"));
      }
    }
    return absl::OkStatus();
  }
  if (flags.data.empty()) {
    return absl::InvalidArgumentError(
        "--data is required (or --experiment EXPERIMENT for an experiment's "
        "model fits)");
  }
  for (int i = 0; i < 3; ++i) {
    if (model_flags[i].second.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(model_flags[i].first, " is required with --data"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<FitRequest> MakeFitRequest(const FitFlags& flags) {
  FitRequest request;
  request.data = flags.data;
  request.output = flags.output;
  for (const auto& [flag, value] :
       {std::pair<const char*, const std::string&>{"--data", flags.data},
        {"--x", flags.x},
        {"--y", flags.y},
        {"--model", flags.model}}) {
    if (value.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(flag, " is empty"));
    }
  }
  absl::StatusOr<v1::ModelSpec> spec = ParseModel(flags.model);
  if (!spec.ok()) return spec.status();
  request.spec = *std::move(spec);
  request.spec.set_x(flags.x);
  request.spec.set_y(flags.y);
  if (!flags.by.empty()) {
    for (absl::string_view column : absl::StrSplit(flags.by, ',')) {
      column = absl::StripAsciiWhitespace(column);
      if (column.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--by expects COLUMN[,COLUMN...]; got '", flags.by, "'"));
      }
      request.spec.add_by(std::string(column));
    }
  }
  const std::tuple<const char*, const std::string&, v1::RowFilter*> filters[] =
      {{"--train", flags.train, request.spec.mutable_train()},
       {"--test", flags.test, request.spec.mutable_test()}};
  for (const auto& [flag, text, filter] : filters) {
    if (text.empty()) continue;
    absl::StatusOr<v1::RowFilter> parsed = ParseRowFilter(text, flag);
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
