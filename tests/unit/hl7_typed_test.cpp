// hl7_typed_test.cpp — schema-directed HL7 v2 decoding (runtime/codecs/hl7v2/typed.h) against
// the stdlib hl7v2 schema: every sample message whose MSH-9 the schema maps decodes typed, and
// encode_typed → parse gives back every leaf of the original parse.
#include <gtest/gtest.h>

#include <map>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/lower/schema_descriptors.h"
#include "runtime/codecs/hl7v2/er7.h"
#include "runtime/codecs/hl7v2/typed.h"

namespace hl7 = suture::runtime::hl7;
namespace sabi = suture::abi;
namespace fs = std::filesystem;

namespace {

const sabi::SchemaSet& schemas() {
  static auto described = suture::lower::describe_modules({"hl7v2"}, SUTURE_STDLIB_DIR);
  return described->schemas;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> sample_messages() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(SUTURE_SHARED_DATA) / "hl7v2"))
    if (e.path().extension() == ".hl7") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// The leaves of a Message with trailing empty elements trimmed, for leaf-by-leaf comparison.
struct Leaf {
  std::string text;
  bool null = false;
  bool operator==(const Leaf&) const = default;
};
using Comp = std::vector<Leaf>;
using Rep = std::vector<Comp>;
using Fld = std::vector<Rep>;
struct Seg {
  std::string name;
  std::vector<Fld> fields;
  bool operator==(const Seg&) const = default;
};

template <typename V>
void trim_back(V& v) {
  while (!v.empty() && v.back().empty()) v.pop_back();
}

std::vector<Seg> flatten(const hl7::Message& m) {
  std::vector<Seg> out;
  for (const auto& s : m.segments()) {
    Seg seg{std::string(s.name), {}};
    for (const auto& f : m.fields(s)) {
      Fld fld;
      for (const auto& r : m.repetitions(f)) {
        Rep rep;
        for (const auto& c : m.components(r)) {
          Comp comp;
          for (const auto& v : m.values(c)) comp.push_back(Leaf{std::string(v.text), v.null});
          while (!comp.empty() && comp.back().text.empty() && !comp.back().null) comp.pop_back();
          rep.push_back(std::move(comp));
        }
        trim_back(rep);
        fld.push_back(std::move(rep));
      }
      trim_back(fld);
      seg.fields.push_back(std::move(fld));
    }
    trim_back(seg.fields);
    out.push_back(std::move(seg));
  }
  return out;
}

std::string describe(const Seg& s) {
  std::string out = s.name;
  for (const auto& f : s.fields) {
    out += '|';
    for (std::size_t r = 0; r < f.size(); ++r) {
      if (r) out += '~';
      for (std::size_t c = 0; c < f[r].size(); ++c) {
        if (c) out += '^';
        for (std::size_t k = 0; k < f[r][c].size(); ++k) {
          if (k) out += '&';
          out += f[r][c][k].null ? "<null>" : f[r][c][k].text;
        }
      }
    }
  }
  return out;
}

const sabi::Value& slot(const sabi::Record& r, std::string_view member) {
  const sabi::FieldDesc* f = r.desc->field(member);
  EXPECT_NE(f, nullptr) << r.desc->name << " has no member " << member;
  static sabi::Value absent;
  return f ? r.slots[f->slot] : absent;
}

const sabi::Record& rec(const sabi::Value& v) {
  EXPECT_EQ(v.kind, sabi::Kind::Record);
  return *v.record;
}

std::string_view text(const sabi::Value& v) {
  return v.present() && v.text ? v.str() : std::string_view{};
}

}  // namespace

TEST(Hl7Typed, SchemaDescribesWithoutErrors) {
  auto described = suture::lower::describe_modules({"hl7v2"}, SUTURE_STDLIB_DIR);
  for (const auto& e : described->errors) ADD_FAILURE() << e;
  EXPECT_NE(described->schemas.record("ADT_A01"), nullptr);
}

