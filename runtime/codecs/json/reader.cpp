// reader.cpp — input checks and atom readers shared by the JSON decoders. One On-Demand pass:
// simdjson's first stage checks UTF-8 and raw control characters over the whole text; the
// decoders' walk checks the rest of what it reads (literals, numbers, escapes, commas, depth)
// and takes exact number text and the raw text of subtrees kept verbatim straight from the
// input. Values a full decode keeps raw are walked too (validate()), so nothing goes unchecked.
#include "runtime/codecs/json/reader.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <new>

namespace suture::runtime::json {

static_assert(kInputPadding >= simdjson::SIMDJSON_PADDING, "PaddedInput must satisfy simdjson's padding");

namespace {

od::parser& walker() {
  thread_local od::parser parser;
  return parser;
}

Scratch& thread_scratch() {
  thread_local Scratch scratch;
  return scratch;
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool starts_number(char c) {
  return c == '-' || (c >= '0' && c <= '9');
}

}  // namespace

const char* describe_token(char first) {
  switch (first) {
    case '[': return "an array";
    case '{': return "an object";
    case '"': return "a string";
    case 't':
    case 'f': return "a boolean";
    case 'n': return "null";
    default: return starts_number(first) ? "a number" : "a value";
  }
}

Reader::Reader(Arena& arena, const DecodeOptions& options)
    : arena_(arena), options_(options), scratch_(thread_scratch()) {
  scratch_.frames.clear();
  scratch_.values.clear();
  scratch_.unknown.clear();
}

bool Reader::open(std::string_view json, bool padded, od::object& root) {
  if (json.size() > options_.max_bytes)
    return fail_syntax(code::kTooLarge, "the message is " + std::to_string(json.size()) + " bytes; the limit is " +
                                            std::to_string(options_.max_bytes));
  std::size_t size = json.size();
  const char* text = json.data();
  if (!padded || text == nullptr) {
    char* copy = static_cast<char*>(arena_.allocate(size + simdjson::SIMDJSON_PADDING, 64));
    if (size != 0) std::memcpy(copy, json.data(), size);
    std::memset(copy + size, 0, simdjson::SIMDJSON_PADDING);
    text = copy;
  }
  if (auto e = walker().iterate(text, size, size + simdjson::SIMDJSON_PADDING).get(document_)) return fail_simdjson(e);
  std::string_view token;
  if (auto e = document_.raw_json_token().get(token)) return fail_simdjson(e);
  if (token.empty() || token[0] != '{') {
    fail(code::kWrongType, std::string("expected an object, found ") + describe_token(token.empty() ? ' ' : token[0]));
    rank_errors();  // a malformed root is JSON_MALFORMED rather than the wrong type
    return false;
  }
  if (auto e = document_.get_object().get(root)) return fail_simdjson(e);
  return true;
}

bool Reader::finish() {
  auto location = document_.current_location();
  if (location.error() == simdjson::OUT_OF_BOUNDS) return true;
  if (location.error()) return fail_simdjson(location.error());
  return fail_syntax(code::kMalformed, "malformed JSON: text after the root value");
}

void Reader::rank_errors() {
  if (!error_ || syntax_error_ || options_.projection != nullptr) return;
  DecodeError schema_error = std::move(*error_);
  error_.reset();
  scratch_.frames.clear();
  document_.rewind();
  std::string_view token;
  simdjson::error_code e = document_.raw_json_token().get(token);
  if (e) {
    fail_simdjson(e);
  } else if (!token.empty() && token[0] == '{') {
    od::object object;
    if (auto e2 = document_.get_object().get(object)) {
      fail_simdjson(e2);
    } else {
      std::size_t frame;
      if (enter(frame) && validate_object(object)) finish();
    }
  } else if (!token.empty() && token[0] == '[') {
    od::array array;
    if (auto e2 = document_.get_array().get(array)) {
      fail_simdjson(e2);
    } else {
      std::size_t frame;
      if (enter(frame) && validate_array(array)) finish();
    }
  } else if (!token.empty()) {
    // Scalar roots: On-Demand checks them against the end of the document itself.
    char c = token[0];
    if (c == '"') {
      std::string_view s;
      e = document_.get_string().get(s);
    } else if (c == 't' || c == 'f') {
      bool b;
      e = document_.get_bool().get(b);
    } else if (c == 'n') {
      bool is_null = false;
      e = document_.is_null().get(is_null);
      if (!e && !is_null) e = simdjson::N_ATOM_ERROR;
    } else if (starts_number(c)) {
      od::number n;
      e = document_.get_number().get(n);
    } else {
      e = simdjson::TAPE_ERROR;
    }
    if (e) fail_simdjson(e == simdjson::INCORRECT_TYPE ? simdjson::TAPE_ERROR : e);
  }
  if (!error_) {
    error_ = std::move(schema_error);
    syntax_error_ = false;
  }
}

bool Reader::fail(const char* code, std::string message) {
  if (!error_) error_ = DecodeError{code, path(), std::move(message)};
  return false;
}

bool Reader::fail_syntax(const char* code, std::string message) {
  if (!error_) {
    error_ = DecodeError{code, "$", std::move(message)};
    syntax_error_ = true;
  }
  return false;
}

bool Reader::fail_simdjson(simdjson::error_code error) {
  switch (error) {
    case simdjson::UTF8_ERROR: return fail_syntax(code::kInvalidUtf8, "the text is not valid UTF-8");
    case simdjson::DEPTH_ERROR:
      return fail_syntax(code::kTooDeep, "nesting exceeds the limit of " + std::to_string(options_.max_depth));
    case simdjson::CAPACITY: return fail_syntax(code::kTooLarge, "the message exceeds the parser's capacity");
    case simdjson::MEMALLOC: return fail_syntax(code::kOutOfMemory, "out of memory");
    case simdjson::NUMBER_ERROR:
      return fail_syntax(code::kBadNumber,
                         "a number is malformed or out of range (integers beyond 64 bits, magnitudes beyond 1e308)");
    case simdjson::INCORRECT_TYPE: return fail(code::kWrongType, simdjson::error_message(error));
    default: return fail_syntax(code::kMalformed, std::string("malformed JSON: ") + simdjson::error_message(error));
  }
}

bool Reader::too_deep() {
  return fail_syntax(code::kTooDeep, "nesting exceeds the limit of " + std::to_string(options_.max_depth));
}

std::string Reader::path() const {
  std::string out = "$";
  for (const Scratch::Frame& f : scratch_.frames) {
    if (f.index >= 0) {
      out += '[';
      out += std::to_string(f.index);
      out += ']';
    } else if (f.key != nullptr) {
      out += '.';
      out.append(f.key, f.key_size);
    }
  }
  return out;
}

bool Reader::read_escaped_key(od::field& field, std::string_view& key) {
  if (auto e = field.unescaped_key().get(key)) return fail_simdjson(e);
  return true;
}

bool Reader::read_string(od::value& value, abi::Value& out, abi::Kind kind) {
  std::string_view token = value.raw_json_token();
  if (token[0] != '"')
    return fail(code::kWrongType, std::string("expected a string, found ") + describe_token(token[0]));
  token = trim_right(token);
  std::string_view inner = token.substr(1, token.size() - 2);
  out.kind = kind;
  if (std::memchr(inner.data(), '\\', inner.size()) == nullptr) {
    // INVARIANT: every scalar the walk reads is consumed. An unconsumed one is skipped by
    // On-Demand, whose skipping takes `"a": ` for a key and so would accept `{"k":"a":1}`.
    simdjson::ondemand::raw_json_string consumed;
    if (auto e = value.get_raw_json_string().get(consumed)) return fail_simdjson(e);
    out.text = inner.data();  // points into the input (the arena's copy, or the caller's padded buffer)
    out.aux = static_cast<std::uint32_t>(inner.size());
    return true;
  }
  std::string_view unescaped;
  if (auto e = value.get_string().get(unescaped))
    return fail_simdjson(e == simdjson::INCORRECT_TYPE ? simdjson::STRING_ERROR : e);
  out.text = arena_.copy(unescaped.data(), unescaped.size());
  out.aux = static_cast<std::uint32_t>(unescaped.size());
  return true;
}

bool Reader::read_integer(od::value& value, abi::Value& out) {
  std::string_view token = value.raw_json_token();
  if (!starts_number(token[0]))
    return fail(code::kWrongType, std::string("expected an integer, found ") + describe_token(token[0]));
  token = trim_right(token);
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), n);
  std::size_t digits = token[0] == '-' ? 1 : 0;
  bool leading_zero = token.size() > digits + 1 && token[digits] == '0';
  if (ec != std::errc() || end != token.data() + token.size() || leading_zero) {
    od::number number;
    if (auto e = value.get_number().get(number))
      return fail_simdjson(e == simdjson::INCORRECT_TYPE ? simdjson::NUMBER_ERROR : e);
    return fail(code::kBadInteger, "expected an integer in the 64-bit range, found " + std::string(token));
  }
  std::int64_t consumed;  // see read_string: the walk consumes every scalar it reads
  if (auto e = value.get_int64().get(consumed))
    return fail_simdjson(e == simdjson::INCORRECT_TYPE ? simdjson::NUMBER_ERROR : e);
  out.kind = abi::Kind::Int;
  out.integer = n;
  return true;
}

