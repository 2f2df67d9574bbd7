// audit_log.cpp — appending audit lines (see audit_log.h).
#include "runtime/host/ops/audit_log.h"

#include <cerrno>
#include <cstring>

namespace suture::host {

std::string AuditLog::open(const std::string& path) {
  if (path.empty()) return {};
  if (path == "-") {
    file_ = stderr;
    return {};
  }
  file_ = std::fopen(path.c_str(), "a");
  if (file_ == nullptr) return "cannot open the audit log " + path + ": " + std::strerror(errno);
  owned_ = true;
  return {};
}

AuditLog::~AuditLog() {
  if (owned_ && file_ != nullptr) std::fclose(file_);
}

void AuditLog::write(const std::string& line) {
  if (file_ == nullptr) return;
  std::lock_guard lock(mutex_);
  std::fwrite(line.data(), 1, line.size(), file_);
  if (line.empty() || line.back() != '\n') std::fputc('\n', file_);
  std::fflush(file_);
}

}  // namespace suture::host
