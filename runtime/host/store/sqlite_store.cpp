// sqlite_store.cpp — the SQLite store's open (lock, pragmas, schema, crash recovery), its claims
// and outcomes on the operations connection, and its reads on the readers' connection. The
// accept side (group commit) is in sqlite_group_commit.cpp; the class is in sqlite_store.h.
#include "runtime/host/store/sqlite_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>

#include "runtime/host/store/sqlite_schema.h"

namespace suture::host {
namespace sqlite {
namespace {

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t as_sql_limit(std::size_t limit) {
  return limit > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())
             ? std::numeric_limits<std::int64_t>::max()
             : static_cast<std::int64_t>(limit);
}

DeliveryState state_from_column(std::int64_t value) {
  switch (value) {
    case kPending: return DeliveryState::Pending;
    case kInFlight: return DeliveryState::InFlight;
    case kDelivered: return DeliveryState::Delivered;
    case kDead: return DeliveryState::Dead;
    default: return DeliveryState::Dropped;
  }
}

// One row of kDeliveryColumns.
StoredDelivery read_delivery(const Statement& row) {
  StoredDelivery d;
  d.id = row.integer(0);
  d.message_id = row.integer(1);
  d.route = row.text(2);
  d.endpoint = row.text(3);
  d.operation = row.text(4);
  d.payload = row.text(5);
  d.idempotency_key = row.text(6);
  d.order_key = row.text(7);
  d.traceparent = row.text(8);
  d.attempts = static_cast<std::uint32_t>(row.integer(9));
  d.max_attempts = static_cast<std::uint32_t>(row.integer(10));
  d.backoff_first_ms = static_cast<std::uint32_t>(row.integer(11));
  d.backoff_max_ms = static_cast<std::uint32_t>(row.integer(12));
  d.dead_letter = row.integer(13) != 0;
  d.state = state_from_column(row.integer(14));
  d.created_at_ms = row.integer(15);
  d.next_attempt_at_ms = row.integer(16);
  d.last_code = row.text(17);
  d.last_error = row.text(18);
  return d;
}

std::string with_columns(const std::string& where) {
  return std::string("SELECT ") + kDeliveryColumns + kDeliveryFrom + where;
}

// The statements a connection needs, prepared together: "" or the first failure.
std::string prepare_all(Connection& db, std::initializer_list<std::pair<Statement*, std::string>> statements) {
  for (const auto& [statement, sql] : statements) {
    if (std::string error = db.prepare(sql.c_str(), *statement); !error.empty()) return error;
  }
  return {};
}

std::string configure(Connection& db, const char* synchronous, std::uint32_t busy_timeout_ms) {
  if (std::string error = db.exec((std::string("PRAGMA synchronous = ") + synchronous).c_str()); !error.empty()) {
    return "set synchronous: " + error;
  }
  if (sqlite3_busy_timeout(db.handle(), static_cast<int>(busy_timeout_ms)) != SQLITE_OK) {
    return db.error("set busy timeout");
  }
  return {};
}

}  // namespace

StoreLock::~StoreLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

std::string StoreLock::take(const std::string& store_path) {
  const std::string lock_path = store_path + ".lock";
  fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) return "cannot open " + lock_path + ": " + std::strerror(errno);
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK) return "store " + store_path + " is already open in another process (" + lock_path + ")";
    return "cannot lock " + lock_path + ": " + std::strerror(error);
  }
  return {};
}

std::variant<std::unique_ptr<Store>, std::string> SqliteStore::open(const std::string& path,
                                                                    const StoreOptions& options) {
  std::unique_ptr<SqliteStore> store(new SqliteStore(options));
  if (store->options_.max_batch == 0) store->options_.max_batch = 1;
  if (std::string error = store->open_files(path); !error.empty()) return "store " + path + ": " + error;
  store->writer_ = std::thread([raw = store.get()] { raw->writer_loop(); });
  return std::unique_ptr<Store>(std::move(store));
}

