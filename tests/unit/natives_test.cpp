// natives_test.cpp — units for runtime/natives: every native through its C entry point, with
// Unicode edge cases, exact decimals, dates and their precision, overflow errors, the regex
// cache, HMAC (RFC 4231), UUID v5, the healthcare vocabularies and the policy obligations.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runtime/natives/natives.h"

namespace {

using suture::abi::Kind;
using suture::abi::Precision;
using suture::abi::Value;
using suture::runtime::Arena;
using suture::runtime::ExecContext;
using suture::runtime::NamedKey;

class Natives : public ::testing::Test {
 protected:
  Natives() { ctx.arena = &arena; }

  // Values whose text lives in the test (it outlives every call).
  Value text(Kind kind, const std::string& s) {
    strings.push_back(s);
    Value v;
    v.kind = kind;
    v.text = strings.back().data();
    v.aux = static_cast<std::uint32_t>(strings.back().size());
    return v;
  }
  Value str(const std::string& s) { return text(Kind::String, s); }
  Value dec(const std::string& s) { return text(Kind::Decimal, s); }
  Value date(const std::string& s) { return text(Kind::Date, s); }
  Value datetime(const std::string& s) { return text(Kind::DateTime, s); }
  Value time(const std::string& s) { return text(Kind::Time, s); }
  static Value integer(std::int64_t i) {
    Value v;
    v.kind = Kind::Int;
    v.integer = i;
    return v;
  }
  static Value duration(std::int64_t ms) {
    Value v = integer(ms);
    v.kind = Kind::Duration;
    return v;
  }
  static Value boolean(bool b) {
    Value v;
    v.kind = Kind::Bool;
    v.boolean = b;
    return v;
  }
  Value list(const std::vector<Value>& items) {
    lists.push_back(items);
    Value v;
    v.kind = Kind::List;
    v.items = lists.back().data();
    v.aux = static_cast<std::uint32_t>(items.size());
    return v;
  }

  using Unary = bool (*)(ExecContext*, Value*, const Value*);
  using Binary = bool (*)(ExecContext*, Value*, const Value*, const Value*);
  using Ternary = bool (*)(ExecContext*, Value*, const Value*, const Value*, const Value*);

  // The result's text; "<false>" when the native returned false.
  std::string call(Unary f, Value a) {
    Value out;
    return f(&ctx, &out, &a) ? std::string(out.str()) : "<false>";
  }
  std::string call(Binary f, Value a, Value b) {
    Value out;
    return f(&ctx, &out, &a, &b) ? std::string(out.str()) : "<false>";
  }
  std::string call(Ternary f, Value a, Value b, Value c) {
    Value out;
    return f(&ctx, &out, &a, &b, &c) ? std::string(out.str()) : "<false>";
  }
  Value result(Unary f, Value a) {
    Value out;
    last_ok = f(&ctx, &out, &a);
    return out;
  }
  Value result(Binary f, Value a, Value b) {
    Value out;
    last_ok = f(&ctx, &out, &a, &b);
    return out;
  }
  std::int64_t int_of(Binary f, Value a, Value b) {
    Value out = result(f, a, b);
    EXPECT_TRUE(last_ok) << ctx.error.code << ": " << ctx.error.message;
    return out.integer;
  }
  std::int64_t int_of(Unary f, Value a) {
    Value out = result(f, a);
    EXPECT_TRUE(last_ok) << ctx.error.code << ": " << ctx.error.message;
    return out.integer;
  }
  bool bool_of(Binary f, Value a, Value b) {
    Value out = result(f, a, b);
    EXPECT_TRUE(last_ok) << ctx.error.code;
    EXPECT_EQ(out.kind, Kind::Bool);
    return out.boolean;
  }
  // Expects a failure with `code` and clears it.
  void expect_error(const std::string& code) {
    EXPECT_TRUE(ctx.failed);
    EXPECT_EQ(ctx.error.code, code);
    ctx.clear();
  }

