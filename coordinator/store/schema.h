// The store's schema as an ordered list of migrations: migration i (from 0)
// takes a file from schema version i to i + 1. Append new steps; never edit
// a released one. Stateless; thread-safe.
#ifndef SCALEBENCH_COORDINATOR_STORE_SCHEMA_H_
#define SCALEBENCH_COORDINATOR_STORE_SCHEMA_H_

#include "absl/types/span.h"

namespace scalebench::coordinator {

// The SQL of every migration, in order. Each runs in one transaction with
// the bump of PRAGMA user_version.
absl::Span<const char* const> Migrations();

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_STORE_SCHEMA_H_