std::string SqliteStore::open_files(const std::string& path) {
  if (std::string error = lock_.take(path); !error.empty()) return error;

  if (std::string error = writer_db_.open(path); !error.empty()) return error;
  std::string error;
  const std::string mode = writer_db_.query_text("PRAGMA journal_mode = WAL", &error);
  if (!error.empty()) return "set WAL mode: " + error;
  if (mode != "wal") return "the file system does not support WAL mode (journal_mode is " + mode + ")";
  if (error = configure(writer_db_, "FULL", options_.busy_timeout_ms); !error.empty()) return error;
  if (error = prepare_schema(writer_db_); !error.empty()) return error;

  // Crash recovery: a lease outlives only the process that took it. Anything InFlight was being
  // attempted when the last host stopped; it may or may not have arrived, so it is sent again
  // (at-least-once; the idempotency key lets the destination recognise it).
  if (error = writer_db_.exec("UPDATE deliveries SET state = 0 WHERE state = 1"); !error.empty()) {
    return "recover in-flight deliveries: " + error;
  }
  recovered_in_flight_ = static_cast<std::uint64_t>(writer_db_.changes());

  {
    Statement counters;
    if (error = writer_db_.prepare("SELECT name, value FROM counters", counters); !error.empty()) return error;
    StatementUse use(counters);
    int rc;
    while ((rc = counters.step()) == SQLITE_ROW) {
      const std::string name = counters.text(0);
      const auto value = static_cast<std::uint64_t>(counters.integer(1));
      if (name == "messages_accepted") messages_accepted_ = value;
      if (name == "deliveries_delivered") deliveries_delivered_ = value;
      if (name == "deliveries_dead") deliveries_dead_ = value;
    }
    if (rc != SQLITE_DONE) return writer_db_.error("read counters");
  }

  if (error = ops_db_.open(path); !error.empty()) return error;
  if (error = configure(ops_db_, "NORMAL", options_.busy_timeout_ms); !error.empty()) return error;
  if (error = read_db_.open(path); !error.empty()) return error;
  if (error = configure(read_db_, "NORMAL", options_.busy_timeout_ms); !error.empty()) return error;
  if (error = read_db_.exec("PRAGMA query_only = 1"); !error.empty()) return "set query_only: " + error;
  return prepare_statements();
}

