// regex.cpp — `matches`: whole-string match with ICU regular expressions. Compiled patterns
// are cached per thread, keyed by the pattern text, so a spec's constant pattern compiles once
// per worker thread; no locking on the per-message path.
#include <unicode/regex.h>
#include <unicode/unistr.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "runtime/natives/natives.h"
#include "runtime/natives/support.h"

namespace suture::runtime::natives {
namespace {

// Bounded so that patterns built from message data cannot grow it without limit: when full it
// is emptied (patterns in specs are few and constant, so this is rare).
constexpr std::size_t kCacheLimit = 256;

struct RegexCache {
  std::unordered_map<std::string, std::unique_ptr<icu::RegexPattern>> patterns;
  std::uint64_t compilations = 0;
};

RegexCache& cache() {
  thread_local RegexCache c;
  return c;
}

// The compiled pattern, or nullptr with `error` set.
const icu::RegexPattern* compiled(std::string_view text, std::string& error) {
  RegexCache& c = cache();
  auto found = c.patterns.find(std::string(text));
  if (found != c.patterns.end()) return found->second.get();
  UErrorCode status = U_ZERO_ERROR;
  UParseError where{};
  icu::UnicodeString pattern =
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  std::unique_ptr<icu::RegexPattern> p(icu::RegexPattern::compile(pattern, 0, where, status));
  ++c.compilations;
  if (U_FAILURE(status) || !p) {
    error = std::string(u_errorName(status)) + " at offset " + std::to_string(where.offset);
    return nullptr;
  }
  if (c.patterns.size() >= kCacheLimit) c.patterns.clear();
  return c.patterns.emplace(std::string(text), std::move(p)).first->second.get();
}

bool match(ExecContext* ctx, abi::Value* out, std::string_view s, std::string_view regex) {
  std::string error;
  const icu::RegexPattern* pattern = compiled(regex, error);
  if (pattern == nullptr)
    return ctx->fail("REGEX_INVALID", "invalid regular expression '" + std::string(regex) + "': " + error);
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString input = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  std::unique_ptr<icu::RegexMatcher> matcher(pattern->matcher(input, status));
  if (U_FAILURE(status) || !matcher)
    return ctx->fail("REGEX_FAILED", std::string("regex matcher: ") + u_errorName(status));
  const bool whole = matcher->matches(status);
  if (U_FAILURE(status)) return ctx->fail("REGEX_FAILED", std::string("regex match: ") + u_errorName(status));
  return set_bool(out, whole);
}

}  // namespace

std::uint64_t regex_compilations_on_this_thread() {
  return cache().compilations;
}

}  // namespace suture::runtime::natives

extern "C" bool suture_rt_matches(suture_ctx* ctx, suture_value* out, const suture_value* s,
                                  const suture_value* regex) {
  using namespace suture::runtime::natives;
  return guarded(ctx, [&] { return match(ctx, out, s->str(), regex->str()); });
}
