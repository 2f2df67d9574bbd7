// pack.h — the `.spk` rule pack: one file carrying what the compiler built (manifest, schema
// descriptors, LLVM bitcode, optionally a precompiled object) for the runtime to load.
// Pipeline position: compiler/driver writes it with write_pack(); the runtime's loader reads it
// with read_pack(), which verifies everything (magic, format and ABI versions, SHA-256 of the
// content, manifest, schemas) before returning anything. No function here throws.
// The on-disk layout is described in format.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "runtime/schema/descriptor.h"

namespace suture::pack {

// The pack file format this code writes and reads (bumped when the layout changes).
inline constexpr std::uint32_t kFormatVersion = 1;

enum class EntryKind : std::uint8_t { Mapping, Policy, Route, Function };
// The wire format an entry point reads or writes; None for plain values (functions, policies).
enum class DataFormat : std::uint8_t { None, Fhir, Odoo, Hl7v2, Json };

std::string_view to_string(EntryKind kind);     // "mapping", "policy", "route", "function"
std::string_view to_string(DataFormat format);  // "none", "fhir", "odoo", "hl7v2", "json"
std::optional<EntryKind> entry_kind_from(std::string_view text);
std::optional<DataFormat> data_format_from(std::string_view text);

// The fields of one record (by index in the pack's schema set) an entry point may read: the
// decoder skips every other member (dead-field elimination).
struct FieldsRead {
  std::uint32_t record = 0;
  std::vector<std::uint32_t> fields;  // field indexes, ascending
  bool operator==(const FieldsRead&) const = default;
};

// A policy's rule as decisions and audit records name it.
struct RuleInfo {
  std::string label;         // as written, or "<kind>#<n>"
  std::string kind;          // permit, forbid, redact, mask, generalise, pseudonymise
  std::string path;          // obligations: the JSON path of the field ("$.identifier[*].value")
  std::uint32_t source = 0;  // source map id
  bool operator==(const RuleInfo&) const = default;
};

// Something the host can call: a symbol in the bitcode and its signature, as text.
struct EntryPoint {
  std::string name;  // as declared in the spec ("patient_to_partner")
  EntryKind kind = EntryKind::Mapping;
  std::string symbol;                    // the function's name in the bitcode
  std::vector<std::string> param_types;  // "fhir.r4.Patient", …
  std::string result_type;
  DataFormat input_format = DataFormat::None;
  DataFormat output_format = DataFormat::None;
  // Records the entry point reads, with their fields; a record not listed is never read.
  // Empty with `reads_everything` for entry points that need whole messages.
  std::vector<FieldsRead> fields_read;
  bool reads_everything = false;
  std::vector<RuleInfo> rules;           // policies: every rule, in order (outcome slot i is rule i)
  std::vector<std::string> param_names;  // as declared ("principal", "action", "res")
  bool operator==(const EntryPoint&) const = default;
};

// A route as the host runs it: when it fires, who authorizes, what maps, where it delivers and
// how it retries. `when` and `order by` are compiled into `select_entry`, a Route entry point
// whose outcome record holds `when` (Bool) and `order` (String?) when the route has them.
struct RouteTrigger {
  std::string listener;  // http, fhir, mllp, odoo, queue
  std::string verb;      // POST, PUT… ("" = any)
  std::string selector;  // path ("/fhir/Patient"), HL7 type ("ADT^A01"), Odoo model ("res.partner")
  std::string event;     // Odoo event ("created"; "" = any)
  bool operator==(const RouteTrigger&) const = default;
};
// One argument of the route's `authorize` call: the principal, the message, the context, or a
// constant given as JSON text.
struct RouteArg {
  std::string kind;  // principal, message, context, constant
  std::string json;  // constant: its JSON text
  bool operator==(const RouteArg&) const = default;
};
struct RouteDelivery {
  std::string family;     // odoo, fhir, http, mllp
  std::string operation;  // upsert, create, post, send…
  std::vector<std::string> args;
  std::string key_field;  // `key: ref`
  std::string endpoint;   // named in the host configuration
  bool operator==(const RouteDelivery&) const = default;
};
struct RouteInfo {
  std::string name;
  std::vector<RouteTrigger> triggers;
  std::string message_type;  // "fhir.r4.Patient", "json"
  DataFormat message_format = DataFormat::Json;
  std::int64_t priority = 0;
  bool fallback = false;
  std::string select_entry;  // Route entry point computing when / order ("" = none)
  bool has_when = false;
  bool has_order = false;
  std::string policy;  // entry point name ("" = no authorize)
  std::vector<RouteArg> policy_args;
  std::string mapping;  // entry point name ("" = the message is delivered as received)
  std::vector<RouteDelivery> deliveries;
  std::string retry = "none";  // exponential, fixed, none
  std::uint32_t retry_first_ms = 0;
  std::uint32_t retry_max_ms = 0;
  std::uint32_t attempts = 1;
  bool dead_letter = true;   // after the last attempt: dead letter, or drop
  std::uint32_t source = 0;  // source map id of the declaration
  bool operator==(const RouteInfo&) const = default;
};

// A place in the source that runtime errors refer to by `id`.
struct SourceLocation {
  std::uint32_t id = 0;
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::optional<std::string> text;  // the source excerpt, when the compiler kept it
  bool operator==(const SourceLocation&) const = default;
};

struct Manifest {
  std::uint32_t format_version = kFormatVersion;  // set by write_pack()
  std::uint32_t abi_version = abi::kAbiVersion;   // set by write_pack()
  std::string compiler_version;
  std::string content_hash;   // lowercase hex SHA-256, set by write_pack(); equals the header's
  std::string target_triple;  // what the bitcode was made for; "" = any x86-64
  std::vector<EntryPoint> entry_points;
  std::vector<RouteInfo> routes;
  std::vector<std::string> schemas;  // module names ("fhir.r4", "odoo")
  std::vector<SourceLocation> source_map;
  std::map<std::string, std::string> build_info;  // free-form; sorted, so deterministic
  bool operator==(const Manifest&) const = default;
};

// Machine code compiled ahead of time for one CPU and triple; opaque bytes.
struct CachedObject {
  std::string cpu;     // LLVM CPU name ("znver3")
  std::string triple;  // "x86_64-pc-linux-gnu"
  std::string bytes;
  bool operator==(const CachedObject&) const = default;
};

// What write_pack() writes. `schemas` is borrowed (it must outlive the call); null = no records.
struct PackContents {
  Manifest manifest;
  const abi::SchemaSet* schemas = nullptr;
  std::string bitcode;
  std::optional<CachedObject> object;
};

// A verified pack. The schema set is rebuilt with the same record and enum order (so the same
// indexes) and finish()ed; pointers into it stay valid as long as the LoadedPack.
struct LoadedPack {
  Manifest manifest;
  std::unique_ptr<abi::SchemaSet> schemas;
  std::string bitcode;
  std::optional<CachedObject> object;
  std::size_t file_size = 0;
  std::size_t manifest_size = 0;  // bytes of manifest JSON
  std::size_t schemas_size = 0;   // bytes of encoded schema descriptors

