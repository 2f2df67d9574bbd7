// delivery_test.cpp — delivery (runtime/host/delivery): the backoff schedule, the circuit
// breaker and token bucket on their own; the stored operation read back as a request; and the
// dispatcher over a real store with fake connectors: delivery on notify, retries on schedule,
// dead letters and replay, per-key order, the circuit opening and closing, the rate limit, and
// a stop() that loses nothing.
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <future>
#include <map>
#include <random>
#include <set>

#include "runtime/host/delivery/backoff.h"
#include "runtime/host/delivery/circuit_breaker.h"
#include "runtime/host/delivery/delivery_request.h"
#include "runtime/host/delivery/dispatcher.h"
#include "runtime/host/delivery/token_bucket.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using suture::host::AcceptResult;
using suture::host::CircuitBreaker;
using suture::host::Connector;
using suture::host::DeliveryRequest;
using suture::host::DeliveryResult;
using suture::host::DeliveryState;
using suture::host::DispatchEndpoint;
using suture::host::Dispatcher;
using suture::host::DispatcherOptions;
using suture::host::Jitter;
using suture::host::NewDelivery;
using suture::host::NewMessage;
using suture::host::Outcome;
using suture::host::Store;
using suture::host::StoredDelivery;
using suture::host::TokenBucket;

// Polls `condition` until it holds or `timeout` passes; whether it held.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// --- backoff ---

TEST(Backoff, DoublesFromTheFirstDelayUpToTheCap) {
  EXPECT_EQ(suture::host::backoff_ceiling_ms(0, 100, 1000), 100u);
  EXPECT_EQ(suture::host::backoff_ceiling_ms(1, 100, 1000), 100u);
  EXPECT_EQ(suture::host::backoff_ceiling_ms(2, 100, 1000), 200u);
  EXPECT_EQ(suture::host::backoff_ceiling_ms(3, 100, 1000), 400u);
  EXPECT_EQ(suture::host::backoff_ceiling_ms(4, 100, 1000), 800u);
  EXPECT_EQ(suture::host::backoff_ceiling_ms(5, 100, 1000), 1000u);
  EXPECT_EQ(suture::host::backoff_ceiling_ms(40, 100, 1000), 1000u);
  EXPECT_EQ(suture::host::backoff_ceiling_ms(4000000000u, 4000000000u, 4000000000u), 4000000000u);
  EXPECT_EQ(suture::host::backoff_ceiling_ms(33, 0xFFFFFFFFu, 0xFFFFFFFFu), 0xFFFFFFFFu);
}

TEST(Backoff, FullJitterStaysUnderTheCeilingAndFollowsTheSeed) {
  std::mt19937_64 a(42), b(42), c(43);
  std::vector<std::uint64_t> from_a, from_b, from_c;
  for (std::uint32_t attempt = 1; attempt <= 12; ++attempt) {
    const std::uint64_t delay = suture::host::backoff_delay_ms(attempt, 100, 5000, Jitter::Full, a);
    EXPECT_LE(delay, suture::host::backoff_ceiling_ms(attempt, 100, 5000));
    from_a.push_back(delay);
    from_b.push_back(suture::host::backoff_delay_ms(attempt, 100, 5000, Jitter::Full, b));
    from_c.push_back(suture::host::backoff_delay_ms(attempt, 100, 5000, Jitter::Full, c));
  }
  EXPECT_EQ(from_a, from_b);
  EXPECT_NE(from_a, from_c);
  std::mt19937_64 unused(1);
  EXPECT_EQ(suture::host::backoff_delay_ms(3, 100, 5000, Jitter::None, unused), 400u);
}

