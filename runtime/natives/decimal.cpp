// decimal.cpp — the exact decimal arithmetic of decimal.h: 128-bit coefficients, scale rules of
// FHIR / BigDecimal, long division for `/`, half-even rounding.
#include "runtime/natives/decimal.h"

#include <algorithm>

namespace suture::runtime::natives {
namespace {

constexpr int kMaxDigits = 38;

struct Powers {
  u128 p[kMaxDigits + 1];
  constexpr Powers() : p() {
    p[0] = 1;
    for (int i = 1; i <= kMaxDigits; ++i) p[i] = p[i - 1] * 10;
  }
};
constexpr Powers kPowers;
constexpr u128 kMaxCoefficient = kPowers.p[kMaxDigits] - 1;  // 38 nines

bool fits(u128 c) {
  return c <= kMaxCoefficient;
}

// c × 10^k within the coefficient limit.
bool scale_up(u128 c, std::int64_t k, u128& out) {
  if (c == 0) {
    out = 0;
    return true;
  }
  if (k > kMaxDigits || k < 0) return false;
  u128 r = 0;
  if (__builtin_mul_overflow(c, kPowers.p[k], &r) || !fits(r)) return false;
  out = r;
  return true;
}

// Both coefficients at the larger scale.
bool align(const Decimal& a, const Decimal& b, u128& ca, u128& cb, std::int32_t& scale) {
  scale = std::max(a.scale, b.scale);
  return scale_up(a.coefficient, scale - a.scale, ca) && scale_up(b.coefficient, scale - b.scale, cb);
}

// Signed magnitudes: a + b where each is (negative, magnitude).
Decimal signed_sum(bool na, u128 ca, bool nb, u128 cb, std::int32_t scale, bool& overflow) {
  Decimal r;
  r.scale = scale;
  overflow = false;
  if (na == nb) {
    r.negative = na;
    overflow = __builtin_add_overflow(ca, cb, &r.coefficient) || !fits(r.coefficient);
  } else if (ca >= cb) {
    r.negative = na;
    r.coefficient = ca - cb;
  } else {
    r.negative = nb;
    r.coefficient = cb - ca;
  }
  if (r.coefficient == 0) r.negative = false;
  return r;
}

// Rounds q (with remainder r of divisor d) half-even.
u128 round_quotient(u128 q, u128 r, u128 d) {
  if (r == 0) return q;
  const u128 rest = d - r;
  if (r > rest || (r == rest && (q & 1) != 0)) return q + 1;
  return q;
}

}  // namespace

DecimalStatus parse_decimal(std::string_view text, bool exponent, Decimal& out) {
  out = Decimal{};
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) out.negative = text[i++] == '-';
  auto digits = [&](bool fraction) -> int {
    int n = 0;
    bool overflow = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (!overflow) {
        u128 next = out.coefficient * 10 + static_cast<unsigned>(text[i] - '0');
        if (!fits(next))
          overflow = true;
        else
          out.coefficient = next;
      }
      ++i, ++n;
      if (fraction) ++out.scale;
    }
    return overflow ? -1 : n;
  };
  int whole = digits(false);
  if (whole == 0) return DecimalStatus::syntax;
  int fraction = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    fraction = digits(true);
    if (fraction == 0) return DecimalStatus::syntax;
  }
  std::int64_t power = 0;
  if (exponent && i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool minus = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) minus = text[i++] == '-';
    std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      power = std::min<std::int64_t>(power * 10 + (text[i] - '0'), 100000);
      ++i;
    }
    if (i == start) return DecimalStatus::syntax;
    if (minus) power = -power;
  }
  if (i != text.size()) return DecimalStatus::syntax;
  if (whole < 0 || fraction < 0) return DecimalStatus::overflow;
  std::int64_t scale = out.scale - power;
  if (scale < 0) {
    if (!scale_up(out.coefficient, -scale, out.coefficient)) return DecimalStatus::overflow;
    scale = 0;
  }
  if (scale > 100000) return DecimalStatus::overflow;
  out.scale = static_cast<std::int32_t>(scale);
  if (out.coefficient == 0) out.negative = false;
  return DecimalStatus::ok;
}

Decimal decimal_from_int(std::int64_t i) {
  Decimal d;
  d.negative = i < 0;
  d.coefficient = i < 0 ? static_cast<u128>(-(i + 1)) + 1 : static_cast<u128>(i);
  return d;
}

std::string format_decimal(const Decimal& d) {
  std::string digits;
  u128 c = d.coefficient;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(c % 10)));
    c /= 10;
  } while (c != 0);
  while (static_cast<std::int64_t>(digits.size()) <= d.scale) digits.push_back('0');
  std::reverse(digits.begin(), digits.end());
  if (d.scale > 0) digits.insert(digits.size() - static_cast<std::size_t>(d.scale), 1, '.');
  if (d.negative && d.coefficient != 0) digits.insert(0, 1, '-');
  return digits;
}

DecimalStatus decimal_add(const Decimal& a, const Decimal& b, Decimal& out) {
  u128 ca = 0, cb = 0;
  std::int32_t scale = 0;
  if (!align(a, b, ca, cb, scale)) return DecimalStatus::overflow;
  bool overflow = false;
  out = signed_sum(a.negative, ca, b.negative, cb, scale, overflow);
  return overflow ? DecimalStatus::overflow : DecimalStatus::ok;
}

DecimalStatus decimal_sub(const Decimal& a, const Decimal& b, Decimal& out) {
  Decimal negated = b;
  negated.negative = !b.negative;
  return decimal_add(a, negated, out);
}