  // The contents again (borrowing `schemas`), e.g. to rewrite the pack.
  PackContents contents() const { return {manifest, schemas.get(), bitcode, object}; }
};

// Stable codes:
//   PACK_IO              the file cannot be read
//   PACK_NOT_A_PACK      wrong magic (not a pack at all, e.g. a JSON file) or a malformed layout
//   PACK_TRUNCATED       the file ends before the pack does
//   PACK_FORMAT_VERSION  written in another pack format than this runtime reads
//   PACK_ABI_MISMATCH    built for another runtime ABI: it must be rebuilt
//   PACK_HASH_MISMATCH   the content does not match its SHA-256: tampered with or corrupted
//   PACK_BAD_MANIFEST    the manifest is not valid
//   PACK_BAD_SCHEMAS     the schema descriptors cannot be decoded
struct PackError {
  std::string code;
  std::string message;  // for a person: names the file and says what to do
};

// Serialises a pack, computing the content hash (returned bytes carry it in the header and in
// the manifest; contents.manifest's own hash, format and ABI fields are ignored). Deterministic:
// the same contents give the same bytes.
std::string write_pack(const PackContents& contents);

// Verifies and decodes a pack. `name` is how messages call it (usually its path).
std::variant<LoadedPack, PackError> read_pack(std::string_view bytes, std::string_view name = "the pack");
std::variant<LoadedPack, PackError> read_pack_file(const std::string& path);

// A human summary for `suture inspect`: format, ABI, hash, compiler, entry points with their
// types, schemas and section sizes.
std::string describe_pack(const LoadedPack& pack);

}  // namespace suture::pack
