// dates.cpp — the date natives: year, month, day, date_of, parse_date, parse_datetime, and the
// `generalise` obligation (dates to a coarser precision, codes to a prefix). Values keep their
// text as written; these read it with the shared scanner (temporal.h).
#include <algorithm>
#include <string>

#include "runtime/natives/natives.h"
#include "runtime/natives/support.h"
#include "runtime/natives/temporal.h"

namespace suture::runtime::natives {
namespace {

using abi::Kind;
using abi::Precision;

bool unreadable(ExecContext* ctx, const abi::Value& v) {
  return ctx->fail("DATE_INVALID", "'" + std::string(v.str()) + "' is not a date or date-time");
}

// year/month/day: `need` is the precision the field requires (fallible below it).
bool date_field(ExecContext* ctx, abi::Value* out, const abi::Value* d, Precision need, bool fallible) {
  auto parts = read_parts(*d);
  if (!parts) return unreadable(ctx, *d);
  if (parts->precision < need) {
    if (fallible) return false;
    return ctx->fail("DATE_PRECISION", "the value has no such field");
  }
  return set_int(out, need == Precision::Year ? parts->year : need == Precision::Month ? parts->month : parts->day);
}

// The text of a date at precision `p` (Year, Month or Day) is this long: "1958", "1958-03", "1958-03-14".
std::size_t date_text_size(Precision p) {
  return p == Precision::Year ? 4 : p == Precision::Month ? 7 : 10;
}

// `generalise … to prefixN`: N in 1..9, or 0 when `grain` is not of that form.
int prefix_length(std::string_view grain) {
  if (grain.size() != 7 || !grain.starts_with("prefix") || grain[6] < '1' || grain[6] > '9') return 0;
  return grain[6] - '0';
}

bool generalise(ExecContext* ctx, abi::Value* out, const abi::Value& v, std::string_view grain) {
  const Precision to = grain == "year"    ? Precision::Year
                       : grain == "month" ? Precision::Month
                       : grain == "day"   ? Precision::Day
                                          : Precision::None;
  const int prefix = prefix_length(grain);
  if (to == Precision::None && prefix == 0)
    return ctx->fail("GRAIN_INVALID", "'" + std::string(grain) + "' is not year, month, day or prefix1 … prefix9");
  const bool dated = v.kind == Kind::Date || v.kind == Kind::DateTime || v.kind == Kind::Instant;
  if (to != Precision::None) {
    if (!dated) return ctx->fail("TYPE_MISMATCH", "generalise to " + std::string(grain) + " takes a date");
    auto parts = read_parts(v);
    if (!parts) return unreadable(ctx, v);
    const Precision p = std::min(parts->precision, to);
    set_text(out, Kind::Date, v.str().substr(0, date_text_size(p)));
    out->precision = p;
    return true;
  }
  if (v.kind != Kind::String)
    return ctx->fail("TYPE_MISMATCH", "generalise to " + std::string(grain) + " takes text (an enum as its code)");
  const std::string_view text = v.str();
  return set_text(out, Kind::String, text.substr(0, offset_of_code_point(text, prefix)));
}

}  // namespace
}  // namespace suture::runtime::natives

using namespace suture::runtime::natives;
using suture::abi::Kind;
using suture::abi::Precision;

extern "C" {

bool suture_rt_year(suture_ctx* ctx, suture_value* out, const suture_value* d) {
  return guarded(ctx, [&] { return date_field(ctx, out, d, Precision::Year, false); });
}

bool suture_rt_month(suture_ctx* ctx, suture_value* out, const suture_value* d) {
  return guarded(ctx, [&] { return date_field(ctx, out, d, Precision::Month, true); });
}

bool suture_rt_day(suture_ctx* ctx, suture_value* out, const suture_value* d) {
  return guarded(ctx, [&] { return date_field(ctx, out, d, Precision::Day, true); });
}

// The date as written in the value's own offset: the text's date part, at most day precision.
bool suture_rt_date_of(suture_ctx* ctx, suture_value* out, const suture_value* dt) {
  return guarded(ctx, [&] {
    auto parts = read_parts(*dt);
    if (!parts) return unreadable(ctx, *dt);
    const Precision p = parts->precision > Precision::Day ? Precision::Day : parts->precision;
    const std::size_t size = p == Precision::Year ? 4 : p == Precision::Month ? 7 : 10;
    set_text(out, Kind::Date, dt->str().substr(0, size));
    out->precision = p;
    return true;
  });
}

// YYYY, YYYY-MM or YYYY-MM-DD; the result points at the input text.
bool suture_rt_parse_date(suture_ctx* ctx, suture_value* out, const suture_value* s) {
  auto info = suture::runtime::temporal_scan::read_temporal(Kind::Date, s->str());
  if (!info) return false;
  set_text(out, Kind::Date, s->str());
  out->precision = info->precision;
  return true;
}

// A full date-time with seconds and an offset (FHIR instant syntax); fails on anything else.
bool suture_rt_parse_datetime(suture_ctx* ctx, suture_value* out, const suture_value* s) {
  auto info = suture::runtime::temporal_scan::read_temporal(Kind::Instant, s->str());
  if (!info || !info->has_offset || info->precision < Precision::Second) return false;
  set_text(out, Kind::DateTime, s->str());
  out->precision = info->precision;
  out->flags = suture::abi::kHasOffset;
  return true;
}

// Dates, date-times and instants to `year`, `month` or `day`: the date as written in the value's
// own offset (as date_of), cut to that precision, always a Date ("1958-03-14T10:00:00Z" to year
// is the Date "1958"); a value already that coarse keeps its precision. Text to `prefixN`: its
// first N code points and nothing after them (a shorter text stays as it is).
bool suture_rt_generalise(suture_ctx* ctx, suture_value* out, const suture_value* value, const suture_value* grain) {
  return guarded(ctx, [&] { return generalise(ctx, out, *value, grain->str()); });
}

}  // extern "C"
