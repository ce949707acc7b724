#include "common/number_text.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace scalebench {
namespace {

constexpr int kMaxDecimals = 9;

// Inserts a comma every three digits of the integer part of `fixed`, a
// number as "%.Nf" prints it.
std::string Group(const std::string& fixed) {
  const size_t sign = !fixed.empty() && fixed[0] == '-' ? 1 : 0;
  const size_t point = std::min(fixed.find('.'), fixed.size());
  std::string out = fixed.substr(0, sign);
  for (size_t i = sign; i < point; ++i) {
    if (i > sign && (point - i) % 3 == 0) out += ',';
    out += fixed[i];
  }
  out += fixed.substr(point);
  return out;
}

std::string NotFinite(double value) {
  if (std::isnan(value)) return "nan";
  return value < 0 ? "-inf" : "inf";
}

}  // namespace

std::string GroupedNumber(double value, int decimals) {
  if (!std::isfinite(value)) return NotFinite(value);
  decimals = std::clamp(decimals, 0, kMaxDecimals);
  std::string fixed = absl::StrFormat("%.*f", decimals, value);
  // A value that rounds to zero is "0", not "-0".
  if (fixed[0] == '-' && fixed.find_first_not_of("-0.") == std::string::npos) {
    fixed.erase(0, 1);
  }
  return Group(fixed);
}

std::string ReadableNumber(double value) {
  if (!std::isfinite(value)) return NotFinite(value);
  const double magnitude = std::fabs(value);
  // A whole number reads as one: "4" instances, not "4.00".
  if (magnitude < 1e15 && value == std::round(value)) {
    return GroupedNumber(value, 0);
  }
  // Digits left of the point, less one: 2 for 776, -2 for 0.0123.
  int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
  // 99.96 rounds to 100.0 at one decimal: then it has three digits.
  const double scale = std::pow(10.0, 2 - exponent);
  if (std::round(magnitude * scale) / scale >= std::pow(10.0, exponent + 1)) {
    ++exponent;
  }
  const int decimals = std::max(0, 2 - exponent);
  if (decimals > kMaxDecimals) return absl::StrFormat("%.2e", value);
  return GroupedNumber(value, decimals);
}

DurationUnit ReadableDurationUnit(absl::Duration d) {
  const absl::Duration magnitude = absl::AbsDuration(d);
  if (magnitude < absl::Milliseconds(1)) {
    return {"µs", absl::Microseconds(1)};
  }
  if (magnitude < absl::Seconds(1)) return {"ms", absl::Milliseconds(1)};
  return {"s", absl::Seconds(1)};
}

std::string ReadableDuration(absl::Duration d) {
  const DurationUnit unit = ReadableDurationUnit(d);
  return absl::StrCat(ReadableNumber(absl::FDivDuration(d, unit.length)), " ",
                      unit.name);
}

}  // namespace scalebench
