// Early-return helpers for absl::Status and absl::StatusOr<T>.
//
//   RETURN_IF_ERROR(store.Commit(txn));
//   ASSIGN_OR_RETURN(Spec spec, ParseSpec(path));
//
// Both evaluate their argument exactly once and return its status from the
// enclosing function when it is not OK.
#ifndef SCALEBENCH_COMMON_STATUS_MACROS_H_
#define SCALEBENCH_COMMON_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SCALEBENCH_STATUS_CONCAT_INNER_(a, b) a##b
#define SCALEBENCH_STATUS_CONCAT_(a, b) SCALEBENCH_STATUS_CONCAT_INNER_(a, b)

// Returns the status of `expr` (an absl::Status) if it is not OK.
#define RETURN_IF_ERROR(expr)                                \
  do {                                                       \
    ::absl::Status scalebench_status_ = (expr);              \
    if (!scalebench_status_.ok()) return scalebench_status_; \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); returns its status if not OK,
// otherwise moves its value into `lhs`, which may be a declaration.
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  SCALEBENCH_ASSIGN_OR_RETURN_IMPL_( \
      SCALEBENCH_STATUS_CONCAT_(scalebench_statusor_, __LINE__), lhs, rexpr)

#define SCALEBENCH_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                      \
  if (!statusor.ok()) return std::move(statusor).status();      \
  lhs = std::move(statusor).value()

#endif  // SCALEBENCH_COMMON_STATUS_MACROS_H_