  Arena arena;
  ExecContext ctx;
  std::deque<std::string> strings;
  std::deque<std::vector<Value>> lists;
  bool last_ok = false;
};

// --- strings -------------------------------------------------------------------------------

TEST_F(Natives, LengthCountsCodePoints) {
  EXPECT_EQ(int_of(suture_rt_length, str("")), 0);
  EXPECT_EQ(int_of(suture_rt_length, str("abc")), 3);
  EXPECT_EQ(int_of(suture_rt_length, str("straße")), 6);
  EXPECT_EQ(int_of(suture_rt_length, str("日本語")), 3);
  EXPECT_EQ(int_of(suture_rt_length, str("a😀b")), 3);  // astral: one code point, four bytes
}

TEST_F(Natives, CaseMappingIsFullUnicode) {
  EXPECT_EQ(call(suture_rt_upper, str("straße")), "STRASSE");
  EXPECT_EQ(call(suture_rt_lower, str("ΣΑΣ")), "σας");  // final sigma
  EXPECT_EQ(call(suture_rt_lower, str("ÀÉÎ Ok")), "àéî ok");
  EXPECT_EQ(call(suture_rt_upper, str("mixed Case 42")), "MIXED CASE 42");
  EXPECT_EQ(call(suture_rt_lower, str("")), "");
  EXPECT_EQ(call(suture_rt_upper, str("ǆ")), "Ǆ");
}

TEST_F(Natives, TrimUsesUnicodeWhiteSpace) {
  EXPECT_EQ(call(suture_rt_trim, str("  a b \t\n")), "a b");
  EXPECT_EQ(call(suture_rt_trim, str("\u00A0\u2003x\u3000")), "x");  // NBSP, em space, ideographic space
  EXPECT_EQ(call(suture_rt_trim_start, str("\u2028 x ")), "x ");
  EXPECT_EQ(call(suture_rt_trim_end, str(" x\u0085")), " x");
  EXPECT_EQ(call(suture_rt_trim, str(" \u00A0 ")), "");
  EXPECT_EQ(call(suture_rt_trim, str("\u200Bx")), "\u200Bx");  // zero width space is not White_Space
}

TEST_F(Natives, PrefixSuffixContains) {
  EXPECT_TRUE(bool_of(suture_rt_starts_with, str("Grüße"), str("Grü")));
  EXPECT_FALSE(bool_of(suture_rt_starts_with, str("Gr"), str("Grü")));
  EXPECT_TRUE(bool_of(suture_rt_ends_with, str("Grüße"), str("ße")));
  EXPECT_TRUE(bool_of(suture_rt_contains, str("Grüße"), str("üß")));
  EXPECT_TRUE(bool_of(suture_rt_contains, str("x"), str("")));
  EXPECT_FALSE(bool_of(suture_rt_contains, str("abc"), str("d")));
}

TEST_F(Natives, Split) {
  Value out = result(suture_rt_split, str("a,b,,c"), str(","));
  ASSERT_TRUE(last_ok);
  ASSERT_EQ(out.kind, Kind::List);
  ASSERT_EQ(out.aux, 4u);
  EXPECT_EQ(out.items[0].str(), "a");
  EXPECT_EQ(out.items[2].str(), "");
  EXPECT_EQ(out.items[3].str(), "c");
  out = result(suture_rt_split, str("añ😀"), str(""));
  ASSERT_EQ(out.aux, 3u);
  EXPECT_EQ(out.items[1].str(), "ñ");
  EXPECT_EQ(out.items[2].str(), "😀");
  out = result(suture_rt_split, str(""), str(","));
  ASSERT_EQ(out.aux, 1u);
  EXPECT_EQ(out.items[0].str(), "");
  out = result(suture_rt_split, str("a::b"), str("::"));
  ASSERT_EQ(out.aux, 2u);
  EXPECT_EQ(out.items[1].str(), "b");
}

TEST_F(Natives, ReplaceSubstringPad) {
  EXPECT_EQ(call(suture_rt_replace, str("a-b-c"), str("-"), str("––")), "a––b––c");
  EXPECT_EQ(call(suture_rt_replace, str("aaa"), str("aa"), str("b")), "ba");
  EXPECT_EQ(call(suture_rt_replace, str("abc"), str(""), str("x")), "abc");
  EXPECT_EQ(call(suture_rt_substring, str("añ😀bc"), integer(1), integer(2)), "ñ😀");
  EXPECT_EQ(call(suture_rt_substring, str("abc"), integer(2), integer(10)), "c");
  EXPECT_EQ(call(suture_rt_substring, str("abc"), integer(5), integer(1)), "");
  EXPECT_EQ(call(suture_rt_substring, str("abc"), integer(-1), integer(2)), "ab");
  EXPECT_EQ(call(suture_rt_pad_left, str("7"), integer(3), str("0")), "007");
  EXPECT_EQ(call(suture_rt_pad_left, str("ñ"), integer(4), str("ab")), "abañ");
  EXPECT_EQ(call(suture_rt_pad_right, str("ü"), integer(3), str("·")), "ü··");
  EXPECT_EQ(call(suture_rt_pad_right, str("long"), integer(2), str(" ")), "long");
  EXPECT_EQ(call(suture_rt_pad_left, str("x"), integer(3), str("")), "x");
}

TEST_F(Natives, Join) {
  EXPECT_EQ(call(suture_rt_join, list({str("a"), str("b"), str("ç")}), str(", ")), "a, b, ç");
  EXPECT_EQ(call(suture_rt_join, list({}), str(",")), "");
  EXPECT_EQ(call(suture_rt_join, list({str("x")}), str(",")), "x");
}

TEST_F(Natives, ConcatStringsAndLists) {
  EXPECT_EQ(call(suture_rt_concat, str("Grü"), str("ße")), "Grüße");
  EXPECT_EQ(call(suture_rt_concat, str(""), str("x")), "x");
  Value out = result(suture_rt_concat, list({integer(1)}), list({integer(2), integer(3)}));
  ASSERT_TRUE(last_ok);
  ASSERT_EQ(out.aux, 3u);
  EXPECT_EQ(out.items[2].integer, 3);
}

TEST_F(Natives, MatchesIsWholeStringAndCached) {
  EXPECT_TRUE(bool_of(suture_rt_matches, str("AB-123"), str("[A-Z]{2}-\\d+")));
  EXPECT_FALSE(bool_of(suture_rt_matches, str("xAB-123"), str("[A-Z]{2}-\\d+")));  // whole string only
  EXPECT_TRUE(bool_of(suture_rt_matches, str("Grüße"), str("\\p{L}+")));
  EXPECT_FALSE(bool_of(suture_rt_matches, str("abc"), str("b")));
  const std::uint64_t before = suture::runtime::natives::regex_compilations_on_this_thread();
  for (int i = 0; i < 100; ++i) bool_of(suture_rt_matches, str("12345"), str("\\d{5}"));
  EXPECT_EQ(suture::runtime::natives::regex_compilations_on_this_thread(), before + 1);
  for (int i = 0; i < 10; ++i) bool_of(suture_rt_matches, str("12345"), str("\\d{5}"));
  EXPECT_EQ(suture::runtime::natives::regex_compilations_on_this_thread(), before + 1);
  // Another thread has its own cache.
  std::uint64_t other = 0;
  std::thread t([&] {
    Arena a;
    ExecContext c;
    c.arena = &a;
    Value s = str("12345"), r = str("\\d{5}"), out;
    suture_rt_matches(&c, &out, &s, &r);
    other = suture::runtime::natives::regex_compilations_on_this_thread();
  });
  t.join();
  EXPECT_EQ(other, 1u);
}

TEST_F(Natives, InvalidRegexIsAnError) {
  EXPECT_EQ(call(suture_rt_matches, str("x"), str("(unclosed")), "<false>");
  expect_error("REGEX_INVALID");
}

// --- conversions ---------------------------------------------------------------------------

TEST_F(Natives, ToStringIsCanonical) {
  EXPECT_EQ(call(suture_rt_to_string, integer(-42)), "-42");
  EXPECT_EQ(call(suture_rt_to_string, dec("1.50")), "1.50");
  EXPECT_EQ(call(suture_rt_to_string, boolean(true)), "true");
  EXPECT_EQ(call(suture_rt_to_string, boolean(false)), "false");
  EXPECT_EQ(call(suture_rt_to_string, date("2024-03")), "2024-03");
  EXPECT_EQ(call(suture_rt_to_string, datetime("2024-03-15T10:30:00+02:00")), "2024-03-15T10:30:00+02:00");
  EXPECT_EQ(call(suture_rt_to_string, duration(500)), "500ms");
  EXPECT_EQ(call(suture_rt_to_string, duration(30000)), "30s");
  EXPECT_EQ(call(suture_rt_to_string, duration(300000)), "5m");
  EXPECT_EQ(call(suture_rt_to_string, duration(7 * 86400000LL)), "7d");
  EXPECT_EQ(call(suture_rt_to_string, duration(1500)), "1500ms");
  EXPECT_EQ(call(suture_rt_to_string, duration(-7200000)), "-2h");
  EXPECT_EQ(call(suture_rt_to_string, duration(0)), "0s");
}

TEST_F(Natives, EnumToStringUsesDescriptor) {
  suture::abi::EnumDesc gender{"Gender", {"male", "female", "other"}};
  const suture::abi::EnumDesc* enums[] = {&gender};
  ctx.enums = enums;
  Value e;
  e.kind = Kind::Enum;
  e.aux = 1;
  EXPECT_EQ(call(suture_rt_enum_to_string, e, integer(0)), "female");
  e.aux = 7;
  EXPECT_EQ(call(suture_rt_enum_to_string, e, integer(0)), "<false>");
  expect_error("ENUM_INVALID");
}

TEST_F(Natives, ParseIntIsStrictAndFallible) {
  EXPECT_EQ(int_of(suture_rt_parse_int, str("123")), 123);
  EXPECT_EQ(int_of(suture_rt_parse_int, str("-9223372036854775808")), INT64_MIN);
  EXPECT_EQ(int_of(suture_rt_parse_int, str("+5")), 5);
  for (const char* bad : {"", " 1", "1 ", "1.0", "9223372036854775808", "abc", "-", "+", "+-1", "0x10"}) {
    EXPECT_EQ(call(suture_rt_parse_int, str(bad)), "<false>") << bad;
    EXPECT_FALSE(ctx.failed) << "fallible natives leave ctx->error alone";
  }
}

TEST_F(Natives, ParseDecimalAndBool) {
  Value d = result(suture_rt_parse_decimal, str("+007.50"));
  ASSERT_TRUE(last_ok);
  EXPECT_EQ(d.kind, Kind::Decimal);
  EXPECT_EQ(d.str(), "7.50");
  EXPECT_EQ(call(suture_rt_parse_decimal, str("-0.0")), "0.0");
  for (const char* bad : {"", ".5", "5.", "1e3", "1,5", "--1", "abc"})
    EXPECT_EQ(call(suture_rt_parse_decimal, str(bad)), "<false>") << bad;
  EXPECT_TRUE(result(suture_rt_parse_bool, str("true")).boolean);
  EXPECT_FALSE(result(suture_rt_parse_bool, str("false")).boolean);
  EXPECT_EQ(call(suture_rt_parse_bool, str("TRUE")), "<false>");
  EXPECT_EQ(call(suture_rt_parse_bool, str("1")), "<false>");
  EXPECT_FALSE(ctx.failed);
}

// --- numbers -------------------------------------------------------------------------------

TEST_F(Natives, DecimalArithmeticIsExact) {
  EXPECT_EQ(call(suture_rt_add, dec("0.1"), dec("0.2")), "0.3");
  EXPECT_TRUE(bool_of(suture_rt_equal, result(suture_rt_add, dec("0.1"), dec("0.2")), dec("0.3")));
  EXPECT_EQ(call(suture_rt_add, dec("1.50"), integer(1)), "2.50");
  EXPECT_EQ(call(suture_rt_sub, dec("1.50"), dec("2")), "-0.50");
  EXPECT_EQ(call(suture_rt_mul, dec("1.5"), dec("2.0")), "3.00");
  EXPECT_EQ(call(suture_rt_mul, integer(3), dec("-0.25")), "-0.75");
  EXPECT_EQ(call(suture_rt_sub, dec("0.5"), dec("0.5")), "0.0");
  EXPECT_EQ(call(suture_rt_add, dec("99999999999999999999.99"), dec("0.01")), "100000000000000000000.00");
}

TEST_F(Natives, DecimalDivision) {
  EXPECT_EQ(call(suture_rt_div, integer(1), dec("4")), "0.25");
  EXPECT_EQ(call(suture_rt_div, dec("10"), integer(4)), "2.5");
  EXPECT_EQ(call(suture_rt_div, dec("6.0"), integer(2)), "3.0");
  EXPECT_EQ(call(suture_rt_div, dec("1"), dec("3")), "0.3333333333333333333333333333");
  EXPECT_EQ(call(suture_rt_div, dec("2"), dec("3")), "0.6666666666666666666666666667");
  EXPECT_EQ(call(suture_rt_div, dec("1"), dec("0.001")), "1000");
  EXPECT_EQ(call(suture_rt_div, dec("-7"), dec("2")), "-3.5");
  EXPECT_EQ(call(suture_rt_div, dec("1"), dec("0.0")), "<false>");  // fallible: no error
  EXPECT_EQ(call(suture_rt_div, integer(5), integer(0)), "<false>");
  EXPECT_FALSE(ctx.failed);
}

TEST_F(Natives, RoundIsHalfEven) {
  EXPECT_EQ(call(suture_rt_round, dec("2.5"), integer(0)), "2");
  EXPECT_EQ(call(suture_rt_round, dec("3.5"), integer(0)), "4");
  EXPECT_EQ(call(suture_rt_round, dec("-2.5"), integer(0)), "-2");
  EXPECT_EQ(call(suture_rt_round, dec("1.2345"), integer(3)), "1.234");
  EXPECT_EQ(call(suture_rt_round, dec("1.2355"), integer(3)), "1.236");
  EXPECT_EQ(call(suture_rt_round, dec("1.23451"), integer(3)), "1.235");
  EXPECT_EQ(call(suture_rt_round, dec("1.5"), integer(3)), "1.500");
  EXPECT_EQ(call(suture_rt_round, integer(1250), integer(-2)), "1200");
  EXPECT_EQ(call(suture_rt_round, dec("-0.4"), integer(0)), "0");
}

TEST_F(Natives, AbsFloorCeilToDecimalNegate) {
  EXPECT_EQ(result(suture_rt_abs, integer(-5)).integer, 5);
  EXPECT_EQ(call(suture_rt_abs, dec("-1.50")), "1.50");
  EXPECT_EQ(int_of(suture_rt_floor, dec("-1.5")), -2);
  EXPECT_EQ(int_of(suture_rt_floor, dec("1.5")), 1);
  EXPECT_EQ(int_of(suture_rt_ceil, dec("-1.5")), -1);
  EXPECT_EQ(int_of(suture_rt_ceil, dec("1.01")), 2);
  EXPECT_EQ(int_of(suture_rt_ceil, dec("-0.5")), 0);
  EXPECT_EQ(int_of(suture_rt_floor, integer(7)), 7);
  Value d = result(suture_rt_to_decimal, integer(-12));
  EXPECT_EQ(d.kind, Kind::Decimal);
  EXPECT_EQ(d.str(), "-12");
  EXPECT_EQ(call(suture_rt_negate, dec("1.50")), "-1.50");
  EXPECT_EQ(call(suture_rt_negate, dec("0.0")), "0.0");
  EXPECT_EQ(result(suture_rt_negate, integer(3)).integer, -3);
}

TEST_F(Natives, OverflowIsAnError) {
  EXPECT_EQ(call(suture_rt_add, integer(INT64_MAX), integer(1)), "<false>");
  expect_error("INT_OVERFLOW");
  EXPECT_EQ(call(suture_rt_mul, integer(INT64_MAX / 2 + 1), integer(2)), "<false>");
  expect_error("INT_OVERFLOW");
  EXPECT_EQ(call(suture_rt_negate, integer(INT64_MIN)), "<false>");
  expect_error("INT_OVERFLOW");
  EXPECT_EQ(call(suture_rt_abs, integer(INT64_MIN)), "<false>");
  expect_error("INT_OVERFLOW");
  EXPECT_EQ(call(suture_rt_mul, dec("10000000000000000000000"), dec("100000000000000000")), "<false>");
  expect_error("DECIMAL_OVERFLOW");
  EXPECT_EQ(call(suture_rt_add, dec("99999999999999999999999999999999999999"), dec("1")), "<false>");
  expect_error("DECIMAL_OVERFLOW");
  EXPECT_EQ(int_of(suture_rt_floor, dec("9223372036854775807.5")), INT64_MAX);
  EXPECT_EQ(call(suture_rt_ceil, dec("9223372036854775807.5")), "<false>");
  expect_error("INT_OVERFLOW");
  EXPECT_EQ(int_of(suture_rt_floor, dec("-9223372036854775808")), INT64_MIN);
}

TEST_F(Natives, IntModulo) {
  EXPECT_EQ(int_of(suture_rt_mod, integer(7), integer(3)), 1);
  EXPECT_EQ(int_of(suture_rt_mod, integer(-7), integer(3)), -1);
  EXPECT_EQ(int_of(suture_rt_mod, integer(INT64_MIN), integer(-1)), 0);
  EXPECT_EQ(call(suture_rt_mod, integer(7), integer(0)), "<false>");
  EXPECT_FALSE(ctx.failed);
  EXPECT_EQ(call(suture_rt_mod, dec("7.5"), integer(2)), "1.5");
}

// --- equality and order --------------------------------------------------------------------

TEST_F(Natives, EqualityIsDeep) {
  Value absent, null;
  null.kind = Kind::Null;
  EXPECT_TRUE(bool_of(suture_rt_equal, absent, null));
  EXPECT_FALSE(bool_of(suture_rt_equal, absent, str("")));
  EXPECT_TRUE(bool_of(suture_rt_equal, dec("1.50"), dec("1.5")));
  EXPECT_TRUE(bool_of(suture_rt_equal, dec("2.0"), integer(2)));
  EXPECT_FALSE(bool_of(suture_rt_equal, dec("2.01"), integer(2)));
  EXPECT_TRUE(bool_of(suture_rt_equal, str("ä"), str("ä")));
  EXPECT_FALSE(bool_of(suture_rt_equal, str("ä"), str("a\u0308")));  // bytes, no normalisation
  EXPECT_TRUE(bool_of(suture_rt_equal, list({str("a"), dec("1.0")}), list({str("a"), dec("1")})));
  EXPECT_FALSE(bool_of(suture_rt_equal, list({str("a")}), list({str("a"), str("b")})));
  Value e1, e2;
  e1.kind = e2.kind = Kind::Enum;
  e1.aux = 2, e2.aux = 2;
  EXPECT_TRUE(bool_of(suture_rt_equal, e1, e2));
  EXPECT_TRUE(bool_of(suture_rt_equal, datetime("2024-03-15T10:00:00Z"), datetime("2024-03-15T12:00:00+02:00")));
  EXPECT_TRUE(bool_of(suture_rt_equal, datetime("2024-03-15T10:00:00Z"), datetime("2024-03-15T10:00:00.000Z")));
  EXPECT_FALSE(bool_of(suture_rt_equal, date("2024-03"), date("2024-03-01")));  // different precision
  EXPECT_TRUE(bool_of(suture_rt_equal, date("2024-03-01"), date("2024-03-01")));

  // Records slot by slot.
  suture::abi::RecordDesc desc;
  auto* r1 = static_cast<suture::abi::Record*>(arena.allocate(suture::abi::record_size(2)));
  auto* r2 = static_cast<suture::abi::Record*>(arena.allocate(suture::abi::record_size(2)));
  for (auto* r : {r1, r2}) {
    r->desc = &desc;
    r->unknown = nullptr;
    r->unknown_count = 0;
    r->slot_count = 2;
    r->slots[0] = str("id");
    r->slots[1] = dec("1.0");
  }
  Value a, b;
  a.kind = b.kind = Kind::Record;
  a.record = r1, b.record = r2;
  EXPECT_TRUE(bool_of(suture_rt_equal, a, b));
  r2->slots[1] = dec("1.1");
  EXPECT_FALSE(bool_of(suture_rt_equal, a, b));
}

TEST_F(Natives, CompareOrdersScalars) {
  EXPECT_EQ(int_of(suture_rt_compare, integer(1), integer(2)), -1);
  EXPECT_EQ(int_of(suture_rt_compare, dec("1.50"), dec("1.5")), 0);
  EXPECT_EQ(int_of(suture_rt_compare, integer(2), dec("1.99")), 1);
  EXPECT_EQ(int_of(suture_rt_compare, dec("-0.1"), integer(0)), -1);
  EXPECT_EQ(int_of(suture_rt_compare, str("a"), str("b")), -1);
  EXPECT_EQ(int_of(suture_rt_compare, str("ab"), str("a")), 1);
  EXPECT_EQ(int_of(suture_rt_compare, str("z"), str("é")), -1);       // code point order
  EXPECT_EQ(int_of(suture_rt_compare, str("\uFFFF"), str("😀")), -1);  // not UTF-16 order
  EXPECT_EQ(int_of(suture_rt_compare, duration(500), duration(1000)), -1);
  EXPECT_EQ(int_of(suture_rt_compare, time("10:30"), time("09:45:00")), 1);
  EXPECT_EQ(call(suture_rt_compare, boolean(true), boolean(false)), "<false>");
  expect_error("TYPE_MISMATCH");
}

TEST_F(Natives, CompareDatesByPrecision) {
  EXPECT_EQ(int_of(suture_rt_compare, date("2024-03-15"), date("2024-03-16")), -1);
  EXPECT_EQ(int_of(suture_rt_compare, date("2024"), date("2023-12-31")), 1);      // decided by the year
  EXPECT_EQ(int_of(suture_rt_compare, date("2024-03"), date("2024-04-01")), -1);  // by the month
  EXPECT_EQ(int_of(suture_rt_compare, date("2024-03-15"), datetime("2024-03-16T00:00:00Z")), -1);
  EXPECT_EQ(call(suture_rt_compare, date("2024-03"), date("2024-03-15")), "<false>");
  expect_error("INDETERMINATE_COMPARISON");
  EXPECT_EQ(call(suture_rt_compare, date("2024-03-15"), datetime("2024-03-15T10:00:00Z")), "<false>");
  expect_error("INDETERMINATE_COMPARISON");
  // With offsets: as instants.
  EXPECT_EQ(int_of(suture_rt_compare, datetime("2024-03-15T10:00:00+02:00"), datetime("2024-03-15T09:00:00Z")), -1);
  EXPECT_EQ(int_of(suture_rt_compare, datetime("2024-03-15T23:30:00-01:00"), datetime("2024-03-16T00:15:00Z")), 1);
  EXPECT_EQ(int_of(suture_rt_compare, datetime("2024-03-15T10:00:00.5Z"), datetime("2024-03-15T10:00:00.25Z")), 1);
  EXPECT_EQ(int_of(suture_rt_compare, datetime("2024-03-15T10:00:00Z"), datetime("2024-03-15T10:00:00.000Z")), 0);
}

// --- dates ---------------------------------------------------------------------------------

TEST_F(Natives, DateFields) {
  EXPECT_EQ(int_of(suture_rt_year, date("2024")), 2024);
  EXPECT_EQ(int_of(suture_rt_month, date("2024-03")), 3);
  EXPECT_EQ(call(suture_rt_month, date("2024")), "<false>");
  EXPECT_EQ(call(suture_rt_day, date("2024-03")), "<false>");
  EXPECT_FALSE(ctx.failed);                                                     // month and day are fallible
  EXPECT_EQ(int_of(suture_rt_day, datetime("2024-03-15T23:30:00-05:00")), 15);  // in its own offset
  Value d = result(suture_rt_date_of, datetime("2024-03-15T23:30:00-05:00"));
  ASSERT_TRUE(last_ok);
  EXPECT_EQ(d.kind, Kind::Date);
  EXPECT_EQ(d.precision, Precision::Day);
  EXPECT_EQ(d.str(), "2024-03-15");
  d = result(suture_rt_date_of, datetime("2024-03"));
  EXPECT_EQ(d.str(), "2024-03");
  EXPECT_EQ(d.precision, Precision::Month);
}

TEST_F(Natives, ParseDates) {
  Value d = result(suture_rt_parse_date, str("2024-02"));
  ASSERT_TRUE(last_ok);
  EXPECT_EQ(d.kind, Kind::Date);
  EXPECT_EQ(d.precision, Precision::Month);
  EXPECT_EQ(result(suture_rt_parse_date, str("2024")).precision, Precision::Year);
  EXPECT_EQ(result(suture_rt_parse_date, str("2024-02-29")).precision, Precision::Day);
  for (const char* bad : {"2023-02-29", "2024-13", "24-01-01", "2024-01-01T00:00:00Z", "", "2024-1-1"})
    EXPECT_EQ(call(suture_rt_parse_date, str(bad)), "<false>") << bad;
  Value t = result(suture_rt_parse_datetime, str("2024-03-15T10:30:00.123+02:00"));
  ASSERT_TRUE(last_ok);
  EXPECT_EQ(t.kind, Kind::DateTime);
  EXPECT_EQ(t.precision, Precision::Fraction);
  EXPECT_TRUE(t.flags & suture::abi::kHasOffset);
  for (const char* bad : {"2024-03-15", "2024-03-15T10:30:00", "2024-03-15T10:30Z", "2024-03-15 10:30:00Z",
                          "2024-03-15T25:00:00Z", "2024-03-15T10:30:00+15:00"})
    EXPECT_EQ(call(suture_rt_parse_datetime, str(bad)), "<false>") << bad;
  EXPECT_FALSE(ctx.failed);
}

TEST_F(Natives, DateArithmetic) {
  EXPECT_EQ(call(suture_rt_add, date("2024-02-28"), duration(86400000)), "2024-02-29");
  EXPECT_EQ(call(suture_rt_add, date("2024-12-31"), duration(7 * 86400000LL)), "2025-01-07");
  EXPECT_EQ(call(suture_rt_sub, date("2024-03-01"), duration(86400000)), "2024-02-29");
  EXPECT_EQ(call(suture_rt_add, date("2024-12"), duration(40 * 86400000LL)), "2025-01");  // keeps its precision
  Value dt = result(suture_rt_add, datetime("2024-03-15T23:30:00+02:00"), duration(3600000));
  ASSERT_TRUE(last_ok);
  EXPECT_EQ(dt.str(), "2024-03-16T00:30:00+02:00");
  EXPECT_EQ(dt.kind, Kind::DateTime);
  EXPECT_EQ(call(suture_rt_add, datetime("2024-03-15T10:00:00Z"), duration(1500)), "2024-03-15T10:00:01.5Z");
  EXPECT_EQ(call(suture_rt_add, datetime("2024-03-15T10:00:00.250Z"), duration(250)), "2024-03-15T10:00:00.500Z");
  EXPECT_EQ(call(suture_rt_add, time("23:30"), duration(3600000)), "00:30");
  Value d = result(suture_rt_sub, datetime("2024-03-15T12:00:00+02:00"), datetime("2024-03-15T09:00:00Z"));
  ASSERT_TRUE(last_ok);
  EXPECT_EQ(d.kind, Kind::Duration);
  EXPECT_EQ(d.integer, 3600000);
  EXPECT_EQ(result(suture_rt_sub, date("2024-03-01"), date("2024-02-01")).integer, 29 * 86400000LL);
  EXPECT_EQ(call(suture_rt_sub, date("2024-03"), date("2024-02-01")), "<false>");
  expect_error("DATE_PRECISION");
  EXPECT_EQ(result(suture_rt_add, duration(500), duration(1500)).integer, 2000);
  EXPECT_EQ(result(suture_rt_mul, duration(500), integer(3)).integer, 1500);
}

// --- crypto --------------------------------------------------------------------------------

TEST_F(Natives, Sha256IsLowerHex) {
  EXPECT_EQ(call(suture_rt_sha256, str("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(call(suture_rt_sha256, str("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(call(suture_rt_sha256, str("straße")), "787f4770613d3824cbc89b6d5da90a123e41b07b90b45ea3738c216b14616140");
}

TEST_F(Natives, HmacSha256Rfc4231) {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  const NamedKey keys[] = {{"other", "x"}, {"mrn-key", "Jefe"}};
  ctx.keys = keys;
  ctx.key_count = 2;
  EXPECT_EQ(call(suture_rt_hmac_sha256, str("mrn-key"), str("what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // RFC 4231 test case 1: key 0x0b × 20, data "Hi There".
  const std::string key1(20, '\x0b');
  const NamedKey keys1[] = {{"k1", key1}};
  ctx.keys = keys1;
  ctx.key_count = 1;
  EXPECT_EQ(call(suture_rt_hmac_sha256, str("k1"), str("Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(call(suture_rt_hmac_sha256, str("missing"), str("x")), "<false>");
  expect_error("KEY_UNKNOWN");
}

TEST_F(Natives, UuidFromIsVersion5AndDeterministic) {
  const std::string a = call(suture_rt_uuid_from, str("patient-123"));
  ASSERT_EQ(a.size(), 36u);
  for (std::size_t i : {8u, 13u, 18u, 23u}) EXPECT_EQ(a[i], '-');
  EXPECT_EQ(a[14], '5');                                          // version 5
  EXPECT_NE(std::string("89ab").find(a[19]), std::string::npos);  // RFC 4122 variant
  for (char c : a) EXPECT_TRUE(c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  EXPECT_EQ(call(suture_rt_uuid_from, str("patient-123")), a);
  EXPECT_NE(call(suture_rt_uuid_from, str("patient-124")), a);
  // Known values (Python: uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, "urn:suture:uuid_from"), name)).
  EXPECT_EQ(a, "ef916f90-d1f2-5cca-83b2-9642d34fd565");
  EXPECT_EQ(call(suture_rt_uuid_from, str("")), "5ce4be72-f20c-59ec-ae81-723bf468dd94");
  EXPECT_EQ(call(suture_rt_uuid_from, str("Grüße")), "3fb4e607-c227-5e53-9c79-fd267ff1dcdc");
}

// --- healthcare vocabularies and policy obligations ------------------------------------------

TEST_F(Natives, ConfidentialityUsesThePreludeEnum) {
  suture::abi::EnumDesc other{"Gender", {"male", "female"}};
  suture::abi::EnumDesc confidentiality{"Confidentiality", {"U", "L", "M", "N", "R", "V"}};
  const suture::abi::EnumDesc* enums[] = {&other, &confidentiality};
  ctx.enums = enums;
  const std::string codes = "ULMNRV";
  for (std::size_t i = 0; i < codes.size(); ++i) {
    Value v = result(suture_rt_confidentiality, str(codes.substr(i, 1)), integer(1));
    EXPECT_TRUE(last_ok) << codes[i];
    EXPECT_EQ(v.kind, Kind::Enum);
    EXPECT_EQ(v.aux, i);
  }
  for (const char* bad : {"", "u", "R ", "X", "RV", "normal", "N/A"}) {
    EXPECT_EQ(call(suture_rt_confidentiality, str(bad), integer(1)), "<false>") << bad;
    EXPECT_FALSE(ctx.failed) << "a code outside the value set is a failed T!, not a rejection";
  }
  // A pack whose enum lacks the code is broken: that rejects the message.
  EXPECT_EQ(call(suture_rt_confidentiality, str("R"), integer(0)), "<false>");
  expect_error("ENUM_INVALID");
}

TEST_F(Natives, EnumsOrderByMemberIndex) {
  Value low, high;
  low.kind = high.kind = Kind::Enum;
  low.aux = 1;   // L
  high.aux = 4;  // R
  EXPECT_EQ(int_of(suture_rt_compare, low, high), -1);
  EXPECT_EQ(int_of(suture_rt_compare, high, low), 1);
  EXPECT_EQ(int_of(suture_rt_compare, high, high), 0);
}

TEST_F(Natives, SmartPermitsV2Scopes) {
  auto permits = [&](const char* scope, const char* type, const char* interaction) {
    Value out;
    Value a = str(scope), b = str(type), c = str(interaction);
    EXPECT_TRUE(suture_rt_smart_permits(&ctx, &out, &a, &b, &c));
    EXPECT_EQ(out.kind, Kind::Bool);
    return out.boolean;
  };
  EXPECT_TRUE(permits("patient/Observation.rs", "Observation", "read"));
  EXPECT_TRUE(permits("patient/Observation.rs", "Observation", "search"));
  EXPECT_FALSE(permits("patient/Observation.rs", "Observation", "create"));
  EXPECT_FALSE(permits("patient/Observation.rs", "Patient", "read"));
  for (const char* interaction : {"create", "read", "update", "delete", "search"})
    EXPECT_TRUE(permits("user/*.cruds", "Encounter", interaction)) << interaction;
  EXPECT_TRUE(permits("system/Patient.r", "Patient", "read"));
  EXPECT_FALSE(permits("system/Patient.r", "Patient", "search"));
  EXPECT_TRUE(permits("user/Patient.cud", "Patient", "delete"));
  // Restricted scopes depend on the resource, not only its type: they grant nothing here.
  EXPECT_FALSE(permits("patient/Observation.rs?category=laboratory", "Observation", "read"));
  // Malformed: unknown context, letters out of order or repeated, other letters, no permissions.
  for (const char* bad :
       {"clinic/Observation.rs", "patient/Observation.sr", "patient/Observation.rr", "patient/Observation.x",
        "patient/Observation.", "patient/Observation", "Observation.rs", "patient/observation.rs", "patient/.rs", "",
        "openid", "launch/patient", " patient/Observation.rs", "patient/Observation.rs patient/Patient.rs"})
    EXPECT_FALSE(permits(bad, "Observation", "read")) << bad;
  // The question must be well formed too.
  EXPECT_FALSE(permits("user/*.cruds", "Observation", "write"));
  EXPECT_FALSE(permits("user/*.cruds", "*", "read"));
  EXPECT_FALSE(permits("user/*.cruds", "", "read"));
}

TEST_F(Natives, SmartPermitsV1Scopes) {
  auto permits = [&](const char* scope, const char* type, const char* interaction) {
    Value out;
    Value a = str(scope), b = str(type), c = str(interaction);
    EXPECT_TRUE(suture_rt_smart_permits(&ctx, &out, &a, &b, &c));
    return out.boolean;
  };
  EXPECT_TRUE(permits("patient/Observation.read", "Observation", "read"));
  EXPECT_TRUE(permits("patient/Observation.read", "Observation", "search"));
  EXPECT_FALSE(permits("patient/Observation.read", "Observation", "update"));
  for (const char* interaction : {"create", "update", "delete"})
    EXPECT_TRUE(permits("user/*.write", "Condition", interaction)) << interaction;
  EXPECT_FALSE(permits("user/*.write", "Condition", "read"));
  for (const char* interaction : {"create", "read", "update", "delete", "search"})
    EXPECT_TRUE(permits("user/*.*", "Condition", interaction)) << interaction;
  EXPECT_TRUE(permits("patient/Patient.*", "Patient", "delete"));
  EXPECT_FALSE(permits("patient/Patient.*", "Observation", "read"));
  EXPECT_FALSE(permits("*.*", "Patient", "read"));  // no context
  EXPECT_FALSE(permits("user/*.Read", "Patient", "read"));
}

TEST_F(Natives, PurposeOfUseCodes) {
  auto valid = [&](const char* code) {
    Value out = result(suture_rt_purpose_of_use_valid, str(code));
    EXPECT_TRUE(last_ok);
    return out.boolean;
  };
  for (const char* code : {"TREAT", "ETREAT", "BTG", "HPAYMT", "HOPERAT", "HRESCH", "PUBHLTH", "HMARKT", "PATRQT",
                           "FAMRQT", "HSYSADMIN", "CAREMGT", "COVERAGE", "BIORCH", "TRANSRCH", "TRAIN"})
    EXPECT_TRUE(valid(code)) << code;
  for (const char* code : {"", "treat", "TREAT ", "PurposeOfUse", "_PurposeOfUse", "R", "RESEARCH", "ZZZ"})
    EXPECT_FALSE(valid(code)) << code;
}

TEST_F(Natives, MaskKeepsLengthInCodePoints) {
  EXPECT_EQ(call(suture_rt_mask, str("532-14-1488"), integer(4), integer(1)), "*******1488");
  EXPECT_EQ(call(suture_rt_mask, str("532-14-1488"), integer(3), integer(0)), "532********");
  EXPECT_EQ(call(suture_rt_mask, str("secret"), integer(0), integer(1)), "******");
  EXPECT_EQ(call(suture_rt_mask, str("abc"), integer(10), integer(1)), "abc");
  EXPECT_EQ(call(suture_rt_mask, str("abc"), integer(-2), integer(0)), "***");
  EXPECT_EQ(call(suture_rt_mask, str(""), integer(4), integer(1)), "");
  // One '*' per code point, whatever its width in bytes.
  EXPECT_EQ(call(suture_rt_mask, str("Zoë😀x"), integer(1), integer(1)), "****x");
  EXPECT_EQ(call(suture_rt_mask, str("日本語です"), integer(2), integer(0)), "日本***");
  EXPECT_EQ(int_of(suture_rt_length, str(call(suture_rt_mask, str("Zoë😀x"), integer(2), integer(0)))), 5);
}

TEST_F(Natives, GeneraliseDates) {
  auto generalised = [&](Value v, const char* grain, Precision precision) {
    Value out = result(suture_rt_generalise, v, str(grain));
    EXPECT_TRUE(last_ok) << ctx.error.code;
    EXPECT_EQ(out.kind, Kind::Date) << grain;
    EXPECT_EQ(out.precision, precision) << grain;
    return std::string(out.str());
  };
  EXPECT_EQ(generalised(date("1958-03-14"), "year", Precision::Year), "1958");
  EXPECT_EQ(generalised(date("1958-03-14"), "month", Precision::Month), "1958-03");
  EXPECT_EQ(generalised(date("1958-03-14"), "day", Precision::Day), "1958-03-14");
  EXPECT_EQ(generalised(datetime("1958-03-14T10:30:00+02:00"), "year", Precision::Year), "1958");
  EXPECT_EQ(generalised(datetime("1958-03-14T23:30:00-05:00"), "day", Precision::Day), "1958-03-14");
  EXPECT_EQ(generalised(text(Kind::Instant, "2024-12-31T23:59:59.999Z"), "month", Precision::Month), "2024-12");
  // Already coarser: unchanged.
  EXPECT_EQ(generalised(date("1958"), "day", Precision::Year), "1958");
  EXPECT_EQ(generalised(date("1958-03"), "day", Precision::Month), "1958-03");
  EXPECT_EQ(generalised(datetime("1958-03"), "year", Precision::Year), "1958");
}

TEST_F(Natives, GeneraliseCodesToAPrefix) {
  EXPECT_EQ(call(suture_rt_generalise, str("90210"), str("prefix3")), "902");
  EXPECT_EQ(call(suture_rt_generalise, str("E11.9"), str("prefix1")), "E");
  EXPECT_EQ(call(suture_rt_generalise, str("ab"), str("prefix9")), "ab");
  EXPECT_EQ(call(suture_rt_generalise, str("Zoë😀x"), str("prefix4")), "Zoë😀");
  EXPECT_EQ(call(suture_rt_generalise, str(""), str("prefix2")), "");
}

TEST_F(Natives, GeneraliseRejectsWhatItCannotDo) {
  for (const char* grain : {"prefix0", "prefix10", "prefix", "Year", "week", ""}) {
    EXPECT_EQ(call(suture_rt_generalise, date("1958-03-14"), str(grain)), "<false>") << grain;
    expect_error("GRAIN_INVALID");
  }
  EXPECT_EQ(call(suture_rt_generalise, str("1958-03-14"), str("year")), "<false>");
  expect_error("TYPE_MISMATCH");
  EXPECT_EQ(call(suture_rt_generalise, date("1958-03-14"), str("prefix2")), "<false>");
  expect_error("TYPE_MISMATCH");
  EXPECT_EQ(call(suture_rt_generalise, time("10:30"), str("day")), "<false>");
  expect_error("TYPE_MISMATCH");
  EXPECT_EQ(call(suture_rt_generalise, date("19x8"), str("year")), "<false>");
  expect_error("DATE_INVALID");
}

// --- fail and the symbol table -------------------------------------------------------------

TEST_F(Natives, FailRecordsFirstFailure) {
  Value out, reason = str("unknown gender x"), code = str("GENDER");
  EXPECT_FALSE(suture_rt_fail(&ctx, &out, nullptr, &reason, "$.gender"));
  EXPECT_EQ(ctx.error.code, "FAILED");
  EXPECT_EQ(ctx.error.message, "unknown gender x");
  EXPECT_EQ(ctx.error.path, "$.gender");
  EXPECT_FALSE(suture_rt_fail(&ctx, &out, &code, &reason, "$.other"));
  EXPECT_EQ(ctx.error.code, "FAILED");  // the first one wins
  ctx.clear();
  Value absent;
  EXPECT_FALSE(suture_rt_fail(&ctx, &out, &code, &reason, nullptr));
  EXPECT_EQ(ctx.error.code, "GENDER");
  EXPECT_EQ(ctx.error.path, "$");
  ctx.clear();
  EXPECT_FALSE(suture_rt_fail(&ctx, &out, &absent, &reason, "$"));
  EXPECT_EQ(ctx.error.code, "FAILED");
}

TEST(NativeSymbols, EveryBuiltinIsListedOnce) {
  std::set<std::string> names;
  for (const auto& s : suture::runtime::natives::native_symbols()) {
    EXPECT_NE(s.address, nullptr);
    EXPECT_TRUE(names.insert(s.name).second) << s.name;
  }
  for (const char* builtin : {"length",
                              "lower",
                              "upper",
                              "trim",
                              "trim_start",
                              "trim_end",
                              "starts_with",
                              "ends_with",
                              "contains",
                              "split",
                              "replace",
                              "substring",
                              "pad_left",
                              "pad_right",
                              "matches",
                              "to_string",
                              "join",
                              "parse_int",
                              "parse_decimal",
                              "parse_date",
                              "parse_datetime",
                              "parse_bool",
                              "abs",
                              "round",
                              "floor",
                              "ceil",
                              "to_decimal",
                              "year",
                              "month",
                              "day",
                              "date_of",
                              "sha256",
                              "hmac_sha256",
                              "uuid_from",
                              "fail",
                              "equal",
                              "compare",
                              "add",
                              "sub",
                              "mul",
                              "div",
                              "mod",
                              "negate",
                              "concat",
                              "enum_to_string",
                              "confidentiality",
                              "smart_permits",
                              "purpose_of_use_valid",
                              "mask",
                              "generalise",
                              "policy_decision"})
    EXPECT_TRUE(names.count(std::string("suture_rt_") + builtin)) << builtin;
  EXPECT_EQ(names.size(), 51u);
}

}  // namespace
