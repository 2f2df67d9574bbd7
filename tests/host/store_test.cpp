// store_test.cpp — the host's durable store (runtime/host/store): what accept() stores survives a
// close; repeated idempotency keys are stored once; concurrent accepts share transactions; claims
// come oldest first and keep per-key order; InFlight rows are Pending again after a reopen;
// retries, dead letters and replay; a second opener and a newer schema are refused.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <future>
#include <random>
#include <set>
#include <thread>

#include "runtime/host/store/store.h"

namespace {

namespace fs = std::filesystem;
using suture::host::AcceptResult;
using suture::host::DeliveryState;
using suture::host::NewDelivery;
using suture::host::NewMessage;
using suture::host::Store;
using suture::host::StoredDelivery;
using suture::host::StoreOptions;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device seed;
    dir_ = fs::temp_directory_path() / ("suture-store-test-" + std::to_string(seed()));
    fs::create_directories(dir_);
    path_ = (dir_ / "host.db").string();
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  std::unique_ptr<Store> open(StoreOptions options = small_window()) {
    auto opened = suture::host::open_sqlite_store(path_, options);
    if (auto* error = std::get_if<std::string>(&opened)) {
      ADD_FAILURE() << *error;
      return nullptr;
    }
    return std::move(std::get<std::unique_ptr<Store>>(opened));
  }

  static StoreOptions small_window() {
    StoreOptions options;
    options.commit_interval_us = 200;
    return options;
  }

  static NewDelivery to(const std::string& endpoint, const std::string& key, const std::string& order_key = "") {
    NewDelivery d;
    d.endpoint = endpoint;
    d.operation = R"({"family":"http","operation":"post","args":["/hook"],"key_field":""})";
    d.payload = "{\"n\":\"" + key + "\"}";
    d.idempotency_key = key;
    d.order_key = order_key;
    d.max_attempts = 3;
    d.backoff_first_ms = 100;
    d.backoff_max_ms = 1000;
    return d;
  }

  static NewMessage message(std::vector<NewDelivery> deliveries, std::int64_t received_at_ms = 1000) {
    NewMessage m;
    m.route = "lab_results";
    m.listener = "webhooks";
    m.principal = "lab";
    m.content_type = "application/json";
    m.body = R"({"id":1})";
    m.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    m.message_key = "msg";
    m.received_at_ms = received_at_ms;
    m.deliveries = std::move(deliveries);
    return m;
  }

  static AcceptResult accept(Store& store, NewMessage m) {
    std::promise<AcceptResult> result;
    store.accept(std::move(m), [&](const AcceptResult& r) { result.set_value(r); });
    return result.get_future().get();
  }

