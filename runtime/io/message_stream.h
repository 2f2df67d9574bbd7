// message_stream.h — splitting an input stream (a file descriptor: a file, a pipe, stdin) into
// messages in constant memory, for the host's ingest and `suture run`. Pipeline position:
// bytes ─► MessageStream ─► one view per message ─► codecs (runtime/codecs) ─► rules.
//
// Formats, detected from the first bytes or forced:
//  - Ndjson: one JSON value per line; `\r\n` tolerated, blank lines skipped. A line longer than
//    max_message is reported as a MESSAGE_TOO_LARGE item and skipped; the lines after it are
//    read as usual.
//  - JsonDocument: the whole input is one JSON value spread over several lines (a pretty-printed
//    FHIR resource or Bundle). Detected when the first non-blank line does not hold a complete
//    JSON value. The whole input is bounded by max_message.
//  - Hl7v2: ER7 messages, each starting at a segment that begins "MSH" (at the start of the input
//    or after `\r`, `\n` or an MLLP start byte); segments end with `\r`, `\n` or `\r\n`. MLLP
//    framing (0x0B before, 0x1C 0x0D after a message) and blank lines between messages are
//    stripped; so are the terminators after the last segment.
// Memory: the buffer starts at chunk_size and grows only while one message needs it, up to
// max_message plus a terminator (HL7: plus 4 KiB for framing, blank lines and the next MSH; a
// message followed by a longer gap may be reported too large); a longer message is skipped
// chunk by chunk, never held.
//
// Lifetime and padding: a yielded view points into the stream's buffer and is valid until the
// next call to next(). At least kPadding bytes after its end are readable (their content is
// unspecified), so it can be handed to the JSON decoders as json::PaddedInput without a copy;
// kPadding is at least simdjson::SIMDJSON_PADDING (checked where both are visible, in the
// tests).
// No function here throws for bad input: problems are items with an error code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace suture::runtime::io {

inline constexpr std::size_t kPadding = 64;

enum class Format : std::uint8_t { Auto, Ndjson, JsonDocument, Hl7v2 };

// Stable error codes (Message::error).
namespace code {
inline constexpr const char* kMessageTooLarge = "MESSAGE_TOO_LARGE";  // skipped; size says how big it was
inline constexpr const char* kNotHl7 = "MESSAGE_NOT_HL7";             // text before the first MSH segment
inline constexpr const char* kReadError = "MESSAGE_READ_ERROR";       // read(2) failed; the stream ends
}  // namespace code

struct StreamOptions {
  Format format = Format::Auto;
  std::size_t chunk_size = 1u << 20;    // bytes read at a time (tests use tiny ones)
  std::size_t max_message = 16u << 20;  // the largest message kept; longer ones are error items
};

// One item: a message, or an error in its place.
struct Message {
  std::string_view text;        // the message (empty for an error item); see the lifetime rules
  std::uint64_t ordinal = 0;    // 1-based; error items are counted too, blank lines are not
  std::uint64_t offset = 0;     // byte offset of the item's first byte in the input
  std::uint64_t size = 0;       // input bytes the item spans (for a message: text.size())
  const char* error = nullptr;  // nullptr, or one of code::k…
};

class MessageStream {
 public:
  // Reads from `fd`, which the caller owns and keeps open while the stream is used.
  explicit MessageStream(int fd, const StreamOptions& options = {});
  MessageStream(const MessageStream&) = delete;
  MessageStream& operator=(const MessageStream&) = delete;

  // The next item; false at the end of the input.
  bool next(Message& out);
  // The format in use: the forced one, or what detection found (Auto before the first next()).
  Format format() const { return format_; }

 private:
  struct Boundary {
    bool found = false;
    std::size_t end = 0;   // the message ends here (exclusive, before its terminator)
    std::size_t next = 0;  // the next message starts here
  };
  bool fill();  // reads more; false at end of input (or on a read error)
  bool detect();
  Boundary find_boundary();
  void skip_separators();
  bool skip_too_large(Message& out);
  bool emit(Message& out, std::size_t begin, std::size_t end, std::size_t next);

  int fd_;
  StreamOptions options_;
  Format format_;
  std::unique_ptr<char[]> buffer_;
  std::size_t capacity_ = 0;  // usable bytes (kPadding more are allocated)
  std::size_t limit_ = 0;     // the most capacity_ may grow to
  std::size_t begin_ = 0;     // unread data is [begin_, end_)
  std::size_t end_ = 0;
  std::size_t scan_ = 0;    // where the boundary search resumes
  std::uint64_t base_ = 0;  // input offset of buffer_[0]
  std::uint64_t ordinal_ = 0;
  bool eof_ = false;
  bool read_failed_ = false;
  bool detected_ = false;
  bool done_ = false;
};

}  // namespace suture::runtime::io
