// hl7_er7_test.cpp — the HL7 v2 ER7 codec (runtime/codecs/hl7v2): every sample message in
// shared/data/hl7v2 round-trips; escapes, separators, nulls, repetitions, terminators, errors
// with positions, and path accessors.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "runtime/codecs/hl7v2/er7.h"

namespace hl7 = suture::runtime::hl7;
using hl7::ErrorCode;
using hl7::Lookup;

namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The Message points into `text`: callers keep the text alive (a temporary is refused).
hl7::Message must_parse(std::string&& text, const hl7::ParseOptions& options = {}) = delete;
hl7::Message must_parse(std::string_view text, const hl7::ParseOptions& options = {}) {
  auto r = hl7::parse(text, options);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  if (!r.ok()) return hl7::Message{};
  return std::move(r.value());
}
hl7::Message must_parse(const char* text, const hl7::ParseOptions& options = {}) {
  return must_parse(std::string_view(text), options);
}

hl7::Error must_fail(std::string_view text, const hl7::ParseOptions& options = {}) {
  auto r = hl7::parse(text, options);
  EXPECT_FALSE(r.ok());
  return r.ok() ? hl7::Error{} : r.error();
}

const char* const kAdt =
    "MSH|^~\\&|SENDAPP|SENDFAC|RECAPP|RECFAC|20240101120000||ADT^A01^ADT_A01|MSG0001|P|2.5.1\r"
    "EVN|A01|20240101120000\r"
    "PID|1||12345^^^HOSP^MR~67890^^^STATE^SS||DOE^JOHN^Q~SMITH^JOHNNY||19800101|M|||1 MAIN ST^^TOWN^ST^12345\r"
    "PV1|1|I|WARD^101^A\r"
    "ZPI|custom|\"\"|\r";

}  // namespace

TEST(Hl7Samples, EveryMessageParsesAndRoundTrips) {
  const std::filesystem::path dir = std::filesystem::path(SUTURE_SHARED_DATA) / "hl7v2";
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".hl7") continue;
    ++count;
    std::string text = read_file(entry.path());
    ASSERT_FALSE(text.empty()) << entry.path();
    auto parsed = hl7::parse(text);
    ASSERT_TRUE(parsed.ok()) << entry.path() << ": " << parsed.error().to_string();
    EXPECT_EQ(hl7::encode(parsed.value()), hl7::normalize_terminators(text)) << entry.path();
    // The canonical (re-escaped) form decodes to the same values.
    std::string canonical = hl7::encode(parsed.value(), hl7::Escaping::canonical);
    auto again = hl7::parse(canonical);
    ASSERT_TRUE(again.ok()) << entry.path();
    EXPECT_EQ(hl7::encode(again.value(), hl7::Escaping::canonical), canonical) << entry.path();
    EXPECT_TRUE(hl7::get(parsed.value(), "MSH-9.1").has_value()) << entry.path();
  }
  EXPECT_EQ(count, 139u) << "the sample folder should hold 139 messages";
}

TEST(Hl7Parse, TreeShapeAndSeparators) {
  auto m = must_parse(kAdt);
  ASSERT_EQ(m.segments().size(), 5u);
  EXPECT_EQ(m.segments()[4].name, "ZPI");  // Z-segments are kept, in order
  EXPECT_EQ(m.separators().field, '|');
  EXPECT_EQ(m.separators().component, '^');
  EXPECT_EQ(m.separators().repetition, '~');
  EXPECT_EQ(m.separators().escape, '\\');
  EXPECT_EQ(m.separators().subcomponent, '&');
  EXPECT_FALSE(m.separators().truncation.has_value());
  EXPECT_EQ(hl7::get(m, "MSH-1"), "|");
  EXPECT_EQ(hl7::get(m, "MSH-2"), "^~\\&");  // kept, not split, not unescaped
  EXPECT_EQ(hl7::get(m, "MSH-3"), "SENDAPP");
  EXPECT_EQ(hl7::get(m, "MSH-9.2"), "A01");
  const auto* pid = m.find("PID");
  ASSERT_NE(pid, nullptr);
  EXPECT_EQ(m.fields(*pid).size(), 11u);
  EXPECT_EQ(m.repetitions(m.fields(*pid)[4]).size(), 2u);
  EXPECT_TRUE(m.absent(m.fields(*pid)[1]));
}