  static std::vector<std::int64_t> ids(const std::vector<StoredDelivery>& rows) {
    std::vector<std::int64_t> out;
    for (const auto& row : rows) out.push_back(row.id);
    return out;
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(StoreTest, AcceptedMessageSurvivesCloseAndReopen) {
  std::int64_t delivery_id = 0;
  {
    auto store = open();
    ASSERT_TRUE(store);
    NewMessage m = message({to("odoo", "k1"), to("fhir", "k1")});
    m.body = std::string("bin\0ary\xff", 8);  // bodies are bytes, not text
    AcceptResult r = accept(*store, m);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_GT(r.message_id, 0);
    EXPECT_EQ(r.new_deliveries, 2u);
    EXPECT_EQ(r.duplicate_deliveries, 0u);
    auto claimed = store->claim("odoo", 1000, 10);
    ASSERT_EQ(claimed.size(), 1u);
    delivery_id = claimed[0].id;
    store->delivered(delivery_id, 1500);
  }
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->message_count(), 1u);
  EXPECT_EQ(store->stats().deliveries_delivered, 1u);
  auto delivered = store->delivery(delivery_id);
  ASSERT_TRUE(delivered);
  EXPECT_EQ(delivered->state, DeliveryState::Delivered);
  EXPECT_EQ(delivered->route, "lab_results");
  EXPECT_EQ(delivered->traceparent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  EXPECT_EQ(delivered->payload, "{\"n\":\"k1\"}");
  EXPECT_EQ(delivered->max_attempts, 3u);
  EXPECT_EQ(delivered->backoff_first_ms, 100u);
  EXPECT_EQ(delivered->created_at_ms, 1000);
  auto fhir = store->claim("fhir", 1000, 10);
  ASSERT_EQ(fhir.size(), 1u);
  EXPECT_EQ(fhir[0].idempotency_key, "k1");
  EXPECT_EQ(fhir[0].attempts, 1u);
  EXPECT_EQ(fhir[0].state, DeliveryState::InFlight);
}

TEST_F(StoreTest, CallbackRunsOnlyOnceTheMessageIsCommitted) {
  auto store = open();
  ASSERT_TRUE(store);
  std::promise<bool> seen;
  store->accept(message({to("odoo", "k1")}), [&](const AcceptResult& r) {
    // Another connection can already read it: the transaction is committed.
    seen.set_value(r.ok && store->next_due("odoo").has_value());
  });
  EXPECT_TRUE(seen.get_future().get());
}

TEST_F(StoreTest, RepeatedIdempotencyKeyReachesEachDestinationOnce) {
  auto store = open();
  ASSERT_TRUE(store);
  AcceptResult first = accept(*store, message({to("odoo", "order-7"), to("fhir", "order-7")}));
  ASSERT_TRUE(first.ok);
  AcceptResult again = accept(*store, message({to("odoo", "order-7"), to("fhir", "order-7")}));
  ASSERT_TRUE(again.ok) << again.error;
  EXPECT_EQ(again.new_deliveries, 0u);
  EXPECT_EQ(again.duplicate_deliveries, 2u);
  EXPECT_NE(again.message_id, first.message_id);  // the repeat itself is recorded
  AcceptResult half = accept(*store, message({to("odoo", "order-7"), to("mllp", "order-7")}));
  EXPECT_EQ(half.new_deliveries, 1u);
  EXPECT_EQ(half.duplicate_deliveries, 1u);
  // No key: never a repeat.
  EXPECT_EQ(accept(*store, message({to("odoo", "")})).new_deliveries, 1u);
  EXPECT_EQ(accept(*store, message({to("odoo", "")})).new_deliveries, 1u);

  EXPECT_EQ(store->claim("odoo", 1000, 100).size(), 3u);
  EXPECT_EQ(store->claim("fhir", 1000, 100).size(), 1u);
  EXPECT_EQ(store->message_count(), 5u);
}

TEST_F(StoreTest, RepeatWithinOneBatchIsStoredOnce) {
  StoreOptions options;
  options.commit_interval_us = 50000;  // wide enough that both land in one transaction
  auto store = open(options);
  ASSERT_TRUE(store);
  std::promise<AcceptResult> a, b;
  store->accept(message({to("odoo", "same")}), [&](const AcceptResult& r) { a.set_value(r); });
  store->accept(message({to("odoo", "same")}), [&](const AcceptResult& r) { b.set_value(r); });
  AcceptResult ra = a.get_future().get(), rb = b.get_future().get();
  EXPECT_EQ(ra.new_deliveries + rb.new_deliveries, 1u);
  EXPECT_EQ(ra.duplicate_deliveries + rb.duplicate_deliveries, 1u);
  EXPECT_EQ(store->stats().group_commits, 1u);
}

TEST_F(StoreTest, ConcurrentAcceptsShareTransactions) {
  StoreOptions options;
  options.commit_interval_us = 2000;
  options.max_batch = 64;
  auto store = open(options);
  ASSERT_TRUE(store);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::mutex mutex;
  std::vector<AcceptResult> results;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::promise<void> done;
        store->accept(message({to("odoo", std::to_string(t) + "-" + std::to_string(i))}), [&](const AcceptResult& r) {
          std::lock_guard lock(mutex);
          results.push_back(r);
          done.set_value();
        });
        done.get_future().wait();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(results.size(), static_cast<std::size_t>(kThreads * kPerThread));
  std::set<std::int64_t> message_ids;
  for (const auto& r : results) {
    EXPECT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.new_deliveries, 1u);
    message_ids.insert(r.message_id);
  }
  EXPECT_EQ(message_ids.size(), results.size());
  auto stats = store->stats();
  EXPECT_EQ(stats.accepts_committed, static_cast<std::uint64_t>(kThreads * kPerThread));
  // Eight callers each waiting for their own commit: every transaction carries several.
  EXPECT_LT(stats.group_commits, stats.accepts_committed / 2) << stats.group_commits << " transactions";
  EXPECT_EQ(store->message_count(), static_cast<std::uint64_t>(kThreads * kPerThread));
}

TEST_F(StoreTest, QueuedAcceptsAreCommittedWhenTheStoreCloses) {
  std::atomic<int> ok{0};
  {
    StoreOptions options;
    options.commit_interval_us = 1000000;  // a long window: closing must not wait for it
    auto store = open(options);
    ASSERT_TRUE(store);
    for (int i = 0; i < 20; ++i) {
      store->accept(message({to("odoo", "k" + std::to_string(i))}), [&](const AcceptResult& r) { ok += r.ok; });
    }
  }
  EXPECT_EQ(ok.load(), 20);
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->message_count(), 20u);
}

