// json.h — the JSON codecs of the runtime: FHIR R4 JSON and Odoo JSON (read() records, webhook
// bodies, create/write `vals`), decoded against schema descriptors into abi::Record values and
// encoded back. Pipeline position: the host's ingest decodes with these; routes encode.
//
// Lifetime: everything a decoded record points to lives in the arena (the decoder copies the
// input into it once, with simdjson's padding), so the input text may be freed right after
// decoding. Enum values keep their code reachable as `Value::text`, pointing into the
// descriptor's EnumDesc, which must outlive the record. The PaddedInput overloads skip that
// copy: the record then points into the caller's buffer, which must outlive it.
// No function here throws: every failure is a DecodeError with a stable code and a JSON path.
//
// Decoding is one simdjson On-Demand pass. simdjson's first stage indexes the whole text and
// checks, for every byte of it, UTF-8 and that strings hold no raw control characters; the
// walk then checks everything it reads (syntax, numbers, escapes, depth, trailing text).
// Without a projection every value is walked, so the whole text is checked; syntax-level
// errors (JSON_MALFORMED, JSON_BAD_NUMBER, JSON_INVALID_UTF8, JSON_TOO_DEEP) are reported at
// path "$" and win over schema errors found anywhere in the same text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/abi/value.h"
#include "runtime/schema/descriptor.h"
#include "runtime/value/arena.h"

namespace suture::runtime::json {

// What to do with a member the schema does not declare.
enum class Unknown { Reject, Keep };

// Dead-field elimination: which fields some rule reads, per record descriptor. Decoding with a
// projection (DecodeOptions::projection) fills only those fields; every other member is
// skipped by simdjson without being decoded.
//
// What a projected decode still checks, for the whole text: UTF-8, raw control characters in
// strings (simdjson's first stage), that objects and arrays nest properly as far as skipping
// needs (a bracket that does not match is JSON_MALFORMED), nothing after the root value, the
// root is an object, and resourceType (FHIR: present, known, matching) / `_model` (Odoo).
// For needed members: everything a full decode checks (types, enum codes, dates, numbers,
// escapes, duplicates, choice conflicts, depth below them, nulls), and required-member checks
// for needed fields only.
// What it does not check, in skipped members (unneeded fields, `_field` twins of unneeded
// fields, members the schema does not know — even with Unknown::Reject, and they are not kept
// with Unknown::Keep): literals (`tru`), numbers, string escapes, commas and colons (a `:`
// where a `,` belongs may pass), depth, duplicates, types, required members inside them.
// Such text may therefore decode under a projection and fail a full decode; anything a full
// decode accepts, a projected decode accepts too. A projected decode reports the first error in
// document order (a full decode ranks syntax errors first). Choice groups: needing any
// alternative or the choice kind needs the whole group, so the kind is filled exactly as in a
// full decode. Needing a primitive field needs its `_field` twin too.
//
// A record with no needed field decodes as a record whose slots are all absent. Build the
// projection before decoding and do not change it while decodes use it (reads are lock-free).
class Projection {
 public:
  // The decode plan of one record descriptor.
  struct Plan {
    struct Member {
      std::string name;  // member name as it appears in the message (`_x` for an extension twin)
      std::uint32_t field = 0;
      bool extension = false;
      std::uint64_t head[2] = {0, 0};  // the name's first 16 bytes, zero-filled: one compare per word
    };
    const abi::RecordDesc* desc = nullptr;
    std::vector<bool> needed;                 // by field index
    std::vector<const Plan*> child;           // by field index: plan of a needed record-typed field
    std::vector<Member> members;              // names to decode; anything else is skipped
    std::vector<std::uint32_t> required;      // needed fields that must be present
    std::vector<std::uint32_t> choice_kinds;  // needed choice-kind fields
    std::uint64_t sizes = 0;                  // bit n set: some member name has n bytes (n < 63), bit 63: longer
    bool all = false;                         // need_all() has been applied (stops recursion)
    const Member* find(std::string_view key) const {
      std::uint64_t bit = key.size() < 63 ? (std::uint64_t{1} << key.size()) : (std::uint64_t{1} << 63);
      if ((sizes & bit) == 0) return nullptr;
      for (const Member& m : members)
        if (m.name.size() == key.size() && m.name == key) return &m;
      return nullptr;
    }
    // The same, for a key with at least 16 readable bytes from key.data() (a key in padded
    // input): compares whole words instead of calling memcmp.
    const Member* find_padded(std::string_view key) const {
      std::size_t n = key.size();
      std::uint64_t bit = n < 63 ? (std::uint64_t{1} << n) : (std::uint64_t{1} << 63);
      if ((sizes & bit) == 0) return nullptr;
      std::uint64_t k[2];
      std::memcpy(k, key.data(), 16);
      k[0] &= n >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * n)) - 1;
      k[1] &= n >= 16 ? ~std::uint64_t{0} : n <= 8 ? 0 : (std::uint64_t{1} << (8 * (n - 8))) - 1;
      for (const Member& m : members)
        if (m.name.size() == n && m.head[0] == k[0] && m.head[1] == k[1] &&
            (n <= 16 || std::memcmp(m.name.data() + 16, key.data() + 16, n - 16) == 0))
          return &m;
      return nullptr;
    }
  };

  Projection() = default;
  Projection(const Projection&) = delete;  // plans point at each other
  Projection& operator=(const Projection&) = delete;
  Projection(Projection&&) = default;
  Projection& operator=(Projection&&) = default;

  // Marks fields[field] of `record` as read (and, for a choice group, the whole group). A
  // record-typed field gets a plan for its record, with nothing in it needed yet.
  void need(const abi::RecordDesc& record, std::uint32_t field);
  // A dotted member path from `record`: "name.given", "meta.security.code". Marks every step;
  // false (marking the steps before it) when a step is not a field of the record reached.
  bool need_path(const abi::RecordDesc& record, std::string_view dotted);
  // Every field of `record` and, recursively, of every record it holds.
  void need_all(const abi::RecordDesc& record);
  // The plan of `record`; nullptr when none of its fields is needed.
  const Plan* plan(const abi::RecordDesc& record) const;

 private:
  Plan& plan_for(const abi::RecordDesc& record);
  void mark(Plan& plan, std::uint32_t field);
  std::unordered_map<const abi::RecordDesc*, Plan> plans_;  // nodes are stable: Plan::child points into it
};