TEST(Hl7Parse, RepetitionsKeepTheirOrder) {
  auto m = must_parse(kAdt);
  EXPECT_EQ(hl7::get(m, "PID-3[1].1"), "12345");
  EXPECT_EQ(hl7::get(m, "PID-3[2].1"), "67890");
  EXPECT_EQ(hl7::get(m, "PID-3[2].5"), "SS");
  EXPECT_EQ(hl7::get(m, "PID-5[1].1"), "DOE");
  EXPECT_EQ(hl7::get(m, "PID-5[2].2"), "JOHNNY");
  EXPECT_EQ(hl7::get(m, "PID-5[3].1"), std::nullopt);
}

TEST(Hl7Parse, EmptyIsAbsentAndQuotesAreNull) {
  auto m = must_parse(kAdt);
  auto empty = hl7::lookup(m, "ZPI-3");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->kind, Lookup::Kind::absent);
  auto null = hl7::lookup(m, "ZPI-2");
  ASSERT_TRUE(null.ok());
  EXPECT_EQ(null->kind, Lookup::Kind::null);
  EXPECT_EQ(hl7::get(m, "ZPI-2"), "");            // get: "" means explicit null
  EXPECT_EQ(hl7::get(m, "ZPI-3"), std::nullopt);  // absent
  EXPECT_EQ(hl7::get(m, "ZPI-9"), std::nullopt);  // beyond the segment
  EXPECT_EQ(hl7::encode(m), std::string(kAdt));   // both written back as read
  EXPECT_EQ(hl7::encode(m, hl7::Escaping::canonical), std::string(kAdt));
}

TEST(Hl7Escape, EachKindDecodes) {
  auto m = must_parse(
      "MSH|^~\\&|A\r"
      "NTE|1|a\\F\\b|a\\S\\b|a\\T\\b|a\\R\\b|a\\E\\b|\\X41424344\\|x\\X0D0A\\y|line\\.br\\two|\\H\\bold\\N\\|"
      "\\Q\\|\\.sp2\\|\\C2842\\\r");
  EXPECT_EQ(hl7::get(m, "NTE-2"), "a|b");
  EXPECT_EQ(hl7::get(m, "NTE-3"), "a^b");
  EXPECT_EQ(hl7::get(m, "NTE-4"), "a&b");
  EXPECT_EQ(hl7::get(m, "NTE-5"), "a~b");
  EXPECT_EQ(hl7::get(m, "NTE-6"), "a\\b");
  EXPECT_EQ(hl7::get(m, "NTE-7"), "ABCD");
  EXPECT_EQ(hl7::get(m, "NTE-8"), "x\r\ny");
  EXPECT_EQ(hl7::get(m, "NTE-9"), "line\\.br\\two");  // formatting escapes kept verbatim
  EXPECT_EQ(hl7::get(m, "NTE-10"), "\\H\\bold\\N\\");
  EXPECT_EQ(hl7::get(m, "NTE-11"), "\\Q\\");  // unknown escape: kept verbatim (lenient default)
  EXPECT_EQ(hl7::get(m, "NTE-12"), "\\.sp2\\");
  EXPECT_EQ(hl7::get(m, "NTE-13"), "\\C2842\\");
  // Canonical re-escaping: separators escaped, formatting escapes verbatim, hex decoded.
  std::string canonical = hl7::encode(m, hl7::Escaping::canonical);
  EXPECT_NE(canonical.find("|a\\F\\b|a\\S\\b|a\\T\\b|a\\R\\b|a\\E\\b|ABCD|x\\X0D\\\\X0A\\y|line\\.br\\two|"
                           "\\H\\bold\\N\\|\\E\\Q\\E\\|\\.sp2\\|\\C2842\\\r"),
            std::string::npos)
      << canonical;
  auto again = must_parse(canonical);
  for (int f = 2; f <= 13; ++f) {
    std::string path = "NTE-" + std::to_string(f);
    EXPECT_EQ(hl7::get(again, path), hl7::get(m, path)) << path;
  }
}

