// fuzz_json.cpp — libFuzzer target for the JSON codecs (runtime/codecs/json). Any input either
// fails with a structured error or decodes, as a FHIR resource (root from resourceType) and as
// an Odoo res.partner; when it decodes, encode → decode → encode must give the same bytes.
// Projected decodes (a Patient projection) must agree: whatever decodes fully decodes projected.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "compiler/lower/schema_descriptors.h"
#include "runtime/codecs/json/json.h"

namespace json = suture::runtime::json;
using suture::runtime::Arena;

namespace {

const suture::abi::SchemaSet& fhir() {
  static auto described = suture::lower::describe_modules({"fhir.r4"}, SUTURE_STDLIB_DIR);
  return described->schemas;
}
const suture::abi::RecordDesc& partner() {
  static auto described = suture::lower::describe_modules({"odoo"}, SUTURE_STDLIB_DIR);
  const suture::abi::RecordDesc* r = described->schemas.record("ResPartner");
  if (r == nullptr) std::abort();
  return *r;
}

template <typename Decode, typename Encode>
void check_stable(std::string_view input, Decode decode, Encode encode) {
  for (json::Unknown unknown : {json::Unknown::Reject, json::Unknown::Keep}) {
    json::DecodeOptions options;
    options.unknown = unknown;
    Arena arena;
    json::DecodeResult first = decode(input, arena, options);
    if (!first) {
      if (!first.error || first.error->code.empty() || first.error->path.empty()) std::abort();
      continue;
    }
    std::string once;
    encode(*first.record, once);
    Arena again;
    json::DecodeResult second = decode(once, again, options);
    if (!second) std::abort();
    std::string twice;
    encode(*second.record, twice);
    if (twice != once) std::abort();
  }
}

// A projection like the patient → partner mapping's: projected decodes skip most members and
// must still either decode or fail with a code and a path; a projected decode of what a full
// decode accepted must succeed too.
const json::Projection& patient_projection() {
  static const json::Projection projection = [] {
    json::Projection p;
    const suture::abi::RecordDesc* patient = fhir().resource("Patient");
    if (patient == nullptr) std::abort();
    for (const char* path : {"id", "meta.security.code", "identifier.system", "identifier.value", "active", "name.use",
                             "name.family", "name.given", "telecom.system", "telecom.value", "gender", "birthDate",
                             "address.line", "address.city", "address.postalCode", "address.country"})
      if (!p.need_path(*patient, path)) std::abort();
    return p;
  }();
  return projection;
}

void check_projected(std::string_view input) {
  json::DecodeOptions projected;
  projected.projection = &patient_projection();
  Arena arena;
  json::DecodeResult result = json::decode_fhir(input, fhir(), arena, projected);
  if (!result && (!result.error || result.error->code.empty() || result.error->path.empty())) std::abort();
  Arena full_arena;
  json::DecodeResult full = json::decode_fhir(input, fhir(), full_arena);
  if (full && !result) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  check_stable(
      input,
      [](std::string_view text, Arena& arena, const json::DecodeOptions& o) {
        return json::decode_fhir(text, fhir(), arena, o);
      },
      [](const suture::abi::Record& r, std::string& out) { json::encode_fhir(r, out); });
  check_projected(input);
  // Odoo: decode is lossy by design (false → absent, metadata kept), so stability is checked
  // on the FHIR-style dump of the record: encode_fhir writes every slot and kept member.
  check_stable(
      input,
      [](std::string_view text, Arena& arena, const json::DecodeOptions& o) {
        return json::decode_odoo(text, partner(), arena, o);
      },
      [](const suture::abi::Record& r, std::string& out) {
        json::encode_fhir(r, out);
        std::string vals;
        json::encode_odoo_values(r, vals);  // must not crash; its output is not re-read
      });
  return 0;
}
