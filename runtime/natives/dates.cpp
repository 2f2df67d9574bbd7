// dates.cpp — the date natives: year, month, day, date_of, parse_date, parse_datetime. Values
// keep their text as written; these read it with the shared scanner (temporal.h).
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

}  // extern "C"
