// The database under the stores: migrations, WAL, the file lock and
// modes, transactions and crash safety; and the workers' store.
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <new>
#include <set>
#include <stdexcept>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "api/resource_names.h"
#include "common/fake_clock.h"
#include "coordinator/store/schema.h"
#include "coordinator/store/sqlite.h"
#include "coordinator/store/store_file.h"
#include "coordinator/store/store_test_fixture.h"
#include "coordinator/store/stores.h"
#include "coordinator/store/stores_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spec/spec_yaml.h"

namespace scalebench::coordinator::store_test {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;

TEST_F(StoreTest, MigratesAFreshFileAndReopensIt) {
  {
    std::unique_ptr<Stores> store = OpenStore();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->database().schema_version(), kSchemaVersion);
  }
  std::unique_ptr<Stores> again = OpenStore();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->database().schema_version(), kSchemaVersion);
  std::unique_ptr<Database> raw = Raw();
  EXPECT_EQ(Count(*raw,
                  "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
                  "AND name IN ('experiments', 'configurations', 'trials', "
                  "'attempts', 'worker_results', 'trial_results', 'events', "
                  "'workers', 'fits')"),
            9);
}

// A file written by a version-1 coordinator, with an experiment in it,
// gains the fits table and keeps its experiment.
TEST_F(StoreTest, MigratesAVersionOneFile) {
  {
    std::unique_ptr<Database> raw = Raw();
    ASSERT_TRUE(raw->Exec(Migrations()[0]).ok());
    ASSERT_TRUE(raw->Exec("INSERT INTO experiments (id, name, spec, "
                          "spec_source, state, seed, create_time) VALUES "
                          "('exp-000001', 'old', x'', '', 1, 7, 0)")
                    .ok());
    ASSERT_TRUE(raw->Exec("PRAGMA user_version = 1").ok());
  }
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->database().schema_version(), kSchemaVersion);
  absl::StatusOr<v1::Experiment> old = store->experiments().GetExperiment(
      "exp-000001", v1::EXPERIMENT_VIEW_BASIC);
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->schedule(), "");  // Submitted by hand, before schedules.
  EXPECT_EQ(Count(*Raw(),
                  "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
                  "AND name = 'fits'"),
            1);
  absl::StatusOr<std::vector<v1::ModelFit>> fits =
      store->fits().ListFits("exp-000001");
  ASSERT_TRUE(fits.ok()) << fits.status();
  EXPECT_THAT(*fits, SizeIs(0));
}

TEST_F(StoreTest, RefusesASchemaNewerThanItKnows) {
  { ASSERT_NE(OpenStore(), nullptr); }
  ASSERT_TRUE(
      Raw()
          ->Exec(absl::StrCat("PRAGMA user_version = ", kSchemaVersion + 1))
          .ok());
  absl::StatusOr<std::unique_ptr<Stores>> store = Stores::Open(path_, &clock_);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition)
      << store.status();
}

TEST_F(StoreTest, WalModeIsOn) {
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_NE(store, nullptr);
  std::unique_ptr<Database> raw = Raw();
  absl::StatusOr<Statement> stmt = raw->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(stmt.ok());
  ASSERT_TRUE(*stmt->Step());
  EXPECT_EQ(stmt->ColumnText(0), "wal");
}

TEST_F(StoreTest, ASecondStoreOnTheSameFileIsRefusedWhileTheFirstIsOpen) {
  std::unique_ptr<Stores> first = OpenStore();
  ASSERT_NE(first, nullptr);
  absl::StatusOr<std::unique_ptr<Stores>> second = Stores::Open(path_, &clock_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(second.status().message()),
              ::testing::HasSubstr(absl::StrCat("another coordinator (pid ",
                                                getpid(), ") holds ", path_)));
  first.reset();
  EXPECT_NE(OpenStore(), nullptr);
}