// --- circuit breaker ---

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresThenTriesOnceAndCloses) {
  CircuitBreaker breaker(3, 1000ms);
  const auto t0 = CircuitBreaker::Clock::now();
  auto p = breaker.try_acquire(t0);
  ASSERT_TRUE(p.allowed);
  EXPECT_EQ(breaker.failed(p, t0), CircuitBreaker::Change::None);
  EXPECT_EQ(breaker.failed(breaker.try_acquire(t0), t0), CircuitBreaker::Change::None);
  EXPECT_EQ(breaker.succeeded(breaker.try_acquire(t0)), CircuitBreaker::Change::None);  // the run is broken
  EXPECT_EQ(breaker.failed(breaker.try_acquire(t0), t0), CircuitBreaker::Change::None);
  EXPECT_EQ(breaker.failed(breaker.try_acquire(t0), t0), CircuitBreaker::Change::None);
  auto late = breaker.try_acquire(t0);  // begun while closed, finishes after it opened
  EXPECT_EQ(breaker.failed(breaker.try_acquire(t0), t0), CircuitBreaker::Change::Opened);
  EXPECT_EQ(breaker.state(t0), CircuitBreaker::State::Open);

  auto refused = breaker.try_acquire(t0 + 999ms);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_at, t0 + 1000ms);
  EXPECT_EQ(breaker.succeeded(late), CircuitBreaker::Change::None);  // says nothing about now
  EXPECT_EQ(breaker.state(t0 + 999ms), CircuitBreaker::State::Open);

  auto trial = breaker.try_acquire(t0 + 1000ms);
  ASSERT_TRUE(trial.allowed);
  EXPECT_TRUE(trial.trial);
  EXPECT_FALSE(breaker.try_acquire(t0 + 1000ms).allowed);                       // one trial at a time
  EXPECT_EQ(breaker.failed(trial, t0 + 1000ms), CircuitBreaker::Change::None);  // open again
  EXPECT_FALSE(breaker.try_acquire(t0 + 1999ms).allowed);

  auto unused = breaker.try_acquire(t0 + 2000ms);
  ASSERT_TRUE(unused.trial);
  breaker.abandoned(unused);  // nothing to send: the next caller gets the trial
  auto second = breaker.try_acquire(t0 + 2000ms);
  ASSERT_TRUE(second.trial);
  EXPECT_EQ(breaker.succeeded(second), CircuitBreaker::Change::Closed);
  EXPECT_EQ(breaker.state(t0 + 2000ms), CircuitBreaker::State::Closed);
  auto after = breaker.try_acquire(t0 + 2000ms);
  EXPECT_TRUE(after.allowed);
  EXPECT_FALSE(after.trial);
}

TEST(CircuitBreaker, ThresholdZeroNeverOpens) {
  CircuitBreaker breaker(0, 1000ms);
  const auto t0 = CircuitBreaker::Clock::now();
  for (int i = 0; i < 100; ++i) EXPECT_EQ(breaker.failed(breaker.try_acquire(t0), t0), CircuitBreaker::Change::None);
  EXPECT_TRUE(breaker.try_acquire(t0).allowed);
}

// --- token bucket ---

TEST(TokenBucket, SpendsTheBurstThenSpacesCallersAtTheRate) {
  TokenBucket bucket(10, 2);
  const auto t0 = TokenBucket::Clock::now();
  EXPECT_EQ(bucket.take(t0), TokenBucket::Clock::duration::zero());
  EXPECT_EQ(bucket.take(t0), TokenBucket::Clock::duration::zero());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(bucket.take(t0)), 100ms);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(bucket.take(t0)), 200ms);  // owed, in line
  bucket.give_back();
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(bucket.take(t0)), 200ms);
  // A second later the debt is paid and the bucket is full again: the burst, no more.
  EXPECT_EQ(bucket.take(t0 + 1000ms), TokenBucket::Clock::duration::zero());
  EXPECT_EQ(bucket.take(t0 + 1000ms), TokenBucket::Clock::duration::zero());
  EXPECT_GT(bucket.take(t0 + 1000ms), TokenBucket::Clock::duration::zero());
  TokenBucket unlimited(0);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(unlimited.take(t0), TokenBucket::Clock::duration::zero());
}

// --- the stored operation as a request ---

