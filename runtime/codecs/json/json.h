// json.h — the JSON codecs of the runtime: FHIR R4 JSON and Odoo JSON (read() records, webhook
// bodies, create/write `vals`), decoded against schema descriptors into abi::Record values and
// encoded back. Pipeline position: the host's ingest decodes with these; routes encode.
//
// Lifetime: everything a decoded record points to lives in the arena (the decoder copies the
// input into it once, with simdjson's padding), so the input text may be freed right after
// decoding. Enum values keep their code reachable as `Value::text`, pointing into the
// descriptor's EnumDesc, which must outlive the record.
// No function here throws: every failure is a DecodeError with a stable code and a JSON path.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/abi/value.h"
#include "runtime/schema/descriptor.h"
#include "runtime/value/arena.h"

namespace suture::runtime::json {

// What to do with a member the schema does not declare.
enum class Unknown { Reject, Keep };

struct DecodeOptions {
  Unknown unknown = Unknown::Reject;
  std::size_t max_depth = 64;         // nesting of objects and arrays, the root counting as 1
  std::size_t max_bytes = 16u << 20;  // input size
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
// Appends the resource: resourceType first, fields in descriptor order, `_field` right after
// its field, kept unknown members last.
void encode_fhir(const abi::Record& record, std::string& out);

// Odoo: one record as read() returns it, or a webhook body (an object with `_model`, `_id`,
// `_action` beside the fields). `false` means absent for every non-boolean field.
DecodeResult decode_odoo(std::string_view json, const abi::RecordDesc& model, Arena& arena,
                         const DecodeOptions& options = {});
// Appends the `vals` dict of create/write: present, writable fields only.
void encode_odoo_values(const abi::Record& record, std::string& out);

}  // namespace suture::runtime::json