std::string SqliteStore::prepare_statements() {
  const std::string blocking_states = options_.dead_letter_blocks_order_key ? "(0, 1, 3)" : "(0, 1)";
  // The claim walks deliveries_claim in id order, reading the due time from the index, and stops
  // at `limit`: a backlog of due rows costs a claim nothing. (Left to itself the planner prefers
  // deliveries_due and sorts every due row, which is slowest exactly when catching up.)
  const std::string claim_sql =
      std::string("SELECT ") + kDeliveryColumns +
      " FROM deliveries d INDEXED BY deliveries_claim JOIN messages m ON m.id = d.message_id "
      "WHERE d.endpoint = ?1 AND d.state = 0 AND d.next_attempt_at_ms <= ?2 "
      "  AND (d.order_key = '' OR NOT EXISTS ("
      "    SELECT 1 FROM deliveries o WHERE o.endpoint = d.endpoint AND o.order_key = d.order_key "
      "      AND o.order_key <> '' AND o.state IN " +
      blocking_states +
      " AND o.id < d.id)) "
      "ORDER BY d.id LIMIT ?3";
  const char* add_counter = "UPDATE counters SET value = value + ?2 WHERE name = ?1";

  if (std::string error = prepare_all(
          writer_db_,
          {{&insert_message_,
            "INSERT INTO messages (route, listener, principal, content_type, body, traceparent, message_key, "
            "received_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
           {&insert_delivery_,
            "INSERT INTO deliveries (message_id, endpoint, operation, payload, idempotency_key, order_key, "
            "max_attempts, backoff_first_ms, backoff_max_ms, dead_letter, state, attempts, created_at_ms, "
            "next_attempt_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0, 0, ?11, ?11) "
            "ON CONFLICT (endpoint, idempotency_key) DO NOTHING"},
           {&add_counter_, add_counter},
           {&savepoint_, "SAVEPOINT message"},
           {&release_savepoint_, "RELEASE message"},
           {&rollback_savepoint_, "ROLLBACK TO message"}});
      !error.empty()) {
    return error;
  }
  if (std::string error = prepare_all(
          ops_db_,
          {{&claim_select_, claim_sql},
           {&claim_update_, "UPDATE deliveries SET state = 1, attempts = attempts + 1 WHERE id = ?1 AND state = 0"},
           {&release_, "UPDATE deliveries SET state = 0, attempts = MAX(attempts - 1, 0) WHERE id = ?1 AND state = 1"},
           {&mark_delivered_, "UPDATE deliveries SET state = 2, finished_at_ms = ?2 WHERE id = ?1 AND state = 1"},
           {&mark_retry_,
            "UPDATE deliveries SET state = 0, next_attempt_at_ms = ?2, last_code = ?3, last_error = ?4 "
            "WHERE id = ?1 AND state = 1"},
           {&mark_given_up_,
            "UPDATE deliveries SET state = ?5, finished_at_ms = ?2, last_code = ?3, last_error = ?4 "
            "WHERE id = ?1 AND state = 1"},
           {&replay_,
            "UPDATE deliveries SET state = 0, attempts = 0, next_attempt_at_ms = ?2, finished_at_ms = NULL "
            "WHERE id = ?1 AND state = 3"},
           {&ops_add_counter_, add_counter}});
      !error.empty()) {
    return error;
  }
  return prepare_all(
      read_db_,
      {{&read_delivery_, with_columns("WHERE d.id = ?1")},
       // Ids first (from the index alone), so a page reads only its own rows.
       {&read_dead_letters_,
        with_columns("WHERE d.id IN (SELECT id FROM deliveries WHERE state = 3 AND id > ?1 ORDER BY id LIMIT ?2) "
                     "ORDER BY d.id")},
       {&read_next_due_, "SELECT MIN(next_attempt_at_ms) FROM deliveries WHERE endpoint = ?1 AND state = 0"},
       {&read_depths_,
        "SELECT endpoint, SUM(state IN (0, 1)), SUM(state = 3), MIN(CASE WHEN state IN (0, 1) THEN created_at_ms END) "
        "FROM deliveries WHERE state IN (0, 1, 3) GROUP BY endpoint ORDER BY endpoint"}});
}

void SqliteStore::note_failure(const std::string& error) {
  ++write_failures_;
  std::lock_guard lock(last_error_mutex_);
  last_error_ = error;
}

// --- claims and outcomes (operations connection) ---

std::vector<StoredDelivery> SqliteStore::claim(const std::string& endpoint, std::int64_t now_ms, std::size_t limit) {
  std::vector<StoredDelivery> claimed;
  if (limit == 0) return claimed;
  std::lock_guard ops(ops_mutex_);
  flush_outcomes_locked();
  std::lock_guard write(write_mutex_);
  if (std::string error = ops_db_.exec("BEGIN IMMEDIATE"); !error.empty()) {
    note_failure("claim: " + error);
    return claimed;
  }
  auto abandon = [&](const std::string& what) {
    note_failure(ops_db_.error(what));
    ops_db_.exec("ROLLBACK");
    claimed.clear();
    return claimed;
  };
  {
    StatementUse use(claim_select_);
    claim_select_.bind_text(1, endpoint);
    claim_select_.bind(2, now_ms);
    claim_select_.bind(3, as_sql_limit(limit));
    int rc;
    while ((rc = claim_select_.step()) == SQLITE_ROW) claimed.push_back(read_delivery(claim_select_));
    if (rc != SQLITE_DONE) return abandon("claim");
  }
  for (StoredDelivery& d : claimed) {
    StatementUse use(claim_update_);
    claim_update_.bind(1, d.id);
    if (claim_update_.step() != SQLITE_DONE) return abandon("claim");
    d.attempts += 1;
    d.state = DeliveryState::InFlight;
  }
  if (std::string error = ops_db_.exec("COMMIT"); !error.empty()) {
    note_failure("claim: " + error);
    ops_db_.exec("ROLLBACK");
    claimed.clear();
  }
  return claimed;
}

void SqliteStore::release(std::int64_t delivery_id) {
  record({Outcome::Kind::Release, delivery_id, 0, {}, {}, true});
}

void SqliteStore::delivered(std::int64_t delivery_id, std::int64_t now_ms) {
  record({Outcome::Kind::Delivered, delivery_id, now_ms, {}, {}, true});
}

void SqliteStore::retry_later(std::int64_t delivery_id, std::int64_t next_attempt_at_ms, const std::string& code,
                              const std::string& error) {
  record({Outcome::Kind::RetryLater, delivery_id, next_attempt_at_ms, code, error, true});
}

void SqliteStore::give_up(std::int64_t delivery_id, bool dead_letter, const std::string& code,
                          const std::string& error) {
  record({Outcome::Kind::GiveUp, delivery_id, wall_clock_ms(), code, error, dead_letter});
}

void SqliteStore::record(Outcome outcome) {
  std::lock_guard ops(ops_mutex_);
  unrecorded_.push_back(std::move(outcome));
  flush_outcomes_locked();
}

std::string SqliteStore::apply_outcome_locked(const Outcome& outcome, std::uint64_t& delivered, std::uint64_t& dead) {
  Statement* statement = nullptr;
  switch (outcome.kind) {
    case Outcome::Kind::Delivered:
      statement = &mark_delivered_;
      mark_delivered_.bind(2, outcome.at_ms);
      break;
    case Outcome::Kind::RetryLater:
      statement = &mark_retry_;
      mark_retry_.bind(2, outcome.at_ms);
      mark_retry_.bind_text(3, outcome.code);
      mark_retry_.bind_text(4, outcome.error);
      break;
    case Outcome::Kind::GiveUp:
      statement = &mark_given_up_;
      mark_given_up_.bind(2, outcome.at_ms);
      mark_given_up_.bind_text(3, outcome.code);
      mark_given_up_.bind_text(4, outcome.error);
      mark_given_up_.bind(5, outcome.dead_letter ? kDead : kDropped);
      break;
    case Outcome::Kind::Release: statement = &release_; break;
  }
  StatementUse use(*statement);
  statement->bind(1, outcome.id);
  if (statement->step() != SQLITE_DONE)
    return ops_db_.error("record the outcome of delivery " + std::to_string(outcome.id));
  // A row no longer InFlight (its outcome was recorded already) changes nothing and counts nothing.
  if (ops_db_.changes() == 1) {
    if (outcome.kind == Outcome::Kind::Delivered) ++delivered;
    if (outcome.kind == Outcome::Kind::GiveUp && outcome.dead_letter) ++dead;
  }
  return {};
}

void SqliteStore::flush_outcomes_locked() {
  if (unrecorded_.empty()) return;
  std::lock_guard write(write_mutex_);
  if (std::string error = ops_db_.exec("BEGIN IMMEDIATE"); !error.empty()) {
    note_failure("record outcomes: " + error);
    return;  // kept: tried again with the next outcome or claim
  }
  std::uint64_t delivered = 0;
  std::uint64_t dead = 0;
  for (const Outcome& outcome : unrecorded_) {
    if (std::string error = apply_outcome_locked(outcome, delivered, dead); !error.empty()) {
      note_failure(error);
      if (ops_db_.in_autocommit()) return;  // the error ended the transaction: keep them all for later
      // Otherwise only this statement failed (SQLite undid just it): this outcome is lost, and
      // its row stays InFlight until the next open() makes it Pending again.
    }
  }
  auto add = [&](const char* name, std::uint64_t amount) {
    if (amount == 0) return true;
    StatementUse use(ops_add_counter_);
    ops_add_counter_.bind_text(1, name);
    ops_add_counter_.bind(2, static_cast<std::int64_t>(amount));
    return ops_add_counter_.step() == SQLITE_DONE;
  };
  if (!add("deliveries_delivered", delivered) || !add("deliveries_dead", dead)) {
    note_failure(ops_db_.error("count outcomes"));
    ops_db_.exec("ROLLBACK");
    return;
  }
  if (std::string error = ops_db_.exec("COMMIT"); !error.empty()) {
    note_failure("record outcomes: " + error);
    ops_db_.exec("ROLLBACK");
    return;
  }
  unrecorded_.clear();
  deliveries_delivered_ += delivered;
  deliveries_dead_ += dead;
}

bool SqliteStore::replay(std::int64_t delivery_id) {
  std::lock_guard ops(ops_mutex_);
  flush_outcomes_locked();
  std::lock_guard write(write_mutex_);
  StatementUse use(replay_);
  replay_.bind(1, delivery_id);
  replay_.bind(2, wall_clock_ms());
  if (replay_.step() != SQLITE_DONE) {
    note_failure(ops_db_.error("replay delivery " + std::to_string(delivery_id)));
    return false;
  }
  return ops_db_.changes() == 1;
}

// --- reads (readers' connection) ---

std::vector<StoredDelivery> SqliteStore::dead_letters(std::size_t limit, std::int64_t after_id) {
  std::vector<StoredDelivery> found;
  if (limit == 0) return found;
  std::lock_guard lock(read_mutex_);
  StatementUse use(read_dead_letters_);
  read_dead_letters_.bind(1, after_id);
  read_dead_letters_.bind(2, as_sql_limit(limit));
  int rc;
  while ((rc = read_dead_letters_.step()) == SQLITE_ROW) found.push_back(read_delivery(read_dead_letters_));
  if (rc != SQLITE_DONE) note_failure(read_db_.error("list dead letters"));
  return found;
}

std::optional<StoredDelivery> SqliteStore::delivery(std::int64_t delivery_id) {
  std::lock_guard lock(read_mutex_);
  StatementUse use(read_delivery_);
  read_delivery_.bind(1, delivery_id);
  const int rc = read_delivery_.step();
  if (rc == SQLITE_ROW) return read_delivery(read_delivery_);
  if (rc != SQLITE_DONE) note_failure(read_db_.error("read delivery " + std::to_string(delivery_id)));
  return std::nullopt;
}

std::optional<std::int64_t> SqliteStore::next_due(const std::string& endpoint) {
  std::lock_guard lock(read_mutex_);
  StatementUse use(read_next_due_);
  read_next_due_.bind_text(1, endpoint);
  const int rc = read_next_due_.step();
  if (rc == SQLITE_ROW && !read_next_due_.is_null(0)) return read_next_due_.integer(0);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) note_failure(read_db_.error("next due"));
  return std::nullopt;
}