TEST(DeliveryRequest, ReadsTheStoredOperation) {
  StoredDelivery d;
  d.id = 7;
  d.operation = R"({"family":"odoo","operation":"upsert","args":["res.partner"],"key_field":"ref"})";
  d.payload = R"({"name":"Ada"})";
  d.idempotency_key = "k";
  d.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  auto request = suture::host::request_for(d);
  ASSERT_TRUE(std::holds_alternative<DeliveryRequest>(request)) << std::get<std::string>(request);
  const auto& r = std::get<DeliveryRequest>(request);
  EXPECT_EQ(r.family, "odoo");
  EXPECT_EQ(r.operation, "upsert");
  EXPECT_EQ(r.args, std::vector<std::string>{"res.partner"});
  EXPECT_EQ(r.key_field, "ref");
  EXPECT_EQ(r.payload, d.payload);
  EXPECT_EQ(r.idempotency_key, "k");
  EXPECT_EQ(r.traceparent, d.traceparent);
  EXPECT_EQ(r.delivery_id, 7u);

  d.operation = R"({"family":"http","operation":"post"})";  // args and key_field are optional
  EXPECT_TRUE(std::holds_alternative<DeliveryRequest>(suture::host::request_for(d)));
  for (const char* bad :
       {"not json", "[]", R"({"operation":"post"})", R"({"family":1,"operation":"post"})",
        R"({"family":"http","operation":"post","args":"x"})", R"({"family":"http","operation":"post","args":[1]})"}) {
    d.operation = bad;
    auto failed = suture::host::request_for(d);
    ASSERT_TRUE(std::holds_alternative<std::string>(failed)) << bad;
    EXPECT_FALSE(std::get<std::string>(failed).empty());
  }
}

// --- the dispatcher ---

// A connector whose answer the test decides, recording every call.
class FakeConnector : public Connector {
 public:
  using Handler = std::function<DeliveryResult(const DeliveryRequest&, int call)>;

  explicit FakeConnector(Handler handler = nullptr) : handler_(std::move(handler)) {}

  DeliveryResult deliver(const DeliveryRequest& request) override {
    int call;
    {
      std::lock_guard lock(mutex_);
      call = static_cast<int>(requests_.size());
      requests_.push_back(request);
      call_times_.push_back(std::chrono::steady_clock::now());
    }
    DeliveryResult result = handler_ ? handler_(request, call) : DeliveryResult{Outcome::Delivered, "", "", "", 200, 1};
    calls_done_ += 1;
    return result;
  }
  std::string check(const DeliveryRequest& request) const override {
    return request.operation == "explode" ? "no such operation: explode" : "";
  }

  int calls() const { return calls_done_.load(); }
  int started() {
    std::lock_guard lock(mutex_);
    return static_cast<int>(requests_.size());
  }
  std::vector<DeliveryRequest> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::vector<std::chrono::steady_clock::time_point> call_times() {
    std::lock_guard lock(mutex_);
    return call_times_;
  }

 private:
  Handler handler_;
  std::mutex mutex_;
  std::vector<DeliveryRequest> requests_;
  std::vector<std::chrono::steady_clock::time_point> call_times_;
  std::atomic<int> calls_done_{0};
};

// Counts what the dispatcher reports.
class RecordingObserver : public suture::host::DeliveryObserver {
 public:
  void on_attempt(const std::string&, const std::string&) override { ++attempts; }
  void on_delivered(const std::string&, const std::string& route, std::int64_t latency_ms) override {
    EXPECT_EQ(route, "lab_results");
    EXPECT_GE(latency_ms, 0);
    ++delivered;
  }
  void on_retry(const std::string&, const std::string&, const std::string& code) override {
    ++retries;
    std::lock_guard lock(mutex);
    codes.push_back(code);
  }
  void on_dead(const std::string&, const std::string&, const std::string& code) override {
    ++dead;
    std::lock_guard lock(mutex);
    codes.push_back(code);
  }
  void on_dropped(const std::string&, const std::string&, const std::string&) override { ++dropped; }
  void on_breaker(const std::string&, bool open) override { ++(open ? breaker_opened : breaker_closed); }

