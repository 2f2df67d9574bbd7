// strings.cpp — the string natives that need no case or regex machinery: length, trim*,
// starts_with, ends_with, contains, split, replace, substring, pad_left/right, join; the
// `mask` obligation; and the healthcare vocabulary tests on text, smart_permits and
// purpose_of_use_valid. Lengths and positions count Unicode code points; white space is
// Unicode White_Space (ICU).
#include <unicode/uchar.h>

#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>

#include "runtime/natives/natives.h"
#include "runtime/natives/support.h"

namespace suture::runtime::natives {
namespace {

using abi::Kind;

bool white(char32_t c) {
  return u_isUWhiteSpace(static_cast<UChar32>(c)) != 0;
}

std::string_view trim_start_of(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t next = i;
    if (!white(next_code_point(s, next))) break;
    i = next;
  }
  return s.substr(i);
}

std::string_view trim_end_of(std::string_view s) {
  std::size_t end = s.size();
  while (end > 0) {
    std::size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    std::size_t i = start;
    if (!white(next_code_point(s, i))) break;
    end = start;
  }
  return s.substr(0, end);
}

constexpr std::int64_t kMaxPadLength = std::int64_t{1} << 24;

// A list of strings in the arena.
abi::Value* make_items(ExecContext* ctx, std::size_t n) {
  return ctx->arena->make_array<abi::Value>(n);
}

bool set_list(abi::Value* out, abi::Value* items, std::size_t n) {
  *out = abi::Value{};
  out->kind = Kind::List;
  out->items = items;
  out->aux = static_cast<std::uint32_t>(n);
  return true;
}

// `s` padded with repetitions of `pad` to `length` code points, on the left or the right.
bool pad(ExecContext* ctx, abi::Value* out, const abi::Value& s, std::int64_t length, std::string_view with,
         bool left) {
  const std::int64_t have = code_point_count(s.str());
  if (have >= length || with.empty()) return set_text(out, Kind::String, s.str());
  if (length > kMaxPadLength) return ctx->fail("STRING_TOO_LONG", "pad length above 16 Mi code points");
  std::string filler;
  std::int64_t missing = length - have;
  const std::int64_t pad_length = code_point_count(with);
  while (missing >= pad_length) filler += with, missing -= pad_length;
  filler += with.substr(0, offset_of_code_point(with, missing));
  return set_string(ctx, out, left ? filler + std::string(s.str()) : std::string(s.str()) + filler);
}

// ── SMART on FHIR scopes ──
// The interactions a scope can grant, one bit each (v2 letters c r u d s, in that order).
constexpr unsigned kCreate = 1, kRead = 2, kUpdate = 4, kDelete = 8, kSearch = 16;

unsigned interaction_bit(std::string_view interaction) {
  if (interaction == "create") return kCreate;
  if (interaction == "read") return kRead;
  if (interaction == "update") return kUpdate;
  if (interaction == "delete") return kDelete;
  if (interaction == "search") return kSearch;
  return 0;
}

// A FHIR resource type name: an ASCII capital, then ASCII letters and digits.
bool resource_type_name(std::string_view name) {
  if (name.empty() || name[0] < 'A' || name[0] > 'Z') return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

// The interactions `permissions` grants: v1 `read` (r s), `write` (c u d), `*` (all); v2 a
// non-empty run of c r u d s in that order, each at most once. 0 when malformed.
unsigned granted(std::string_view permissions) {
  if (permissions == "read") return kRead | kSearch;
  if (permissions == "write") return kCreate | kUpdate | kDelete;
  if (permissions == "*") return kCreate | kRead | kUpdate | kDelete | kSearch;
  static constexpr std::string_view kLetters = "cruds";
  unsigned bits = 0;
  std::size_t next = 0;  // letters before this one are used up (order is part of the syntax)
  for (char c : permissions) {
    const std::size_t at = kLetters.find(c, next);
    if (at == std::string_view::npos) return 0;
    bits |= 1u << at;
    next = at + 1;
  }
  return bits;
}

// Whether the single scope `context/resource.permissions` grants `interaction` on
// `resource_type`. A restricted v2 scope (`…?param=value`) narrows the grant to resources the
// query selects, which cannot be decided from the type alone: it grants nothing here.
bool scope_permits(std::string_view scope, std::string_view resource_type, std::string_view interaction) {
  const unsigned wanted = interaction_bit(interaction);
  if (wanted == 0 || !resource_type_name(resource_type)) return false;
  const std::size_t slash = scope.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view context = scope.substr(0, slash);
  if (context != "patient" && context != "user" && context != "system") return false;
  const std::string_view rest = scope.substr(slash + 1);
  if (rest.find('?') != std::string_view::npos) return false;
  const std::size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return false;
  const std::string_view resource = rest.substr(0, dot);
  if (resource != "*" && !resource_type_name(resource)) return false;
  if (resource != "*" && resource != resource_type) return false;
  return (granted(rest.substr(dot + 1)) & wanted) != 0;
}

// ── HL7 v3 PurposeOfUse ──
// The codes of the value set v3-PurposeOfUse (OID 2.16.840.1.113883.1.11.20448: the ActReason
// concepts under PurposeOfUse, value set version 3.1.0 of HL7 Terminology), sorted for
// binary search. Revisit when HL7 publishes a new version of the value set.
constexpr std::string_view kPurposesOfUse[] = {
    "BIORCH",  "BTG",      "CAREMGT",  "CLINTRCH",    "CLINTRCHNPC", "CLINTRCHPC", "CLINTRL",   "CLMATTCH", "COC",
    "COVAUTH", "COVERAGE", "DISASTER", "DONAT",       "DSRCH",       "ELIGDTRM",   "ELIGVER",   "ENROLLM",  "ERTREAT",
    "ETREAT",  "FAMRQT",   "FRAUD",    "GOV",         "HACCRED",     "HCOMPL",     "HDECD",     "HDIRECT",  "HDM",
    "HLEGAL",  "HMARKT",   "HOPERAT",  "HOUTCOMS",    "HPAYMT",      "HPRGRP",     "HQUALIMP",  "HRESCH",   "HSYSADMIN",
    "HTEST",   "LABELING", "MEMADMIN", "METAMGT",     "MILCDM",      "MILDCRG",    "PATADMIN",  "PATRQT",   "PATSFTY",
    "PERFMSR", "POARCH",   "POPHLTH",  "PRECLINTRCH", "PUBHLTH",     "PWATRNY",    "RECORDMGT", "REMITADV", "SUPNWK",
    "SYSDEV",  "THREAT",   "TRAIN",    "TRANSRCH",    "TREAT",
};
static_assert(std::is_sorted(std::begin(kPurposesOfUse), std::end(kPurposesOfUse)));

}  // namespace
}  // namespace suture::runtime::natives

