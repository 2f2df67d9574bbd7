// sqlite_schema.h — the store's tables, their version (PRAGMA user_version) and the SQL every
// connection prepares. Creating the schema on a new file and refusing a file written by a newer
// host happen here.
// Pipeline position: sqlite_store.cpp calls prepare_schema() once, on the writer's connection.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/host/store/sqlite_db.h"

namespace suture::host::sqlite {

// Bumped whenever a table or index changes; prepare_schema() migrates older files forward.
inline constexpr int kSchemaVersion = 1;

// Delivery states as stored (the numbers are on disk: never renumber).
inline constexpr int kPending = 0;
inline constexpr int kInFlight = 1;
inline constexpr int kDelivered = 2;
inline constexpr int kDead = 3;
inline constexpr int kDropped = 4;

// Creates the tables on a new file, migrates an older one, refuses a newer one. "" on success.
std::string prepare_schema(Connection& db);

// The columns a StoredDelivery is read from, in the order read_delivery() expects; `d` is
// deliveries and `m` messages.
inline constexpr const char* kDeliveryColumns =
    "d.id, d.message_id, m.route, d.endpoint, d.operation, d.payload, d.idempotency_key, d.order_key, "
    "m.traceparent, d.attempts, d.max_attempts, d.backoff_first_ms, d.backoff_max_ms, d.dead_letter, d.state, "
    "d.created_at_ms, d.next_attempt_at_ms, d.last_code, d.last_error";
inline constexpr const char* kDeliveryFrom = " FROM deliveries d JOIN messages m ON m.id = d.message_id ";

}  // namespace suture::host::sqlite
