// temporal.cpp — FHIR and Odoo date/time validation over the hand-written scanner in temporal.h
// (no regex: this is on the per-message path), and the Odoo ↔ FHIR date-time conversions.
#include "runtime/codecs/json/temporal.h"

#include <cstdio>

namespace suture::runtime::json {
namespace {

using abi::Kind;
using abi::Precision;

using namespace temporal_scan;  // the shared scanner (temporal.h)

}  // namespace

std::optional<TemporalInfo> parse_fhir_temporal(Kind kind, std::string_view text) {
  Scan sc{text};
  TemporalInfo info;
  int ymd[3] = {0, 0, 0}, hms[3] = {0, 0, 0}, offset = 0;
  if (kind == Kind::Time) {
    if (!scan_time(sc, info.precision, hms, 0) || !sc.done()) return std::nullopt;
    return info;
  }
  if (!scan_date(sc, kind == Kind::Instant, info.precision, ymd)) return std::nullopt;
  if (kind == Kind::Date || sc.done()) {
    if (!sc.done() || (kind == Kind::Instant)) return std::nullopt;
    return info;
  }
  if (info.precision != Precision::Day || !sc.eat('T') || !scan_time(sc, info.precision, hms, 0) ||
      !scan_offset(sc, offset) || !sc.done())
    return std::nullopt;
  info.has_offset = true;
  return info;
}

std::optional<TemporalInfo> parse_odoo_temporal(Kind kind, std::string_view text) {
  Scan sc{text};
  TemporalInfo info;
  int ymd[3] = {0, 0, 0}, hms[3] = {0, 0, 0};
  if (!scan_date(sc, true, info.precision, ymd)) return std::nullopt;
  if (kind == Kind::Date) return sc.done() ? std::optional(info) : std::nullopt;
  if (!sc.eat(' ') || !scan_time(sc, info.precision, hms, 6) || !sc.done()) return std::nullopt;
  return info;
}

std::string to_odoo_temporal(const abi::Value& value) {
  std::string_view text = value.str();
  Scan sc{text};
  TemporalInfo info;
  int ymd[3] = {0, 0, 0}, hms[3] = {0, 0, 0}, offset = 0;
  if (!scan_date(sc, true, info.precision, ymd)) return std::string(text);
  if (value.kind == Kind::Date || sc.done()) return std::string(text.substr(0, 10));
  if (!sc.eat('T') && !sc.eat(' ')) return std::string(text);
  std::size_t time_start = sc.i;
  if (!scan_time(sc, info.precision, hms, 0)) return std::string(text);
  std::string_view fraction = text.substr(time_start + 8, sc.i - time_start - 8);  // ".fff" or ""
  if (fraction.size() > 7) fraction = fraction.substr(0, 7);                       // Odoo: microseconds
  if (!sc.done() && !scan_offset(sc, offset)) return std::string(text);
  std::int64_t minutes = days_from_civil(ymd[0], ymd[1], ymd[2]) * 1440 + hms[0] * 60 + hms[1] - offset;
  std::int64_t days = minutes >= 0 ? minutes / 1440 : (minutes - 1439) / 1440;
  int in_day = static_cast<int>(minutes - days * 1440);
  civil_from_days(days, ymd[0], ymd[1], ymd[2]);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d %02d:%02d:%02d", ymd[0], ymd[1], ymd[2], in_day / 60,
                in_day % 60, hms[2] > 59 ? 59 : hms[2]);
  return std::string(buffer) + std::string(fraction);
}

std::string to_fhir_temporal(const abi::Value& value) {
  std::string text(value.str());
  if ((value.kind == Kind::DateTime || value.kind == Kind::Instant) && !(value.flags & abi::kHasOffset) &&
      text.size() > 10 && text[10] == ' ') {
    text[10] = 'T';
    text += 'Z';
  }
  return text;
}

}  // namespace suture::runtime::json