TEST(Hl7Typed, EverySampleMessageDecodesAndRoundTrips) {
  std::size_t mapped = 0, unknown = 0, round_tripped = 0, rejected = 0;
  std::vector<std::string> unknown_types, failures;
  for (const auto& path : sample_messages()) {
    SCOPED_TRACE(path.filename().string());
    auto parsed = hl7::parse_owned(read_file(path));
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    suture::runtime::Arena arena;
    auto typed = hl7::decode_typed(parsed.value(), schemas(), arena);
    if (!typed && typed.error->code == hl7::ErrorCode::UnknownStructure) {
      ++unknown;
      unknown_types.push_back(path.filename().string() + " " +
                              std::string(hl7::get(parsed.value(), "MSH-9.1").value_or("")) + "^" +
                              std::string(hl7::get(parsed.value(), "MSH-9.2").value_or("")));
      continue;
    }
    ++mapped;
    // Samples that are malformed as shipped are rejected, each with its own error and path:
    // a date-time in a numeric field, a field shifted by an extra `|`, a required EVN missing
    // (SIU_12.hl7 is labelled ADT^A60^ADT_A60 in MSH-9 but carries an SIU_S12 body: SCH, RGS, AIS…).
    static const std::map<std::string, std::pair<hl7::ErrorCode, std::string>> kMalformed = {
        {"ADT-A13-02.hl7", {hl7::ErrorCode::BadNumber, "PV1[1]-46"}},
        {"LAB-ORU-1.hl7", {hl7::ErrorCode::BadNumber, "OBR[1]-23.1.1"}},
        {"LAB-ORU-2.hl7", {hl7::ErrorCode::BadNumber, "OBR[1]-23.1.1"}},
        {"ADT04-251.hl7", {hl7::ErrorCode::MissingSegment, "ADT_A01.evn"}},
        {"SIU_12.hl7", {hl7::ErrorCode::MissingSegment, "ADT_A60.evn"}},
    };
    if (auto bad = kMalformed.find(path.filename().string()); bad != kMalformed.end()) {
      ++rejected;
      ASSERT_FALSE(typed) << "malformed sample decoded";
      EXPECT_EQ(typed.error->code, bad->second.first) << typed.error->to_string();
      EXPECT_NE(typed.error->to_string().find(bad->second.second), std::string::npos) << typed.error->to_string();
      continue;
    }
    if (!typed) {
      failures.push_back(path.filename().string() + ": " + typed.error->to_string());
      continue;
    }

    std::string again = hl7::encode_typed(*typed.record);
    auto reparsed = hl7::parse_owned(again);
    ASSERT_TRUE(reparsed) << reparsed.error().to_string() << "\n" << again;
    auto a = flatten(parsed.value()), b = flatten(reparsed.value());
    ASSERT_EQ(a.size(), b.size()) << again;
    bool same = true;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (a[i] == b[i]) continue;
      same = false;
      ADD_FAILURE() << "segment " << i + 1 << " differs\n  was: " << describe(a[i]) << "\n  now: " << describe(b[i]);
    }
    if (same) ++round_tripped;
  }
  std::cout << "[ hl7 typed ] mapped " << mapped << ", unknown structures " << unknown << ", round-tripped "
            << round_tripped << "\n";
  for (const auto& u : unknown_types) std::cout << "[ hl7 typed ]   unknown: " << u << "\n";
  for (const auto& f : failures) ADD_FAILURE() << "does not decode: " << f;
  EXPECT_GT(mapped, 0u);
  EXPECT_EQ(rejected, 5u);
  EXPECT_EQ(round_tripped + rejected, mapped);
}

namespace {
// ADT^A01 with a repeating PID-3, a Z-segment between PID and PV1, and one after PV1.
constexpr const char* kAdt =
    "MSH|^~\\&|SEND|FAC|RECV|FAC|20240102030405||ADT^A01^ADT_A01|MSG1|P|2.5.1\r"
    "EVN|A01|20240102030405\r"
    "PID|1||111^^^HOSP^MR~222^^^NAT^SS||Doe&van^John^Q\\T\\R||19800101120000+0100|M|||||||||||||||||||||||||||||||||"
    "extra41\r"
    "ZPD|custom^value|x\r"
    "PV1|1|I|W1^R2^B3\r"
    "ZZ1|tail\r";
}  // namespace

