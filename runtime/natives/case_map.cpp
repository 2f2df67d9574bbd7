// case_map.cpp — lower and upper: full Unicode case mapping in the root locale through ICU
// ("straße" → "STRASSE"; a final capital sigma lowers to "ς").
#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <string>

#include "runtime/natives/natives.h"
#include "runtime/natives/support.h"

namespace suture::runtime::natives {
namespace {

bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

bool map_case(ExecContext* ctx, abi::Value* out, std::string_view s, bool upper) {
  // ASCII (most codes and identifiers) needs no ICU round trip.
  if (is_ascii(s)) {
    char* text = static_cast<char*>(ctx->arena->allocate(s.size() == 0 ? 1 : s.size(), 1));
    for (std::size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      text[i] = c;
    }
    return set_text(out, abi::Kind::String, {text, s.size()});
  }
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  if (upper)
    u.toUpper(icu::Locale::getRoot());
  else
    u.toLower(icu::Locale::getRoot());
  std::string result;
  u.toUTF8String(result);
  return set_string(ctx, out, result);
}

}  // namespace
}  // namespace suture::runtime::natives

extern "C" {

bool suture_rt_lower(suture_ctx* ctx, suture_value* out, const suture_value* s) {
  using namespace suture::runtime::natives;
  return guarded(ctx, [&] { return map_case(ctx, out, s->str(), false); });
}

bool suture_rt_upper(suture_ctx* ctx, suture_value* out, const suture_value* s) {
  using namespace suture::runtime::natives;
  return guarded(ctx, [&] { return map_case(ctx, out, s->str(), true); });
}

}  // extern "C"
