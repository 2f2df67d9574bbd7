// pack_test.cpp — the `.spk` rule pack format (runtime/pack): a hand-built schema set (lists,
// optionals, enums, record references, an Odoo model, HL7 segments with positions, a FHIR choice)
// round-trips exactly; writing is deterministic; every tampered, truncated, foreign or
// mis-versioned file is refused with its stable code and never crashes; a FHIR-sized pack loads
// fast (the time is printed).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <unordered_map>

#include <unistd.h>

#include "runtime/pack/bytes.h"
#include "runtime/pack/format.h"
#include "runtime/pack/pack.h"
#include "runtime/pack/sha256.h"

namespace {

namespace abi = suture::abi;
namespace pk = suture::pack;

std::unique_ptr<abi::SchemaSet> small_schemas() {
  auto s = std::make_unique<abi::SchemaSet>();
  abi::EnumDesc& gender = s->add_enum("fhir.r4.AdministrativeGender");
  gender.codes = {"male", "female", "other", "unknown"};
  abi::EnumDesc& value_kind = s->add_enum("fhir.r4.Observation.value[x]");
  value_kind.codes = {"Quantity", "String"};

  abi::RecordDesc& patient = s->add_record("fhir.r4.Patient");  // refers forward to HumanName
  abi::RecordDesc& name = s->add_record("fhir.r4.HumanName");
  abi::RecordDesc& observation = s->add_record("fhir.r4.Observation");
  abi::RecordDesc& quantity = s->add_record("fhir.r4.Quantity");
  abi::RecordDesc& partner = s->add_record("odoo.ResPartner");
  abi::RecordDesc& xpn = s->add_record("hl7v2.XPN");
  abi::RecordDesc& pid = s->add_record("hl7v2.PID");
  abi::RecordDesc& adt = s->add_record("hl7v2.ADT_A01");

  auto field = [](abi::RecordDesc& r, std::string n, abi::Kind kind) -> abi::FieldDesc& {
    abi::FieldDesc& f = r.fields.emplace_back();
    f.name = std::move(n);
    f.type.kind = kind;
    return f;
  };
  patient.resource_type = "Patient";
  field(patient, "id", abi::Kind::String).type.optional = true;
  abi::FieldDesc& g = field(patient, "gender", abi::Kind::Enum);
  g.type.enumeration = &gender;
  g.type.optional = true;
  g.has_extension = true;
  abi::FieldDesc& names = field(patient, "name", abi::Kind::Record);
  names.type.record = &name;
  names.type.list = true;
  field(patient, "birthDate", abi::Kind::Date).has_extension = true;
  field(patient, "extension", abi::Kind::Json).type.optional = true;
  field(name, "family", abi::Kind::String).type.optional = true;
  field(name, "given", abi::Kind::String).type.list = true;

  observation.resource_type = "Observation";
  abi::FieldDesc& vq = field(observation, "valueQuantity", abi::Kind::Record);
  vq.type.record = &quantity;
  vq.type.optional = true;
  vq.choice = "value";
  abi::FieldDesc& vs = field(observation, "valueString", abi::Kind::String);
  vs.type.optional = true;
  vs.choice = "value";
  abi::FieldDesc& vk = field(observation, "value", abi::Kind::Enum);
  vk.type.enumeration = &value_kind;
  vk.choice = "value";
  vk.choice_kind = true;
  field(observation, "effectiveInstant", abi::Kind::Instant).type.optional = true;
  field(quantity, "value", abi::Kind::Decimal).type.optional = true;
  field(quantity, "unit", abi::Kind::String).type.optional = true;

  partner.model = "res.partner";
  field(partner, "name", abi::Kind::String);
  abi::FieldDesc& parent = field(partner, "parent_id", abi::Kind::Record);
  parent.type.record = &partner;  // a self reference
  parent.type.odoo_id = true;
  parent.type.optional = true;
  parent.has_extension = true;
  abi::FieldDesc& written = field(partner, "write_date", abi::Kind::DateTime);
  written.date_format = abi::DateFormat::Odoo;
  written.readonly = true;
  field(partner, "active", abi::Kind::Bool);
  field(partner, "duration", abi::Kind::Duration).type.optional = true;

  field(xpn, "family", abi::Kind::String).position = 1;
  field(xpn, "given", abi::Kind::String).position = 2;
  pid.segment = "PID";
  field(pid, "set_id", abi::Kind::Int).position = 1;
  abi::FieldDesc& pn = field(pid, "patient_name", abi::Kind::Record);
  pn.type.record = &xpn;
  pn.type.list = true;
  pn.position = 5;
  field(pid, "time", abi::Kind::Time).position = 300;
  adt.messages = {"ADT^A01", "ADT^A04", "ADT^A08"};
  abi::FieldDesc& seg = field(adt, "pid", abi::Kind::Record);
  seg.type.record = &pid;
  s->add_record("empty");  // no fields at all
  s->finish();
  return s;
}

pk::Manifest small_manifest() {
  pk::Manifest m;
  m.compiler_version = "suture 0.1.0 (test)";
  m.target_triple = "x86_64-pc-linux-gnu";
  m.entry_points = {
      {"patient_to_partner",
       pk::EntryKind::Mapping,
       "suture_map_patient_to_partner",
       {"fhir.r4.Patient"},
       "odoo.ResPartner",
       pk::DataFormat::Fhir,
       pk::DataFormat::Odoo,
       {},
       false,
       {},
       {}},
      {"adult",
       pk::EntryKind::Policy,
       "suture_policy_adult",
       {"fhir.r4.Patient", "Date"},
       "Bool",
       pk::DataFormat::Fhir,
       pk::DataFormat::None,
       {},
       false,
       {},
       {}},
      {"by_type",
       pk::EntryKind::Route,
       "suture_route_by_type",
       {"hl7v2.ADT_A01"},
       "String",
       pk::DataFormat::Hl7v2,
       pk::DataFormat::Json,
       {},
       false,
       {},
       {}},
      {"full_name",
       pk::EntryKind::Function,
       "suture_fn_full_name",
       {},
       "String",
       pk::DataFormat::None,
       pk::DataFormat::None,
       {},
       false,
       {},
       {}},
  };
  m.schemas = {"fhir.r4", "odoo", "hl7v2"};
  m.source_map = {{1, "specs/patient.sut", 12, 5, std::string("name: p.name[0].family ?? \"\"")},
                  {2, "specs/patient.sut", 14, 9, std::nullopt},
                  {7, "spécs/ünïcode.sut", 1, 1, std::string("\"quoted\"\n\ttab\\")}};
  m.build_info = {{"opt_level", "2"}, {"host", "ci"}, {"a_first", "sorted"}};
  return m;
}

std::string binary_bitcode(std::size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::string b(size, '\0');
  for (char& c : b) c = static_cast<char>(rng() & 0xff);
  if (size >= 4) b.replace(0, 4, "BC\xc0\xde", 4);
  return b;
}

std::string small_pack(const abi::SchemaSet& schemas, bool with_object = false) {
  pk::PackContents c{small_manifest(), &schemas, binary_bitcode(300, 1), std::nullopt};
  if (with_object) c.object = pk::CachedObject{"znver3", "x86_64-pc-linux-gnu", binary_bitcode(200, 2)};
  return pk::write_pack(c);
}

const pk::LoadedPack& loaded(const std::variant<pk::LoadedPack, pk::PackError>& r) {
  if (auto* e = std::get_if<pk::PackError>(&r)) ADD_FAILURE() << e->code << ": " << e->message;
  return std::get<pk::LoadedPack>(r);
}

std::string code_of(const std::variant<pk::LoadedPack, pk::PackError>& r) {
  if (auto* e = std::get_if<pk::PackError>(&r)) return e->code;
  return "OK";
}

std::string message_of(const std::variant<pk::LoadedPack, pk::PackError>& r) {
  if (auto* e = std::get_if<pk::PackError>(&r)) return e->message;
  return "";
}

template <typename T>
long index_in(const std::deque<T>& items, const T* item) {
  if (!item) return -1;
  for (std::size_t i = 0; i < items.size(); ++i)
    if (&items[i] == item) return static_cast<long>(i);
  return -2;  // foreign pointer: never equal to a real index
}

// Every descriptor field equal, references compared as indexes.
void expect_same_schemas(const abi::SchemaSet& a, const abi::SchemaSet& b) {
  ASSERT_EQ(a.enums().size(), b.enums().size());
  for (std::size_t i = 0; i < a.enums().size(); ++i) {
    EXPECT_EQ(a.enums()[i].name, b.enums()[i].name);
    EXPECT_EQ(a.enums()[i].codes, b.enums()[i].codes);
    EXPECT_EQ(b.enumeration(a.enums()[i].name), &b.enums()[i]);
  }
  ASSERT_EQ(a.records().size(), b.records().size());
  for (std::size_t i = 0; i < a.records().size(); ++i) {
    const abi::RecordDesc& ra = a.records()[i];
    const abi::RecordDesc& rb = b.records()[i];
    SCOPED_TRACE(ra.name);
    EXPECT_EQ(ra.name, rb.name);
    EXPECT_EQ(ra.resource_type, rb.resource_type);
    EXPECT_EQ(ra.model, rb.model);
    EXPECT_EQ(ra.segment, rb.segment);
    EXPECT_EQ(ra.messages, rb.messages);
    EXPECT_EQ(ra.slot_count, rb.slot_count);
    EXPECT_EQ(ra.by_name.size(), rb.by_name.size());
    for (const auto& [member, index] : ra.by_name) {
      auto it = rb.by_name.find(member);
      ASSERT_NE(it, rb.by_name.end()) << member;
      EXPECT_EQ(it->second, index);
    }
    if (!ra.resource_type.empty()) {
      EXPECT_EQ(b.resource(ra.resource_type), &rb);
    }
    ASSERT_EQ(ra.fields.size(), rb.fields.size());
    for (std::size_t f = 0; f < ra.fields.size(); ++f) {
      const abi::FieldDesc& fa = ra.fields[f];
      const abi::FieldDesc& fb = rb.fields[f];
      SCOPED_TRACE(fa.name);
      EXPECT_EQ(fa.name, fb.name);
      EXPECT_EQ(fa.type.kind, fb.type.kind);
      EXPECT_EQ(fa.type.list, fb.type.list);
      EXPECT_EQ(fa.type.optional, fb.type.optional);
      EXPECT_EQ(fa.type.odoo_id, fb.type.odoo_id);
      EXPECT_EQ(index_in(a.records(), fa.type.record), index_in(b.records(), fb.type.record));
      EXPECT_EQ(index_in(a.enums(), fa.type.enumeration), index_in(b.enums(), fb.type.enumeration));
      EXPECT_EQ(fa.slot, fb.slot);
      EXPECT_EQ(fa.has_extension, fb.has_extension);
      EXPECT_EQ(fa.extension_slot, fb.extension_slot);
      EXPECT_EQ(fa.choice, fb.choice);
      EXPECT_EQ(fa.choice_kind, fb.choice_kind);
      EXPECT_EQ(fa.readonly, fb.readonly);
      EXPECT_EQ(fa.date_format, fb.date_format);
      EXPECT_EQ(fa.position, fb.position);
    }
  }
}

// Recomputes the hash of a pack whose bytes a test changed on purpose (same sizes).
void reseal(std::string& pack) {
  namespace f = pk::format;
  const std::size_t hex_at =
      f::kTableOffset + f::kTableEntrySize * pk::load_le(pack, f::kHashedFrom, 4) + f::kManifestPrefix.size();
  pack.replace(hex_at, f::kHashHexSize, std::string(f::kHashHexSize, '0'));
  const pk::Digest d = pk::sha256({std::string_view(pack).substr(f::kHashedFrom)});
  pack.replace(hex_at, f::kHashHexSize, pk::to_hex(d));
  pack.replace(f::kHashOffset, d.size(), reinterpret_cast<const char*>(d.data()), d.size());
}

std::size_t body_start(const std::string& pack) {
  return pk::format::kTableOffset + pk::format::kTableEntrySize * pk::load_le(pack, pk::format::kHashedFrom, 4);
}

TEST(Pack, RoundTripKeepsEverything) {
  auto schemas = small_schemas();
  pk::PackContents c{small_manifest(), schemas.get(), binary_bitcode(300, 1), std::nullopt};
  const std::string bytes = pk::write_pack(c);
  auto result = pk::read_pack(bytes);
  const pk::LoadedPack& p = loaded(result);

  pk::Manifest expected = small_manifest();
  ASSERT_EQ(p.manifest.content_hash.size(), 64u);
  expected.content_hash = p.manifest.content_hash;
  EXPECT_EQ(p.manifest, expected);
  EXPECT_EQ(p.manifest.format_version, pk::kFormatVersion);
  EXPECT_EQ(p.manifest.abi_version, abi::kAbiVersion);
  // The manifest's hash is the header's.
  pk::Digest header{};
  std::copy_n(bytes.begin() + pk::format::kHashOffset, header.size(), header.begin());
  EXPECT_EQ(p.manifest.content_hash, pk::to_hex(header));

  EXPECT_EQ(p.bitcode, c.bitcode);
  EXPECT_FALSE(p.object.has_value());
  EXPECT_EQ(p.file_size, bytes.size());
  ASSERT_NE(p.schemas, nullptr);
  expect_same_schemas(*schemas, *p.schemas);
  // Lookups work on the rebuilt set, through its own pointers.
  const abi::RecordDesc* pid = p.schemas->record("hl7v2.PID");
  ASSERT_NE(pid, nullptr);
  EXPECT_EQ(pid->field("patient_name")->type.record, p.schemas->record("hl7v2.XPN"));
  EXPECT_EQ(p.schemas->resource("Patient")->field("_gender"), p.schemas->resource("Patient")->field("gender"));
}

TEST(Pack, OptionalObjectPresentOrAbsent) {
  auto schemas = small_schemas();
  auto with = pk::read_pack(small_pack(*schemas, true));
  ASSERT_TRUE(loaded(with).object.has_value());
  EXPECT_EQ(*loaded(with).object, (pk::CachedObject{"znver3", "x86_64-pc-linux-gnu", binary_bitcode(200, 2)}));
  auto without = pk::read_pack(small_pack(*schemas, false));
  EXPECT_FALSE(loaded(without).object.has_value());
  // An empty object and empty bitcode are kept as such.
  pk::PackContents c{small_manifest(), schemas.get(), "", pk::CachedObject{"", "", ""}};
  auto empty = pk::read_pack(pk::write_pack(c));
  ASSERT_TRUE(loaded(empty).object.has_value());
  EXPECT_EQ(*loaded(empty).object, (pk::CachedObject{"", "", ""}));
  EXPECT_EQ(loaded(empty).bitcode, "");
}

TEST(Pack, NoSchemasAndEmptyManifest) {
  auto r = pk::read_pack(pk::write_pack(pk::PackContents{}));
  const pk::LoadedPack& p = loaded(r);
  EXPECT_TRUE(p.schemas->records().empty());
  EXPECT_TRUE(p.manifest.entry_points.empty());
}

TEST(Pack, WritingIsDeterministic) {
  auto schemas = small_schemas();
  const std::string first = small_pack(*schemas, true);
  EXPECT_EQ(first, small_pack(*schemas, true));
  // A second, independently built but identical schema set gives the same bytes too.
  auto again = small_schemas();
  EXPECT_EQ(first, small_pack(*again, true));
  // Reading and writing back reproduces the file.
  auto r = pk::read_pack(first);
  EXPECT_EQ(pk::write_pack(loaded(r).contents()), first);
  // The hash depends on the content.
  pk::PackContents c{small_manifest(), schemas.get(), "other bitcode", std::nullopt};
  EXPECT_NE(loaded(pk::read_pack(pk::write_pack(c))).manifest.content_hash, loaded(r).manifest.content_hash);
}

TEST(Pack, AnyTamperedBodyByteIsAHashMismatch) {
  auto schemas = small_schemas();
  const std::string pack = small_pack(*schemas, true);
  for (std::size_t i = body_start(pack); i < pack.size(); ++i) {
    for (unsigned char flip : {0x01, 0x80}) {
      std::string bad = pack;
      bad[i] = static_cast<char>(bad[i] ^ flip);
      auto r = pk::read_pack(bad, "pack.spk");
      ASSERT_EQ(code_of(r), "PACK_HASH_MISMATCH") << "byte " << i << ": " << message_of(r);
    }
  }
  std::string bad = pack;
  bad[pack.size() - 1] ^= 0x20;
  const std::string msg = message_of(pk::read_pack(bad, "pack.spk"));
  EXPECT_NE(msg.find("pack.spk"), std::string::npos) << msg;
  EXPECT_NE(msg.find("suture build"), std::string::npos) << msg;
  EXPECT_NE(msg.find(loaded(pk::read_pack(pack)).manifest.content_hash.substr(0, 12)), std::string::npos) << msg;
}

TEST(Pack, AnyTamperedByteAnywhereIsRefused) {
  auto schemas = small_schemas();
  const std::string pack = small_pack(*schemas);
  const std::set<std::string> codes = {"PACK_NOT_A_PACK", "PACK_TRUNCATED", "PACK_FORMAT_VERSION", "PACK_ABI_MISMATCH",
                                       "PACK_HASH_MISMATCH"};
  for (std::size_t i = 0; i < pack.size(); ++i) {
    std::string bad = pack;
    bad[i] = static_cast<char>(bad[i] ^ 0x04);
    auto r = pk::read_pack(bad);
    ASSERT_TRUE(codes.count(code_of(r))) << "byte " << i << ": " << code_of(r);
  }
  // Appended bytes are a modification too.
  EXPECT_EQ(code_of(pk::read_pack(pack + "x")), "PACK_HASH_MISMATCH");
}

TEST(Pack, OtherAbiMustBeRebuilt) {
  auto schemas = small_schemas();
  std::string pack = small_pack(*schemas);
  pack[pk::format::kAbiOffset] = static_cast<char>(abi::kAbiVersion + 1);
  auto r = pk::read_pack(pack, "pack.spk");
  ASSERT_EQ(code_of(r), "PACK_ABI_MISMATCH");
  const std::string expected = "pack.spk was built for runtime ABI " + std::to_string(abi::kAbiVersion + 1) +
                               ", this runtime is ABI " + std::to_string(abi::kAbiVersion);
  EXPECT_EQ(message_of(r).rfind(expected, 0), 0u) << message_of(r);
  EXPECT_NE(message_of(r).find("rebuild it with `suture build`"), std::string::npos);
}

TEST(Pack, OtherFormatVersionsSayWhich) {
  auto schemas = small_schemas();
  std::string newer = small_pack(*schemas);
  newer[pk::format::kFormatOffset] = static_cast<char>(pk::kFormatVersion + 1);
  auto r = pk::read_pack(newer, "pack.spk");
  ASSERT_EQ(code_of(r), "PACK_FORMAT_VERSION");
  EXPECT_NE(message_of(r).find("format " + std::to_string(pk::kFormatVersion + 1)), std::string::npos);
  EXPECT_NE(message_of(r).find("newer"), std::string::npos) << message_of(r);
  std::string older = small_pack(*schemas);
  older[pk::format::kFormatOffset] = 0;
  r = pk::read_pack(older, "pack.spk");
  ASSERT_EQ(code_of(r), "PACK_FORMAT_VERSION");
  EXPECT_NE(message_of(r).find("older"), std::string::npos) << message_of(r);
}

TEST(Pack, EveryPrefixIsTruncated) {
  auto schemas = small_schemas();
  for (bool object : {false, true}) {
    const std::string pack = small_pack(*schemas, object);
    for (std::size_t n = 0; n < pack.size(); ++n) {
      auto r = pk::read_pack(std::string_view(pack).substr(0, n), "pack.spk");
      ASSERT_EQ(code_of(r), "PACK_TRUNCATED") << "length " << n << ": " << message_of(r);
    }
  }
  const std::string pack = small_pack(*schemas);
  const std::string msg = message_of(pk::read_pack(std::string_view(pack).substr(0, 200), "pack.spk"));
  EXPECT_NE(msg.find("pack.spk is cut short: it has 200 bytes but the pack needs " + std::to_string(pack.size())),
            std::string::npos)
      << msg;
}

TEST(Pack, GarbageAndJsonAreNotPacks) {
  std::mt19937 rng(42);
  for (std::size_t size : {8, 9, 47, 56, 57, 100, 1000, 65536}) {
    for (int round = 0; round < 20; ++round) {
      std::string garbage(size, '\0');
      for (char& c : garbage) c = static_cast<char>(rng() & 0xff);
      ASSERT_EQ(code_of(pk::read_pack(garbage)), "PACK_NOT_A_PACK");
    }
  }
  auto json = pk::read_pack(R"({"content_hash":"00","format_version":1,"entry_points":[]})", "rules.json");
  ASSERT_EQ(code_of(json), "PACK_NOT_A_PACK");
  EXPECT_NE(message_of(json).find("rules.json is not a Suture rule pack"), std::string::npos) << message_of(json);
  EXPECT_NE(message_of(json).find("JSON"), std::string::npos) << message_of(json);
}

TEST(Pack, GarbageAfterTheMagicNeverCrashes) {
  std::mt19937 rng(7);
  const std::set<std::string> codes = {"PACK_FORMAT_VERSION", "PACK_TRUNCATED", "PACK_HASH_MISMATCH",
                                       "PACK_ABI_MISMATCH"};
  for (int round = 0; round < 2000; ++round) {
    std::string bytes(pk::format::kMagic);
    pk::ByteWriter w(bytes);
    w.u32(pk::kFormatVersion);
    w.u32(abi::kAbiVersion);
    const std::size_t size = rng() % 400;
    for (std::size_t i = 0; i < size; ++i) bytes.push_back(static_cast<char>(rng() & 0xff));
    if (bytes.size() > pk::format::kHashedFrom) bytes[pk::format::kHashedFrom] = static_cast<char>(rng() % 6);
    for (std::size_t i = 49; i < 52 && i < bytes.size(); ++i) bytes[i] = 0;
    ASSERT_TRUE(codes.count(code_of(pk::read_pack(bytes)))) << code_of(pk::read_pack(bytes));
  }
}

TEST(Pack, ResealedBadManifestOrSchemasAreReported) {
  auto schemas = small_schemas();
  const std::string pack = small_pack(*schemas);

  std::string bad_kind = pack;
  const std::size_t at = bad_kind.find(R"("kind":"policy")");
  ASSERT_NE(at, std::string::npos);
  bad_kind.replace(at, 15, R"("kind":"polite")");
  reseal(bad_kind);
  auto r = pk::read_pack(bad_kind, "pack.spk");
  EXPECT_EQ(code_of(r), "PACK_BAD_MANIFEST");
  EXPECT_NE(message_of(r).find("unknown kind \"polite\""), std::string::npos) << message_of(r);

  std::string not_json = pack;
  not_json[not_json.find("\"schemas\":[")] = '[';
  reseal(not_json);
  EXPECT_EQ(code_of(pk::read_pack(not_json)), "PACK_BAD_MANIFEST");

  std::string missing = pack;
  missing.replace(missing.find("\"compiler_version\""), 18, "\"compiler_versiom\"");
  reseal(missing);
  r = pk::read_pack(missing);
  EXPECT_EQ(code_of(r), "PACK_BAD_MANIFEST");
  EXPECT_NE(message_of(r).find("no \"compiler_version\""), std::string::npos) << message_of(r);

  // The schema section: the value kind of the first field of "fhir.r4.Patient" ("id", a String).
  std::string bad_schema = pack;
  const std::size_t id = bad_schema.find(std::string("\x02id", 3), body_start(pack));
  ASSERT_NE(id, std::string::npos);
  ASSERT_EQ(bad_schema[id + 3], static_cast<char>(abi::Kind::String));
  bad_schema[id + 3] = 0x7f;
  reseal(bad_schema);
  r = pk::read_pack(bad_schema, "pack.spk");
  EXPECT_EQ(code_of(r), "PACK_BAD_SCHEMAS");
  EXPECT_NE(message_of(r).find("fhir.r4.Patient.id has unknown value kind 127"), std::string::npos) << message_of(r);

  bad_schema = pack;
  bad_schema[id + 4] = static_cast<char>(0xc0);  // unknown flag bits
  reseal(bad_schema);
  EXPECT_EQ(code_of(pk::read_pack(bad_schema)), "PACK_BAD_SCHEMAS");
}

TEST(Pack, ReadsFilesAndReportsMissingOnes) {
  auto schemas = small_schemas();
  const auto path =
      std::filesystem::temp_directory_path() / ("suture_pack_test_" + std::to_string(::getpid()) + ".spk");
  {
    std::ofstream out(path, std::ios::binary);
    const std::string pack = small_pack(*schemas, true);
    out.write(pack.data(), static_cast<std::streamsize>(pack.size()));
  }
  auto r = pk::read_pack_file(path.string());
  EXPECT_EQ(loaded(r).manifest.entry_points.size(), 4u);
  std::filesystem::remove(path);
  r = pk::read_pack_file(path.string());
  EXPECT_EQ(code_of(r), "PACK_IO");
  EXPECT_NE(message_of(r).find(path.string()), std::string::npos);
}

TEST(Pack, DescribeSummarisesForInspect) {
  auto schemas = small_schemas();
  auto r = pk::read_pack(small_pack(*schemas, true));
  const std::string text = pk::describe_pack(loaded(r));
  for (const std::string& needle :
       {std::string("pack format 1, runtime ABI 1"), "sha256:" + loaded(r).manifest.content_hash,
        std::string("suture 0.1.0 (test)"),
        std::string("mapping patient_to_partner(fhir.r4.Patient) -> odoo.ResPartner  [fhir -> odoo]"),
        std::string("policy adult(fhir.r4.Patient, Date) -> Bool"), std::string("function full_name() -> String"),
        std::string("fhir.r4, odoo, hl7v2 (9 records, 2 enums)"),
        std::string("200 bytes for x86_64-pc-linux-gnu (cpu znver3)"), std::string("bitcode 300"),
        std::string("a_first = sorted")})
    EXPECT_NE(text.find(needle), std::string::npos) << needle << "\n" << text;
}

// A FHIR-sized pack: ~650 records of 25 fields, 150 enums, 2 MB of bitcode, 5000 source locations.
TEST(Pack, LargePackLoadsFast) {
  abi::SchemaSet big;
  for (int e = 0; e < 150; ++e) {
    abi::EnumDesc& en = big.add_enum("fhir.r4.ValueSet" + std::to_string(e));
    for (int c = 0; c < 12; ++c) en.codes.push_back("code-" + std::to_string(c));
  }
  constexpr int kRecords = 650;
  std::vector<abi::RecordDesc*> recs;
  for (int i = 0; i < kRecords; ++i) recs.push_back(&big.add_record("fhir.r4.Resource" + std::to_string(i)));
  for (int i = 0; i < kRecords; ++i) {
    abi::RecordDesc& r = *recs[i];
    if (i % 3 == 0) r.resource_type = "Resource" + std::to_string(i);
    for (int f = 0; f < 25; ++f) {
      abi::FieldDesc& fd = r.fields.emplace_back();
      fd.name = "field" + std::to_string(f) + "Name";
      switch (f % 5) {
        case 0:
          fd.type.kind = abi::Kind::String;
          fd.has_extension = true;
          break;
        case 1:
          fd.type.kind = abi::Kind::Record;
          fd.type.record = recs[(i * 7 + f) % kRecords];
          fd.type.list = true;
          break;
        case 2:
          fd.type.kind = abi::Kind::Enum;
          fd.type.enumeration = &big.enums()[(i + f) % 150];
          break;
        case 3:
          fd.type.kind = abi::Kind::DateTime;
          fd.choice = "value";
          break;
        default: fd.type.kind = abi::Kind::Decimal; break;
      }
      fd.type.optional = f % 2 == 0;
    }
  }
  big.finish();
  pk::PackContents c{small_manifest(), &big, binary_bitcode(2 << 20, 3), std::nullopt};
  for (std::uint32_t i = 0; i < 5000; ++i)
    c.manifest.source_map.push_back({100 + i, "specs/big.sut", i, 3, std::string("let x = y + z")});
  const std::string bytes = pk::write_pack(c);

  double best_ms = 1e9;
  for (int run = 0; run < 10; ++run) {
    const auto start = std::chrono::steady_clock::now();
    auto r = pk::read_pack(bytes);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    ASSERT_EQ(code_of(r), "OK") << message_of(r);
    best_ms = std::min(best_ms, ms);
    if (run == 0) expect_same_schemas(big, *loaded(r).schemas);
  }
  std::printf("[pack] %zu-byte pack (%d records, 2 MB bitcode, 5000 source locations) loads in %.2f ms\n", bytes.size(),
              kRecords, best_ms);
  EXPECT_LT(best_ms, 50.0);
}

}  // namespace