  std::atomic<int> attempts{0}, delivered{0}, retries{0}, dead{0}, dropped{0}, breaker_opened{0}, breaker_closed{0};
  std::mutex mutex;
  std::vector<std::string> codes;
};

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device seed;
    dir_ = fs::temp_directory_path() / ("suture-delivery-test-" + std::to_string(seed()));
    fs::create_directories(dir_);
    reopen();
  }
  void TearDown() override {
    store_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  void reopen() {
    store_.reset();
    suture::host::StoreOptions options;
    options.commit_interval_us = 100;
    auto opened = suture::host::open_sqlite_store((dir_ / "host.db").string(), options);
    ASSERT_TRUE(std::holds_alternative<std::unique_ptr<Store>>(opened)) << std::get<std::string>(opened);
    store_ = std::move(std::get<std::unique_ptr<Store>>(opened));
  }

  static NewDelivery to_odoo(const std::string& key, std::uint32_t max_attempts = 3,
                             const std::string& order_key = "") {
    NewDelivery d;
    d.endpoint = "odoo";
    d.operation = R"({"family":"odoo","operation":"upsert","args":["res.partner"],"key_field":"ref"})";
    d.payload = "{\"ref\":\"" + key + "\"}";
    d.idempotency_key = key;
    d.order_key = order_key;
    d.max_attempts = max_attempts;
    d.backoff_first_ms = 100;
    d.backoff_max_ms = 1000;
    return d;
  }

  // Stores one message with one delivery and tells the dispatcher, as the host does.
  std::int64_t accept(NewDelivery delivery, Dispatcher* dispatcher = nullptr, std::int64_t received_at_ms = 0) {
    NewMessage m;
    m.route = "lab_results";
    m.body = "{}";
    m.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    m.received_at_ms = received_at_ms;
    m.deliveries.push_back(std::move(delivery));
    std::promise<AcceptResult> stored;
    store_->accept(std::move(m), [&](const AcceptResult& r) {
      if (dispatcher) dispatcher->notify("odoo");
      stored.set_value(r);
    });
    AcceptResult r = stored.get_future().get();
    EXPECT_TRUE(r.ok) << r.error;
    return r.message_id;
  }

  static suture::host::EndpointConfig odoo_config(std::uint32_t concurrency = 1) {
    suture::host::EndpointConfig config;
    config.name = "odoo";
    config.concurrency = concurrency;
    config.breaker_failures = 0;
    return config;
  }

  std::vector<StoredDelivery> all_deliveries() {
    std::vector<StoredDelivery> rows;
    for (std::int64_t id = 1;; ++id) {
      auto row = store_->delivery(id);
      if (!row) return rows;
      rows.push_back(*row);
    }
  }

  int count_in(DeliveryState state) {
    int n = 0;
    for (const auto& row : all_deliveries()) n += row.state == state;
    return n;
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
  RecordingObserver observer_;
};

TEST_F(DispatcherTest, NotifyDeliversWithoutWaitingForAPoll) {
  FakeConnector connector;
  DispatcherOptions options;
  options.idle_wait = 30s;  // a poll would never come in time: only notify() can explain a delivery
  Dispatcher dispatcher(*store_, {{"odoo", {odoo_config(2), &connector}}}, observer_, options);
  dispatcher.start();
  std::this_thread::sleep_for(20ms);  // the workers are asleep by now
  const auto before = std::chrono::steady_clock::now();
  accept(to_odoo("a"), &dispatcher);
  ASSERT_TRUE(eventually([&] { return observer_.delivered.load() == 1; }, 2s));
  EXPECT_LT(std::chrono::steady_clock::now() - before, 1s);
  dispatcher.stop();

  auto requests = connector.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].family, "odoo");
  EXPECT_EQ(requests[0].operation, "upsert");
  EXPECT_EQ(requests[0].args, std::vector<std::string>{"res.partner"});
  EXPECT_EQ(requests[0].key_field, "ref");
  EXPECT_EQ(requests[0].payload, "{\"ref\":\"a\"}");
  EXPECT_EQ(requests[0].idempotency_key, "a");
  EXPECT_EQ(requests[0].traceparent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  EXPECT_EQ(count_in(DeliveryState::Delivered), 1);
  EXPECT_EQ(observer_.attempts.load(), 1);
}

TEST_F(DispatcherTest, DeliversWhatWasStoredBeforeItStarted) {
  for (int i = 0; i < 30; ++i) accept(to_odoo("k" + std::to_string(i)));
  FakeConnector connector;
  Dispatcher dispatcher(*store_, {{"odoo", {odoo_config(4), &connector}}}, observer_);
  dispatcher.start();
  ASSERT_TRUE(eventually([&] { return observer_.delivered.load() == 30; }));
  dispatcher.stop();
  EXPECT_EQ(connector.calls(), 30);
  EXPECT_EQ(count_in(DeliveryState::Delivered), 30);
}

