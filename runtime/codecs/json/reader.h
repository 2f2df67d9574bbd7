// reader.h — what the FHIR and Odoo decoders share: the one On-Demand pass over the input (read
// in place when the caller pads it, else copied once into the arena with simdjson's padding),
// the JSON path of the member being read (kept as views, rendered only when an error needs it),
// nesting depth, structured errors, reusable scratch stacks for lists and unknown members, and
// the readers for atoms (strings, exact numbers, raw JSON). Internal to runtime/codecs/json.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/codecs/json/json.h"

namespace suture::runtime::json {

namespace od = simdjson::ondemand;

// Per-thread buffers the decoders reuse, so steady-state decoding allocates nothing but arena
// memory. INVARIANT: one decode at a time per thread (decoding never calls back out).
struct Scratch {
  struct Frame {                // one open object or array on the path
    const char* key = nullptr;  // the member being read (views the input or simdjson's buffer)
    std::uint32_t key_size = 0;
    std::int32_t index = -1;  // the element being read, for an array
  };
  std::vector<Frame> frames;
  std::vector<abi::Value> values;           // list items being collected, innermost last
  std::vector<abi::UnknownMember> unknown;  // kept members being collected, innermost last
};

class Reader {
 public:
  Reader(Arena& arena, const DecodeOptions& options);

  // Checks size, indexes the text (copying it first unless `padded`) and opens its root
  // object. False (with error()) when any of that fails.
  bool open(std::string_view json, bool padded, od::object& root);
  // After the root object has been walked: nothing but whitespace may follow it.
  bool finish();
  // Full decodes only: after a schema error, walks the whole text again so that a syntax
  // error anywhere in it is reported instead (as a validate-first decoder would).
  void rank_errors();
  od::document& document() { return document_; }

  // Errors. fail() records one at the current path; fail_syntax() at "$" (syntax-level errors
  // have no meaningful member path). Both return false so callers can `return fail(…)`.
  bool fail(const char* code, std::string message);
  bool fail_syntax(const char* code, std::string message);
  bool fail_simdjson(simdjson::error_code error);
  bool failed() const { return error_.has_value(); }
  DecodeError take_error() { return std::move(*error_); }

  // The path, one frame per open object or array; entering checks max_depth.
  bool enter(std::size_t& frame) {
    frame = scratch_.frames.size();
    if (frame + 1 > options_.max_depth) return too_deep();
    scratch_.frames.emplace_back();
    return true;
  }
  void set_key(std::size_t frame, std::string_view key) {
    scratch_.frames[frame].key = key.data();
    scratch_.frames[frame].key_size = static_cast<std::uint32_t>(key.size());
  }
  void set_index(std::size_t frame, std::size_t index) {
    scratch_.frames[frame].index = static_cast<std::int32_t>(index);
  }
  void leave(std::size_t frame) { scratch_.frames.resize(frame); }
  std::string path() const;

  // Atoms. Each fills `out` (kind, text/aux or integer) or fails: a value of another JSON type
  // is JSON_WRONG_TYPE at the current path, a malformed one a syntax error.
  bool read_string(od::value& value, abi::Value& out, abi::Kind kind = abi::Kind::String);
  bool read_integer(od::value& value, abi::Value& out);
  bool read_decimal(od::value& value, abi::Value& out);
  bool read_bool(od::value& value, abi::Value& out);
  // Checks a value starting with 'n' really is null.
  bool check_null(od::value& value);
  // A code of `enumeration`: out.aux is its index, out.text the code in the descriptor
  // (INVARIANT: the descriptor outlives the record).
  bool read_enum(od::value& value, const abi::EnumDesc& enumeration, abi::Value& out);
  // Any value, verbatim (trailing whitespace trimmed); walked, so it is validated too.
  bool read_raw(od::value& value, std::string_view& raw);
  // A member's key: a view into the input when it holds no escape (`in_input`), else unescaped
  // into simdjson's buffer.
  bool read_key(od::field& field, std::string_view& key, bool& in_input) {
    // Stage 1 guarantees the closing quote, so the scan stops inside the text.
    const char* start = field.key().raw();
    const char* p = start;
    while (*p != '"' && *p != '\\') ++p;
    in_input = *p == '"';
    if (in_input) {
      key = std::string_view(start, static_cast<std::size_t>(p - start));
      return true;
    }
    return read_escaped_key(field, key);
  }
  bool read_key(od::field& field, std::string_view& key) {
    bool in_input;
    return read_key(field, key, in_input);
  }
  // A value walked only to validate it (syntax, numbers, escapes, depth).
  bool validate(od::value& value);

  abi::Record* new_record(const abi::RecordDesc& desc);
  // List items: mark, push each, then take them all into the arena as one List value.
  std::size_t list_mark() const { return scratch_.values.size(); }
  void list_push(const abi::Value& item) { scratch_.values.push_back(item); }
  abi::Value list_take(std::size_t mark);
  // Undeclared members kept verbatim: mark, keep (copies the key; the raw text is in the
  // input), attach the ones since the mark to the record.
  std::size_t unknown_mark() const { return scratch_.unknown.size(); }
  void keep_unknown(std::string_view key, std::string_view raw);
  void attach_unknown(abi::Record& record, std::size_t mark);

  const DecodeOptions& options() const { return options_; }
  Arena& arena() { return arena_; }

 private:
  bool read_escaped_key(od::field& field, std::string_view& key);
  bool too_deep();
  bool validate_object(od::object& object);
  bool validate_array(od::array& array);

  Arena& arena_;
  const DecodeOptions& options_;
  Scratch& scratch_;
  std::optional<DecodeError> error_;
  bool syntax_error_ = false;  // error_ is syntax-level (reported at "$")
  od::document document_;
};

// A short description of a JSON value from its first character, for messages.
const char* describe_token(char first);

// What every decoder's entry does around its walk: open the text, run `walk(reader, root)` (it
// returns the decoded record or nullptr), check the end, rank the errors, and turn the reader's
// state into a result; running out of memory is JSON_OUT_OF_MEMORY, never an exception.
template <typename Walk>
DecodeResult decode_document(std::string_view json, bool padded, Arena& arena, const DecodeOptions& options,
                             Walk walk) {
  DecodeResult result;
  try {
    Reader reader(arena, options);
    od::object object;
    if (reader.open(json, padded, object)) {
      abi::Record* record = walk(reader, object);
      if (record != nullptr && reader.finish()) result.record = record;
      reader.rank_errors();
    }
    if (reader.failed()) {
      result.record = nullptr;
      result.error = reader.take_error();
    }
  } catch (const std::bad_alloc&) {
    result.record = nullptr;
    result.error = DecodeError{code::kOutOfMemory, "$", "out of memory"};
  }
  return result;
}

}  // namespace suture::runtime::json
