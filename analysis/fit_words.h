// One sentence per fit for people: what one more x adds (a line), or where
// y peaks and whether it falls back (a curve). `scalebench fit` prints it
// above the tables, and the report beside each fit; the cross-host test
// has its own verdict (cross_host.h). Pure functions; thread-safe.
#ifndef SCALEBENCH_ANALYSIS_FIT_WORDS_H_
#define SCALEBENCH_ANALYSIS_FIT_WORDS_H_

#include <string>

#include "analysis/model.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::analysis {

// The sentence for `fit`, a fit of `model` without an error, x and y named
// as in its spec:
//   line:  "each vcpus adds 6,560 requests_per_s (95% interval 5,900 to
//          7,200)", or that the interval includes zero or lies below it;
//   curve: "requests_per_s peaks at 48,062 at instances = 4, and falls
//          back to its value at x = 1 at instances = 11", or "rises over
//          the whole range measured (no peak)".
// Empty when `fit` has an error.
std::string FitInWords(const Model& model, const v1::ModelFit& fit);

}  // namespace scalebench::analysis

#endif  // SCALEBENCH_ANALYSIS_FIT_WORDS_H_
