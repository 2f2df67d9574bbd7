// sqlite_store.h — the SQLite store's class, shared by its two halves: sqlite_store.cpp (open,
// claims, outcomes, reads) and sqlite_group_commit.cpp (accept and the writer thread). Private
// to runtime/host/store: everyone else sees Store and open_sqlite_store() in store.h.
//
// Three connections to one WAL file, so that no caller waits for a kind of work it did not ask
// for:
//  - the writer's (synchronous=FULL), used only by the writer thread: accept() batches;
//  - the operations' (synchronous=NORMAL: committed, fsync'd by the next group commit or
//    checkpoint; a power cut may undo the latest outcomes, which then deliver again — the
//    at-least-once the host promises anyway), for claim/release/outcomes/replay;
//  - the readers', for delivery/dead_letters/next_due/depths, which never wait for a write.
// SQLite allows one write transaction at a time; `write_mutex_` orders the two writing
// connections inside the process so neither ever sleeps in SQLite's busy handler.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "runtime/host/store/sqlite_db.h"
#include "runtime/host/store/store.h"

namespace suture::host::sqlite {

// Holds `<store>.lock` (flock) while the store is open, so a second host cannot open it.
class StoreLock {
 public:
  StoreLock() = default;
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;
  ~StoreLock();
  // "" when taken; else why not.
  std::string take(const std::string& store_path);

 private:
  int fd_ = -1;
};

class SqliteStore final : public Store {
 public:
  static std::variant<std::unique_ptr<Store>, std::string> open(const std::string& path, const StoreOptions& options);
  // Commits whatever accept() queued (their callbacks run), then closes.
  ~SqliteStore() override;

  void accept(NewMessage message, std::function<void(const AcceptResult&)> done) override;
  std::vector<StoredDelivery> claim(const std::string& endpoint, std::int64_t now_ms, std::size_t limit) override;
  void release(std::int64_t delivery_id) override;
  void delivered(std::int64_t delivery_id, std::int64_t now_ms) override;
  void retry_later(std::int64_t delivery_id, std::int64_t next_attempt_at_ms, const std::string& code,
                   const std::string& error) override;
  void give_up(std::int64_t delivery_id, bool dead_letter, const std::string& code, const std::string& error) override;
  std::vector<StoredDelivery> dead_letters(std::size_t limit, std::int64_t after_id) override;
  bool replay(std::int64_t delivery_id) override;
  std::optional<StoredDelivery> delivery(std::int64_t delivery_id) override;
  std::optional<std::int64_t> next_due(const std::string& endpoint) override;
  std::vector<EndpointDepth> depths() override;
  std::uint64_t message_count() override;
  StoreStats stats() override;

 private:
  explicit SqliteStore(const StoreOptions& options) : options_(options) {}
  std::string open_files(const std::string& path);
  std::string prepare_statements();

  // --- writer side (sqlite_group_commit.cpp) ---
  struct QueuedAccept {
    NewMessage message;
    std::function<void(const AcceptResult&)> done;
  };
  void writer_loop();
  void commit_batch(std::vector<QueuedAccept>& batch);
  // One transaction for the batch, results filled in; how many messages it stored (0 when the
  // transaction failed: every result then says why). Needs write_mutex_ held.
  std::uint64_t store_batch_locked(std::vector<QueuedAccept>& batch, std::vector<AcceptResult>& results);
  // Inserts one message and its deliveries inside the open transaction; "" on success.
  std::string insert_message(const NewMessage& message, AcceptResult& result);

  // --- operations side (sqlite_store.cpp) ---
  // A claim's outcome waiting to be written. Outcomes are queued and written together, so a
  // write that failed (disk full, I/O) is tried again with the next one instead of leaving
  // its row InFlight until the host restarts.
  struct Outcome {
    enum class Kind { Delivered, RetryLater, GiveUp, Release } kind;
    std::int64_t id = 0;
    std::int64_t at_ms = 0;  // delivered: when; retry: next attempt; give up: when
    std::string code;
    std::string error;
    bool dead_letter = true;
  };
  void record(Outcome outcome);
  // Writes every queued outcome in one transaction; needs ops_mutex_ held.
  void flush_outcomes_locked();
  std::string apply_outcome_locked(const Outcome& outcome, std::uint64_t& delivered, std::uint64_t& dead);
  void note_failure(const std::string& error);

  StoreOptions options_;
  StoreLock lock_;

  std::mutex write_mutex_;  // one write transaction at a time across writer_db_ and ops_db_

  // Writer thread only (after open).
  Connection writer_db_;
  Statement insert_message_, insert_delivery_, add_counter_, savepoint_, release_savepoint_, rollback_savepoint_;

  std::mutex ops_mutex_;  // guards ops_db_, its statements and unrecorded_
  Connection ops_db_;
  Statement claim_select_, claim_update_, release_, mark_delivered_, mark_retry_, mark_given_up_, replay_,
      ops_add_counter_;
  std::vector<Outcome> unrecorded_;

  std::mutex read_mutex_;  // guards read_db_ and its statements
  Connection read_db_;
  Statement read_delivery_, read_dead_letters_, read_next_due_, read_depths_;

  std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::deque<QueuedAccept> queue_;
  bool closing_ = false;
  std::thread writer_;

  std::atomic<std::uint64_t> messages_accepted_{0};
  std::atomic<std::uint64_t> deliveries_delivered_{0};
  std::atomic<std::uint64_t> deliveries_dead_{0};
  std::atomic<std::uint64_t> group_commits_{0};
  std::atomic<std::uint64_t> accepts_committed_{0};
  std::atomic<std::uint64_t> recovered_in_flight_{0};
  std::atomic<std::uint64_t> write_failures_{0};
  std::mutex last_error_mutex_;
  std::string last_error_;
};

}  // namespace suture::host::sqlite
