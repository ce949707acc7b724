#include "coordinator/store/stores.h"

#include <utility>

#include "common/status_macros.h"

namespace scalebench::coordinator {

absl::StatusOr<std::unique_ptr<Stores>> Stores::Open(const std::string& path,
                                                     Clock* clock) {
  ASSIGN_OR_RETURN(std::unique_ptr<StoreDatabase> db,
                   StoreDatabase::Open(path, clock));
  return std::unique_ptr<Stores>(new Stores(std::move(db)));
}

Stores::Stores(std::unique_ptr<StoreDatabase> db)
    : db_(std::move(db)),
      experiments_(db_.get()),
      trials_(db_.get()),
      results_(db_.get()),
      fits_(db_.get()),
      workers_(db_.get()),
      schedules_(db_.get()),
      outbox_(db_.get()),
      metrics_(db_.get()) {}

}  // namespace scalebench::coordinator
