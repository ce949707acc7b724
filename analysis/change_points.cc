#include "analysis/change_points.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"

namespace scalebench::analysis {
namespace {

// A permuted statistic counts as reaching the observed one when it is
// within this relative distance below it: the same arrangement summed in
// another order must not look smaller by rounding (conservative).
constexpr double kTieTolerance = 1e-9;

// |a - b|^alpha, with a fast path for the default alpha = 1.
class Distance final {
 public:
  explicit Distance(double alpha) : alpha_(alpha), unit_(alpha == 1) {}
  double operator()(double a, double b) const {
    const double d = std::fabs(a - b);
    return unit_ ? d : std::pow(d, alpha_);
  }

 private:
  double alpha_;
  bool unit_;
};

// The best split of one segment: `tau` observations before it (from the
// segment's start), with the statistic `q`. tau 0 means none.
struct Split {
  int tau = 0;
  double q = 0;
};

// Working storage for BestSplit, reused across calls.
struct Scratch {
  // full[k]: sum of d(v[j], v[k]) over j < k.
  std::vector<double> full;
  // column[k]: sum of d(v[i], v[k]) over i < tau (the rows added so far).
  std::vector<double> column;
  // inverse[k] = 1 / k and inverse_pairs[k] = 1 / C(k, 2), so that the
  // inner loop does not divide.
  std::vector<double> inverse;
  std::vector<double> inverse_pairs;
};

// Maximizes Q(X, Y) = m n / (m + n) * E(X, Y) over X = v[0, tau) and
// Y = v[tau, kappa), both at least `min_segment` long, where
// E = 2/(mn) sum d(x, y) - 1/C(m,2) sum d(x, x') - 1/C(n,2) sum d(y, y')
// (Matteson & James 2014, eq. 6-7). O(n^2): sums over X grow a row at a
// time, those over Y a column at a time, from per-column prefix sums.
Split BestSplit(absl::Span<const double> v, int min_segment,
                const Distance& distance, Scratch& scratch) {
  const int n = static_cast<int>(v.size());
  Split best;
  if (n < 2 * min_segment) return best;
  std::vector<double>& full = scratch.full;
  std::vector<double>& column = scratch.column;
  full.assign(n, 0);
  column.assign(n, 0);
  if (scratch.inverse.size() < static_cast<size_t>(n) + 1) {
    scratch.inverse.resize(n + 1);
    scratch.inverse_pairs.resize(n + 1);
    for (int k = 2; k <= n; ++k) {
      scratch.inverse[k] = 1.0 / k;
      scratch.inverse_pairs[k] = 2.0 / (k * (k - 1.0));
    }
  }
  const double* inverse = scratch.inverse.data();
  const double* inverse_pairs = scratch.inverse_pairs.data();
  for (int k = 1; k < n; ++k) {
    double sum = 0;
    for (int j = 0; j < k; ++j) sum += distance(v[j], v[k]);
    full[k] = sum;
  }
  double within_x = 0;  // Sum over pairs in v[0, tau).
  for (int row = 0; row + min_segment < n; ++row) {
    for (int k = row + 1; k < n; ++k) column[k] += distance(v[row], v[k]);
    within_x += full[row];
    const int tau = row + 1;
    if (tau < min_segment) continue;
    const double m = tau;
    const double mean_within_x = within_x * inverse_pairs[tau];
    double between = 0;
    double within_y = 0;
    for (int kappa = tau; kappa < n; ++kappa) {
      between += column[kappa];
      within_y += full[kappa] - column[kappa];
      const int y_size = kappa + 1 - tau;
      if (y_size < min_segment) continue;
      // m y / (m + y) * E, multiplied out.
      const double q =
          (2 * between -
           m * y_size * (mean_within_x + within_y * inverse_pairs[y_size])) *
          inverse[tau + y_size];
      if (q > best.q) best = {tau, q};
    }
  }
  return best;
}

// Uniform in [0, bound), from the engine's output alone (the standard
// distributions differ between libraries), by rejection.
uint64_t UniformBelow(std::mt19937_64& rng, uint64_t bound) {
  const uint64_t limit =
      std::numeric_limits<uint64_t>::max() / bound * bound;  // > 0.
  uint64_t draw;
  do {
    draw = rng();
  } while (draw >= limit);
  return draw % bound;
}

// Fisher-Yates.
void Shuffle(absl::Span<double> values, std::mt19937_64& rng) {
  for (size_t i = values.size(); i > 1; --i) {
    std::swap(values[i - 1], values[UniformBelow(rng, i)]);
  }
}

double Median(absl::Span<const double> values) {
  std::vector<double> copy(values.begin(), values.end());
  const size_t half = copy.size() / 2;
  std::nth_element(copy.begin(), copy.begin() + half, copy.end());
  const double upper = copy[half];
  if (copy.size() % 2 == 1) return upper;
  const double lower = *std::max_element(copy.begin(), copy.begin() + half);
  return lower + (upper - lower) / 2;
}

struct Segment {
  int begin = 0;
  int end = 0;
  Split best;  // Of the observed series.
};

// The segments between `cuts` (sorted, excluding 0 and n), with their best
// splits: taken from `previous` when unchanged, computed otherwise.
std::vector<Segment> Segments(absl::Span<const double> series,
                              const std::vector<int>& cuts,
                              const std::vector<Segment>& previous,
                              const ChangePointOptions& options,
                              const Distance& distance, Scratch& scratch) {
  std::vector<Segment> segments;
  int begin = 0;
  for (size_t i = 0; i <= cuts.size(); ++i) {
    const int end = i < cuts.size() ? cuts[i] : static_cast<int>(series.size());
    Segment segment{begin, end, {}};
    const auto same = std::find_if(
        previous.begin(), previous.end(),
        [&](const Segment& s) { return s.begin == begin && s.end == end; });
    segment.best = same != previous.end()
                       ? same->best
                       : BestSplit(series.subspan(begin, end - begin),
                                   options.min_segment, distance, scratch);
    segments.push_back(segment);
    begin = end;
  }
  return segments;
}

// The permutation p-value of the largest statistic `observed` among
// `segments`, or nullopt as soon as it is certain to exceed the
// significance level.
std::optional<double> PermutationPValue(
    absl::Span<const double> series, const std::vector<Segment>& segments,
    double observed, const ChangePointOptions& options,
    const Distance& distance, std::mt19937_64& rng, Scratch& scratch) {
  std::vector<double> work(series.begin(), series.end());
  const double reach = observed * (1 - kTieTolerance);
  const double total = options.permutations + 1.0;
  int reached = 0;
  for (int r = 0; r < options.permutations; ++r) {
    double largest = 0;
    for (const Segment& segment : segments) {
      if (segment.end - segment.begin < 2 * options.min_segment) continue;
      absl::Span<double> part = absl::MakeSpan(work).subspan(
          segment.begin, segment.end - segment.begin);
      Shuffle(part, rng);
      largest = std::max(
          largest, BestSplit(part, options.min_segment, distance, scratch).q);
    }
    if (largest >= reach) {
      ++reached;
      if ((1 + reached) / total > options.significance) return std::nullopt;
    }
  }
  return (1 + reached) / total;
}

}  // namespace

absl::Status ValidateChangePointOptions(const ChangePointOptions& options) {
  if (!(options.significance > 0 && options.significance < 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "significance must be in (0, 1); got ", options.significance));
  }
  if (options.significance < 1.0 / (kMaxPermutations + 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "significance must be at least ", 1.0 / (kMaxPermutations + 1.0),
        " (1 / (", kMaxPermutations, " permutations + 1)); got ",
        options.significance));
  }
  if (options.permutations < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "permutations must be at least 1; got ", options.permutations));
  }
  if (options.permutations > kMaxPermutations) {
    return absl::InvalidArgumentError(
        absl::StrCat("permutations must be at most ", kMaxPermutations,
                     "; got ", options.permutations));
  }
  if (1.0 / (options.permutations + 1.0) > options.significance) {
    return absl::InvalidArgumentError(
        absl::StrCat("permutations must be at least ",
                     static_cast<int>(std::ceil(1 / options.significance - 1)),
                     " for a p-value of ", options.significance,
                     " to be possible; got ", options.permutations));
  }
  if (options.min_segment < 2 || options.min_segment > kMaxMinSegment) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_segment must be from 2 to ", kMaxMinSegment, "; got ",
                     options.min_segment));
  }
  if (!(options.alpha > 0 && options.alpha < 2)) {
    return absl::InvalidArgumentError(
        absl::StrCat("alpha must be in (0, 2); got ", options.alpha));
  }
  if (options.max_change_points < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_change_points must be at least 0 (no limit); got ",
                     options.max_change_points));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ChangePoint>> DetectChangePoints(
    absl::Span<const double> series, const ChangePointOptions& options) {
  if (absl::Status s = ValidateChangePointOptions(options); !s.ok()) return s;
  if (series.size() > kMaxSeriesLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the series has ", series.size(), " values, more than the ",
        kMaxSeriesLength, " change point detection takes"));
  }
  for (size_t i = 0; i < series.size(); ++i) {
    if (!std::isfinite(series[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("series[", i, "] is not finite (", series[i], ")"));
    }
  }
  const Distance distance(options.alpha);
  std::mt19937_64 rng(options.seed);
  Scratch scratch;
  std::vector<int> cuts;
  std::vector<double> p_values;  // In the order of `cuts`.
  std::vector<Segment> segments;
  while (options.max_change_points == 0 ||
         static_cast<int>(cuts.size()) < options.max_change_points) {
    segments = Segments(series, cuts, segments, options, distance, scratch);
    const Segment* chosen = nullptr;
    for (const Segment& segment : segments) {
      if (segment.best.tau > 0 &&
          (chosen == nullptr || segment.best.q > chosen->best.q)) {
        chosen = &segment;
      }
    }
    if (chosen == nullptr) break;  // Too short, or constant.
    const std::optional<double> p = PermutationPValue(
        series, segments, chosen->best.q, options, distance, rng, scratch);
    if (!p.has_value()) break;
    const int cut = chosen->begin + chosen->best.tau;
    const auto at = std::upper_bound(cuts.begin(), cuts.end(), cut);
    p_values.insert(p_values.begin() + (at - cuts.begin()), *p);
    cuts.insert(at, cut);
  }
  std::vector<ChangePoint> points;
  for (size_t i = 0; i < cuts.size(); ++i) {
    const int begin = i == 0 ? 0 : cuts[i - 1];
    const int end =
        i + 1 < cuts.size() ? cuts[i + 1] : static_cast<int>(series.size());
    ChangePoint point;
    point.index = cuts[i];
    point.before = Median(series.subspan(begin, cuts[i] - begin));
    point.after = Median(series.subspan(cuts[i], end - cuts[i]));
    if (point.before != 0) point.change = point.after / point.before - 1;
    point.p_value = p_values[i];
    points.push_back(point);
  }
  return points;
}

}  // namespace scalebench::analysis