TEST_F(DispatcherTest, TransientFailuresRetryOnTheBackoffScheduleThenDeadLetterAndReplay) {
  std::atomic<bool> endpoint_up{false};
  FakeConnector connector([&](const DeliveryRequest&, int) {
    if (endpoint_up) return DeliveryResult{Outcome::Delivered, "", "", "", 200, 1};
    return DeliveryResult{Outcome::Transient, "HTTP_503", "Service Unavailable", "", 503, 1};
  });
  std::atomic<std::int64_t> clock{1'000'000};
  DispatcherOptions options;
  options.jitter = Jitter::None;
  options.idle_wait = 20ms;
  options.now_ms = [&] { return clock.load(); };
  Dispatcher dispatcher(*store_, {{"odoo", {odoo_config(), &connector}}}, observer_, options);
  accept(to_odoo("a", 3), nullptr, clock.load());
  dispatcher.start();

  // Attempt 1 fails: due again first_ms (100) later.
  ASSERT_TRUE(eventually([&] { return observer_.retries.load() == 1; }));
  auto row = store_->delivery(1);
  EXPECT_EQ(row->state, DeliveryState::Pending);
  EXPECT_EQ(row->attempts, 1u);
  EXPECT_EQ(row->next_attempt_at_ms, 1'000'100);
  EXPECT_EQ(row->last_code, "HTTP_503");
  std::this_thread::sleep_for(60ms);  // the clock has not moved: nothing is due
  EXPECT_EQ(connector.calls(), 1);

  // Attempt 2 fails: 200 later.
  clock = 1'000'100;
  dispatcher.notify("odoo");
  ASSERT_TRUE(eventually([&] { return observer_.retries.load() == 2; }));
  EXPECT_EQ(store_->delivery(1)->next_attempt_at_ms, 1'000'300);

  // Attempt 3 is the last: a dead letter.
  clock = 1'000'300;
  dispatcher.notify("odoo");
  ASSERT_TRUE(eventually([&] { return observer_.dead.load() == 1; }));
  EXPECT_EQ(connector.calls(), 3);
  auto dead = store_->dead_letters(10, 0);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].attempts, 3u);
  EXPECT_EQ(dead[0].last_code, "HTTP_503");

  // Replayed once the endpoint is back: delivered on its first new attempt.
  endpoint_up = true;
  ASSERT_TRUE(store_->replay(dead[0].id));
  clock = 10'000'000'000'000;  // past the replay's wall-clock due time
  dispatcher.notify("odoo");
  ASSERT_TRUE(eventually([&] { return observer_.delivered.load() == 1; }));
  dispatcher.stop();
  EXPECT_EQ(store_->delivery(1)->state, DeliveryState::Delivered);
  EXPECT_EQ(store_->delivery(1)->attempts, 1u);
  EXPECT_TRUE(store_->dead_letters(10, 0).empty());
}

TEST_F(DispatcherTest, PermanentFailureGivesUpAtOnce) {
  FakeConnector connector([&](const DeliveryRequest&, int) {
    return DeliveryResult{Outcome::Permanent, "ODOO_VALIDATION", "Invalid VAT", "", 200, 1};
  });
  Dispatcher dispatcher(*store_, {{"odoo", {odoo_config(), &connector}}}, observer_);
  dispatcher.start();
  accept(to_odoo("kept", 5), &dispatcher);
  NewDelivery not_kept = to_odoo("not-kept", 5);
  not_kept.dead_letter = false;
  accept(not_kept, &dispatcher);
  ASSERT_TRUE(eventually([&] { return observer_.dead.load() == 1 && observer_.dropped.load() == 1; }));
  dispatcher.stop();
  EXPECT_EQ(connector.calls(), 2);
  EXPECT_EQ(store_->delivery(1)->state, DeliveryState::Dead);
  EXPECT_EQ(store_->delivery(1)->attempts, 1u);
  EXPECT_EQ(store_->delivery(1)->last_code, "ODOO_VALIDATION");
  EXPECT_EQ(store_->delivery(2)->state, DeliveryState::Dropped);
  EXPECT_EQ(observer_.retries.load(), 0);
}

