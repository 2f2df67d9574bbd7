// temporal.cpp — ordering and duration arithmetic over date/time fields (temporal.h).
#include "runtime/natives/temporal.h"

#include <algorithm>
#include <cstdio>

namespace suture::runtime::natives {
namespace {

using abi::Kind;
using abi::Precision;
namespace ts = temporal_scan;

// Seconds and fractions are one level for ordering.
int level(Precision p) {
  return p == Precision::Fraction ? static_cast<int>(Precision::Second) : static_cast<int>(p);
}

// The fraction as nanoseconds (digits past the ninth are ignored).
std::int64_t fraction_nanos(std::string_view digits) {
  std::int64_t n = 0;
  for (std::size_t i = 0; i < 9; ++i) n = n * 10 + (i < digits.size() ? digits[i] - '0' : 0);
  return n;
}

struct Fields {
  std::int64_t v[6];  // year, month, day, hour, minute, second×1e9+nanos
};

Fields fields_of(const TemporalParts& p, bool to_utc) {
  TemporalParts q = p;
  if (to_utc && p.has_offset) {
    std::int64_t minutes =
        ts::days_from_civil(p.year, p.month, p.day) * 1440 + p.hour * 60 + p.minute - p.offset_minutes;
    std::int64_t days = minutes >= 0 ? minutes / 1440 : (minutes - 1439) / 1440;
    std::int64_t in_day = minutes - days * 1440;
    ts::civil_from_days(days, q.year, q.month, q.day);
    q.hour = static_cast<int>(in_day / 60);
    q.minute = static_cast<int>(in_day % 60);
  }
  return Fields{{q.year, q.month, q.day, q.hour, q.minute,
                 static_cast<std::int64_t>(q.second) * 1'000'000'000 + fraction_nanos(q.fraction)}};
}

std::string two(int n) {
  char b[8];
  std::snprintf(b, sizeof b, "%02d", n);
  return b;
}

std::string offset_text(std::string_view original) {
  if (!original.empty() && original.back() == 'Z') return "Z";
  return original.size() >= 6 ? std::string(original.substr(original.size() - 6)) : std::string();
}

}  // namespace

std::optional<TemporalParts> read_parts(const abi::Value& v) {
  return ts::read_temporal(v.kind, v.str());
}

Order compare_temporal(const TemporalParts& a, const TemporalParts& b) {
  const bool utc = a.has_offset && b.has_offset;
  Fields fa = fields_of(a, utc), fb = fields_of(b, utc);
  const int la = level(a.precision), lb = level(b.precision);
  const int common = std::min(la, lb);
  // Times have no date fields: they start at the hour (level 4).
  for (int k = 0; k < 6 && k + 1 <= common; ++k) {
    if (fa.v[k] != fb.v[k]) return fa.v[k] < fb.v[k] ? Order::less : Order::greater;
  }
  return la == lb ? Order::equal : Order::indeterminate;
}

std::int64_t local_millis(const TemporalParts& p) {
  return ts::days_from_civil(p.year, p.month, p.day) * kMsPerDay + p.hour * 3'600'000LL + p.minute * 60'000LL +
         p.second * 1000LL + fraction_nanos(p.fraction) / 1'000'000;
}

std::int64_t utc_millis(const TemporalParts& p) {
  return local_millis(p) - (p.has_offset ? p.offset_minutes * 60'000LL : 0);
}

std::string shift_temporal(Kind kind, const TemporalParts& p, std::string_view original, std::int64_t ms,
                           Precision& precision) {
  precision = p.precision;
  if (kind == Kind::Time) {
    std::int64_t in_day = (p.hour * 3'600'000LL + p.minute * 60'000LL + p.second * 1000LL +
                           fraction_nanos(p.fraction) / 1'000'000 + ms % kMsPerDay + kMsPerDay) %
                          kMsPerDay;
    std::string text = two(static_cast<int>(in_day / 3'600'000)) + ":" + two(static_cast<int>(in_day / 60'000 % 60));
    if (p.precision >= Precision::Second) text += ":" + two(static_cast<int>(in_day / 1000 % 60));
    int millis = static_cast<int>(in_day % 1000);
    if (p.precision == Precision::Fraction || (p.precision == Precision::Second && millis != 0)) {
      char b[8];
      std::snprintf(b, sizeof b, "%03d", millis);
      std::string digits = b;
      std::size_t keep = std::max<std::size_t>(p.fraction.size(), 1);
      while (digits.size() > keep && digits.back() == '0') digits.pop_back();
      if (p.fraction.size() > 3) digits += std::string(p.fraction.substr(3));
      text += "." + digits;
      precision = Precision::Fraction;
    }
    return text;
  }
  // Dates: whole days from the first day of the period.
  if (p.precision <= Precision::Day) {
    int y = 0, m = 0, d = 0;
    ts::civil_from_days(ts::days_from_civil(p.year, p.month, p.day) + ms / kMsPerDay, y, m, d);
    char b[48];
    if (p.precision == Precision::Year)
      std::snprintf(b, sizeof b, "%04d", y);
    else if (p.precision == Precision::Month)
      std::snprintf(b, sizeof b, "%04d-%02d", y, m);
    else
      std::snprintf(b, sizeof b, "%04d-%02d-%02d", y, m, d);
    return b;
  }
  std::int64_t total = local_millis(p) + ms;
  std::int64_t days = total >= 0 ? total / kMsPerDay : (total - kMsPerDay + 1) / kMsPerDay;
  std::int64_t in_day = total - days * kMsPerDay;
  int y = 0, m = 0, d = 0;
  ts::civil_from_days(days, y, m, d);
  char b[64];
  std::snprintf(b, sizeof b, "%04d-%02d-%02dT%02d:%02d", y, m, d, static_cast<int>(in_day / 3'600'000),
                static_cast<int>(in_day / 60'000 % 60));
  std::string text = b;
  if (p.precision >= Precision::Second) {
    text += ":" + two(static_cast<int>(in_day / 1000 % 60));
    int millis = static_cast<int>(in_day % 1000);
    if (p.precision == Precision::Fraction || millis != 0) {
      char f[8];
      std::snprintf(f, sizeof f, "%03d", millis);
      std::string digits = f;
      std::size_t keep = std::max<std::size_t>(p.fraction.size(), 1);
      while (digits.size() > keep && digits.back() == '0') digits.pop_back();
      if (p.fraction.size() > 3) digits += std::string(p.fraction.substr(3));
      text += "." + digits;
      precision = Precision::Fraction;
    }
  }
  if (p.has_offset) text += offset_text(original);
  return text;
}

}  // namespace suture::runtime::natives