bool Reader::read_decimal(od::value& value, abi::Value& out) {
  std::string_view token = value.raw_json_token();
  if (!starts_number(token[0]))
    return fail(code::kWrongType, std::string("expected a number, found ") + describe_token(token[0]));
  od::number number;  // checks the syntax and range; the value itself is kept as text
  if (auto e = value.get_number().get(number))
    return fail_simdjson(e == simdjson::INCORRECT_TYPE ? simdjson::NUMBER_ERROR : e);
  token = trim_right(token);
  out.kind = abi::Kind::Decimal;
  out.text = token.data();
  out.aux = static_cast<std::uint32_t>(token.size());
  return true;
}

bool Reader::read_bool(od::value& value, abi::Value& out) {
  std::string_view token = value.raw_json_token();
  if (token[0] != 't' && token[0] != 'f')
    return fail(code::kWrongType, std::string("expected a boolean, found ") + describe_token(token[0]));
  bool b = false;
  if (value.get_bool().get(b)) return fail_syntax(code::kMalformed, "malformed JSON: not a literal");
  out.kind = abi::Kind::Bool;
  out.boolean = b;
  return true;
}

bool Reader::check_null(od::value& value) {
  bool is_null = false;
  if (value.is_null().get(is_null) || !is_null) return fail_syntax(code::kMalformed, "malformed JSON: not a literal");
  return true;
}

