// sqlite_db.h — a thin RAII layer over the SQLite C API for the host's store: a connection, a
// prepared statement with typed binds and columns, and error text that names what failed.
// Nothing here throws; failures come back as error strings. Only the store's own files use it.
// Pipeline position: under sqlite_store.cpp; nothing outside runtime/host/store sees SQLite.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace suture::host::sqlite {

class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* statement) : statement_(statement) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  ~Statement();

  // Parameters are 1-based, as in SQL. Text and blobs are not copied: the bytes must outlive
  // the step() that uses them.
  void bind(int index, std::int64_t value);
  void bind_text(int index, std::string_view value);
  void bind_blob(int index, std::string_view value);
  void bind_null(int index);

  // One step: the SQLite result code (SQLITE_ROW, SQLITE_DONE, or an error).
  int step();
  // Back to the start with no bindings. Until a read statement is reset it holds its snapshot
  // open (and with it the WAL from being checkpointed), so every use ends with a reset.
  void reset();

  // Columns are 0-based. NULL reads as 0 / "".
  std::int64_t integer(int column) const;
  std::string text(int column) const;
  bool is_null(int column) const;

  explicit operator bool() const { return statement_ != nullptr; }

 private:
  sqlite3_stmt* statement_ = nullptr;
};

// Resets a statement when the scope that used it ends, however it ends.
class StatementUse {
 public:
  explicit StatementUse(Statement& statement) : statement_(statement) {}
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;
  ~StatementUse() { statement_.reset(); }

 private:
  Statement& statement_;
};

class Connection {
 public:
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  ~Connection();

  // Opens (creating when absent) the database file. "" on success, else why not.
  std::string open(const std::string& path);
  // Runs SQL with no results wanted (several statements allowed). "" on success.
  std::string exec(const char* sql);
  // The first column of the first row of a one-row query (a PRAGMA, usually); "" when none.
  std::string query_text(const char* sql, std::string* error);
  // "" on success; `statement` is left empty on failure.
  std::string prepare(const char* sql, Statement& statement);
  // "<what>: <SQLite's message> (code N)", for the last failure on this connection.
  std::string error(std::string_view what) const;
  // Whether no transaction is open (an error may have rolled one back on its own).
  bool in_autocommit() const;
  std::int64_t last_insert_rowid() const;
  int changes() const;

  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace suture::host::sqlite