TEST_F(StoreTest, ClaimTakesDueRowsOldestFirst) {
  auto store = open();
  ASSERT_TRUE(store);
  accept(*store, message({to("odoo", "a")}, 1000));
  accept(*store, message({to("odoo", "b")}, 1001));
  accept(*store, message({to("odoo", "c")}, 5000));
  accept(*store, message({to("fhir", "d")}, 1000));
  EXPECT_EQ(store->next_due("odoo"), 1000);
  EXPECT_EQ(store->next_due("nowhere"), std::nullopt);
  EXPECT_TRUE(store->claim("odoo", 999, 10).empty());  // nothing due yet
  auto first = store->claim("odoo", 2000, 1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].idempotency_key, "a");
  auto rest = store->claim("odoo", 2000, 10);
  ASSERT_EQ(rest.size(), 1u);  // c is not due until 5000
  EXPECT_EQ(rest[0].idempotency_key, "b");
  EXPECT_EQ(store->next_due("odoo"), 5000);
  EXPECT_TRUE(store->claim("odoo", 2000, 10).empty());  // InFlight rows are not claimed twice
  EXPECT_EQ(store->claim("odoo", 5000, 10).size(), 1u);
}

TEST_F(StoreTest, OrderKeyGoesOneAtATimeOldestFirst) {
  auto store = open();
  ASSERT_TRUE(store);
  accept(*store, message({to("odoo", "p1-a", "patient-1")}));
  accept(*store, message({to("odoo", "p1-b", "patient-1")}));
  accept(*store, message({to("odoo", "p2-a", "patient-2")}));
  accept(*store, message({to("odoo", "free", "")}));
  accept(*store, message({to("fhir", "p1-fhir", "patient-1")}));  // another endpoint: its own order

  auto claimed = store->claim("odoo", 1000, 10);
  std::vector<std::string> keys;
  for (const auto& d : claimed) keys.push_back(d.idempotency_key);
  EXPECT_EQ(keys, (std::vector<std::string>{"p1-a", "p2-a", "free"}));
  EXPECT_EQ(store->claim("fhir", 1000, 10).size(), 1u);

  // p1-a failing and waiting for its retry still holds p1-b back.
  store->retry_later(claimed[0].id, 3000, "HTTP_503", "unavailable");
  EXPECT_TRUE(store->claim("odoo", 2000, 10).empty());
  auto again = store->claim("odoo", 3000, 10);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].idempotency_key, "p1-a");
  EXPECT_EQ(again[0].attempts, 2u);
  store->delivered(again[0].id, 3000);
  auto next = store->claim("odoo", 3000, 10);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].idempotency_key, "p1-b");
}

TEST_F(StoreTest, DeadLetterSetsAsideItsOrderKeyByDefault) {
  auto store = open();
  ASSERT_TRUE(store);
  accept(*store, message({to("odoo", "a", "patient-1")}));
  accept(*store, message({to("odoo", "b", "patient-1")}));
  auto first = store->claim("odoo", 1000, 10);
  ASSERT_EQ(first.size(), 1u);
  store->give_up(first[0].id, true, "ODOO_VALIDATION", "bad vat");
  auto next = store->claim("odoo", 1000, 10);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].idempotency_key, "b");
}

TEST_F(StoreTest, DeadLetterCanHoldItsOrderKey) {
  StoreOptions options = small_window();
  options.dead_letter_blocks_order_key = true;
  auto store = open(options);
  ASSERT_TRUE(store);
  accept(*store, message({to("odoo", "a", "patient-1")}));
  accept(*store, message({to("odoo", "b", "patient-1")}));
  auto first = store->claim("odoo", 1000, 10);
  ASSERT_EQ(first.size(), 1u);
  store->give_up(first[0].id, true, "ODOO_VALIDATION", "bad vat");
  EXPECT_TRUE(store->claim("odoo", 1000, 10).empty());
  // A dropped one (not a dead letter) never holds the key.
  ASSERT_TRUE(store->replay(first[0].id));
  auto replayed = store->claim("odoo", 1000000000000000, 10);
  ASSERT_EQ(replayed.size(), 1u);
  EXPECT_EQ(replayed[0].id, first[0].id);
  store->give_up(replayed[0].id, false, "ODOO_VALIDATION", "bad vat");
  auto next = store->claim("odoo", 1000, 10);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].idempotency_key, "b");
}