bool Reader::read_raw(od::value& value, std::string_view& raw) {
  std::string_view token = value.raw_json_token();
  const char* start = token.data();
  if (!validate(value)) return false;
  if (token[0] == '{' || token[0] == '[') {
    // The walk stopped on the token after the value; a raw value is never the root, so there
    // is one (the enclosing object's `}` at least).
    const char* end = nullptr;
    if (auto e = document_.current_location().get(end)) return fail_simdjson(e);
    token = std::string_view(start, static_cast<std::size_t>(end - start));
  }
  raw = trim_right(token);
  return true;
}

bool Reader::validate(od::value& value) {
  std::string_view token = value.raw_json_token();
  switch (token[0]) {
    case '{': {
      od::object object;
      if (auto e = value.get_object().get(object)) return fail_simdjson(e);
      std::size_t frame;
      if (!enter(frame) || !validate_object(object)) return false;
      leave(frame);
      return true;
    }
    case '[': {
      od::array array;
      if (auto e = value.get_array().get(array)) return fail_simdjson(e);
      std::size_t frame;
      if (!enter(frame) || !validate_array(array)) return false;
      leave(frame);
      return true;
    }
    case '"': {
      if (std::memchr(token.data() + 1, '\\', token.size() - 1) == nullptr) {
        simdjson::ondemand::raw_json_string consumed;  // consumed: see read_string
        if (auto e = value.get_raw_json_string().get(consumed)) return fail_simdjson(e);
        return true;
      }
      std::string_view s;
      if (value.get_string().get(s)) return fail_syntax(code::kMalformed, "malformed JSON: bad string escape");
      return true;
    }
    case 't':
    case 'f': {
      abi::Value ignored;
      return read_bool(value, ignored);
    }
    case 'n': return check_null(value);
    default: {
      if (!starts_number(token[0])) return fail_syntax(code::kMalformed, "malformed JSON: unexpected character");
      od::number number;
      if (auto e = value.get_number().get(number))
        return fail_simdjson(e == simdjson::INCORRECT_TYPE ? simdjson::NUMBER_ERROR : e);
      return true;
    }
  }
}