TEST(Hl7Typed, TypedAccessOnAdtA01) {
  auto parsed = hl7::parse(kAdt);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  suture::runtime::Arena arena;
  auto typed = hl7::decode_typed(parsed.value(), schemas(), arena);
  ASSERT_TRUE(typed) << typed.error->to_string();
  const sabi::Record& adt = *typed.record;
  EXPECT_EQ(adt.desc->name, "ADT_A01");

  const sabi::Record& pid = rec(slot(adt, "pid"));
  const sabi::Value& names = slot(pid, "patient_name");
  ASSERT_EQ(names.kind, sabi::Kind::List);
  ASSERT_EQ(names.aux, 1u);
  const sabi::Record& name = rec(names.items[0]);
  const sabi::Record& family = rec(slot(name, "family_name"));
  EXPECT_EQ(text(slot(family, "surname")), "Doe");
  EXPECT_EQ(text(slot(family, "own_surname_prefix")), "van");
  EXPECT_EQ(text(slot(name, "given_name")), "John");
  EXPECT_EQ(text(slot(name, "second_and_further_given_names_or_initials")), "Q&R");  // unescaped

  const sabi::Record& dob = rec(slot(pid, "date_time_of_birth"));
  EXPECT_EQ(text(slot(dob, "time")), "19800101120000+0100");

  const sabi::Value& ids = slot(pid, "patient_identifier_list");
  ASSERT_EQ(ids.kind, sabi::Kind::List);
  ASSERT_EQ(ids.aux, 2u);
  EXPECT_EQ(text(slot(rec(ids.items[0]), "id_number")), "111");
  EXPECT_EQ(text(slot(rec(ids.items[1]), "id_number")), "222");
  EXPECT_EQ(text(slot(rec(ids.items[1]), "identifier_type_code")), "SS");

  const sabi::Value& set_id = slot(pid, "set_id");
  EXPECT_EQ(set_id.kind, sabi::Kind::Int);
  EXPECT_EQ(set_id.integer, 1);

  // PID-41 is beyond the schema: kept on the segment; ZPD follows PID: kept on it.
  std::vector<std::pair<std::string, std::string>> unknown;
  for (std::uint32_t i = 0; i < pid.unknown_count; ++i)
    unknown.emplace_back(std::string(pid.unknown[i].key, pid.unknown[i].key_size),
                         std::string(pid.unknown[i].raw, pid.unknown[i].raw_size));
  EXPECT_NE(std::find(unknown.begin(), unknown.end(), std::pair<std::string, std::string>{"PID-41", "extra41"}),
            unknown.end());
  EXPECT_NE(std::find(unknown.begin(), unknown.end(), std::pair<std::string, std::string>{"ZPD", "ZPD|custom^value|x"}),
            unknown.end());

  const sabi::Record& msh = rec(slot(adt, "msh"));
  EXPECT_EQ(text(slot(msh, "field_separator")), "|");
  EXPECT_EQ(text(slot(msh, "encoding_characters")), "^~\\&");
  EXPECT_EQ(text(slot(rec(slot(msh, "message_type")), "message_code")), "ADT");

  // Z-segments go back where they were.
  std::string out = hl7::encode_typed(adt);
  EXPECT_EQ(out, hl7::normalize_terminators(kAdt));
}

TEST(Hl7Typed, NullAndAbsentAreDistinct) {
  auto parsed = hl7::parse(
      "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5.1\rEVN||20240101\r"
      "PID|||1^^^H^MR||Doe^Jane||\"\"\rPV1||I\r");
  ASSERT_TRUE(parsed);
  suture::runtime::Arena arena;
  auto typed = hl7::decode_typed(parsed.value(), schemas(), arena);
  ASSERT_TRUE(typed) << typed.error->to_string();
  const sabi::Record& pid = rec(slot(*typed.record, "pid"));
  EXPECT_EQ(slot(pid, "date_time_of_birth").kind, sabi::Kind::Null);
  EXPECT_EQ(slot(pid, "administrative_sex").kind, sabi::Kind::Absent);
  EXPECT_EQ(slot(pid, "set_id").kind, sabi::Kind::Absent);
  EXPECT_NE(hl7::encode_typed(*typed.record).find("PID|||1^^^H^MR||Doe^Jane||\"\"\r"), std::string::npos);
}

TEST(Hl7Typed, MissingRequiredSegment) {
  // ADT^A01 without PV1.
  auto parsed = hl7::parse("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5.1\rEVN||20240101\rPID|||1\r");
  ASSERT_TRUE(parsed);
  suture::runtime::Arena arena;
  auto typed = hl7::decode_typed(parsed.value(), schemas(), arena);
  ASSERT_FALSE(typed);
  EXPECT_EQ(typed.error->code, hl7::ErrorCode::MissingSegment);
  EXPECT_EQ(hl7::error_code_name(typed.error->code), "HL7_MISSING_SEGMENT");
  EXPECT_EQ(typed.error->where.path, "ADT_A01.pv1");
  EXPECT_NE(typed.error->message.find("PV1"), std::string::npos);

  // ADT^A39 patient group without its required MRG.
  auto merge = hl7::parse("MSH|^~\\&|A|B|C|D|20240101||ADT^A40|1|P|2.5.1\rEVN||20240101\rPID|||1\rPV1||I\r");
  ASSERT_TRUE(merge);
  auto typed2 = hl7::decode_typed(merge.value(), schemas(), arena);
  ASSERT_FALSE(typed2);
  EXPECT_EQ(typed2.error->code, hl7::ErrorCode::MissingSegment);
  EXPECT_EQ(typed2.error->where.path, "ADT_A39.patient[1].mrg");
}

