// The webhook notifier on a FakeClock over a real store, through a fake
// poster: 2xx marks an entry sent, anything else backs it off doubling up
// to the cap, and a restarted notifier sends what was left, never what was
// sent.
#include "coordinator/nightly/webhook_notifier.h"

#include <stdlib.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "api/resource_names.h"
#include "common/fake_clock.h"
#include "common/free_ports.h"
#include "coordinator/nightly/webhook_url.h"
#include "coordinator/store/stores_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spec/spec_yaml.h"

namespace scalebench::coordinator {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Answers each POST with the next scripted status (UNAVAILABLE for -1),
// 200 once the script runs out, and records what it was sent.
class ScriptedPoster final : public WebhookPoster {
 public:
  struct Sent {
    std::string url, json, key;
  };
  explicit ScriptedPoster(std::vector<int> answers)
      : answers_(std::move(answers)) {}
  absl::StatusOr<int> Post(const std::string& url, const std::string& json,
                           const std::string& key) override {
    sent_.push_back({url, json, key});
    const int answer = next_ < answers_.size() ? answers_[next_++] : 200;
    if (answer < 0) return absl::UnavailableError("connection refused");
    return answer;
  }
  std::vector<std::string> keys() const {
    std::vector<std::string> keys;
    for (const Sent& s : sent_) keys.push_back(s.key);
    return keys;
  }
  const std::vector<Sent>& sent() const { return sent_; }

 private:
  std::vector<int> answers_;
  size_t next_ = 0;
  std::vector<Sent> sent_;
};

TEST(BackoffTest, DoublesFromTheInitialWaitUpToTheCap) {
  WebhookNotifierOptions options;
  options.initial_backoff = absl::Seconds(1);
  options.max_backoff = absl::Seconds(10);
  EXPECT_EQ(Backoff(1, options), absl::Seconds(1));
  EXPECT_EQ(Backoff(2, options), absl::Seconds(2));
  EXPECT_EQ(Backoff(4, options), absl::Seconds(8));
  EXPECT_EQ(Backoff(5, options), absl::Seconds(10));
  EXPECT_EQ(Backoff(1000, options), absl::Seconds(10));
}

class WebhookNotifierTest : public StoresTest {
 protected:
  void SetUp() override {
    StoresTest::SetUp();
    if (HasFatalFailure()) return;
    Queue({{"a", "http://h/1", R"({"text":"a"})"},
           {"b", "http://h/2", R"({"text":"b"})"}});
  }
  void TearDown() override { StoresTest::TearDown(); }

  // Queues `notifications` as a failed scheduled run's judgement would,
  // of a schedule named `schedule_id`.
  void Queue(const std::vector<NewNotification>& notifications,
             const std::string& schedule_id = "s") {
    absl::StatusOr<v1::ExperimentSpec> spec = spec::ParseSpecYaml(
        "name: n\nloadgen:\n  duration: 1s\nsweep:\n  instances: [1]\n", "t");
    ASSERT_TRUE(spec.ok()) << spec.status();
    v1::Schedule schedule;
    schedule.set_name(api::ScheduleName(schedule_id));
    *schedule.mutable_spec() = *spec;
    schedule.set_cron("@daily");
    ASSERT_TRUE(store_->schedules().CreateSchedule(schedule).ok());
    absl::StatusOr<v1::ScheduleRun> run = store_->schedules().FireSchedule(
        schedule_id, {clock_.Wall() + absl::Hours(1)});
    ASSERT_TRUE(run.ok()) << run.status();
    const std::string id =
        api::ParseExperimentName(run->experiment()).value_or("");
    ASSERT_TRUE(store_->experiments()
                    .SetExperimentState(id, v1::EXPERIMENT_STATE_CANCELLED, "")
                    .ok());
    absl::StatusOr<std::vector<UnjudgedRun>> runs =
        store_->schedules().ListUnjudgedRuns();
    ASSERT_TRUE(runs.ok() && runs->size() == 1);
    ASSERT_TRUE(
        store_->schedules()
            .JudgeRun(schedule_id, (*runs)[0].seq, "failed", "", notifications)
            .ok());
  }

