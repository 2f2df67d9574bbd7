// sqlite_db.cpp — the RAII layer over the SQLite C API (see sqlite_db.h).
#include "runtime/host/store/sqlite_db.h"

#include <sqlite3.h>

#include <utility>

namespace suture::host::sqlite {

Statement::Statement(Statement&& other) noexcept : statement_(std::exchange(other.statement_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(statement_);
    statement_ = std::exchange(other.statement_, nullptr);
  }
  return *this;
}

Statement::~Statement() {
  sqlite3_finalize(statement_);
}

void Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(statement_, index, value);
}

void Statement::bind_text(int index, std::string_view value) {
  sqlite3_bind_text64(statement_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8);
}

void Statement::bind_blob(int index, std::string_view value) {
  // A zero-length blob still binds as a blob (not NULL): the columns holding bytes are NOT NULL.
  static const char kEmpty = 0;
  sqlite3_bind_blob64(statement_, index, value.empty() ? &kEmpty : value.data(), value.size(), SQLITE_STATIC);
}

void Statement::bind_null(int index) {
  sqlite3_bind_null(statement_, index);
}

int Statement::step() {
  return sqlite3_step(statement_);
}

void Statement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

std::int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(statement_, column);
}

std::string Statement::text(int column) const {
  // Blob access reads text and blob columns alike, byte for byte (a body need not be UTF-8).
  const void* bytes = sqlite3_column_blob(statement_, column);
  const int size = sqlite3_column_bytes(statement_, column);
  if (bytes == nullptr || size <= 0) return {};
  return std::string(static_cast<const char*>(bytes), static_cast<std::size_t>(size));
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

Connection::Connection(Connection&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

// close_v2 waits for any statement still alive to be finalized instead of failing.
Connection::~Connection() {
  sqlite3_close_v2(db_);
}

std::string Connection::open(const std::string& path) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc == SQLITE_OK) {
    sqlite3_extended_result_codes(db_, 1);
    return {};
  }
  std::string message = "cannot open " + path + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
  sqlite3_close_v2(db_);
  db_ = nullptr;
  return message;
}

std::string Connection::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) == SQLITE_OK) return {};
  std::string text = message ? message : sqlite3_errmsg(db_);
  sqlite3_free(message);
  return text + " (code " + std::to_string(sqlite3_extended_errcode(db_)) + ")";
}

std::string Connection::query_text(const char* sql, std::string* error) {
  Statement statement;
  if (std::string failure = prepare(sql, statement); !failure.empty()) {
    if (error) *error = failure;
    return {};
  }
  const int rc = statement.step();
  if (rc == SQLITE_ROW) return statement.text(0);
  if (rc != SQLITE_DONE && error) *error = this->error(sql);
  return {};
}

std::string Connection::prepare(const char* sql, Statement& statement) {
  sqlite3_stmt* prepared = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &prepared, nullptr);
  if (rc != SQLITE_OK) {
    statement = Statement();
    return error(std::string("prepare ") + sql);
  }
  statement = Statement(prepared);
  return {};
}

std::string Connection::error(std::string_view what) const {
  return std::string(what) + ": " + sqlite3_errmsg(db_) + " (code " + std::to_string(sqlite3_extended_errcode(db_)) +
         ")";
}

bool Connection::in_autocommit() const {
  return sqlite3_get_autocommit(db_) != 0;
}

std::int64_t Connection::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

int Connection::changes() const {
  return sqlite3_changes(db_);
}

}  // namespace suture::host::sqlite