TEST_F(DispatcherTest, UnusableOperationIsADeadLetterWithoutACall) {
  FakeConnector connector;
  Dispatcher dispatcher(*store_, {{"odoo", {odoo_config(), &connector}}}, observer_);
  dispatcher.start();
  NewDelivery garbled = to_odoo("garbled");
  garbled.operation = "{not json";
  accept(garbled, &dispatcher);
  NewDelivery unknown = to_odoo("unknown");
  unknown.operation = R"({"family":"odoo","operation":"explode","args":[]})";
  accept(unknown, &dispatcher);
  ASSERT_TRUE(eventually([&] { return observer_.dead.load() == 2; }));
  dispatcher.stop();
  EXPECT_EQ(connector.calls(), 0);
  EXPECT_EQ(store_->delivery(1)->last_code, suture::host::kBadOperationCode);
  EXPECT_EQ(store_->delivery(2)->last_code, suture::host::kUnsupportedOperationCode);
}

TEST_F(DispatcherTest, OrderKeyDeliversOneAtATimeInOrder) {
  std::mutex mutex;
  std::map<std::string, int> in_flight;
  int most_at_once = 0;
  std::vector<std::string> order;
  FakeConnector connector([&](const DeliveryRequest& r, int) {
    const std::string patient = r.payload.substr(8, 2);  // {"ref":"p1-3"} → p1
    {
      std::lock_guard lock(mutex);
      most_at_once = std::max(most_at_once, ++in_flight[patient]);
      order.push_back(r.idempotency_key);
    }
    std::this_thread::sleep_for(2ms);
    std::lock_guard lock(mutex);
    --in_flight[patient];
    return DeliveryResult{Outcome::Delivered, "", "", "", 200, 2};
  });
  for (int i = 0; i < 10; ++i) {
    accept(to_odoo("p1-" + std::to_string(i), 3, "p1"));
    accept(to_odoo("p2-" + std::to_string(i), 3, "p2"));
  }
  Dispatcher dispatcher(*store_, {{"odoo", {odoo_config(4), &connector}}}, observer_);
  dispatcher.start();
  ASSERT_TRUE(eventually([&] { return observer_.delivered.load() == 20; }));
  dispatcher.stop();
  EXPECT_EQ(most_at_once, 1);
  std::vector<std::string> p1;
  for (const auto& key : order) {
    if (key.rfind("p1-", 0) == 0) p1.push_back(key);
  }
  ASSERT_EQ(p1.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(p1[static_cast<std::size_t>(i)], "p1-" + std::to_string(i));
}

TEST_F(DispatcherTest, CircuitOpensAfterFailuresAndClosesAfterASuccessfulTrial) {
  std::atomic<bool> endpoint_up{false};
  FakeConnector connector([&](const DeliveryRequest&, int) {
    if (endpoint_up) return DeliveryResult{Outcome::Delivered, "", "", "", 200, 1};
    return DeliveryResult{Outcome::Transient, "CONNECT", "connection refused", "", 0, 1};
  });
  auto config = odoo_config();
  config.breaker_failures = 2;
  config.breaker_cooldown_ms = 150;
  DispatcherOptions options;
  options.jitter = Jitter::None;
  Dispatcher dispatcher(*store_, {{"odoo", {config, &connector}}}, observer_, options);
  NewDelivery d = to_odoo("a", 10);
  d.backoff_first_ms = 1;
  d.backoff_max_ms = 1;
  accept(d);
  dispatcher.start();

  ASSERT_TRUE(eventually([&] { return observer_.breaker_opened.load() == 1; }));
  EXPECT_TRUE(dispatcher.circuit_open("odoo"));
  EXPECT_EQ(connector.calls(), 2);
  std::this_thread::sleep_for(60ms);  // well inside the cooldown: no attempts, however due
  EXPECT_EQ(connector.calls(), 2);
  EXPECT_EQ(store_->delivery(1)->attempts, 2u);  // waiting out the circuit costs no attempt

  // The first trial fails (the circuit stays open); the endpoint is back for the next one.
  ASSERT_TRUE(eventually([&] { return connector.calls() == 3; }));
  endpoint_up = true;
  ASSERT_TRUE(eventually([&] { return observer_.delivered.load() == 1; }));
  dispatcher.stop();
  EXPECT_EQ(observer_.breaker_closed.load(), 1);
  EXPECT_EQ(observer_.breaker_opened.load(), 1);
  EXPECT_FALSE(dispatcher.circuit_open("odoo"));
  auto times = connector.call_times();
  ASSERT_EQ(times.size(), 4u);
  EXPECT_GE(times[2] - times[1], 150ms);  // the cooldown
  EXPECT_GE(times[3] - times[2], 150ms);  // and again after the failed trial
  EXPECT_EQ(store_->delivery(1)->attempts, 4u);
}

TEST_F(DispatcherTest, OpenCircuitHaltsAttemptsAndEveryCountedAttemptWasMade) {
  FakeConnector connector([&](const DeliveryRequest&, int) {
    std::this_thread::sleep_for(3ms);
    return DeliveryResult{Outcome::Transient, "TIMEOUT", "", "", 0, 3};
  });
  auto config = odoo_config(4);
  config.breaker_failures = 1;
  config.breaker_cooldown_ms = 60000;
  for (int i = 0; i < 20; ++i) accept(to_odoo("k" + std::to_string(i), 10));
  Dispatcher dispatcher(*store_, {{"odoo", {config, &connector}}}, observer_);
  dispatcher.start();
  ASSERT_TRUE(eventually([&] { return observer_.breaker_opened.load() == 1; }));
  ASSERT_TRUE(eventually([&] { return count_in(DeliveryState::InFlight) == 0; }));
  const auto stopping = std::chrono::steady_clock::now();
  dispatcher.stop();  // workers waiting out a minute's cooldown still stop at once
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 1s);
  std::uint32_t attempts = 0;
  for (const auto& row : all_deliveries()) attempts += row.attempts;
  EXPECT_EQ(attempts, static_cast<std::uint32_t>(connector.calls()));
  EXPECT_LE(connector.calls(), 4);  // at most the attempts already under way when it opened
  EXPECT_EQ(count_in(DeliveryState::Pending), 20);
}