std::vector<EndpointDepth> SqliteStore::depths() {
  std::vector<EndpointDepth> found;
  std::lock_guard lock(read_mutex_);
  StatementUse use(read_depths_);
  int rc;
  while ((rc = read_depths_.step()) == SQLITE_ROW) {
    EndpointDepth depth;
    depth.endpoint = read_depths_.text(0);
    depth.pending = static_cast<std::uint64_t>(read_depths_.integer(1));
    depth.dead = static_cast<std::uint64_t>(read_depths_.integer(2));
    depth.oldest_pending_ms = read_depths_.integer(3);  // NULL (none pending) reads as 0
    found.push_back(std::move(depth));
  }
  if (rc != SQLITE_DONE) note_failure(read_db_.error("depths"));
  return found;
}

std::uint64_t SqliteStore::message_count() {
  return messages_accepted_.load();
}

StoreStats SqliteStore::stats() {
  StoreStats s;
  s.messages_accepted = messages_accepted_.load();
  s.deliveries_delivered = deliveries_delivered_.load();
  s.deliveries_dead = deliveries_dead_.load();
  s.group_commits = group_commits_.load();
  s.accepts_committed = accepts_committed_.load();
  s.recovered_in_flight = recovered_in_flight_.load();
  s.write_failures = write_failures_.load();
  std::lock_guard lock(last_error_mutex_);
  s.last_error = last_error_;
  return s;
}

}  // namespace sqlite

std::variant<std::unique_ptr<Store>, std::string> open_sqlite_store(const std::string& path,
                                                                    const StoreOptions& options) {
  return sqlite::SqliteStore::open(path, options);
}

}  // namespace suture::host