// The store holds spec headers and webhook URLs: only its owner may read
// it, its write-ahead log and shared memory, whatever the umask.
TEST_F(StoreTest, TheStoreFilesAreReadableByTheirOwnerOnly) {
  const mode_t previous = umask(022);
  std::unique_ptr<Stores> store = OpenStore();
  umask(previous);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(
      store->experiments().CreateExperiment(TestSpec(), "", "", 7).ok());
  for (const std::string& path :
       {path_, path_ + "-wal", path_ + "-shm", path_ + ".lock"}) {
    struct stat info;
    ASSERT_EQ(stat(path.c_str(), &info), 0) << path;
    EXPECT_EQ(info.st_mode & 0777, 0600u) << path;
  }
}

// A file a previous version made world-readable is made private on open.
TEST_F(StoreTest, OpeningAWorldReadableStoreMakesItPrivate) {
  { ASSERT_NE(OpenStore(), nullptr); }
  ASSERT_EQ(chmod(path_.c_str(), 0644), 0);
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_NE(store, nullptr);
  struct stat info;
  ASSERT_EQ(stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

// The coordinator makes the store's folders readable by its user only;
// folders that exist are the user's business and are left as they are.
TEST_F(StoreTest, MissingFoldersAreCreatedReadableByTheirOwnerOnly) {
  const mode_t previous = umask(022);
  ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);
  const std::string nested = dir_ + "/data/coordinator";
  absl::Status created = CreatePrivateDirectories(nested);
  umask(previous);
  ASSERT_TRUE(created.ok()) << created;
  for (const std::string& folder : {dir_ + "/data", nested}) {
    struct stat info;
    ASSERT_EQ(stat(folder.c_str(), &info), 0) << folder;
    EXPECT_EQ(info.st_mode & 0777, 0700u) << folder;
  }
  struct stat existing;
  ASSERT_EQ(stat(dir_.c_str(), &existing), 0);
  EXPECT_EQ(existing.st_mode & 0777, 0755u);
  EXPECT_TRUE(CreatePrivateDirectories(nested).ok());  // Idempotent.
}

// A store error says which file it is about.
TEST_F(StoreTest, ErrorsFromSqliteNameTheFile) {
  {
    std::ofstream garbage(path_);
    garbage << std::string(4096, 'x');
  }
  absl::StatusOr<std::unique_ptr<Stores>> store = Stores::Open(path_, &clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(std::string(store.status().message()),
              ::testing::HasSubstr(path_));
}

TEST_F(StoreTest, AFailedTransactionLeavesNothing) {
  {
    std::unique_ptr<Stores> store = OpenStore();
    ASSERT_NE(store, nullptr);
  }
  // Fail the insert of trial 5, after the experiment, its configurations
  // and trials 0-4 were written in the same transaction.
  ASSERT_TRUE(Raw()
                  ->Exec("CREATE TRIGGER fail_trial BEFORE INSERT ON trials "
                         "WHEN NEW.number = 5 BEGIN SELECT RAISE(ABORT, "
                         "'injected'); END")
                  .ok());
  std::unique_ptr<Stores> store = OpenStore();
  absl::StatusOr<v1::Experiment> failed =
      store->experiments().CreateExperiment(TestSpec(), "", "req-1", 7);
  EXPECT_FALSE(failed.ok());
  EXPECT_THAT(std::string(failed.status().message()),
              ::testing::HasSubstr("injected"));

  std::unique_ptr<Database> raw = Raw();
  for (const char* table :
       {"experiments", "configurations", "trials", "events"}) {
    EXPECT_EQ(Count(*raw, absl::StrCat("SELECT COUNT(*) FROM ", table)), 0)
        << table;
  }
  ASSERT_TRUE(raw->Exec("DROP TRIGGER fail_trial").ok());
  absl::StatusOr<v1::Experiment> created =
      store->experiments().CreateExperiment(TestSpec(), "", "req-1", 7);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->name(), "experiments/exp-000001");
}

// Issue 25: plan.reserve threw std::bad_alloc inside CreateExperiment's
// transaction, which was never rolled back, so every later call failed
// with "cannot start a transaction within a transaction".
TEST_F(StoreTest, AnExceptionInATransactionRollsItBackAndIsAStatus) {
  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_NE(store, nullptr);
  const absl::Status thrown =
      store->database().TEST_InTransaction([](Database& db) {
        EXPECT_TRUE(db.Exec("CREATE TABLE scratch (x)").ok());
        throw std::bad_alloc();
        return absl::OkStatus();
      });
  EXPECT_EQ(thrown.code(), absl::StatusCode::kResourceExhausted) << thrown;

  // Rolled back: the table is not there, and a new transaction starts.
  const absl::Status again = store->database().TEST_InTransaction(
      [](Database& db) { return db.Exec("CREATE TABLE scratch (x)"); });
  EXPECT_TRUE(again.ok()) << again;
  absl::StatusOr<v1::Experiment> created =
      store->experiments().CreateExperiment(TestSpec(), "", "", 7);
  EXPECT_TRUE(created.ok()) << created.status();

  const absl::Status other = store->database().TEST_InTransaction(
      [](Database&) -> absl::Status { throw std::runtime_error("boom"); });
  EXPECT_EQ(other.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(other.message()), ::testing::HasSubstr("boom"));
  EXPECT_TRUE(
      store->experiments().CreateExperiment(TestSpec(), "", "", 8).ok());
}

TEST_F(StoreTest, EverythingCommittedSurvivesAProcessThatDiesWithoutClosing) {
  { ASSERT_NE(OpenStore(), nullptr); }
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // No destructors, no close: the WAL is left as a crash leaves it.
    FakeClock clock;
    absl::StatusOr<std::unique_ptr<Stores>> store = Stores::Open(path_, &clock);
    if (!store.ok()) _exit(2);
    Stores* leaked = store->release();
    if (!leaked->experiments().CreateExperiment(TestSpec(), "", "", 7).ok())
      _exit(3);
    if (!leaked->trials()
             .StartAttempt(api::TrialName("exp-000001", 0), {})
             .ok()) {
      _exit(4);
    }
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  ASSERT_TRUE(std::filesystem::exists(path_ + "-wal"));

  std::unique_ptr<Stores> store = OpenStore();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<v1::Experiment> experiment =
      store->experiments().GetExperiment("exp-000001",
                                         v1::EXPERIMENT_VIEW_FULL);
  ASSERT_TRUE(experiment.ok()) << experiment.status();
  EXPECT_EQ(experiment->state(), v1::EXPERIMENT_STATE_RUNNING);
  EXPECT_EQ(experiment->progress().trials_running(), 1u);
  absl::StatusOr<std::vector<v1::ExperimentEvent>> events =
      store->experiments().Events("exp-000001", 0);
  ASSERT_TRUE(events.ok());
  EXPECT_THAT(*events, SizeIs(2));
}

TEST_F(StoreTest, UpsertsWorkersAndKeepsBusyOnes) {
  std::unique_ptr<Stores> store = OpenStore();
  v1::HostFacts facts;
  facts.add_cpus(0);
  ASSERT_TRUE(
      store->workers().UpsertWorker("host-b", "s1", facts, clock_.Wall()).ok());
  ASSERT_TRUE(
      store->workers().UpsertWorker("host-a", "s1", facts, clock_.Wall()).ok());
  ASSERT_TRUE(
      store->workers().SetWorkerStatus("host-a", v1::WORKER_STATUS_BUSY).ok());
  facts.add_cpus(1);
  ASSERT_TRUE(
      store->workers()
          .UpsertWorker("host-a", "s2", facts, clock_.Wall() + absl::Seconds(3))
          .ok());
  absl::StatusOr<std::vector<v1::Worker>> workers =
      store->workers().ListWorkers();
  ASSERT_TRUE(workers.ok());
  ASSERT_THAT(*workers, SizeIs(2));
  EXPECT_EQ((*workers)[0].name(), "workers/host-a");
  EXPECT_EQ((*workers)[0].status(), v1::WORKER_STATUS_BUSY);
  EXPECT_THAT((*workers)[0].facts().cpus(), SizeIs(2));
  EXPECT_EQ((*workers)[0].last_seen_time().seconds(), 1'800'000'003);
  EXPECT_EQ((*workers)[1].status(), v1::WORKER_STATUS_IDLE);
  EXPECT_EQ(
      store->workers().UpsertWorker("bad/id", "s", facts, clock_.Wall()).code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      store->workers().SetWorkerStatus("nobody", v1::WORKER_STATUS_LOST).code(),
      absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace scalebench::coordinator::store_test