struct DecodeOptions {
  Unknown unknown = Unknown::Reject;
  std::size_t max_depth = 64;              // nesting of objects and arrays, the root counting as 1
  std::size_t max_bytes = 16u << 20;       // input size
  const Projection* projection = nullptr;  // nullptr: decode every member
};

// Bytes that must be readable after a PaddedInput (simdjson::SIMDJSON_PADDING; reader.cpp
// static_asserts they agree). Their content does not matter.
inline constexpr std::size_t kInputPadding = 64;

// Input the decoder may read in place: `text.data() + text.size()` is followed by at least
// kInputPadding readable bytes, and the buffer outlives the decoded record (which points into
// it). runtime/io's message streams yield views like this.
struct PaddedInput {
  std::string_view text;
};

// Stable error codes (DecodeError::code).
namespace code {
inline constexpr const char* kTooLarge = "JSON_TOO_LARGE";
inline constexpr const char* kTooDeep = "JSON_TOO_DEEP";
inline constexpr const char* kInvalidUtf8 = "JSON_INVALID_UTF8";
inline constexpr const char* kMalformed = "JSON_MALFORMED";
inline constexpr const char* kWrongType = "JSON_WRONG_TYPE";
inline constexpr const char* kNullNotAllowed = "JSON_NULL_NOT_ALLOWED";
inline constexpr const char* kUnknownMember = "JSON_UNKNOWN_MEMBER";
inline constexpr const char* kDuplicateMember = "JSON_DUPLICATE_MEMBER";
inline constexpr const char* kMissingMember = "JSON_MISSING_MEMBER";
inline constexpr const char* kBadNumber =
    "JSON_BAD_NUMBER";  // malformed (01, 1.) or beyond simdjson (> uint64, |x| > 1e308)
inline constexpr const char* kBadInteger = "JSON_BAD_INTEGER";
inline constexpr const char* kBadEnumCode = "JSON_BAD_ENUM_CODE";
inline constexpr const char* kBadDate = "JSON_BAD_DATE";
inline constexpr const char* kChoiceConflict = "JSON_CHOICE_CONFLICT";
inline constexpr const char* kMissingResourceType = "JSON_MISSING_RESOURCE_TYPE";
inline constexpr const char* kUnknownResourceType = "JSON_UNKNOWN_RESOURCE_TYPE";
inline constexpr const char* kResourceTypeMismatch = "JSON_RESOURCE_TYPE_MISMATCH";
inline constexpr const char* kModelMismatch = "JSON_MODEL_MISMATCH";
inline constexpr const char* kOutOfMemory = "JSON_OUT_OF_MEMORY";
}  // namespace code

struct DecodeError {
  std::string code;     // one of code::k…
  std::string path;     // where: "$", "$.name[0].given[1]"
  std::string message;  // for people; wording may change
};

struct DecodeResult {
  abi::Record* record = nullptr;  // set exactly when error is empty
  std::optional<DecodeError> error;
  explicit operator bool() const { return record != nullptr; }
};

// FHIR R4 JSON. decode_fhir picks the root descriptor from `resourceType`; decode_fhir_as
// requires `resourceType` to equal root.resource_type (when the root has one).
DecodeResult decode_fhir(std::string_view json, const abi::SchemaSet& schemas, Arena& arena,
                         const DecodeOptions& options = {});
DecodeResult decode_fhir_as(std::string_view json, const abi::RecordDesc& root, Arena& arena,
                            const DecodeOptions& options = {});
// The same without copying the input (see PaddedInput).
DecodeResult decode_fhir(PaddedInput json, const abi::SchemaSet& schemas, Arena& arena,
                         const DecodeOptions& options = {});
DecodeResult decode_fhir_as(PaddedInput json, const abi::RecordDesc& root, Arena& arena,
                            const DecodeOptions& options = {});
// Appends the resource: resourceType first, fields in descriptor order, `_field` right after
// its field, kept unknown members last.
void encode_fhir(const abi::Record& record, std::string& out);

// Odoo: one record as read() returns it, or a webhook body (an object with `_model`, `_id`,
// `_action` beside the fields). `false` means absent for every non-boolean field.
DecodeResult decode_odoo(std::string_view json, const abi::RecordDesc& model, Arena& arena,
                         const DecodeOptions& options = {});
DecodeResult decode_odoo(PaddedInput json, const abi::RecordDesc& model, Arena& arena,
                         const DecodeOptions& options = {});
// Appends the `vals` dict of create/write: present, writable fields only.
void encode_odoo_values(const abi::Record& record, std::string& out);
// Appends one record as Odoo's read() returns it: every field in declaration order (choice
// kinds and extension slots are not fields of the message), absent or null as `false`, dates
// and datetimes in Odoo's naive UTC form, a many2one as [id, "display name"] when its
// extension slot holds the name and as its id otherwise, x2many as a list of ids, nested
// records as objects of the same form. Compact: no spaces; strings escaped exactly as jq 1.6
// writes them (`jq -c`), so a row compares byte for byte with a jq program's output.
void encode_odoo_row(const abi::Record& record, std::string& out);

}  // namespace suture::runtime::json
