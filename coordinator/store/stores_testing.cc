#include "coordinator/store/stores_testing.h"

#include <stdlib.h>

#include <filesystem>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "spec/spec_yaml.h"

namespace scalebench::coordinator {

v1::ExperimentSpec SpecFromYaml(absl::string_view yaml) {
  absl::StatusOr<v1::ExperimentSpec> spec = spec::ParseSpecYaml(yaml, "t");
  EXPECT_TRUE(spec.ok()) << spec.status();
  return spec.value_or(v1::ExperimentSpec());
}

v1::Schedule DailySchedule(const v1::ExperimentSpec& spec,
                           absl::string_view id) {
  v1::Schedule schedule;
  schedule.set_name(absl::StrCat("schedules/", id));
  *schedule.mutable_spec() = spec;
  schedule.set_cron("0 2 * * *");
  return schedule;
}

void StoreFileTest::SetUp() {
  std::string dir = ::testing::TempDir() + "/coordinator-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  dir_ = dir;
  path_ = dir_ + "/coordinator.db";
}

void StoreFileTest::TearDown() { std::filesystem::remove_all(dir_); }

void StoresTest::SetUp() {
  StoreFileTest::SetUp();
  if (HasFatalFailure()) return;
  store_ = Open();
  ASSERT_NE(store_, nullptr);
}

void StoresTest::TearDown() {
  store_.reset();
  StoreFileTest::TearDown();
}

std::unique_ptr<Stores> StoreFileTest::Open() {
  absl::StatusOr<std::unique_ptr<Stores>> store = Stores::Open(path_, &clock_);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

}  // namespace scalebench::coordinator
