// sqlite_group_commit.cpp — accept() and the writer thread: messages queued within one commit
// window (or up to max_batch of them) are stored in ONE transaction whose commit is the fsync,
// and only then does each caller hear that its message is durable.
// Pipeline position: ingress → pipeline → here; the class is in sqlite_store.h.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>

#include "runtime/host/store/sqlite_store.h"

namespace suture::host::sqlite {
namespace {

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void SqliteStore::accept(NewMessage message, std::function<void(const AcceptResult&)> done) {
  bool wake_writer;
  {
    std::lock_guard lock(queue_mutex_);
    queue_.push_back({std::move(message), std::move(done)});
    // The writer waits for a first message, then for the window to pass or the batch to fill:
    // only those two moments need it woken.
    wake_writer = queue_.size() == 1 || queue_.size() >= options_.max_batch;
  }
  if (wake_writer) queue_ready_.notify_one();
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(queue_mutex_);
    closing_ = true;
  }
  queue_ready_.notify_one();
  if (writer_.joinable()) writer_.join();
  std::lock_guard ops(ops_mutex_);
  if (ops_db_.handle() != nullptr) flush_outcomes_locked();
}

void SqliteStore::writer_loop() {
  std::vector<QueuedAccept> batch;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_ready_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;  // closing, and everything queued is committed
      if (options_.commit_interval_us > 0 && !closing_) {
        queue_ready_.wait_for(lock, std::chrono::microseconds(options_.commit_interval_us),
                              [&] { return queue_.size() >= options_.max_batch || closing_; });
      }
      const std::size_t take = std::min(queue_.size(), options_.max_batch);
      for (std::size_t i = 0; i < take; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    commit_batch(batch);
    batch.clear();
  }
}

void SqliteStore::commit_batch(std::vector<QueuedAccept>& batch) {
  std::vector<AcceptResult> results(batch.size());
  std::uint64_t stored = 0;
  {
    std::lock_guard write(write_mutex_);
    stored = store_batch_locked(batch, results);
  }
  if (stored > 0) {
    messages_accepted_ += stored;
    accepts_committed_ += stored;
    ++group_commits_;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i].done) continue;
    try {
      batch[i].done(results[i]);
    } catch (...) {
      // A callback that throws must not take the writer thread (and every later accept) with it.
      note_failure("store: an accept callback threw");
    }
  }
}

std::uint64_t SqliteStore::store_batch_locked(std::vector<QueuedAccept>& batch, std::vector<AcceptResult>& results) {
  auto fail_all = [&](const std::string& error) {
    note_failure(error);
    for (AcceptResult& result : results) result = AcceptResult{false, error, 0, 0, 0};
    if (!writer_db_.in_autocommit()) writer_db_.exec("ROLLBACK");
    return std::uint64_t{0};
  };
  if (std::string error = writer_db_.exec("BEGIN IMMEDIATE"); !error.empty()) return fail_all("store: begin: " + error);

  std::uint64_t stored = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    // A savepoint per message: one message that cannot be stored fails alone, unless its error
    // ended the whole transaction (disk full, I/O), which fails the batch.
    {
      StatementUse use(savepoint_);
      if (savepoint_.step() != SQLITE_DONE) return fail_all(writer_db_.error("store: savepoint"));
    }
    const std::string error = insert_message(batch[i].message, results[i]);
    if (error.empty()) {
      StatementUse use(release_savepoint_);
      release_savepoint_.step();
      results[i].ok = true;
      ++stored;
      continue;
    }
    if (writer_db_.in_autocommit()) return fail_all("store: " + error);
    note_failure("store: " + error);
    {
      StatementUse use(rollback_savepoint_);
      rollback_savepoint_.step();
    }
    StatementUse use(release_savepoint_);
    release_savepoint_.step();
    results[i] = AcceptResult{false, "store: " + error, 0, 0, 0};
  }
  if (stored > 0) {
    StatementUse use(add_counter_);
    add_counter_.bind_text(1, "messages_accepted");
    add_counter_.bind(2, static_cast<std::int64_t>(stored));
    if (add_counter_.step() != SQLITE_DONE) return fail_all(writer_db_.error("store: count messages"));
  }
  if (std::string error = writer_db_.exec("COMMIT"); !error.empty()) return fail_all("store: commit: " + error);
  return stored;
}

std::string SqliteStore::insert_message(const NewMessage& message, AcceptResult& result) {
  const std::int64_t created_at_ms = message.received_at_ms > 0 ? message.received_at_ms : wall_clock_ms();
  {
    StatementUse use(insert_message_);
    insert_message_.bind_text(1, message.route);
    insert_message_.bind_text(2, message.listener);
    insert_message_.bind_text(3, message.principal);
    insert_message_.bind_text(4, message.content_type);
    insert_message_.bind_blob(5, message.body);
    insert_message_.bind_text(6, message.traceparent);
    insert_message_.bind_text(7, message.message_key);
    insert_message_.bind(8, created_at_ms);
    if (insert_message_.step() != SQLITE_DONE) return writer_db_.error("insert message");
  }
  result.message_id = writer_db_.last_insert_rowid();
  result.new_deliveries = 0;
  result.duplicate_deliveries = 0;
  for (const NewDelivery& d : message.deliveries) {
    StatementUse use(insert_delivery_);
    insert_delivery_.bind(1, result.message_id);
    insert_delivery_.bind_text(2, d.endpoint);
    insert_delivery_.bind_text(3, d.operation);
    insert_delivery_.bind_blob(4, d.payload);
    if (d.idempotency_key.empty()) {
      insert_delivery_.bind_null(5);
    } else {
      insert_delivery_.bind_text(5, d.idempotency_key);
    }
    insert_delivery_.bind_text(6, d.order_key);
    insert_delivery_.bind(7, d.max_attempts);
    insert_delivery_.bind(8, d.backoff_first_ms);
    insert_delivery_.bind(9, d.backoff_max_ms);
    insert_delivery_.bind(10, d.dead_letter ? 1 : 0);
    insert_delivery_.bind(11, created_at_ms);
    if (insert_delivery_.step() != SQLITE_DONE) return writer_db_.error("insert delivery to " + d.endpoint);
    if (writer_db_.changes() == 1) {
      ++result.new_deliveries;
    } else {
      ++result.duplicate_deliveries;
    }
  }
  return {};
}

}  // namespace suture::host::sqlite