using namespace suture::runtime::natives;
using suture::abi::Kind;

extern "C" {

bool suture_rt_length(suture_ctx*, suture_value* out, const suture_value* s) {
  return set_int(out, code_point_count(s->str()));
}

bool suture_rt_trim(suture_ctx*, suture_value* out, const suture_value* s) {
  return set_text(out, Kind::String, trim_end_of(trim_start_of(s->str())));
}

bool suture_rt_trim_start(suture_ctx*, suture_value* out, const suture_value* s) {
  return set_text(out, Kind::String, trim_start_of(s->str()));
}

bool suture_rt_trim_end(suture_ctx*, suture_value* out, const suture_value* s) {
  return set_text(out, Kind::String, trim_end_of(s->str()));
}

bool suture_rt_starts_with(suture_ctx*, suture_value* out, const suture_value* s, const suture_value* prefix) {
  return set_bool(out, s->str().starts_with(prefix->str()));
}

bool suture_rt_ends_with(suture_ctx*, suture_value* out, const suture_value* s, const suture_value* suffix) {
  return set_bool(out, s->str().ends_with(suffix->str()));
}

bool suture_rt_contains(suture_ctx*, suture_value* out, const suture_value* s, const suture_value* part) {
  return set_bool(out, s->str().find(part->str()) != std::string_view::npos);
}

// An empty separator splits into code points ("" gives []); otherwise "" gives [""] and
// adjacent separators give empty parts.
bool suture_rt_split(suture_ctx* ctx, suture_value* out, const suture_value* s, const suture_value* separator) {
  return guarded(ctx, [&] {
    const std::string_view text = s->str(), sep = separator->str();
    if (sep.empty()) {
      suture_value* items = make_items(ctx, static_cast<std::size_t>(code_point_count(text)));
      std::size_t n = 0;
      for (std::size_t i = 0; i < text.size();) {
        std::size_t start = i;
        next_code_point(text, i);
        set_text(&items[n++], Kind::String, text.substr(start, i - start));
      }
      return set_list(out, items, n);
    }
    std::size_t count = 1;
    for (std::size_t at = text.find(sep); at != std::string_view::npos; at = text.find(sep, at + sep.size())) ++count;
    suture_value* items = make_items(ctx, count);
    std::size_t start = 0, n = 0;
    for (std::size_t at = text.find(sep); at != std::string_view::npos; at = text.find(sep, start)) {
      set_text(&items[n++], Kind::String, text.substr(start, at - start));
      start = at + sep.size();
    }
    set_text(&items[n++], Kind::String, text.substr(start));
    return set_list(out, items, n);
  });
}

// Every non-overlapping occurrence, left to right; an empty `from` leaves the string as is.
bool suture_rt_replace(suture_ctx* ctx, suture_value* out, const suture_value* s, const suture_value* from,
                       const suture_value* to) {
  return guarded(ctx, [&] {
    const std::string_view text = s->str(), a = from->str(), b = to->str();
    if (a.empty() || text.find(a) == std::string_view::npos) return set_text(out, Kind::String, text);
    std::string result;
    std::size_t start = 0;
    for (std::size_t at = text.find(a); at != std::string_view::npos; at = text.find(a, start)) {
      result.append(text.substr(start, at - start)).append(b);
      start = at + a.size();
    }
    result.append(text.substr(start));
    return set_string(ctx, out, result);
  });
}

// Code points [start, start + length), clamped to the string: a negative start counts as 0, a
// negative length gives "".
bool suture_rt_substring(suture_ctx*, suture_value* out, const suture_value* s, const suture_value* start,
                         const suture_value* length) {
  const std::string_view text = s->str();
  const std::int64_t from = start->integer < 0 ? 0 : start->integer;
  const std::int64_t count = length->integer < 0 ? 0 : length->integer;
  const std::size_t begin = offset_of_code_point(text, from);
  const std::size_t end = begin + offset_of_code_point(text.substr(begin), count);
  return set_text(out, Kind::String, text.substr(begin, end - begin));
}

// Padded to `length` code points with repetitions of `pad` (the last one cut short); strings
// already that long, or an empty `pad`, are returned unchanged.
bool suture_rt_pad_left(suture_ctx* ctx, suture_value* out, const suture_value* s, const suture_value* length,
                        const suture_value* with) {
  return guarded(ctx, [&] { return pad(ctx, out, *s, length->integer, with->str(), true); });
}

bool suture_rt_pad_right(suture_ctx* ctx, suture_value* out, const suture_value* s, const suture_value* length,
                         const suture_value* with) {
  return guarded(ctx, [&] { return pad(ctx, out, *s, length->integer, with->str(), false); });
}

// Absent elements are skipped.
bool suture_rt_join(suture_ctx* ctx, suture_value* out, const suture_value* list, const suture_value* separator) {
  return guarded(ctx, [&] {
    std::string result;
    bool first = true;
    const std::uint32_t n = list->kind == Kind::List ? list->aux : 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      const suture_value& item = list->items[i];
      if (!item.present()) continue;
      if (!first) result.append(separator->str());
      result.append(item.str());
      first = false;
    }
    return set_string(ctx, out, result);
  });
}

