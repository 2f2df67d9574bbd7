// fuzz_hl7.cpp — libFuzzer target for the HL7 v2 ER7 codec (runtime/codecs/hl7v2). Any input
// either fails with a structured error or parses; when it parses, both encodings must be
// stable: preserve-mode output equals the input with normalised terminators, and the canonical
// (re-escaped) output re-parses to the same tree and re-encodes to the same bytes. The typed,
// schema-directed decoder runs on every parsed input too: when it accepts one, its encoding
// must decode typed again and re-encode to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "compiler/lower/schema_descriptors.h"
#include "runtime/codecs/hl7v2/er7.h"
#include "runtime/codecs/hl7v2/typed.h"
#include "runtime/value/arena.h"

namespace hl7 = suture::runtime::hl7;

namespace {

bool same_tree(const hl7::Message& a, const hl7::Message& b) {
  if (a.segments().size() != b.segments().size()) return false;
  for (std::size_t s = 0; s < a.segments().size(); ++s) {
    const auto& sa = a.segments()[s];
    const auto& sb = b.segments()[s];
    if (sa.name != sb.name) return false;
    auto fa = a.fields(sa), fb = b.fields(sb);
    if (fa.size() != fb.size()) return false;
    for (std::size_t f = 0; f < fa.size(); ++f) {
      auto ra = a.repetitions(fa[f]), rb = b.repetitions(fb[f]);
      if (ra.size() != rb.size()) return false;
      for (std::size_t r = 0; r < ra.size(); ++r) {
        auto ca = a.components(ra[r]), cb = b.components(rb[r]);
        if (ca.size() != cb.size()) return false;
        for (std::size_t c = 0; c < ca.size(); ++c) {
          auto va = a.values(ca[c]), vb = b.values(cb[c]);
          if (va.size() != vb.size()) return false;
          for (std::size_t v = 0; v < va.size(); ++v)
            if (va[v].null != vb[v].null || va[v].text != vb[v].text) return false;
        }
      }
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto first = hl7::parse(input);
  if (!first) {
    (void)first.error().to_string();
    return 0;
  }
  // Preserve mode: byte-exact modulo terminators, and a fixed point.
  std::string preserved = hl7::encode(first.value());
  if (preserved != hl7::normalize_terminators(input)) std::abort();
  auto again = hl7::parse(preserved);
  if (!again || hl7::encode(again.value()) != preserved) std::abort();

  // Canonical mode: re-escaping keeps the decoded tree and is a fixed point.
  std::string canonical = hl7::encode(first.value(), hl7::Escaping::canonical);
  if (canonical.size() > hl7::ParseOptions{}.max_bytes) return 0;  // escaping may grow the text
  auto reparsed = hl7::parse(canonical);
  if (!reparsed || !same_tree(first.value(), reparsed.value())) std::abort();
  if (hl7::encode(reparsed.value(), hl7::Escaping::canonical) != canonical) std::abort();

  (void)hl7::get(first.value(), "PID-5[1].2");
  (void)hl7::get(first.value(), "MSH-9.2");

  static const auto schemas = suture::lower::describe_modules({"hl7v2"}, SUTURE_STDLIB_DIR);
  suture::runtime::Arena arena;
  auto typed = hl7::decode_typed(first.value(), schemas->schemas, arena);
  if (!typed) {
    (void)typed.error->to_string();
    return 0;
  }
  std::string encoded = hl7::encode_typed(*typed.record);
  auto parsed_again = hl7::parse(encoded);
  if (!parsed_again) std::abort();
  auto typed_again = hl7::decode_typed(parsed_again.value(), schemas->schemas, arena);
  if (!typed_again || hl7::encode_typed(*typed_again.record) != encoded) std::abort();
  return 0;
}
