// sqlite_schema.cpp — creates and versions the store's tables (see sqlite_schema.h).
#include "runtime/host/store/sqlite_schema.h"

#include <cstdlib>

namespace suture::host::sqlite {
namespace {

// Version 1. The indexes are the store's access paths:
//  - deliveries_claim: claim() walks an endpoint's pending rows oldest first (due time read from
//    the index, so rows still backing off are skipped without touching the table);
//  - deliveries_due: next_due() is one seek to the smallest next_attempt_at_ms;
//  - deliveries_order: claim()'s "is an older row of this order key still open?" is one seek;
//  - deliveries_state: depths() and dead_letters() read only rows not yet finished.
// A delivery with no idempotency key stores NULL there, which UNIQUE never treats as a repeat.
constexpr const char* kCreateVersion1 = R"sql(
CREATE TABLE messages (
  id             INTEGER PRIMARY KEY,
  route          TEXT NOT NULL,
  listener       TEXT NOT NULL,
  principal      TEXT NOT NULL,
  content_type   TEXT NOT NULL,
  body           BLOB NOT NULL,
  traceparent    TEXT NOT NULL,
  message_key    TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL
);
CREATE TABLE deliveries (
  id                 INTEGER PRIMARY KEY,
  message_id         INTEGER NOT NULL REFERENCES messages(id),
  endpoint           TEXT NOT NULL,
  operation          TEXT NOT NULL,
  payload            BLOB NOT NULL,
  idempotency_key    TEXT,
  order_key          TEXT NOT NULL,
  max_attempts       INTEGER NOT NULL,
  backoff_first_ms   INTEGER NOT NULL,
  backoff_max_ms     INTEGER NOT NULL,
  dead_letter        INTEGER NOT NULL,
  state              INTEGER NOT NULL,
  attempts           INTEGER NOT NULL DEFAULT 0,
  created_at_ms      INTEGER NOT NULL,
  next_attempt_at_ms INTEGER NOT NULL,
  finished_at_ms     INTEGER,
  last_code          TEXT NOT NULL DEFAULT '',
  last_error         TEXT NOT NULL DEFAULT '',
  UNIQUE (endpoint, idempotency_key)
);
CREATE INDEX deliveries_claim ON deliveries (endpoint, state, id, next_attempt_at_ms);
CREATE INDEX deliveries_due ON deliveries (endpoint, state, next_attempt_at_ms);
CREATE INDEX deliveries_order ON deliveries (endpoint, order_key, state, id) WHERE order_key <> '';
CREATE INDEX deliveries_state ON deliveries (state, endpoint, created_at_ms);
CREATE TABLE counters (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('messages_accepted', 0), ('deliveries_delivered', 0),
                                          ('deliveries_dead', 0);
PRAGMA user_version = 1;
)sql";

}  // namespace

std::string prepare_schema(Connection& db) {
  std::string error;
  const std::string version_text = db.query_text("PRAGMA user_version", &error);
  if (!error.empty()) return error;
  const int version = std::atoi(version_text.c_str());
  if (version == kSchemaVersion) return {};
  if (version > kSchemaVersion) {
    return "the store was written by a newer host (schema version " + std::to_string(version) +
           ", this host knows up to " + std::to_string(kSchemaVersion) + ")";
  }
  // Version 0: a new file (or one with foreign tables, which CREATE TABLE then reports).
  if (std::string failure = db.exec("BEGIN IMMEDIATE"); !failure.empty()) return "create schema: " + failure;
  if (std::string failure = db.exec(kCreateVersion1); !failure.empty()) {
    db.exec("ROLLBACK");
    return "create schema: " + failure;
  }
  if (std::string failure = db.exec("COMMIT"); !failure.empty()) {
    db.exec("ROLLBACK");
    return "create schema: " + failure;
  }
  return {};
}

}  // namespace suture::host::sqlite