TEST_F(StoreTest, InFlightDeliveriesArePendingAgainAfterReopen) {
  std::int64_t id = 0;
  {
    auto store = open();
    ASSERT_TRUE(store);
    accept(*store, message({to("odoo", "a"), to("fhir", "a")}));
    auto claimed = store->claim("odoo", 1000, 10);
    ASSERT_EQ(claimed.size(), 1u);
    id = claimed[0].id;
    EXPECT_EQ(store->delivery(id)->state, DeliveryState::InFlight);
  }  // the "crash": closed with a delivery InFlight
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->stats().recovered_in_flight, 1u);
  auto recovered = store->delivery(id);
  ASSERT_TRUE(recovered);
  EXPECT_EQ(recovered->state, DeliveryState::Pending);
  EXPECT_EQ(recovered->attempts, 1u);  // the interrupted attempt counts
  auto again = store->claim("odoo", 1000, 10);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].id, id);
  EXPECT_EQ(again[0].attempts, 2u);
}

TEST_F(StoreTest, ReleaseGivesBackTheAttempt) {
  auto store = open();
  ASSERT_TRUE(store);
  accept(*store, message({to("odoo", "a")}));
  auto claimed = store->claim("odoo", 1000, 10);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].attempts, 1u);
  store->release(claimed[0].id);
  auto row = store->delivery(claimed[0].id);
  EXPECT_EQ(row->state, DeliveryState::Pending);
  EXPECT_EQ(row->attempts, 0u);
  auto again = store->claim("odoo", 1000, 10);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempts, 1u);
}

TEST_F(StoreTest, RetryGiveUpDeadLettersAndReplay) {
  auto store = open();
  ASSERT_TRUE(store);
  accept(*store, message({to("odoo", "a"), to("fhir", "b")}));
  auto claimed = store->claim("odoo", 1000, 10);
  ASSERT_EQ(claimed.size(), 1u);
  const std::int64_t id = claimed[0].id;
  store->retry_later(id, 1100, "HTTP_503", "Service Unavailable");
  auto waiting = store->delivery(id);
  EXPECT_EQ(waiting->state, DeliveryState::Pending);
  EXPECT_EQ(waiting->next_attempt_at_ms, 1100);
  EXPECT_EQ(waiting->last_code, "HTTP_503");
  EXPECT_EQ(waiting->last_error, "Service Unavailable");
  EXPECT_EQ(store->next_due("odoo"), 1100);
  EXPECT_TRUE(store->claim("odoo", 1099, 10).empty());
  auto second = store->claim("odoo", 1100, 10);
  ASSERT_EQ(second.size(), 1u);
  store->give_up(id, true, "ODOO_VALIDATION", "Invalid VAT");

  auto dead = store->dead_letters(10, 0);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].id, id);
  EXPECT_EQ(dead[0].state, DeliveryState::Dead);
  EXPECT_EQ(dead[0].attempts, 2u);
  EXPECT_EQ(dead[0].last_code, "ODOO_VALIDATION");
  EXPECT_TRUE(store->dead_letters(10, id).empty());  // paging: after the last one
  EXPECT_EQ(store->stats().deliveries_dead, 1u);

  auto depths = store->depths();
  ASSERT_EQ(depths.size(), 2u);
  EXPECT_EQ(depths[0].endpoint, "fhir");
  EXPECT_EQ(depths[0].pending, 1u);
  EXPECT_EQ(depths[0].oldest_pending_ms, 1000);
  EXPECT_EQ(depths[1].endpoint, "odoo");
  EXPECT_EQ(depths[1].pending, 0u);
  EXPECT_EQ(depths[1].dead, 1u);
  EXPECT_EQ(depths[1].oldest_pending_ms, 0);

  EXPECT_TRUE(store->replay(id));
  EXPECT_FALSE(store->replay(id));         // no longer a dead letter
  EXPECT_FALSE(store->replay(id + 1000));  // no such delivery
  auto replayed = store->delivery(id);
  EXPECT_EQ(replayed->state, DeliveryState::Pending);
  EXPECT_EQ(replayed->attempts, 0u);
  EXPECT_TRUE(store->dead_letters(10, 0).empty());
  auto third = store->claim("odoo", replayed->next_attempt_at_ms, 10);
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].attempts, 1u);

  store->give_up(id, false, "HTTP_400", "Bad Request");  // dropped: not a dead letter
  EXPECT_EQ(store->delivery(id)->state, DeliveryState::Dropped);
  EXPECT_TRUE(store->dead_letters(10, 0).empty());
  EXPECT_FALSE(store->replay(id));
}