// Forwards to a real store, but the first claim waits for a second one to begin, and every
// claim after the first waits for `open_circuit`: the second worker's permit is then taken
// while the circuit is closed, and its claim returns after the first worker's failure opened it.
class ClaimHoldingStore : public Store {
 public:
  explicit ClaimHoldingStore(Store& inner) : inner_(inner) {}
  void accept(NewMessage m, std::function<void(const AcceptResult&)> done) override {
    inner_.accept(std::move(m), std::move(done));
  }
  std::vector<StoredDelivery> claim(const std::string& endpoint, std::int64_t now_ms, std::size_t limit) override {
    if (claims_++ == 0) {
      second_claim_.get_future().wait_for(2s);
    } else {
      std::call_once(second_claim_begun_, [&] { second_claim_.set_value(); });
      held_until_.wait_for(2s);
    }
    return inner_.claim(endpoint, now_ms, limit);
  }
  void release(std::int64_t id) override {
    ++releases;
    inner_.release(id);
  }
  void delivered(std::int64_t id, std::int64_t now_ms) override { inner_.delivered(id, now_ms); }
  void retry_later(std::int64_t id, std::int64_t at, const std::string& code, const std::string& error) override {
    inner_.retry_later(id, at, code, error);
  }
  void give_up(std::int64_t id, bool dead_letter, const std::string& code, const std::string& error) override {
    inner_.give_up(id, dead_letter, code, error);
  }
  std::vector<StoredDelivery> dead_letters(std::size_t limit, std::int64_t after_id) override {
    return inner_.dead_letters(limit, after_id);
  }
  bool replay(std::int64_t id) override { return inner_.replay(id); }
  std::optional<StoredDelivery> delivery(std::int64_t id) override { return inner_.delivery(id); }
  std::optional<std::int64_t> next_due(const std::string& endpoint) override { return inner_.next_due(endpoint); }
  std::vector<suture::host::EndpointDepth> depths() override { return inner_.depths(); }
  std::uint64_t message_count() override { return inner_.message_count(); }

  std::promise<void> open_circuit;
  std::atomic<int> releases{0};

 private:
  Store& inner_;
  std::atomic<int> claims_{0};
  std::promise<void> second_claim_;
  std::once_flag second_claim_begun_;
  std::shared_future<void> held_until_ = open_circuit.get_future().share();
};

class OpeningObserver : public RecordingObserver {
 public:
  explicit OpeningObserver(std::promise<void>& opened) : opened_(opened) {}
  void on_breaker(const std::string& endpoint, bool open) override {
    RecordingObserver::on_breaker(endpoint, open);
    if (open) opened_.set_value();
  }

