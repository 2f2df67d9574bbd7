// temporal.cpp — hand-written scanners for FHIR and Odoo date/time text (no regex: this is
// on the per-message path), and the Odoo ↔ FHIR date-time conversions.
#include "runtime/codecs/json/temporal.h"

#include <cstdint>
#include <cstdio>

namespace suture::runtime::json {
namespace {

using abi::Kind;
using abi::Precision;

// A cursor over the text; every read checks bounds.
struct Scan {
  std::string_view s;
  std::size_t i = 0;
  bool done() const { return i == s.size(); }
  bool peek(char c) const { return i < s.size() && s[i] == c; }
  bool eat(char c) {
    if (!peek(c)) return false;
    ++i;
    return true;
  }
  // Exactly n digits.
  bool digits(int n, int& out) {
    out = 0;
    for (int k = 0; k < n; ++k) {
      if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i++] - '0');
    }
    return true;
  }
  // One or more digits (a fraction); how many in `count`.
  bool fraction(int& count) {
    count = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++count;
    return count > 0;
  }
};

bool leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}
int days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : days[m - 1];
}

// YYYY[-MM[-DD]]; `full` requires the day.
bool scan_date(Scan& sc, bool full, Precision& p, int ymd[3]) {
  if (!sc.digits(4, ymd[0]) || ymd[0] == 0) return false;
  p = Precision::Year;
  if (!sc.eat('-')) return !full;
  if (!sc.digits(2, ymd[1]) || ymd[1] < 1 || ymd[1] > 12) return false;
  p = Precision::Month;
  if (!sc.eat('-')) return !full;
  if (!sc.digits(2, ymd[2]) || ymd[2] < 1 || ymd[2] > days_in_month(ymd[0], ymd[1])) return false;
  p = Precision::Day;
  return true;
}

// hh:mm:ss[.f+]; `max_fraction` bounds the fraction's digits (0: any).
bool scan_time(Scan& sc, Precision& p, int hms[3], int max_fraction) {
  if (!sc.digits(2, hms[0]) || hms[0] > 23 || !sc.eat(':') || !sc.digits(2, hms[1]) || hms[1] > 59 || !sc.eat(':') ||
      !sc.digits(2, hms[2]) || hms[2] > 60)
    return false;
  p = Precision::Second;
  if (sc.eat('.')) {
    int count = 0;
    if (!sc.fraction(count) || (max_fraction > 0 && count > max_fraction)) return false;
    p = Precision::Fraction;
  }
  return true;
}

// Z | ±hh:mm (FHIR: up to 14:00).
bool scan_offset(Scan& sc, int& minutes) {
  if (sc.eat('Z')) {
    minutes = 0;
    return true;
  }
  int sign = sc.eat('+') ? 1 : sc.eat('-') ? -1 : 0;
  int h = 0, m = 0;
  if (sign == 0 || !sc.digits(2, h) || !sc.eat(':') || !sc.digits(2, m) || m > 59 || h * 60 + m > 14 * 60) return false;
  minutes = sign * (h * 60 + m);
  return true;
}

// Days since 1970-01-01 (proleptic Gregorian), and back.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
void civil_from_days(std::int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

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