TEST_F(StoreTest, OutcomeForARowNoLongerInFlightChangesNothing) {
  auto store = open();
  ASSERT_TRUE(store);
  accept(*store, message({to("odoo", "a")}));
  auto claimed = store->claim("odoo", 1000, 10);
  ASSERT_EQ(claimed.size(), 1u);
  store->delivered(claimed[0].id, 1000);
  store->give_up(claimed[0].id, true, "LATE", "a second outcome");
  EXPECT_EQ(store->delivery(claimed[0].id)->state, DeliveryState::Delivered);
  EXPECT_EQ(store->stats().deliveries_delivered, 1u);
  EXPECT_EQ(store->stats().deliveries_dead, 0u);
}

TEST_F(StoreTest, ConcurrentClaimsNeverShareARow) {
  auto store = open();
  ASSERT_TRUE(store);
  for (int i = 0; i < 200; ++i) accept(*store, message({to("odoo", "k" + std::to_string(i))}));
  std::mutex mutex;
  std::multiset<std::int64_t> seen;
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&] {
      for (;;) {
        auto rows = store->claim("odoo", 1000, 3);
        if (rows.empty()) return;
        for (const auto& row : rows) {
          store->delivered(row.id, 1000);
          std::lock_guard lock(mutex);
          seen.insert(row.id);
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_EQ(std::set<std::int64_t>(seen.begin(), seen.end()).size(), 200u);
  EXPECT_EQ(store->stats().deliveries_delivered, 200u);
}

TEST_F(StoreTest, SecondOpenOfTheSameStoreIsRefused) {
  auto store = open();
  ASSERT_TRUE(store);
  auto second = suture::host::open_sqlite_store(path_, {});
  ASSERT_TRUE(std::holds_alternative<std::string>(second));
  EXPECT_NE(std::get<std::string>(second).find("already open"), std::string::npos) << std::get<std::string>(second);
  store.reset();
  EXPECT_TRUE(open());
}

TEST_F(StoreTest, StoreFromANewerHostIsRefused) {
  { ASSERT_TRUE(open()); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto opened = suture::host::open_sqlite_store(path_, {});
  ASSERT_TRUE(std::holds_alternative<std::string>(opened));
  EXPECT_NE(std::get<std::string>(opened).find("newer host"), std::string::npos) << std::get<std::string>(opened);
}

TEST_F(StoreTest, UnopenableStoreIsAnErrorNotAnException) {
  auto opened = suture::host::open_sqlite_store((dir_ / "missing" / "dir" / "host.db").string(), {});
  ASSERT_TRUE(std::holds_alternative<std::string>(opened));
  EXPECT_FALSE(std::get<std::string>(opened).empty());
}

TEST_F(StoreTest, FailedCommitFailsEveryCallbackInTheBatch) {
  StoreOptions options = small_window();
  options.busy_timeout_ms = 20;
  auto store = open(options);
  ASSERT_TRUE(store);
  // Another process holding the write lock longer than the busy timeout makes the batch fail.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::vector<std::promise<AcceptResult>> results(3);
  for (int i = 0; i < 3; ++i) {
    store->accept(message({to("odoo", "k" + std::to_string(i))}),
                  [&, i](const AcceptResult& r) { results[static_cast<std::size_t>(i)].set_value(r); });
  }
  std::vector<AcceptResult> got;
  for (auto& r : results) got.push_back(r.get_future().get());
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  for (const auto& r : got) {
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("locked"), std::string::npos) << r.error;
  }
  EXPECT_GT(store->stats().write_failures, 0u);
  // The store carries on once the lock is gone.
  EXPECT_TRUE(accept(*store, message({to("odoo", "after")})).ok);
}

}  // namespace