TEST(Hl7Escape, StrictModeRejectsUnknownAndMalformed) {
  hl7::ParseOptions strict;
  strict.strict_escapes = true;
  auto e = must_fail("MSH|^~\\&|A\rPID|1||x^y\\Q\\z\r", strict);
  EXPECT_EQ(e.code, ErrorCode::BadEscape);
  EXPECT_EQ(e.where.segment, 2u);
  EXPECT_EQ(e.where.path, "PID-3[1].2");
  EXPECT_EQ(e.where.offset, 21u);  // offset of the escape character
  EXPECT_EQ(hl7::error_code_name(e.code), "HL7_BAD_ESCAPE");

  auto hex = must_fail("MSH|^~\\&|A\rPID|1|\\X4\\\r", strict);
  EXPECT_EQ(hex.code, ErrorCode::BadEscape);
  EXPECT_EQ(hex.where.path, "PID-2[1].1");
  auto open = must_fail("MSH|^~\\&|A\rPID|1|~a&b\\F\r", strict);
  EXPECT_EQ(open.code, ErrorCode::BadEscape);
  EXPECT_EQ(open.where.path, "PID-2[2].1.2");
  // The same inputs are accepted, verbatim, by default.
  auto lenient = must_parse("MSH|^~\\&|A\rPID|1|~a&b\\F\r");
  EXPECT_EQ(hl7::get(lenient, "PID-2[2].1.2"), "b\\F");
}

TEST(Hl7Separators, CustomSeparatorsAndTruncationCharacter) {
  auto m = must_parse("MSH*:!$@#*APP*FAC\rPID*1**123:::MR!456*DOE:JANE@X*a$F$b$S$c$T$d$P$e\r");
  EXPECT_EQ(m.separators().field, '*');
  EXPECT_EQ(m.separators().component, ':');
  EXPECT_EQ(m.separators().repetition, '!');
  EXPECT_EQ(m.separators().escape, '$');
  EXPECT_EQ(m.separators().subcomponent, '@');
  EXPECT_EQ(m.separators().truncation, '#');
  EXPECT_EQ(hl7::get(m, "MSH-2"), ":!$@#");
  EXPECT_EQ(hl7::get(m, "MSH-3"), "APP");
  EXPECT_EQ(hl7::get(m, "PID-3[1].4"), "MR");
  EXPECT_EQ(hl7::get(m, "PID-3[2]"), "456");
  EXPECT_EQ(hl7::get(m, "PID-4.2.2"), "X");
  EXPECT_EQ(hl7::get(m, "PID-5"), "a*b:c@d#e");
  std::string canonical = hl7::encode(m, hl7::Escaping::canonical);
  EXPECT_EQ(hl7::get(must_parse(canonical), "PID-5"), "a*b:c@d#e");

  auto amp = must_parse("MSH|^~\\&#|A\rPID|1|x&y\r");
  EXPECT_EQ(amp.separators().truncation, '#');
  EXPECT_EQ(hl7::get(amp, "PID-2.1.2"), "y");
}

TEST(Hl7Terminators, NewlineAndCrLfAccepted) {
  const std::string cr = "MSH|^~\\&|A\rPID|1||X\rZZZ|z\r";
  for (std::string text :
       {std::string("MSH|^~\\&|A\nPID|1||X\nZZZ|z\n"), std::string("MSH|^~\\&|A\r\nPID|1||X\r\nZZZ|z\r\n"),
        std::string("MSH|^~\\&|A\r\n\r\nPID|1||X\n\nZZZ|z"), cr}) {
    auto m = must_parse(text);
    EXPECT_EQ(m.segments().size(), 3u);
    EXPECT_EQ(hl7::get(m, "PID-3"), "X");
    EXPECT_EQ(hl7::encode(m), cr);
    EXPECT_EQ(hl7::normalize_terminators(text), cr);
  }
}

TEST(Hl7Terminators, ByteOrderMarkIsKept) {
  std::string text = "\xEF\xBB\xBFMSH|^~\\&|A\nPID|1\n";
  auto m = must_parse(text);
  EXPECT_TRUE(m.has_bom());
  EXPECT_EQ(hl7::encode(m), hl7::normalize_terminators(text));
}

TEST(Hl7Errors, NoMsh) {
  auto e = must_fail("PID|1||X\r");
  EXPECT_EQ(e.code, ErrorCode::NoMsh);
  EXPECT_EQ(e.where.offset, 0u);
  EXPECT_EQ(must_fail("").code, ErrorCode::NoMsh);
  EXPECT_EQ(must_fail("\r\nMSH|^~\\&\r").code, ErrorCode::NoMsh);
}

