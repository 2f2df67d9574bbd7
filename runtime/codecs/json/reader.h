// reader.h — what the FHIR and Odoo decoders share: the input copied once into the arena with
// simdjson's padding and validated, the JSON path of the member being read, structured errors,
// and the readers for atoms (strings, exact numbers, raw JSON). Internal to runtime/codecs/json.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "runtime/codecs/json/json.h"

namespace suture::runtime::json {

namespace od = simdjson::ondemand;

class Reader {
 public:
  Reader(Arena& arena, const DecodeOptions& options) : arena_(arena), options_(options) {}

  // Checks size, copies and validates the whole text (syntax, UTF-8, depth), and opens its
  // root object. False (with error()) when any of that fails. The validation also rejects
  // text after the root value, so the walk needs no end check.
  bool open(std::string_view json, od::object& root);

  // Records an error at the current path; always returns false so callers can `return fail(…)`.
  bool fail(const char* code, std::string message);
  bool fail_simdjson(simdjson::error_code error);
  bool failed() const { return error_.has_value(); }
  DecodeError take_error() { return std::move(*error_); }

  // The current JSON path: push a member or an index, pop back to a saved length.
  std::size_t push_key(std::string_view key);
  std::size_t push_index(std::size_t index);
  void pop(std::size_t saved) { path_.resize(saved); }

  // Atoms. Each fills `out` (kind, text/aux or integer) or fails at the current path.
  bool read_type(od::value& value, od::json_type& type);
  bool read_string(od::value& value, abi::Value& out, abi::Kind kind = abi::Kind::String);
  bool read_integer(od::value& value, abi::Value& out);
  bool read_decimal(od::value& value, abi::Value& out);
  bool read_bool(od::value& value, abi::Value& out);
  // A code of `enumeration`: out.aux is its index, out.text the code in the descriptor
  // (INVARIANT: the descriptor outlives the record).
  bool read_enum(od::value& value, const abi::EnumDesc& enumeration, abi::Value& out);
  bool read_raw(od::value& value, std::string_view& raw);  // any value, verbatim
  bool read_key(od::field& field, std::string_view& key);

  abi::Record* new_record(const abi::RecordDesc& desc);
  abi::Value make_list(const std::vector<abi::Value>& items);
  // Keeps an undeclared member verbatim (copies the key; the raw text is in the arena already).
  void keep_unknown(std::vector<abi::UnknownMember>& members, std::string_view key, std::string_view raw);
  void attach_unknown(abi::Record& record, const std::vector<abi::UnknownMember>& members);

  const DecodeOptions& options() const { return options_; }
  Arena& arena() { return arena_; }

 private:
  Arena& arena_;
  const DecodeOptions& options_;
  std::string path_ = "$";
  std::optional<DecodeError> error_;
  od::document document_;
  const char* text_ = nullptr;  // the padded copy in the arena
  std::size_t size_ = 0;
};

}  // namespace suture::runtime::json