bool Reader::validate_object(od::object& object) {
  for (auto member : object) {
    od::field field;
    if (auto e = std::move(member).get(field))
      return fail_simdjson(e == simdjson::INCORRECT_TYPE ? simdjson::TAPE_ERROR : e);
    std::string_view key;
    if (!read_key(field, key)) return false;
    od::value value = field.value();
    if (!validate(value)) return false;
  }
  return true;
}

bool Reader::validate_array(od::array& array) {
  for (auto item : array) {
    od::value value;
    if (auto e = std::move(item).get(value))
      return fail_simdjson(e == simdjson::INCORRECT_TYPE ? simdjson::TAPE_ERROR : e);
    if (!validate(value)) return false;
  }
  return true;
}

abi::Record* Reader::new_record(const abi::RecordDesc& desc) {
  auto* record = static_cast<abi::Record*>(arena_.allocate(abi::record_size(desc.slot_count), alignof(abi::Record)));
  record->desc = &desc;
  record->unknown = nullptr;
  record->unknown_count = 0;
  record->slot_count = desc.slot_count;
  for (std::uint32_t i = 0; i < desc.slot_count; ++i) new (&record->slots[i]) abi::Value();
  return record;
}

abi::Value Reader::list_take(std::size_t mark) {
  std::size_t n = scratch_.values.size() - mark;
  abi::Value list;
  list.kind = abi::Kind::List;
  list.items = static_cast<abi::Value*>(arena_.allocate(sizeof(abi::Value) * (n == 0 ? 1 : n), alignof(abi::Value)));
  if (n != 0) std::memcpy(static_cast<void*>(list.items), scratch_.values.data() + mark, sizeof(abi::Value) * n);
  list.aux = static_cast<std::uint32_t>(n);
  scratch_.values.resize(mark);
  return list;
}

void Reader::keep_unknown(std::string_view key, std::string_view raw) {
  abi::UnknownMember m;
  m.key = arena_.copy(key.data(), key.size());
  m.key_size = static_cast<std::uint32_t>(key.size());
  m.raw = raw.data();
  m.raw_size = static_cast<std::uint32_t>(raw.size());
  scratch_.unknown.push_back(m);
}

void Reader::attach_unknown(abi::Record& record, std::size_t mark) {
  std::size_t n = scratch_.unknown.size() - mark;
  if (n == 0) return;
  record.unknown = arena_.make_array<abi::UnknownMember>(n);
  std::copy(scratch_.unknown.begin() + static_cast<std::ptrdiff_t>(mark), scratch_.unknown.end(), record.unknown);
  record.unknown_count = static_cast<std::uint32_t>(n);
  scratch_.unknown.resize(mark);
}

bool Reader::read_enum(od::value& value, const abi::EnumDesc& enumeration, abi::Value& out) {
  abi::Value code_text;
  if (!read_string(value, code_text)) return false;
  int index = enumeration.index_of(code_text.str());
  if (index < 0)
    return fail(code::kBadEnumCode, "\"" + std::string(code_text.str()) + "\" is not a code of " + enumeration.name);
  out.kind = abi::Kind::Enum;
  out.aux = static_cast<std::uint32_t>(index);
  out.text = enumeration.codes[static_cast<std::size_t>(index)].c_str();
  return true;
}

}  // namespace suture::runtime::json
