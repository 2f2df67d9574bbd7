// reader.cpp — input checks and atom readers shared by the JSON decoders. The whole text is
// validated once by simdjson's DOM parser (syntax, UTF-8, depth); the decoders then walk it
// with the On-Demand API, which gives the raw text of numbers (exact decimals) and of the
// subtrees kept verbatim.
#include "runtime/codecs/json/reader.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <new>

namespace suture::runtime::json {
namespace {

// One parser of each kind per thread: they keep their buffers between messages.
simdjson::dom::parser& validator() {
  thread_local simdjson::dom::parser parser;
  return parser;
}
od::parser& walker() {
  thread_local od::parser parser;
  return parser;
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

const char* describe(od::json_type type) {
  switch (type) {
    case od::json_type::array: return "an array";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "a boolean";
    case od::json_type::null: return "null";
  }
  return "a value";
}

}  // namespace

bool Reader::open(std::string_view json, od::object& root) {
  if (json.size() > options_.max_bytes)
    return fail(code::kTooLarge, "the message is " + std::to_string(json.size()) + " bytes; the limit is " +
                                     std::to_string(options_.max_bytes));
  size_ = json.size();
  char* copy = static_cast<char*>(arena_.allocate(size_ + simdjson::SIMDJSON_PADDING, 64));
  if (size_ != 0) std::memcpy(copy, json.data(), size_);
  std::memset(copy + size_, 0, simdjson::SIMDJSON_PADDING);
  text_ = copy;

  auto& dom = validator();
  if (dom.max_depth() != options_.max_depth || dom.capacity() < size_) {
    if (auto e = dom.allocate(std::max<std::size_t>(size_, 4096), options_.max_depth)) return fail_simdjson(e);
  }
  simdjson::dom::element ignored;
  if (auto e = dom.parse(text_, size_, false).get(ignored)) return fail_simdjson(e);

  if (auto e = walker().iterate(text_, size_, size_ + simdjson::SIMDJSON_PADDING).get(document_))
    return fail_simdjson(e);
  od::json_type type;
  if (auto e = document_.type().get(type)) return fail_simdjson(e);
  if (type != od::json_type::object)
    return fail(code::kWrongType, std::string("expected an object, found ") + describe(type));
  if (auto e = document_.get_object().get(root)) return fail_simdjson(e);
  return true;
}

bool Reader::fail(const char* code, std::string message) {
  if (!error_) error_ = DecodeError{code, path_, std::move(message)};
  return false;
}

bool Reader::fail_simdjson(simdjson::error_code error) {
  switch (error) {
    case simdjson::UTF8_ERROR: return fail(code::kInvalidUtf8, "the text is not valid UTF-8");
    case simdjson::DEPTH_ERROR:
      return fail(code::kTooDeep, "nesting exceeds the limit of " + std::to_string(options_.max_depth));
    case simdjson::CAPACITY: return fail(code::kTooLarge, "the message exceeds the parser's capacity");
    case simdjson::MEMALLOC: return fail(code::kOutOfMemory, "out of memory");
    case simdjson::NUMBER_ERROR:
      return fail(code::kBadNumber,
                  "a number is malformed or out of range (integers beyond 64 bits, magnitudes beyond 1e308)");
    case simdjson::INCORRECT_TYPE: return fail(code::kWrongType, simdjson::error_message(error));
    default: return fail(code::kMalformed, std::string("malformed JSON: ") + simdjson::error_message(error));
  }
}

std::size_t Reader::push_key(std::string_view key) {
  std::size_t saved = path_.size();
  path_ += '.';
  path_ += key;
  return saved;
}

std::size_t Reader::push_index(std::size_t index) {
  std::size_t saved = path_.size();
  path_ += '[';
  path_ += std::to_string(index);
  path_ += ']';
  return saved;
}

bool Reader::read_type(od::value& value, od::json_type& type) {
  if (auto e = value.type().get(type)) return fail_simdjson(e);
  return true;
}

bool Reader::read_key(od::field& field, std::string_view& key) {
  if (auto e = field.unescaped_key().get(key)) return fail_simdjson(e);
  return true;
}

bool Reader::read_string(od::value& value, abi::Value& out, abi::Kind kind) {
  od::json_type type;
  if (!read_type(value, type)) return false;
  if (type != od::json_type::string)
    return fail(code::kWrongType, std::string("expected a string, found ") + describe(type));
  std::string_view token = trim_right(value.raw_json_token());
  std::string_view inner = token.substr(1, token.size() - 2);
  out.kind = kind;
  if (std::memchr(inner.data(), '\\', inner.size()) == nullptr) {
    out.text = inner.data();  // points into the arena's copy of the input
    out.aux = static_cast<std::uint32_t>(inner.size());
    return true;
  }
  std::string_view unescaped;
  if (auto e = value.get_string().get(unescaped)) return fail_simdjson(e);
  out.text = arena_.copy(unescaped.data(), unescaped.size());
  out.aux = static_cast<std::uint32_t>(unescaped.size());
  return true;
}

bool Reader::read_integer(od::value& value, abi::Value& out) {
  od::json_type type;
  if (!read_type(value, type)) return false;
  if (type != od::json_type::number)
    return fail(code::kWrongType, std::string("expected an integer, found ") + describe(type));
  std::string_view token = trim_right(value.raw_json_token());
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), n);
  if (ec != std::errc() || end != token.data() + token.size())
    return fail(code::kBadInteger, "expected an integer in the 64-bit range, found " + std::string(token));
  out.kind = abi::Kind::Int;
  out.integer = n;
  return true;
}