 private:
  std::promise<void>& opened_;
};

TEST_F(DispatcherTest, ClaimThatReturnsAfterTheCircuitOpenedIsReleasedUnattempted) {
  FakeConnector connector([&](const DeliveryRequest&, int) {
    return DeliveryResult{Outcome::Transient, "HTTP_502", "Bad Gateway", "", 502, 1};
  });
  accept(to_odoo("a", 10));
  accept(to_odoo("b", 10));
  ClaimHoldingStore holding(*store_);
  OpeningObserver observer(holding.open_circuit);
  auto config = odoo_config(2);
  config.breaker_failures = 1;
  config.breaker_cooldown_ms = 60000;
  Dispatcher dispatcher(holding, {{"odoo", {config, &connector}}}, observer);
  dispatcher.start();
  EXPECT_TRUE(eventually([&] { return holding.releases.load() == 1; }, 1s))
      << connector.calls() << " calls, opened " << observer.breaker_opened.load() << " retries "
      << observer.retries.load();
  ASSERT_TRUE(eventually([&] { return count_in(DeliveryState::InFlight) == 0; }));
  dispatcher.stop();
  EXPECT_EQ(connector.calls(), 1);
  std::uint32_t attempts = 0;
  for (const auto& row : all_deliveries()) {
    EXPECT_EQ(row.state, DeliveryState::Pending);
    attempts += row.attempts;
  }
  EXPECT_EQ(attempts, 1u);  // the released claim gave its attempt back
}

TEST_F(DispatcherTest, RateLimitSpacesAttempts) {
  FakeConnector connector;
  auto config = odoo_config(4);
  config.rate_per_second = 50;  // bursts of 50, then one every 20 ms
  for (int i = 0; i < 60; ++i) accept(to_odoo("k" + std::to_string(i)));
  Dispatcher dispatcher(*store_, {{"odoo", {config, &connector}}}, observer_);
  const auto started = std::chrono::steady_clock::now();
  dispatcher.start();
  ASSERT_TRUE(eventually([&] { return observer_.delivered.load() == 60; }));
  const auto took = std::chrono::steady_clock::now() - started;
  dispatcher.stop();
  // Ten past the burst at 20 ms each; a little slack for the clock.
  EXPECT_GE(took, 180ms);
  auto times = connector.call_times();
  ASSERT_EQ(times.size(), 60u);
  std::sort(times.begin(), times.end());
  EXPECT_GE(times[59] - times[50], 160ms);
}

TEST_F(DispatcherTest, StopFinishesTheCallUnderWayAndLosesNothing) {
  std::promise<void> entered;
  std::promise<void> let_go;
  std::shared_future<void> released = let_go.get_future().share();
  FakeConnector connector([&](const DeliveryRequest&, int call) {
    if (call == 0) {
      entered.set_value();
      released.wait();
    }
    return DeliveryResult{Outcome::Delivered, "", "", "", 200, 1};
  });
  for (int i = 0; i < 5; ++i) accept(to_odoo("k" + std::to_string(i)));
  {
    Dispatcher dispatcher(*store_, {{"odoo", {odoo_config(), &connector}}}, observer_);
    dispatcher.start();
    entered.get_future().wait();
    auto stopped = std::async(std::launch::async, [&] { dispatcher.stop(); });
    EXPECT_EQ(stopped.wait_for(50ms), std::future_status::timeout);  // waiting for the call under way
    let_go.set_value();
    stopped.wait();
  }
  EXPECT_EQ(connector.calls(), 1);
  EXPECT_EQ(count_in(DeliveryState::Delivered), 1);
  EXPECT_EQ(count_in(DeliveryState::Pending), 4);
  EXPECT_EQ(count_in(DeliveryState::InFlight), 0);
  for (const auto& row : all_deliveries()) {
    if (row.state == DeliveryState::Pending) {
      EXPECT_EQ(row.attempts, 0u);
    }
  }

  // After a restart the rest go out.
  reopen();
  FakeConnector fresh;
  Dispatcher again(*store_, {{"odoo", {odoo_config(2), &fresh}}}, observer_);
  again.start();
  ASSERT_TRUE(eventually([&] { return fresh.calls() == 4; }));
  again.stop();
  EXPECT_EQ(count_in(DeliveryState::Delivered), 5);
}

}  // namespace