// Every code point but `keep` of them (the last ones when `last` is non-zero, else the first)
// becomes one '*', so the length in code points is kept; a negative `keep` counts as 0.
bool suture_rt_mask(suture_ctx* ctx, suture_value* out, const suture_value* value, const suture_value* keep,
                    const suture_value* last) {
  return guarded(ctx, [&] {
    const std::string_view text = value->str();
    const std::int64_t total = code_point_count(text);
    const std::int64_t kept = std::clamp<std::int64_t>(keep->integer, 0, total);
    const std::int64_t hidden = total - kept;
    if (hidden == 0) return set_text(out, Kind::String, text);
    std::string result;
    if (last->integer != 0) {
      result.assign(static_cast<std::size_t>(hidden), '*');
      result.append(text.substr(offset_of_code_point(text, hidden)));
    } else {
      result.assign(text.substr(0, offset_of_code_point(text, kept)));
      result.append(static_cast<std::size_t>(hidden), '*');
    }
    return set_string(ctx, out, result);
  });
}

// One scope (not a space-separated list): `principal.scopes.any(s => smart_permits(s, …))`.
bool suture_rt_smart_permits(suture_ctx*, suture_value* out, const suture_value* scope,
                             const suture_value* resource_type, const suture_value* interaction) {
  return set_bool(out, scope_permits(scope->str(), resource_type->str(), interaction->str()));
}

// Exact, case-sensitive codes.
bool suture_rt_purpose_of_use_valid(suture_ctx*, suture_value* out, const suture_value* code) {
  return set_bool(out, std::binary_search(std::begin(kPurposesOfUse), std::end(kPurposesOfUse), code->str()));
}

}  // extern "C"
