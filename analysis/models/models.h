// The models scalebench ships, one file each in this folder; the registry
// (analysis/model_registry.cc) lists them. Each returns a singleton that
// lives for the whole program. Thread-safe.
#ifndef SCALEBENCH_ANALYSIS_MODELS_MODELS_H_
#define SCALEBENCH_ANALYSIS_MODELS_MODELS_H_

#include "analysis/model.h"

namespace scalebench::analysis::models {

// Degrees accepted for MODEL_KIND_POLY; degree 1 is MODEL_KIND_LINEAR.
inline constexpr int kMinPolyDegree = 2;
inline constexpr int kMaxPolyDegree = 10;

// polynomial.cc: y = b0 + b1 x + ... + bD x^D by ordinary least squares.
const Model& Polynomial();  // MODEL_KIND_POLY, degree 2 to 10
const Model& Linear();      // MODEL_KIND_LINEAR, degree 1

// usl.cc: Gunther's Universal Scalability Law and Amdahl's law.
const Model& Usl();     // MODEL_KIND_USL
const Model& Amdahl();  // MODEL_KIND_AMDAHL

}  // namespace scalebench::analysis::models

#endif  // SCALEBENCH_ANALYSIS_MODELS_MODELS_H_