  WebhookNotifierOptions Options() {
    WebhookNotifierOptions options;
    options.initial_backoff = absl::Seconds(1);
    options.max_backoff = absl::Seconds(4);
    return options;
  }
};

TEST_F(WebhookNotifierTest, SendsEachEntryOnceWithItsKey) {
  ScriptedPoster poster({});
  WebhookNotifier notifier(store_.get(), &clock_, &poster, Options());
  EXPECT_EQ(notifier.RunOnce(), 2);
  EXPECT_EQ(notifier.RunOnce(), 0);
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(notifier.RunOnce(), 0);
  EXPECT_THAT(poster.keys(), ElementsAre("a", "b"));
  EXPECT_EQ(poster.sent()[1].url, "http://h/2");
  EXPECT_EQ(poster.sent()[1].json, R"({"text":"b"})");
}

TEST_F(WebhookNotifierTest, RetriesWithDoublingBackoffUntilA2xx) {
  // a: refused, 500, 404, then 204; b: 200 at once.
  ScriptedPoster poster({-1, 200, 500, 404, 204});
  WebhookNotifier notifier(store_.get(), &clock_, &poster, Options());
  EXPECT_EQ(notifier.RunOnce(), 1);  // a refused (retry in 1 s), b sent.
  clock_.Advance(absl::Milliseconds(999));
  EXPECT_EQ(notifier.RunOnce(), 0);  // Not yet due.
  clock_.Advance(absl::Milliseconds(1));
  EXPECT_EQ(notifier.RunOnce(), 0);  // 500: retry in 2 s.
  clock_.Advance(absl::Seconds(2));
  EXPECT_EQ(notifier.RunOnce(), 0);  // 404: retry in 4 s.
  clock_.Advance(absl::Seconds(3));
  EXPECT_EQ(notifier.RunOnce(), 0);  // Not yet due.
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(notifier.RunOnce(), 1);  // 204.
  EXPECT_THAT(poster.keys(), ElementsAre("a", "b", "a", "a", "a"));
  absl::StatusOr<int64_t> left =
      store_->outbox().CountUndeliveredNotifications();
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(*left, 0);
}

// What one notifier could not deliver, the next one (after a restart)
// delivers; what was delivered is never sent again.
TEST_F(WebhookNotifierTest, ARestartedNotifierSendsOnlyWhatWasLeft) {
  {
    ScriptedPoster refused({200, -1});
    WebhookNotifier first(store_.get(), &clock_, &refused, Options());
    EXPECT_EQ(first.RunOnce(), 1);
  }
  clock_.Advance(absl::Seconds(1));
  ScriptedPoster poster({});
  WebhookNotifier second(store_.get(), &clock_, &poster, Options());
  EXPECT_EQ(second.RunOnce(), 1);
  EXPECT_THAT(poster.keys(), ElementsAre("b"));
}

// A webhook URL is a bearer secret: a failed delivery, answered with an
// error status or not at all, is logged with the URL's scheme and host and
// a hash, never its path or query.
TEST_F(WebhookNotifierTest, AFailedDeliveryLogsNoPathOrQueryOfTheUrl) {
  // Nothing listens there: the POST is refused.
  absl::StatusOr<std::vector<uint16_t>> ports = FreePorts("127.0.0.1", 1);
  ASSERT_TRUE(ports.ok()) << ports.status();
  const std::string refused =
      absl::StrCat("http://user:pw@127.0.0.1:", (*ports)[0],
                   "/hooks/T0SECRETPATH?token=SECRETQUERY");
  const std::string erroring =
      "https://chat.example/services/SECRETPATH2?sig=SECRETQUERY2";
  {
    ScriptedPoster sent({});
    WebhookNotifier drain(store_.get(), &clock_, &sent, Options());
    ASSERT_EQ(drain.RunOnce(), 2);
  }
  Queue({{"c", refused, "{}"}}, "t");

  std::stringstream log;
  std::streambuf* const original = std::cerr.rdbuf(log.rdbuf());
  CurlWebhookPoster curl(absl::Seconds(5));
  {
    WebhookNotifier notifier(store_.get(), &clock_, &curl, Options());
    notifier.RunOnce();  // c: refused.
  }
  Queue({{"d", erroring, "{}"}}, "u");
  clock_.Advance(absl::Hours(1));
  ScriptedPoster answered({500, 500});
  {
    WebhookNotifier notifier(store_.get(), &clock_, &answered, Options());
    notifier.RunOnce();  // c and d: HTTP 500.
  }
  std::cerr.rdbuf(original);

  const std::string text = log.str();
  EXPECT_THAT(text, HasSubstr("POST http://127.0.0.1:"));
  EXPECT_THAT(text, HasSubstr("POST https://chat.example (url #"));
  EXPECT_THAT(text, HasSubstr("HTTP 500"));
  for (const char* secret : {"SECRETPATH", "SECRETQUERY", "hooks", "token",
                             "services", "sig=", "user:pw"}) {
    EXPECT_THAT(text, Not(HasSubstr(secret))) << text;
  }
}

TEST(RedactedWebhookUrlTest, ShowsSchemeAndHostAndAStableHash) {
  const std::string a = RedactedWebhookUrl(
      "https://Hooks.Example.com:8443/services/T0/B0/XYZ?x=1#frag");
  EXPECT_THAT(a, StartsWith("https://Hooks.Example.com:8443 (url #"));
  EXPECT_THAT(a, Not(HasSubstr("services")));
  EXPECT_EQ(a,
            RedactedWebhookUrl(
                "https://Hooks.Example.com:8443/services/T0/B0/XYZ?x=1#frag"));
  EXPECT_NE(a,
            RedactedWebhookUrl(
                "https://Hooks.Example.com:8443/services/T0/B0/XYZ?x=2#frag"));
  EXPECT_EQ(RedactedWebhookUrl("http://u:secret@h/p"),
            RedactedWebhookUrl("http://u:secret@h/p"));
  EXPECT_THAT(RedactedWebhookUrl("http://u:secret@h/p"),
              StartsWith("http://h (url #"));
  EXPECT_THAT(RedactedWebhookUrl("chat.example/secret"),
              ::testing::MatchesRegex("\\(url #[0-9a-f]{8}\\)"));
}

}  // namespace
}  // namespace scalebench::coordinator