TEST(Hl7Typed, BadNumber) {
  auto parsed = hl7::parse(
      "MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5.1\rPID|||1\rOBR|1\r"
      "OBX|1|NM|x||5|||||||||||||||||||||||||||||\rOBX|2|NM|y||5||||||F|||||||||||||||||||||||||\r");
  ASSERT_TRUE(parsed);
  suture::runtime::Arena arena;
  ASSERT_TRUE(hl7::decode_typed(parsed.value(), schemas(), arena));

  // OBX-5 is `Varies` (text); a numeric field of OBX is OBX-? — use MSH-13 (NM) and OBX-1 (SI).
  auto bad = hl7::parse("MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5.1|12x\rPID|||1\rOBR|1\r");
  ASSERT_TRUE(bad);
  auto typed = hl7::decode_typed(bad.value(), schemas(), arena);
  ASSERT_FALSE(typed);
  EXPECT_EQ(typed.error->code, hl7::ErrorCode::BadNumber);
  EXPECT_EQ(typed.error->where.path, "MSH[1]-13");
  EXPECT_EQ(typed.error->where.segment, 1u);

  auto bad_si = hl7::parse("MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5.1\rPID|||1\rOBR|1\rOBX|1|NM\rOBX|two|NM\r");
  ASSERT_TRUE(bad_si);
  auto typed_si = hl7::decode_typed(bad_si.value(), schemas(), arena);
  ASSERT_FALSE(typed_si);
  EXPECT_EQ(typed_si.error->code, hl7::ErrorCode::BadNumber);
  EXPECT_EQ(typed_si.error->where.path, "OBX[2]-1");
  EXPECT_EQ(typed_si.error->where.segment, 5u);
}

TEST(Hl7Typed, UnknownStructure) {
  auto parsed = hl7::parse("MSH|^~\\&|A|B|C|D|20240101||ZZZ^Z99^ZZZ_Z99|1|P|2.5.1\rPID|||1\r");
  ASSERT_TRUE(parsed);
  suture::runtime::Arena arena;
  auto typed = hl7::decode_typed(parsed.value(), schemas(), arena);
  ASSERT_FALSE(typed);
  EXPECT_EQ(typed.error->code, hl7::ErrorCode::UnknownStructure);
  EXPECT_EQ(hl7::error_code_name(typed.error->code), "HL7_UNKNOWN_STRUCTURE");
  EXPECT_EQ(typed.error->where.path, "MSH-9");
}

TEST(Hl7Typed, ExplicitStructureAndCustomSeparators) {
  const char* text = "MSH#*@!%#A#B#C#D#20240101##ACK*A01#1#P#2.5.1\rMSA#AA#1#note*with@rep!F!end\r";
  auto parsed = hl7::parse(text);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  const sabi::RecordDesc* ack = schemas().record("ACK");
  ASSERT_NE(ack, nullptr);
  suture::runtime::Arena arena;
  auto typed = hl7::decode_typed_as(parsed.value(), *ack, arena);
  ASSERT_TRUE(typed) << typed.error->to_string();
  EXPECT_EQ(hl7::encode_typed(*typed.record), text);
}

// Any sample against any structure: an error or a record that encodes, never a crash.
TEST(Hl7Typed, AnyMessageAgainstAnyStructureIsSafe) {
  std::vector<const sabi::RecordDesc*> structures;
  for (const auto& r : schemas().records())
    if (!r.messages.empty()) structures.push_back(&r);
  ASSERT_FALSE(structures.empty());
  std::size_t decoded = 0, errors = 0;
  for (const auto& path : sample_messages()) {
    auto parsed = hl7::parse_owned(read_file(path));
    ASSERT_TRUE(parsed);
    for (const auto* s : structures) {
      suture::runtime::Arena arena;
      auto typed = hl7::decode_typed_as(parsed.value(), *s, arena);
      if (!typed) {
        ++errors;
        EXPECT_FALSE(typed.error->message.empty());
        continue;
      }
      ++decoded;
      // Whatever structure was forced, every segment survives (unknown ones kept in place).
      auto again = hl7::parse_owned(hl7::encode_typed(*typed.record));
      ASSERT_TRUE(again);
      EXPECT_EQ(again->segments().size(), parsed->segments().size()) << path.filename() << " as " << s->name;
    }
  }
  EXPECT_GT(decoded, 0u);
  EXPECT_GT(errors, 0u);
}