DecimalStatus decimal_mul(const Decimal& a, const Decimal& b, Decimal& out) {
  out = Decimal{};
  if (__builtin_mul_overflow(a.coefficient, b.coefficient, &out.coefficient) || !fits(out.coefficient))
    return DecimalStatus::overflow;
  out.scale = a.scale + b.scale;
  out.negative = out.coefficient != 0 && a.negative != b.negative;
  return DecimalStatus::ok;
}

DecimalStatus decimal_div(const Decimal& a, const Decimal& b, Decimal& out) {
  if (b.is_zero()) return DecimalStatus::division_by_zero;
  out = Decimal{};
  const u128 divisor = b.coefficient;
  u128 q = a.coefficient / divisor, r = a.coefficient % divisor;
  // Result scale = generated fraction digits + a.scale - b.scale.
  const std::int64_t base = static_cast<std::int64_t>(a.scale) - b.scale;
  const std::int64_t limit = std::max<std::int64_t>(kDivisionScale, base);
  std::int64_t n = 0;
  while (r != 0 && n + base < limit) {
    u128 r10 = 0;
    if (__builtin_mul_overflow(r, 10, &r10)) return DecimalStatus::overflow;
    u128 next = 0;
    if (__builtin_mul_overflow(q, 10, &next) || !fits(next + r10 / divisor)) return DecimalStatus::overflow;
    q = next + r10 / divisor;
    r = r10 % divisor;
    ++n;
  }
  q = round_quotient(q, r, divisor);
  if (!fits(q)) return DecimalStatus::overflow;
  std::int64_t scale = n + base;
  if (scale < 0) {
    if (!scale_up(q, -scale, q)) return DecimalStatus::overflow;
    scale = 0;
  }
  out.coefficient = q;
  out.scale = static_cast<std::int32_t>(scale);
  out.negative = q != 0 && a.negative != b.negative;
  if (scale > kDivisionScale) return decimal_round(out, kDivisionScale, out);
  return DecimalStatus::ok;
}

DecimalStatus decimal_rem(const Decimal& a, const Decimal& b, Decimal& out) {
  if (b.is_zero()) return DecimalStatus::division_by_zero;
  u128 ca = 0, cb = 0;
  std::int32_t scale = 0;
  if (!align(a, b, ca, cb, scale)) return DecimalStatus::overflow;
  out = Decimal{};
  out.coefficient = ca % cb;
  out.scale = scale;
  out.negative = out.coefficient != 0 && a.negative;
  return DecimalStatus::ok;
}

int decimal_compare(const Decimal& a, const Decimal& b) {
  const bool na = a.negative && !a.is_zero(), nb = b.negative && !b.is_zero();
  if (na != nb) return na ? -1 : 1;
  u128 ca = a.coefficient, cb = b.coefficient;
  // Bring both to the larger scale; whichever side cannot be scaled is the larger magnitude.
  int magnitude = 0;
  if (a.scale < b.scale) {
    if (!scale_up(ca, b.scale - a.scale, ca)) magnitude = 1;
  } else if (b.scale < a.scale) {
    if (!scale_up(cb, a.scale - b.scale, cb)) magnitude = -1;
  }
  if (magnitude == 0) magnitude = ca < cb ? -1 : ca > cb ? 1 : 0;
  return na ? -magnitude : magnitude;
}

DecimalStatus decimal_round(const Decimal& a, std::int64_t places, Decimal& out) {
  if (places > 1000 || places < -1000) return DecimalStatus::overflow;
  Decimal r = a;
  if (places >= a.scale) {
    if (!scale_up(a.coefficient, places - a.scale, r.coefficient)) return DecimalStatus::overflow;
    r.scale = static_cast<std::int32_t>(places);
    out = r;
    return DecimalStatus::ok;
  }
  const std::int64_t drop = a.scale - places;
  if (drop > kMaxDigits) {
    r.coefficient = 0;  // every digit is below half a unit of the place kept
  } else {
    const u128 unit = kPowers.p[drop];
    r.coefficient = round_quotient(a.coefficient / unit, a.coefficient % unit, unit);
  }
  r.scale = static_cast<std::int32_t>(std::max<std::int64_t>(places, 0));
  if (places < 0 && !scale_up(r.coefficient, -places, r.coefficient)) return DecimalStatus::overflow;
  if (r.coefficient == 0) r.negative = false;
  out = r;
  return DecimalStatus::ok;
}

namespace {

DecimalStatus to_int64(bool negative, u128 magnitude, std::int64_t& out) {
  const u128 limit = static_cast<u128>(INT64_MAX) + (negative ? 1 : 0);
  if (magnitude > limit) return DecimalStatus::overflow;
  out = negative ? (magnitude == 0 ? 0 : -static_cast<std::int64_t>(magnitude - 1) - 1)
                 : static_cast<std::int64_t>(magnitude);
  return DecimalStatus::ok;
}

// Whole part and whether a fraction remains.
void split_whole(const Decimal& a, u128& whole, bool& fraction) {
  if (a.scale > kMaxDigits) {
    whole = 0;
    fraction = a.coefficient != 0;
    return;
  }
  whole = a.coefficient / kPowers.p[a.scale];
  fraction = a.coefficient % kPowers.p[a.scale] != 0;
}

}  // namespace

DecimalStatus decimal_floor(const Decimal& a, std::int64_t& out) {
  u128 whole = 0;
  bool fraction = false;
  split_whole(a, whole, fraction);
  if (a.negative && fraction) ++whole;
  return to_int64(a.negative && whole != 0, whole, out);
}

DecimalStatus decimal_ceil(const Decimal& a, std::int64_t& out) {
  u128 whole = 0;
  bool fraction = false;
  split_whole(a, whole, fraction);
  if (!a.negative && fraction) ++whole;
  return to_int64(a.negative && whole != 0, whole, out);
}

}  // namespace suture::runtime::natives
