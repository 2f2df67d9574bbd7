// fuzz_json.cpp — libFuzzer target for the JSON codecs (runtime/codecs/json). Any input either
// fails with a structured error or decodes, as a FHIR resource (root from resourceType) and as
// an Odoo res.partner; when it decodes, encode → decode → encode must give the same bytes.
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  check_stable(
      input,
      [](std::string_view text, Arena& arena, const json::DecodeOptions& o) {
        return json::decode_fhir(text, fhir(), arena, o);
      },
      [](const suture::abi::Record& r, std::string& out) { json::encode_fhir(r, out); });
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