TEST(Hl7Errors, TruncatedOrBadMsh) {
  for (const char* text : {"MSH", "MSH\r", "MSH|", "MSH|^~", "MSH|^~\\\rPID|1", "MSH|^^\\&|A", "MSH|^~|&|",
                           "MSHA^~\\&|", "MSH|^~\\&x|", "MSH|^~\\&#!|"}) {
    auto e = must_fail(text);
    EXPECT_EQ(e.code, ErrorCode::BadSeparators) << text;
    EXPECT_EQ(e.where.segment, 1u) << text;
    EXPECT_FALSE(e.where.path.empty()) << text;
  }
  auto e = must_fail("MSH|^~");
  EXPECT_EQ(e.where.path, "MSH-2");
  EXPECT_EQ(e.where.offset, 4u);
  EXPECT_NE(e.to_string().find("HL7_BAD_SEPARATORS at segment 1 (MSH-2), byte 4"), std::string::npos) << e.to_string();
}

TEST(Hl7Errors, BadSegmentNamesAndGarbage) {
  auto e = must_fail("MSH|^~\\&|A\rPID|1\rpv1|x\r");
  EXPECT_EQ(e.code, ErrorCode::BadSegmentName);
  EXPECT_EQ(e.where.segment, 3u);
  EXPECT_EQ(e.where.offset, 17u);
  EXPECT_EQ(must_fail("MSH|^~\\&|A\r\x01\x02\xff\xfe|").code, ErrorCode::BadSegmentName);
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>((i * 7919) & 0xff));
  EXPECT_FALSE(hl7::parse(garbage).ok());
  EXPECT_EQ(must_fail(std::string("\0\0\0\0", 4)).code, ErrorCode::NoMsh);
}

TEST(Hl7Errors, Limits) {
  hl7::ParseOptions small;
  small.max_bytes = 16;
  EXPECT_EQ(must_fail(kAdt, small).code, ErrorCode::TooLarge);
  hl7::ParseOptions few;
  few.max_segments = 2;
  auto e = must_fail(kAdt, few);
  EXPECT_EQ(e.code, ErrorCode::TooComplex);
  EXPECT_EQ(e.where.segment, 3u);
  hl7::ParseOptions leaves;
  leaves.max_values = 10;
  EXPECT_EQ(must_fail(kAdt, leaves).code, ErrorCode::TooComplex);
  // Many separators in a row: linear work, one leaf each.
  std::string wide = "MSH|^~\\&|A\rOBX|" + std::string(200000, '^') + "\r";
  auto m = must_parse(wide);
  EXPECT_EQ(hl7::encode(m), wide);
}

TEST(Hl7Path, Accessors) {
  const std::string text = std::string(kAdt) + "OBX|1|ST|A\rOBX|2|ST|B^b1&b2\r";
  auto m = must_parse(text);
  EXPECT_EQ(hl7::get(m, "PID-5[1].2"), "JOHN");
  EXPECT_EQ(hl7::get(m, "PID-5"), "DOE");  // first repetition, first component
  EXPECT_EQ(hl7::get(m, "PID[1]-11.3"), "TOWN");
  EXPECT_EQ(hl7::get(m, "OBX[2]-3"), "B");
  EXPECT_EQ(hl7::get(m, "OBX[2]-3.2.2"), "b2");
  EXPECT_EQ(hl7::get(m, "OBX[3]-3"), std::nullopt);
  EXPECT_EQ(hl7::get(m, "NK1-2"), std::nullopt);
  EXPECT_EQ(hl7::get(m, "PID-5[1].9"), std::nullopt);
  for (const char* bad :
       {"", "PI", "pid-5", "PID", "PID-", "PID-0", "PID-5[0]", "PID-5[", "PID-5.x", "PID-5.1.1.1", "PID-99999999"}) {
    auto r = hl7::lookup(m, bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, ErrorCode::BadPath) << bad;
    }
    EXPECT_EQ(hl7::get(m, bad), std::nullopt) << bad;
  }
}

TEST(Hl7Parse, OwnedInputOutlivesTheCaller) {
  hl7::Message m;
  {
    std::string text = "MSH|^~\\&|A\rPID|1||a\\T\\b\r";
    auto r = hl7::parse_owned(text);
    ASSERT_TRUE(r.ok());
    m = std::move(r.value());
    text.assign(text.size(), 'x');
  }
  EXPECT_EQ(hl7::get(m, "PID-3"), "a&b");
  EXPECT_EQ(hl7::get(m, "MSH-3"), "A");
}
