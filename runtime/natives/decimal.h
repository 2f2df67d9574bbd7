// decimal.h — exact decimal arithmetic for the natives (internal to runtime/natives). A decimal
// is sign × coefficient × 10^-scale with an unsigned 128-bit coefficient of at most 38 digits
// and scale ≥ 0; anything larger is DECIMAL_OVERFLOW. Scale rules follow FHIR / Java
// BigDecimal: + and - keep the larger scale, * the sum of the scales ("1.50" + "1" = "2.50",
// "1.5" * "2.0" = "3.00"); / is exact when the quotient terminates within 28 fractional digits
// (with at least the scale difference of the operands, like BigDecimal's preferred scale), else
// rounded half-even to 28. Values carry decimals as text (abi::Kind::Decimal), so every native
// parses, computes and formats.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace suture::runtime::natives {

__extension__ typedef unsigned __int128 u128;

struct Decimal {
  bool negative = false;
  u128 coefficient = 0;
  std::int32_t scale = 0;  // digits after the point
  bool is_zero() const { return coefficient == 0; }
};

enum class DecimalStatus { ok, syntax, overflow, division_by_zero };

inline constexpr int kDivisionScale = 28;

// `[+-]?digits(.digits)?`, and with `exponent` also `([eE][+-]?digits)?` (JSON number text).
DecimalStatus parse_decimal(std::string_view text, bool exponent, Decimal& out);
Decimal decimal_from_int(std::int64_t i);
// Canonical text: no '+', no leading zeros, the scale's trailing zeros kept, "-" only when
// non-zero ("-0.0" prints as "0.0").
std::string format_decimal(const Decimal& d);

DecimalStatus decimal_add(const Decimal& a, const Decimal& b, Decimal& out);
DecimalStatus decimal_sub(const Decimal& a, const Decimal& b, Decimal& out);
DecimalStatus decimal_mul(const Decimal& a, const Decimal& b, Decimal& out);
DecimalStatus decimal_div(const Decimal& a, const Decimal& b, Decimal& out);
// Remainder with the sign of the dividend (BigDecimal.remainder), scale = max.
DecimalStatus decimal_rem(const Decimal& a, const Decimal& b, Decimal& out);
// Numeric order: -1, 0, 1 (scale does not matter: 1.50 == 1.5).
int decimal_compare(const Decimal& a, const Decimal& b);
// Half-even to `places` fractional digits (negative: to tens, hundreds, … with scale 0); more
// places than the value has pads with zeros (BigDecimal.setScale).
DecimalStatus decimal_round(const Decimal& a, std::int64_t places, Decimal& out);
// Toward −∞ / +∞, as an int64 (overflow when it does not fit).
DecimalStatus decimal_floor(const Decimal& a, std::int64_t& out);
DecimalStatus decimal_ceil(const Decimal& a, std::int64_t& out);

}  // namespace suture::runtime::natives
