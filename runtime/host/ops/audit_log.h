// audit_log.h — the audit trail: one JSON line per policy decision and per delivery outcome,
// never a value from a message (rules, paths, codes, ids and hashes only). Appended by many
// threads; each line is written whole.
// Pipeline position: the pipeline's decisions and the dispatcher's outcomes go here.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

namespace suture::host {

class AuditLog {
 public:
  // "" = discard, "-" = standard error, else a file opened for appending. Error text on failure.
  std::string open(const std::string& path);
  ~AuditLog();
  void write(const std::string& line);

 private:
  std::mutex mutex_;
  std::FILE* file_ = nullptr;
  bool owned_ = false;
};

}  // namespace suture::host