bool Reader::read_decimal(od::value& value, abi::Value& out) {
  od::json_type type;
  if (!read_type(value, type)) return false;
  if (type != od::json_type::number)
    return fail(code::kWrongType, std::string("expected a number, found ") + describe(type));
  std::string_view token = trim_right(value.raw_json_token());  // validated by the DOM pass
  out.kind = abi::Kind::Decimal;
  out.text = token.data();
  out.aux = static_cast<std::uint32_t>(token.size());
  return true;
}

bool Reader::read_bool(od::value& value, abi::Value& out) {
  od::json_type type;
  if (!read_type(value, type)) return false;
  if (type != od::json_type::boolean)
    return fail(code::kWrongType, std::string("expected a boolean, found ") + describe(type));
  bool b = false;
  if (auto e = value.get_bool().get(b)) return fail_simdjson(e);
  out.kind = abi::Kind::Bool;
  out.boolean = b;
  return true;
}

bool Reader::read_raw(od::value& value, std::string_view& raw) {
  od::json_type type;
  if (!read_type(value, type)) return false;
  simdjson::error_code e = simdjson::SUCCESS;
  if (type == od::json_type::object) {
    od::object object;
    e = value.get_object().get(object);
    if (!e) e = object.raw_json().get(raw);
  } else if (type == od::json_type::array) {
    od::array array;
    e = value.get_array().get(array);
    if (!e) e = array.raw_json().get(raw);
  } else {
    raw = value.raw_json_token();
  }
  if (e) return fail_simdjson(e);
  raw = trim_right(raw);
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

abi::Value Reader::make_list(const std::vector<abi::Value>& items) {
  abi::Value list;
  list.kind = abi::Kind::List;
  list.items = arena_.make_array<abi::Value>(items.size());
  std::copy(items.begin(), items.end(), list.items);
  list.aux = static_cast<std::uint32_t>(items.size());
  return list;
}

void Reader::keep_unknown(std::vector<abi::UnknownMember>& members, std::string_view key, std::string_view raw) {
  abi::UnknownMember m;
  m.key = arena_.copy(key.data(), key.size());
  m.key_size = static_cast<std::uint32_t>(key.size());
  m.raw = raw.data();
  m.raw_size = static_cast<std::uint32_t>(raw.size());
  members.push_back(m);
}

void Reader::attach_unknown(abi::Record& record, const std::vector<abi::UnknownMember>& members) {
  if (members.empty()) return;
  record.unknown = arena_.make_array<abi::UnknownMember>(members.size());
  std::copy(members.begin(), members.end(), record.unknown);
  record.unknown_count = static_cast<std::uint32_t>(members.size());
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
