// store.h — the host's durable store: messages it accepted, one delivery per destination, and
// dead letters. The SQLite store (sqlite_store.cpp) is the embedded default; the interface is
// what a NATS JetStream backend would implement for hosts that outgrow one machine.
// Contract: when accept()'s callback reports success, the message and its deliveries are on
// disk (fsync'd); nothing else the host says (2xx, ACK AA) may come before it.
// Pipeline position: ingress accepts into it; delivery claims from it and records outcomes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace suture::host {

// What a destination is to be sent, as the pipeline built it at ingress.
struct NewDelivery {
  std::string endpoint;   // configured endpoint name
  std::string operation;  // JSON describing the request (family, operation, args, key_field)
  std::string payload;    // bytes to send
  // An empty idempotency key is never a repeat.
  std::string idempotency_key;  // unique per (endpoint, key): a repeat is not stored again
  std::string
      order_key;  // "" = unordered; else deliveries with the same (endpoint, order_key) go one at a time, oldest first
  std::uint32_t max_attempts = 1;
  std::uint32_t backoff_first_ms = 500;
  std::uint32_t backoff_max_ms = 300000;
  bool dead_letter = true;  // after the last attempt: dead letter (true) or drop (false)
};

struct NewMessage {
  std::string route;
  std::string listener;
  std::string principal;
  std::string content_type;
  std::string body;  // as received
  std::string traceparent;
  std::string message_key;  // the message's own idempotency key (Odoo model+id+write_date, FHIR id/version, MSH-10)
  std::int64_t received_at_ms = 0;
  std::vector<NewDelivery> deliveries;
};

struct AcceptResult {
  bool ok = false;
  std::string error;  // when !ok: why it could not be stored (disk full, I/O)
  std::int64_t message_id = 0;
  std::uint32_t new_deliveries = 0;
  std::uint32_t duplicate_deliveries = 0;  // already stored under the same (endpoint, key)
};

enum class DeliveryState { Pending, InFlight, Delivered, Dead, Dropped };

struct StoredDelivery {
  std::int64_t id = 0;
  std::int64_t message_id = 0;
  std::string route;
  std::string endpoint;
  std::string operation;
  std::string payload;
  std::string idempotency_key;
  std::string order_key;
  std::string traceparent;
  std::uint32_t attempts = 0;  // made so far (including one under way: a claim counts it)
  std::uint32_t max_attempts = 1;
  std::uint32_t backoff_first_ms = 500;
  std::uint32_t backoff_max_ms = 300000;
  bool dead_letter = true;
  DeliveryState state = DeliveryState::Pending;
  std::int64_t created_at_ms = 0;
  std::int64_t next_attempt_at_ms = 0;
  std::string last_code;
  std::string last_error;
};

struct EndpointDepth {
  std::string endpoint;
  std::uint64_t pending = 0;  // pending + in flight
  std::uint64_t dead = 0;
  std::int64_t oldest_pending_ms = 0;  // created_at of the oldest pending (0 = none)
};

struct StoreStats {
  std::uint64_t messages_accepted = 0;     // since the store was created (= message_count())
  std::uint64_t deliveries_delivered = 0;  // since the store was created
  std::uint64_t deliveries_dead = 0;       // since the store was created (a replay does not subtract)
  std::uint64_t group_commits = 0;         // accept transactions committed since open
  std::uint64_t accepts_committed = 0;     // messages those transactions stored since open
  std::uint64_t recovered_in_flight = 0;   // InFlight rows open() made Pending again
  std::uint64_t write_failures = 0;        // failed writes since open (each also reported where it can be)
  std::string last_error;                  // the latest of them ("" = none)
};

class Store {
 public:
  virtual ~Store() = default;
  // Stores a message and its deliveries in one transaction; `done` runs once it is durable (or
  // failed), on the store's own thread: keep it short (post the reply back to its connection).
  // The message itself is always recorded, even when every delivery is a repeat (it was
  // received, and the audit trail says so); only the repeated deliveries are not stored again.
  virtual void accept(NewMessage message, std::function<void(const AcceptResult&)> done) = 0;
  // Pending deliveries due at `now_ms` for `endpoint`, oldest first, at most `limit`, skipping any
  // whose order_key has an older undelivered one; they become InFlight (a lease: InFlight rows
  // left by a crash are Pending again after open()). A claim counts the attempt it leases: the
  // rows come back with `attempts` already including the attempt about to be made, so a crash
  // in the middle of an attempt still uses one up. Whether an older dead letter holds back its
  // order key is StoreOptions::dead_letter_blocks_order_key.
  virtual std::vector<StoredDelivery> claim(const std::string& endpoint, std::int64_t now_ms, std::size_t limit) = 0;
  // Gives back a claimed delivery that was not attempted after all (its endpoint's circuit is
  // open, the host is stopping): Pending again, and the attempt its claim counted is returned.
  virtual void release(std::int64_t delivery_id) = 0;
  virtual void delivered(std::int64_t delivery_id, std::int64_t now_ms) = 0;
  virtual void retry_later(std::int64_t delivery_id, std::int64_t next_attempt_at_ms, const std::string& code,
                           const std::string& error) = 0;
  // After the last attempt or a permanent failure: Dead (listable, replayable) or Dropped.
  virtual void give_up(std::int64_t delivery_id, bool dead_letter, const std::string& code,
                       const std::string& error) = 0;
  virtual std::vector<StoredDelivery> dead_letters(std::size_t limit, std::int64_t after_id = 0) = 0;
  // A dead letter back to Pending with its attempts reset; false when there is no such dead letter.
  virtual bool replay(std::int64_t delivery_id) = 0;
  virtual std::optional<StoredDelivery> delivery(std::int64_t delivery_id) = 0;
  // The earliest next_attempt_at of a pending delivery of `endpoint` (nullopt: none pending).
  virtual std::optional<std::int64_t> next_due(const std::string& endpoint) = 0;
  virtual std::vector<EndpointDepth> depths() = 0;
  // Totals since the store was created (messages accepted, deliveries delivered / dead).
  virtual std::uint64_t message_count() = 0;
  // Counters for metrics and tests; a backend that keeps none returns zeros.
  virtual StoreStats stats() { return {}; }
};

struct StoreOptions {
  std::uint32_t commit_interval_us =
      0;  // how long the writer waits to gather a batch (0: messages arriving during a commit form the next batch)
  std::size_t max_batch = 512;
  // Strict per-key order would hold every later delivery of an order key behind a dead letter
  // until it is replayed. By default a dead letter is set aside instead (as a dead-letter queue
  // does) and the key moves on; a replayed dead letter is Pending again at its old place, so it
  // holds back the key's later deliveries that are still waiting.
  bool dead_letter_blocks_order_key = false;
  std::uint32_t busy_timeout_ms = 5000;  // how long a write waits for another process's lock
};

// Opens (creating when absent) the SQLite store at `path`: WAL, synchronous=FULL, one writer
// thread doing group commits. Error text when it cannot, including when another process has it
// open (`<path>.lock` is held while it is open: two hosts on one store would deliver twice).
std::variant<std::unique_ptr<Store>, std::string> open_sqlite_store(const std::string& path,
                                                                    const StoreOptions& options);

}  // namespace suture::host
