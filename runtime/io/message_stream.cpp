// message_stream.cpp — MessageStream: a growable read buffer over a file descriptor, a boundary
// search per format (newline; the end of the input; the next MSH segment), format detection from
// the first non-blank line, and skipping of oversized messages without holding them.
#include "runtime/io/message_stream.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace suture::runtime::io {
namespace {

constexpr std::size_t kHl7Slack = 4096;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Separators that may sit between HL7 messages: terminators and MLLP framing bytes.
bool is_hl7_gap(char c) {
  return c == '\r' || c == '\n' || c == '\x0b' || c == '\x1c' || c == ' ' || c == '\t';
}

// Does the JSON value starting at p (a '{' or '[') end before `end`? Strings are skipped with
// their escapes; nothing else is checked (the decoder validates).
bool value_ends_before(const char* p, const char* end) {
  int depth = 0;
  bool in_string = false;
  for (; p < end; ++p) {
    char c = *p;
    if (in_string) {
      if (c == '\\')
        ++p;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

MessageStream::MessageStream(int fd, const StreamOptions& options)
    : fd_(fd), options_(options), format_(options.format) {
  options_.chunk_size = std::max<std::size_t>(options_.chunk_size, 1);
  // Room for a message of max_message bytes plus what may follow it before the next message is
  // recognised: `\r\n` for a line; for HL7 terminators, MLLP bytes, blank lines, a BOM and the
  // next "MSH" (kHl7Slack in all; a longer gap after a message of nearly max_message bytes
  // makes it MESSAGE_TOO_LARGE). The format is not known yet when Auto: allow for HL7.
  std::size_t slack = format_ == Format::Ndjson || format_ == Format::JsonDocument ? 2 : kHl7Slack;
  limit_ = std::max(options_.chunk_size, options_.max_message + slack);
  capacity_ = options_.chunk_size;
  buffer_ = std::make_unique<char[]>(capacity_ + kPadding);
}

bool MessageStream::fill() {
  if (eof_) return false;
  if (end_ == capacity_) {
    if (begin_ > 0) {
      std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
      base_ += begin_;
      end_ -= begin_;
      scan_ = scan_ > begin_ ? scan_ - begin_ : 0;
      begin_ = 0;
    } else if (capacity_ < limit_) {
      std::size_t grown = std::min(limit_, capacity_ * 2);
      auto bigger = std::make_unique<char[]>(grown + kPadding);
      std::memcpy(bigger.get(), buffer_.get(), end_);
      buffer_ = std::move(bigger);
      capacity_ = grown;
    } else {
      return true;  // full of one message: the caller skips it
    }
  }
  std::size_t want = std::min(options_.chunk_size, capacity_ - end_);
  ssize_t n;
  do {
    n = ::read(fd_, buffer_.get() + end_, want);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) {
    read_failed_ = n < 0;
    eof_ = true;
    return false;
  }
  end_ += static_cast<std::size_t>(n);
  return true;
}

// Looks at the first non-blank line: HL7 if it starts with MSH, a multi-line JSON document if it
// opens a value it does not close, NDJSON otherwise.
bool MessageStream::detect() {
  while (true) {
    const char* buf = buffer_.get();
    std::size_t p = begin_;
    while (p < end_ && (is_space(buf[p]) || buf[p] == '\x0b' || buf[p] == '\x1c')) ++p;
    bool full = end_ - begin_ >= limit_;
    if (p == end_) {
      if (eof_ || full) {
        format_ = Format::Ndjson;
        return true;
      }
      fill();
      continue;
    }
    if (buf[p] == 'M') {
      if (end_ - p < 3 && !eof_ && !full) {
        fill();
        continue;
      }
      format_ = end_ - p >= 3 && std::memcmp(buf + p, "MSH", 3) == 0 ? Format::Hl7v2 : Format::Ndjson;
      return true;
    }
    if (buf[p] != '{' && buf[p] != '[') {
      format_ = Format::Ndjson;
      return true;
    }
    const void* newline = std::memchr(buf + p, '\n', end_ - p);
    if (newline == nullptr && !eof_ && !full) {
      fill();
      continue;
    }
    const char* line_end = newline != nullptr ? static_cast<const char*>(newline) : buf + end_;
    bool complete = value_ends_before(buf + p, line_end) || (newline == nullptr && eof_) || full;
    format_ = complete ? Format::Ndjson : Format::JsonDocument;
    return true;
  }
}

void MessageStream::skip_separators() {
  if (format_ != Format::Hl7v2) return;
  const char* buf = buffer_.get();
  while (begin_ < end_ && is_hl7_gap(buf[begin_])) ++begin_;
}

MessageStream::Boundary MessageStream::find_boundary() {
  Boundary b;
  const char* buf = buffer_.get();
  scan_ = std::max(scan_, begin_);
  switch (format_) {
    case Format::Hl7v2: {
      std::size_t i = std::max(scan_, begin_ + 1);
      while (i < end_) {
        const void* m = std::memchr(buf + i, 'M', end_ - i);
        if (m == nullptr) break;
        i = static_cast<std::size_t>(static_cast<const char*>(m) - buf);
        // A UTF-8 BOM may open a message too (files concatenated with `cat`).
        std::size_t start = i;
        if (i >= begin_ + 4 && std::memcmp(buf + i - 3, "\xEF\xBB\xBF", 3) == 0) start = i - 3;
        char before = start > begin_ ? buf[start - 1] : '\0';
        if (before == '\r' || before == '\n' || before == '\x0b') {
          if (end_ - i < 3) {
            if (eof_) break;
            scan_ = i;  // cannot tell yet: look here again once more is read
            return b;
          }
          if (buf[i + 1] == 'S' && buf[i + 2] == 'H') {
            b.found = true;
            b.end = start;
            b.next = i;
            return b;
          }
        }
        ++i;
      }
      scan_ = end_;
      return b;
    }
    case Format::JsonDocument: scan_ = end_; return b;  // the document ends with the input
    default: {
      const void* newline = std::memchr(buf + scan_, '\n', end_ - scan_);
      if (newline == nullptr) {
        scan_ = end_;
        return b;
      }
      b.found = true;
      b.end = static_cast<std::size_t>(static_cast<const char*>(newline) - buf);
      b.next = b.end + 1;
      return b;
    }
  }
}

// [begin, end) is one item's text (with its format's terminators); yields it unless blank.
bool MessageStream::emit(Message& out, std::size_t begin, std::size_t end, std::size_t next) {
  const char* buf = buffer_.get();
  begin_ = next;
  scan_ = next;
  std::size_t start = begin, stop = end;
  if (format_ == Format::Hl7v2) {
    while (stop > start && is_hl7_gap(buf[stop - 1]) && buf[stop - 1] != ' ' && buf[stop - 1] != '\t') --stop;
  } else {
    if (format_ == Format::Ndjson && stop > start && buf[stop - 1] == '\r') --stop;
    std::size_t s = start, e = stop;
    while (s < e && is_space(buf[s])) ++s;
    while (e > s && is_space(buf[e - 1])) --e;
    if (s == e) return false;  // a blank line
    if (format_ == Format::JsonDocument) start = s, stop = e;
  }
  if (stop == start) return false;
  out = Message{};
  out.ordinal = ++ordinal_;
  out.offset = base_ + start;
  out.size = stop - start;
  if (stop - start > options_.max_message) {
    out.error = code::kMessageTooLarge;
  } else {
    out.text = std::string_view(buf + start, stop - start);
    if (format_ == Format::Hl7v2 && (stop - start < 3 || std::memcmp(buf + start, "MSH", 3) != 0))
      out.error = code::kNotHl7;
  }
  return true;
}

// The message at begin_ fills the whole buffer: report it and read on to the next boundary,
// dropping what has been scanned.
bool MessageStream::skip_too_large(Message& out) {
  out = Message{};
  out.ordinal = ++ordinal_;
  out.offset = base_ + begin_;
  out.error = code::kMessageTooLarge;
  std::uint64_t start = base_ + begin_;
  while (true) {
    Boundary b = find_boundary();
    if (b.found) {
      out.size = base_ + b.end - start;
      begin_ = scan_ = b.next;
      return true;
    }
    if (eof_) {
      out.size = base_ + end_ - start;
      begin_ = scan_ = end_;
      return true;
    }
    // Keep one byte before the resume point: the HL7 search looks at the byte before an 'M'.
    std::size_t keep_from = format_ == Format::Hl7v2 && scan_ > 0 ? scan_ - 1 : scan_;
    begin_ = std::max(begin_, std::min(keep_from, end_));
    if (begin_ == end_ && end_ < capacity_) {
      // Nothing left to keep: start the buffer over.
      base_ += end_;
      begin_ = end_ = scan_ = 0;
    }
    fill();
  }
}

bool MessageStream::next(Message& out) {
  if (done_) return false;
  if (!detected_) {
    detected_ = true;
    while (end_ - begin_ < 3 && fill()) {
    }
    if (end_ - begin_ >= 3 && std::memcmp(buffer_.get() + begin_, "\xEF\xBB\xBF", 3) == 0) begin_ += 3;  // UTF-8 BOM
    scan_ = begin_;
    if (format_ == Format::Auto) detect();
    if (format_ != Format::Hl7v2) limit_ = std::max(options_.chunk_size, options_.max_message + 2);
  }
  while (true) {
    skip_separators();
    if (begin_ == end_) {
      if (eof_ || !fill()) {
        if (begin_ != end_) continue;
        done_ = true;
        if (read_failed_) {
          out = Message{};
          out.ordinal = ++ordinal_;
          out.offset = base_ + end_;
          out.error = code::kReadError;
          return true;
        }
        return false;
      }
      continue;
    }
    Boundary b = find_boundary();
    if (b.found) {
      if (emit(out, begin_, b.end, b.next)) return true;
      continue;
    }
    if (eof_) {
      if (emit(out, begin_, end_, end_)) return true;
      continue;
    }
    if (end_ - begin_ >= limit_) return skip_too_large(out);
    fill();
  }
}

}  // namespace suture::runtime::io
