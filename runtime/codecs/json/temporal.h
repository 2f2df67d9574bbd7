// temporal.h — validation of date and time text as FHIR and Odoo write it, and the conversion
// of a date-time to Odoo's naive UTC form. Used by the JSON codecs (runtime/codecs/json), the
// code generator (date constants) and the natives (runtime/natives), which share the header-only
// scanner below so there is one date parser in the runtime (the natives link nothing of the
// JSON codec).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/abi/value.h"

namespace suture::runtime::temporal_scan {

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

inline bool leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}
inline int days_in_month(int y, int m) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : days[m - 1];
}

// YYYY[-MM[-DD]]; `full` requires the day.
inline bool scan_date(Scan& sc, bool full, abi::Precision& p, int ymd[3]) {
  if (!sc.digits(4, ymd[0]) || ymd[0] == 0) return false;
  p = abi::Precision::Year;
  if (!sc.eat('-')) return !full;
  if (!sc.digits(2, ymd[1]) || ymd[1] < 1 || ymd[1] > 12) return false;
  p = abi::Precision::Month;
  if (!sc.eat('-')) return !full;
  if (!sc.digits(2, ymd[2]) || ymd[2] < 1 || ymd[2] > days_in_month(ymd[0], ymd[1])) return false;
  p = abi::Precision::Day;
  return true;
}

// hh:mm:ss[.f+]; `max_fraction` bounds the fraction's digits (0: any). With `partial`, hh:mm
// (Precision::Minute) is accepted too, as spec literals (`@T10:30`) write it.
inline bool scan_time(Scan& sc, abi::Precision& p, int hms[3], int max_fraction, bool partial = false) {
  if (!sc.digits(2, hms[0]) || hms[0] > 23 || !sc.eat(':') || !sc.digits(2, hms[1]) || hms[1] > 59) return false;
  if (partial && !sc.peek(':')) {
    p = abi::Precision::Minute;
    return true;
  }
  if (!sc.eat(':') || !sc.digits(2, hms[2]) || hms[2] > 60) return false;
  p = abi::Precision::Second;
  if (sc.eat('.')) {
    int count = 0;
    if (!sc.fraction(count) || (max_fraction > 0 && count > max_fraction)) return false;
    p = abi::Precision::Fraction;
  }
  return true;
}

// Z | ±hh:mm (FHIR: up to 14:00).
inline bool scan_offset(Scan& sc, int& minutes) {
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
inline std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
inline void civil_from_days(std::int64_t z, int& y, int& m, int& d) {
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

// The fields of FHIR-style date/time text (Date, DateTime, Instant or Time), for the natives'
// arithmetic and comparisons. Lenient where spec literals are: a date-time may stop at hh:mm
// and may omit the offset; a time may stop at hh:mm.
struct TemporalParts {
  abi::Precision precision = abi::Precision::None;
  bool has_offset = false;
  int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  std::string_view fraction;  // the digits after '.', "" when none
  int offset_minutes = 0;
};

inline std::optional<TemporalParts> read_temporal(abi::Kind kind, std::string_view text) {
  Scan sc{text};
  TemporalParts parts;
  int ymd[3] = {0, 1, 1}, hms[3] = {0, 0, 0};
  std::size_t time_start = 0;
  if (kind == abi::Kind::Time) {
    if (!scan_time(sc, parts.precision, hms, 0, true) || !sc.done()) return std::nullopt;
  } else {
    if (!scan_date(sc, kind == abi::Kind::Instant, parts.precision, ymd)) return std::nullopt;
    if (!sc.done()) {
      if (kind == abi::Kind::Date || parts.precision != abi::Precision::Day || !sc.eat('T')) return std::nullopt;
      time_start = sc.i;
      if (!scan_time(sc, parts.precision, hms, 0, true)) return std::nullopt;
      if (!sc.done()) {
        if (!scan_offset(sc, parts.offset_minutes) || !sc.done()) return std::nullopt;
        parts.has_offset = true;
      }
    }
  }
  if (parts.precision == abi::Precision::Fraction) {
    std::size_t dot = text.find('.', time_start);
    std::size_t end = dot + 1;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    parts.fraction = text.substr(dot + 1, end - dot - 1);
  }
  parts.year = ymd[0], parts.month = ymd[1], parts.day = ymd[2];
  parts.hour = hms[0], parts.minute = hms[1], parts.second = hms[2];
  return parts;
}

}  // namespace suture::runtime::temporal_scan

namespace suture::runtime::json {

struct TemporalInfo {
  abi::Precision precision = abi::Precision::None;
  bool has_offset = false;
};

// FHIR: date YYYY[-MM[-DD]]; dateTime a date or YYYY-MM-DDThh:mm:ss[.f+](Z|±hh:mm);
// instant the full form only; time hh:mm:ss[.f+]. `kind` is Date, DateTime, Instant or Time.
std::optional<TemporalInfo> parse_fhir_temporal(abi::Kind kind, std::string_view text);
// Odoo: date YYYY-MM-DD; datetime YYYY-MM-DD HH:MM:SS[.ffffff], naive UTC.
std::optional<TemporalInfo> parse_odoo_temporal(abi::Kind kind, std::string_view text);
// A date or date-time value (either syntax) in Odoo's form: offsets applied, so the result is
// UTC. Text it cannot read is returned unchanged.
std::string to_odoo_temporal(const abi::Value& value);
// A date-time read from Odoo (naive UTC) in FHIR's form ("T", "Z"); FHIR text unchanged.
std::string to_fhir_temporal(const abi::Value& value);

}  // namespace suture::runtime::json
