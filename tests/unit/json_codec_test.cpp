// json_codec_test.cpp — the JSON codecs (runtime/codecs/json) against the generated FHIR R4 and
// Odoo schemas in stdlib/ and the sample messages in ../shared/data: every FHIR example and
// every Odoo record / webhook body decodes and round-trips; each rule has its error code and path.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "compiler/lower/schema_descriptors.h"
#include "runtime/codecs/json/json.h"
#include "runtime/codecs/json/writer.h"

namespace fs = std::filesystem;
namespace json = suture::runtime::json;
namespace sabi = suture::abi;
using suture::runtime::Arena;

namespace {

const sabi::SchemaSet& fhir() {
  static auto described = suture::lower::describe_modules({"fhir.r4"}, SUTURE_STDLIB_DIR);
  return described->schemas;
}
const sabi::SchemaSet& odoo() {
  static auto described = suture::lower::describe_modules({"odoo"}, SUTURE_STDLIB_DIR);
  return described->schemas;
}

const sabi::RecordDesc& model(std::string_view name) {
  // SchemaSet indexes records by name; find the one whose @model matches by probing names.
  static std::map<std::string, const sabi::RecordDesc*, std::less<>> by_model = [] {
    std::map<std::string, const sabi::RecordDesc*, std::less<>> m;
    for (const char* n : {"ResPartner", "ProductProduct", "PurchaseOrder", "PurchaseOrderLine", "StockPicking",
                          "StockMove", "MaintenanceEquipment", "MaintenanceRequest", "CalendarEvent", "ProjectTask"})
      if (const sabi::RecordDesc* r = odoo().record(n)) m[r->model] = r;
    return m;
  }();
  auto it = by_model.find(name);
  if (it == by_model.end()) throw std::runtime_error("no record for model " + std::string(name));
  return *it->second;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A canonical form for semantic comparison: object members sorted by key, array order kept,
// numbers by their exact text, strings by value (unescaped).
std::string canonical(simdjson::ondemand::value v) {
  using simdjson::ondemand::json_type;
  json_type t = v.type().value();
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
  };
  switch (t) {
    case json_type::object: {
      std::vector<std::pair<std::string, std::string>> members;
      for (auto f : v.get_object()) {
        std::string key(f.unescaped_key().value());
        members.emplace_back(key, canonical(f.value()));
      }
      std::sort(members.begin(), members.end());
      std::string out = "{";
      for (auto& [k, c] : members) out += nlohmann::json(k).dump() + ":" + c + ",";
      return out + "}";
    }
    case json_type::array: {
      std::string out = "[";
      for (auto item : v.get_array()) out += canonical(item.value()) + ",";
      return out + "]";
    }
    case json_type::string: return nlohmann::json(std::string(v.get_string().value())).dump();
    default: return trim(v.raw_json_token());
  }
}

std::string canonical(const std::string& text) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(text);
  auto doc = parser.iterate(padded);
  simdjson::ondemand::value root = doc.get_value().value();
  return canonical(root);
}

json::DecodeOptions reject() {
  return {};
}
json::DecodeOptions keep() {
  json::DecodeOptions o;
  o.unknown = json::Unknown::Keep;
  return o;
}

struct Decoded {
  Arena arena;
  json::DecodeResult result;
};

void expect_error(const json::DecodeResult& r, const std::string& code, const std::string& path) {
  ASSERT_FALSE(r.record) << "expected " << code;
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->code, code) << r.error->message;
  EXPECT_EQ(r.error->path, path) << r.error->message;
}

json::DecodeResult patient(Arena& arena, const std::string& text, const json::DecodeOptions& o = {}) {
  return json::decode_fhir(text, fhir(), arena, o);
}

const sabi::Value& slot(const sabi::Record& r, std::string_view field) {
  const sabi::FieldDesc* f = r.desc->field(field);
  if (f == nullptr) throw std::runtime_error("no field " + std::string(field));
  return r.slots[f->slot];
}
const sabi::Value& ext(const sabi::Record& r, std::string_view field) {
  return r.slots[r.desc->field(field)->extension_slot];
}

}  // namespace

TEST(JsonSchemas, Describe) {
  EXPECT_TRUE(fhir().resource("Patient") != nullptr);
  EXPECT_EQ(model("res.partner").model, "res.partner");
}

// ---------------------------------------------------------------- FHIR examples

TEST(FhirExamples, EveryExampleDecodesAndRoundTrips) {
  const fs::path dir = fs::path(SUTURE_SHARED_DATA) / "fhir-r4" / "examples";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 0u) << "no examples in " << dir;
  std::size_t ok = 0, bytes = 0;
  std::chrono::nanoseconds decode_time{0};
  Arena arena;
  for (const auto& file : files) {
    std::string text = read_file(file);
    arena.reset();
    auto start = std::chrono::steady_clock::now();
    auto result = json::decode_fhir(text, fhir(), arena, reject());
    decode_time += std::chrono::steady_clock::now() - start;
    bytes += text.size();
    if (!result) {
      ADD_FAILURE() << file.filename() << ": " << result.error->code << " at " << result.error->path << ": "
                    << result.error->message;
      continue;
    }
    std::string encoded;
    json::encode_fhir(*result.record, encoded);
    if (canonical(encoded) != canonical(text)) {
      ADD_FAILURE() << file.filename() << ": re-encoded JSON differs\n" << encoded.substr(0, 2000);
      continue;
    }
    // The encoding is a fixed point.
    Arena again;
    auto second = json::decode_fhir(encoded, fhir(), again, reject());
    ASSERT_TRUE(second) << file.filename();
    std::string reencoded;
    json::encode_fhir(*second.record, reencoded);
    EXPECT_EQ(reencoded, encoded) << file.filename();
    ++ok;
  }
  double seconds = std::chrono::duration<double>(decode_time).count();
  std::cout << "[ info ] " << ok << "/" << files.size() << " FHIR examples round-trip; decoded " << bytes
            << " bytes in " << seconds * 1e3 << " ms (" << (seconds > 0 ? bytes / seconds / 1e6 : 0) << " MB/s)\n";
  EXPECT_EQ(ok, files.size());
}

// ---------------------------------------------------------------- FHIR rules

TEST(FhirDecode, DecimalKeepsItsText) {
  Arena a;
  auto r = json::decode_fhir(R"({"resourceType":"Observation","status":"final","code":{"text":"x"},
      "valueQuantity":{"value":1.50,"unit":"mg"}})",
                             fhir(), a);
  ASSERT_TRUE(r) << r.error->code << " " << r.error->path << " " << r.error->message;
  const sabi::Value& q = slot(*r.record, "valueQuantity");
  ASSERT_EQ(q.kind, sabi::Kind::Record);
  const sabi::Value& value = slot(*q.record, "value");
  EXPECT_EQ(value.kind, sabi::Kind::Decimal);
  EXPECT_EQ(value.str(), "1.50");
  std::string out;
  json::encode_fhir(*r.record, out);
  EXPECT_NE(out.find("\"value\":1.50"), std::string::npos) << out;
  EXPECT_EQ(out.rfind("{\"resourceType\":\"Observation\"", 0), 0u) << out;
}

TEST(FhirDecode, IntegersMustBeIntegers) {
  Arena a;
  expect_error(patient(a, R"({"resourceType":"Patient","multipleBirthInteger":1.5})"), "JSON_BAD_INTEGER",
               "$.multipleBirthInteger");
  expect_error(patient(a, R"({"resourceType":"Patient","multipleBirthInteger":9223372036854775808})"),
               "JSON_BAD_INTEGER", "$.multipleBirthInteger");
  // Beyond uint64 / double range simdjson's validation refuses the number itself (no path).
  expect_error(patient(a, R"({"resourceType":"Patient","multipleBirthInteger":99999999999999999999})"),
               "JSON_BAD_NUMBER", "$");
  auto ok = patient(a, R"({"resourceType":"Patient","multipleBirthInteger":-3})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(slot(*ok.record, "multipleBirthInteger").integer, -3);
}

TEST(FhirDecode, PrimitiveExtensions) {
  Arena a;
  std::string text =
      R"({"resourceType":"Patient","birthDate":"1970-03","_birthDate":{"extension":[{"url":"u","valueDateTime":"1970-03-30T14:35:00+01:00"}]},
    "name":[{"given":["Jim",null,"Bob"],"_given":[null,{"extension":[{"url":"v","valueString":"J."}]},null]}]})";
  auto r = patient(a, text);
  ASSERT_TRUE(r) << r.error->code << " " << r.error->path << " " << r.error->message;
  const sabi::Value& birth = slot(*r.record, "birthDate");
  EXPECT_EQ(birth.kind, sabi::Kind::Date);
  EXPECT_EQ(birth.precision, sabi::Precision::Month);
  EXPECT_EQ(ext(*r.record, "birthDate").kind, sabi::Kind::Json);
  EXPECT_EQ(ext(*r.record, "birthDate").str().substr(0, 13), R"({"extension":)");
  const sabi::Record& name = *slot(*r.record, "name").items[0].record;
  const sabi::Value& given = slot(name, "given");
  ASSERT_EQ(given.aux, 3u);
  EXPECT_EQ(given.items[1].kind, sabi::Kind::Null);
  EXPECT_EQ(given.items[2].str(), "Bob");
  EXPECT_EQ(ext(name, "given").str().front(), '[');
  std::string out;
  json::encode_fhir(*r.record, out);
  EXPECT_EQ(canonical(out), canonical(text));
  EXPECT_NE(out.find(R"("given":["Jim",null,"Bob"],"_given":[null,)"), std::string::npos) << out;

  expect_error(patient(a, R"({"resourceType":"Patient","_birthDate":[]})"), "JSON_WRONG_TYPE", "$._birthDate");
  expect_error(patient(a, R"({"resourceType":"Patient","birthDate":null})"), "JSON_NULL_NOT_ALLOWED", "$.birthDate");
  expect_error(patient(a, R"({"resourceType":"Patient","name":[null]})"), "JSON_NULL_NOT_ALLOWED", "$.name[0]");
}

TEST(FhirDecode, ChoiceConflict) {
  Arena a;
  expect_error(patient(a, R"({"resourceType":"Patient","deceasedBoolean":true,"deceasedDateTime":"2020-01-01"})"),
               "JSON_CHOICE_CONFLICT", "$.deceasedDateTime");
  expect_error(patient(a, R"({"resourceType":"Patient","deceasedBoolean":true,"_deceasedDateTime":{"id":"x"}})"),
               "JSON_CHOICE_CONFLICT", "$._deceasedDateTime");
  EXPECT_TRUE(patient(a, R"({"resourceType":"Patient","deceasedBoolean":true,"_deceasedBoolean":{"id":"x"}})"));
}

TEST(FhirDecode, ChoiceKindSaysWhichAlternativeIsPresent) {
  Arena a;
  const std::string json =
      R"({"resourceType":"Observation","status":"final","code":{"text":"t"},"valueQuantity":{"value":1.50}})";
  auto r = suture::runtime::json::decode_fhir(json, fhir(), a, {});
  ASSERT_TRUE(r) << r.error->code << " " << r.error->path;
  const sabi::FieldDesc* kind = r.record->desc->field("value");
  ASSERT_NE(kind, nullptr);
  EXPECT_TRUE(kind->choice_kind);
  const sabi::Value& v = r.record->slots[kind->slot];
  ASSERT_EQ(v.kind, sabi::Kind::Enum);
  EXPECT_STREQ(v.text, "Quantity");
  std::string out;
  suture::runtime::json::encode_fhir(*r.record, out);
  EXPECT_EQ(out.find("\"Quantity\""), std::string::npos) << out;  // derived, never written
  // Without any value[x] the kind is absent; a literal "value" member is not a member at all.
  auto none =
      suture::runtime::json::decode_fhir(R"({"resourceType":"Observation","status":"final","code":{}})", fhir(), a, {});
  ASSERT_TRUE(none);
  EXPECT_EQ(none.record->slots[kind->slot].kind, sabi::Kind::Absent);
  auto forged = suture::runtime::json::decode_fhir(
      R"({"resourceType":"Observation","status":"final","code":{},"value":"Quantity"})", fhir(), a, {});
  ASSERT_FALSE(forged);
  EXPECT_EQ(forged.error->code, "JSON_UNKNOWN_MEMBER");
}

TEST(FhirDecode, EnumCodes) {
  Arena a;
  auto r = patient(a, R"({"resourceType":"Patient","gender":"female"})");
  ASSERT_TRUE(r);
  const sabi::Value& g = slot(*r.record, "gender");
  EXPECT_EQ(g.kind, sabi::Kind::Enum);
  const sabi::FieldDesc* f = r.record->desc->field("gender");
  EXPECT_EQ(f->type.enumeration->codes[g.aux], "female");
  EXPECT_STREQ(g.text, "female");
  expect_error(patient(a, R"({"resourceType":"Patient","gender":"F"})"), "JSON_BAD_ENUM_CODE", "$.gender");
  expect_error(patient(a, R"({"resourceType":"Patient","address":[{},{"use":"holiday"}]})"), "JSON_BAD_ENUM_CODE",
               "$.address[1].use");
}

TEST(FhirDecode, Dates) {
  Arena a;
  auto date = [&](const std::string& v) {
    return patient(a, R"({"resourceType":"Patient","birthDate":")" + v + "\"}");
  };
  auto deceased = [&](const std::string& v) {
    return patient(a, R"({"resourceType":"Patient","deceasedDateTime":")" + v + "\"}");
  };
  for (const char* good : {"2001", "2001-02", "2001-02-28", "2000-02-29"}) EXPECT_TRUE(date(good)) << good;
  for (const char* bad : {"01", "2001-2", "2001-02-30", "2001-13", "2001-02-03T10:00:00Z", "2001-02-03 ", "0000"})
    expect_error(date(bad), "JSON_BAD_DATE", "$.birthDate");
  auto full = deceased("2015-02-07T13:28:17.239+02:00");
  ASSERT_TRUE(full);
  EXPECT_EQ(slot(*full.record, "deceasedDateTime").precision, sabi::Precision::Fraction);
  EXPECT_TRUE(slot(*full.record, "deceasedDateTime").flags & sabi::kHasOffset);
  auto year = deceased("2015");
  ASSERT_TRUE(year);
  EXPECT_EQ(slot(*year.record, "deceasedDateTime").precision, sabi::Precision::Year);
  EXPECT_FALSE(slot(*year.record, "deceasedDateTime").flags & sabi::kHasOffset);
  for (const char* bad :
       {"2015-02-07T13:28:17", "2015-02-07T13:28Z", "2015-02-07T25:00:00Z", "2015-02-07T13:28:17+15:00"})
    expect_error(deceased(bad), "JSON_BAD_DATE", "$.deceasedDateTime");
  // instant: full only
  expect_error(patient(a, R"({"resourceType":"Patient","meta":{"lastUpdated":"2015-02-07"}})"), "JSON_BAD_DATE",
               "$.meta.lastUpdated");
  EXPECT_TRUE(patient(a, R"({"resourceType":"Patient","meta":{"lastUpdated":"2015-02-07T13:28:17.239Z"}})"));
}

TEST(FhirDecode, UnknownMembers) {
  Arena a;
  std::string text =
      R"({"resourceType":"Patient","nickname":{"a":[1.0,"x"]},"active":true,"name":[{"text":"A","extra":1.10}]})";
  expect_error(patient(a, text), "JSON_UNKNOWN_MEMBER", "$.nickname");
  auto r = patient(a, text, keep());
  ASSERT_TRUE(r);
  ASSERT_EQ(r.record->unknown_count, 1u);
  EXPECT_EQ(std::string_view(r.record->unknown[0].key, r.record->unknown[0].key_size), "nickname");
  EXPECT_EQ(std::string_view(r.record->unknown[0].raw, r.record->unknown[0].raw_size), R"({"a":[1.0,"x"]})");
  std::string out;
  json::encode_fhir(*r.record, out);
  EXPECT_EQ(canonical(out), canonical(text));
  EXPECT_EQ(out.substr(out.size() - 28), R"(,"nickname":{"a":[1.0,"x"]}})") << out;
  // `_x` for a non-primitive is not an extension slot: unknown.
  expect_error(patient(a, R"({"resourceType":"Patient","_name":{}})"), "JSON_UNKNOWN_MEMBER", "$._name");
}

TEST(FhirDecode, ResourceType) {
  Arena a;
  expect_error(patient(a, R"({"active":true})"), "JSON_MISSING_RESOURCE_TYPE", "$");
  expect_error(patient(a, R"({"resourceType":"Nope"})"), "JSON_UNKNOWN_RESOURCE_TYPE", "$.resourceType");
  expect_error(patient(a, R"({"resourceType":7})"), "JSON_WRONG_TYPE", "$.resourceType");
  expect_error(json::decode_fhir_as(R"({"resourceType":"Observation"})", *fhir().resource("Patient"), a),
               "JSON_RESOURCE_TYPE_MISMATCH", "$.resourceType");
  expect_error(json::decode_fhir_as(R"({"active":true})", *fhir().resource("Patient"), a), "JSON_MISSING_RESOURCE_TYPE",
               "$");
  // Resource-typed elements stay raw JSON.
  auto r = patient(a, R"({"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o1"}]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(slot(*r.record, "contained").items[0].kind, sabi::Kind::Json);
}

TEST(FhirDecode, WrongTypesAndMalformedJson) {
  Arena a;
  expect_error(patient(a, R"({"resourceType":"Patient","active":"yes"})"), "JSON_WRONG_TYPE", "$.active");
  expect_error(patient(a, R"({"resourceType":"Patient","name":{"text":"x"}})"), "JSON_WRONG_TYPE", "$.name");
  expect_error(patient(a, R"({"resourceType":"Patient","name":[{"given":[1]}]})"), "JSON_WRONG_TYPE",
               "$.name[0].given[0]");
  expect_error(patient(a, R"({"resourceType":"Patient","active":true,"active":false})"), "JSON_DUPLICATE_MEMBER",
               "$.active");
  expect_error(patient(a, R"([1,2])"), "JSON_WRONG_TYPE", "$");
  for (std::string bad : {R"({"resourceType":"Patient",)", R"({"resourceType":"Patient"} x)", R"({"a":tru})", "",
                          R"({"a":"\x"})", "{\"a\":\"\x01\"}"})
    expect_error(patient(a, bad), "JSON_MALFORMED", "$");
  expect_error(patient(a, "{\"resourceType\":\"Pat\xff\"}"), "JSON_INVALID_UTF8", "$");
  expect_error(patient(a, R"({"a":01})"), "JSON_BAD_NUMBER", "$");
  // Extensions are raw text, yet still validated JSON.
  expect_error(patient(a, R"({"resourceType":"Patient","_birthDate":{"a":[1,]}})"), "JSON_MALFORMED", "$");
}

TEST(FhirDecode, Limits) {
  Arena a;
  json::DecodeOptions small;
  small.max_bytes = 10;
  expect_error(patient(a, R"({"resourceType":"Patient"})", small), "JSON_TOO_LARGE", "$");
  std::string deep = R"({"resourceType":"Patient","_birthDate":)";
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  deep += "}";
  expect_error(patient(a, deep), "JSON_TOO_DEEP", "$");
  json::DecodeOptions shallow;
  shallow.max_depth = 2;
  expect_error(patient(a, R"({"resourceType":"Patient","name":[{"text":"x"}]})", shallow), "JSON_TOO_DEEP", "$");
}

TEST(FhirDecode, RequiredMembers) {
  Arena a;
  expect_error(patient(a, R"({"resourceType":"Patient","extension":[{"valueString":"x"}]})"), "JSON_MISSING_MEMBER",
               "$.extension[0]");
}

TEST(FhirEncode, EscapesStringsAndKeepsUnicode) {
  Arena a;
  std::string text = R"({"resourceType":"Patient","id":"a\"b\\c\n\u0001é\u00e9"})";
  auto r = patient(a, text);
  ASSERT_TRUE(r);
  EXPECT_EQ(slot(*r.record, "id").str(), "a\"b\\c\n\x01\xc3\xa9\xc3\xa9");
  std::string out;
  json::encode_fhir(*r.record, out);
  EXPECT_EQ(out, "{\"resourceType\":\"Patient\",\"id\":\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\xc3\xa9\"}");
}

TEST(FhirDecode, InputMayBeFreedAfterDecoding) {
  Arena a;
  auto text = std::make_unique<std::string>(R"({"resourceType":"Patient","id":"p1","birthDate":"1970"})");
  auto r = patient(a, *text);
  ASSERT_TRUE(r);
  text.reset();
  EXPECT_EQ(slot(*r.record, "id").str(), "p1");
}

// ---------------------------------------------------------------- Odoo

TEST(OdooDecode, EveryWebhookBody) {
  std::ifstream in(fs::path(SUTURE_SHARED_DATA) / "odoo17" / "webhooks.jsonl");
  std::size_t count = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    auto webhook = nlohmann::json::parse(line);
    std::string body = webhook["body"].dump();
    Arena a;
    const sabi::RecordDesc& desc = model(webhook["body"]["_model"].get<std::string>());
    auto r = json::decode_odoo(body, desc, a, reject());
    ASSERT_TRUE(r) << body << "\n" << r.error->code << " at " << r.error->path << ": " << r.error->message;
    EXPECT_EQ(r.record->unknown_count, 3u);  // _action, _id, _model
    // `false` → absent; present values as sent.
    for (auto& [key, value] : webhook["body"].items()) {
      const sabi::FieldDesc* f = desc.field(key);
      if (f == nullptr || f->name != key) continue;
      const sabi::Value& v = r.record->slots[f->slot];
      if (value.is_boolean() && !value.get<bool>() && f->type.kind != sabi::Kind::Bool) {
        EXPECT_EQ(v.kind, sabi::Kind::Absent) << key;
      } else {
        EXPECT_NE(v.kind, sabi::Kind::Absent) << key;
      }
      if (f->type.odoo_id && !f->type.list && value.is_number()) {
        EXPECT_EQ(v.integer, value.get<std::int64_t>());
      }
      if (key == "write_date") {
        EXPECT_EQ(v.kind, sabi::Kind::DateTime);
        EXPECT_EQ(v.precision, sabi::Precision::Fraction);
        // Odoo's naive UTC is held as ISO UTC ("…T…Z") so it compares with FHIR date-times.
        EXPECT_TRUE(v.flags & sabi::kHasOffset);
        EXPECT_EQ(v.str()[10], 'T');
        EXPECT_EQ(v.str().back(), 'Z');
      }
    }
    ++count;
  }
  EXPECT_GT(count, 0u);
  std::cout << "[ info ] " << count << " webhook bodies decode\n";
}

TEST(OdooDecode, EveryReadRecord) {
  auto all = nlohmann::json::parse(read_file(fs::path(SUTURE_SHARED_DATA) / "odoo17" / "records.json"));
  std::size_t count = 0;
  for (auto& [name, records] : all.items()) {
    // "stock.picking.done" is stock.picking read again after validation.
    std::string model_name = name == "stock.picking.done" ? "stock.picking" : name;
    const sabi::RecordDesc& desc = model(model_name);
    for (auto& record : records) {
      std::string text = record.dump();
      Arena a;
      auto r = json::decode_odoo(text, desc, a, reject());
      ASSERT_TRUE(r) << name << ": " << text << "\n"
                     << r.error->code << " at " << r.error->path << ": " << r.error->message;
      for (auto& [key, value] : record.items()) {
        const sabi::FieldDesc* f = desc.field(key);
        const sabi::Value& v = r.record->slots[f->slot];
        if (f->type.odoo_id && !f->type.list && value.is_array()) {
          EXPECT_EQ(v.kind, sabi::Kind::Int);
          EXPECT_EQ(v.integer, value[0].get<std::int64_t>());
          EXPECT_EQ(r.record->slots[f->extension_slot].str(), value[1].get<std::string>());
        }
        if (f->type.kind == sabi::Kind::Decimal && value.is_number()) {
          // The exact text: 7.3500000000000005 stays as Odoo wrote it.
          std::string raw = value.dump();
          if (text.find(raw) != std::string::npos) {
            EXPECT_EQ(v.str(), raw) << key;
          }
        }
      }
      ++count;
    }
  }
  EXPECT_GT(count, 0u);
  std::cout << "[ info ] " << count << " read() records decode\n";
}

TEST(OdooDecode, Rules) {
  Arena a;
  const sabi::RecordDesc& partner = model("res.partner");
  auto r =
      json::decode_odoo(R"({"id":3,"name":"X","email":false,"active":false,"parent_id":[9,"St. E"],"country_id":233,
      "category_id":[1,2],"write_date":"2026-11-24 13:43:45","date":"2026-11-24","lang":"en_US"})",
                        partner, a);
  ASSERT_TRUE(r) << r.error->code << " " << r.error->path;
  EXPECT_EQ(slot(*r.record, "email").kind, sabi::Kind::Absent);
  EXPECT_EQ(slot(*r.record, "active").kind, sabi::Kind::Bool);
  EXPECT_FALSE(slot(*r.record, "active").boolean);
  EXPECT_EQ(slot(*r.record, "parent_id").integer, 9);
  EXPECT_EQ(ext(*r.record, "parent_id").str(), "St. E");
  EXPECT_EQ(slot(*r.record, "country_id").integer, 233);
  EXPECT_EQ(ext(*r.record, "country_id").kind, sabi::Kind::Absent);
  EXPECT_EQ(slot(*r.record, "category_id").aux, 2u);
  EXPECT_EQ(slot(*r.record, "write_date").precision, sabi::Precision::Second);
  EXPECT_EQ(slot(*r.record, "date").precision, sabi::Precision::Day);

  expect_error(json::decode_odoo(R"({"name":true})", partner, a), "JSON_WRONG_TYPE", "$.name");
  expect_error(json::decode_odoo(R"({"write_date":"2026-11-24T13:43:45+02:00:00"})", partner, a), "JSON_BAD_DATE",
               "$.write_date");
  expect_error(json::decode_odoo(R"({"parent_id":[9]})", partner, a), "JSON_WRONG_TYPE", "$.parent_id");
  expect_error(json::decode_odoo(R"({"parent_id":["9","x"]})", partner, a), "JSON_WRONG_TYPE", "$.parent_id[0]");
  expect_error(json::decode_odoo(R"({"lang":"xx_XX"})", partner, a), "JSON_BAD_ENUM_CODE", "$.lang");
  expect_error(json::decode_odoo(R"({"_model":"stock.picking","id":1})", partner, a), "JSON_MODEL_MISMATCH",
               "$._model");
  expect_error(json::decode_odoo(R"({"x_custom":1})", partner, a), "JSON_UNKNOWN_MEMBER", "$.x_custom");
  auto kept = json::decode_odoo(R"({"x_custom":[1, 2.50]})", partner, a, keep());
  ASSERT_TRUE(kept);
  EXPECT_EQ(std::string_view(kept.record->unknown[0].raw, kept.record->unknown[0].raw_size), "[1, 2.50]");
  expect_error(json::decode_odoo(R"({"_parent_id":"x"})", partner, a), "JSON_UNKNOWN_MEMBER", "$._parent_id");
}

TEST(OdooEncode, Values) {
  Arena a;
  const sabi::RecordDesc& partner = model("res.partner");
  auto r =
      json::decode_odoo(R"({"id":11,"name":"Jane \"Q\" Doe","email":false,"is_company":false,"parent_id":[9,"St. E"],
      "category_id":[3,4],"create_date":"2026-11-24 13:43:45","credit_limit":1.50,"partner_latitude":7.3500000000000005,
      "signup_expiration":"2026-11-24 13:43:45.828494","lang":"en_US"})",
                        partner, a);
  ASSERT_TRUE(r) << r.error->code << " " << r.error->path;
  std::string vals;
  json::encode_odoo_values(*r.record, vals);
  // id and create_date are readonly, email is absent (false): none is written.
  auto parsed = nlohmann::json::parse(vals);
  EXPECT_FALSE(parsed.contains("id"));
  EXPECT_FALSE(parsed.contains("create_date"));
  EXPECT_FALSE(parsed.contains("email"));
  EXPECT_EQ(parsed["name"], "Jane \"Q\" Doe");
  EXPECT_EQ(parsed["is_company"], false);
  EXPECT_EQ(parsed["parent_id"], 9);
  EXPECT_EQ(parsed["category_id"], nlohmann::json::parse("[[6,0,[3,4]]]"));
  EXPECT_EQ(parsed["lang"], "en_US");
  EXPECT_EQ(parsed["signup_expiration"], "2026-11-24 13:43:45.828494");
  EXPECT_NE(vals.find("\"credit_limit\":1.50"), std::string::npos) << vals;
  EXPECT_NE(vals.find("\"partner_latitude\":7.3500000000000005"), std::string::npos) << vals;

  // Explicit Null clears; ISO datetimes with offsets become naive UTC.
  sabi::Record* rec = r.record;
  const sabi::FieldDesc* parent = partner.field("parent_id");
  rec->slots[parent->slot].kind = sabi::Kind::Null;
  sabi::Value& expiry = rec->slots[partner.field("signup_expiration")->slot];
  static const char iso[] = "2026-01-01T01:30:00+02:00";
  expiry.text = iso;
  expiry.aux = sizeof iso - 1;
  expiry.flags = sabi::kHasOffset;
  rec->slots[partner.field("category_id")->slot].kind = sabi::Kind::Null;
  vals.clear();
  json::encode_odoo_values(*rec, vals);
  parsed = nlohmann::json::parse(vals);
  EXPECT_EQ(parsed["parent_id"], false);
  EXPECT_EQ(parsed["signup_expiration"], "2025-12-31 23:30:00");
  EXPECT_EQ(parsed["category_id"], nlohmann::json::parse("[[6,0,[]]]"));
}

TEST(OdooEncode, WebhookRoundTripThroughVals) {
  std::ifstream in(fs::path(SUTURE_SHARED_DATA) / "odoo17" / "webhooks.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  auto body = nlohmann::json::parse(line)["body"];
  Arena a;
  const sabi::RecordDesc& partner = model("res.partner");
  auto r = json::decode_odoo(body.dump(), partner, a);
  ASSERT_TRUE(r);
  std::string vals;
  json::encode_odoo_values(*r.record, vals);
  auto parsed = nlohmann::json::parse(vals);
  for (auto& [key, value] : parsed.items()) {
    const sabi::FieldDesc* f = partner.field(key);
    ASSERT_TRUE(f != nullptr) << key;
    EXPECT_FALSE(f->readonly) << key;
    EXPECT_EQ(value, body[key]) << key;
  }
  EXPECT_EQ(parsed["country_id"], 233);
}

// ---------------------------------------------------------------- one pass

TEST(SinglePass, SyntaxErrorsAnywhereWinOverSchemaErrors) {
  Arena a;
  // A schema error first, malformed JSON later: the syntax error is reported, at "$".
  expect_error(patient(a, R"({"resourceType":"Patient","gender":"F","x":tru})"), "JSON_MALFORMED", "$");
  expect_error(patient(a, R"({"resourceType":"Patient","gender":"F","id":"\q"})"), "JSON_MALFORMED", "$");
  expect_error(patient(a, R"({"resourceType":"Patient","gender":"F","x":[1,2,]})"), "JSON_MALFORMED", "$");
  expect_error(patient(a, R"({"resourceType":"Patient","gender":"F","x":-01})"), "JSON_BAD_NUMBER", "$");
  expect_error(patient(a, R"({"resourceType":"Patient","gender":"F"}{})"), "JSON_MALFORMED", "$");
  // A value the walk reads is consumed, so a colon where a comma belongs is never taken for a key.
  expect_error(patient(a, R"({"resourceType":"Patient","id":"a":"b"})"), "JSON_MALFORMED", "$");
  expect_error(patient(a, R"({"resourceType":"Patient","multipleBirthInteger":2:"b"})"), "JSON_MALFORMED", "$");
  expect_error(patient(a, R"({"resourceType":"Patient","extension":[{"url":"u":"m"}},{"url":"v"}]})"), "JSON_MALFORMED",
               "$");
  expect_error(patient(a, R"({"resourceType":"Patient","x":{"k":"a":"b"}})", keep()), "JSON_MALFORMED", "$");
  // Kept members are walked too.
  expect_error(patient(a, R"({"resourceType":"Patient","x":{"a":[1,nul]}})", keep()), "JSON_MALFORMED", "$");
  expect_error(patient(a, R"({"resourceType":"Patient","x":{"a":1e999}})", keep()), "JSON_BAD_NUMBER", "$");
  expect_error(patient(a, R"({"resourceType":"Patient","active":tru})"), "JSON_MALFORMED", "$");
  expect_error(patient(a, R"({"resourceType":"Patient","birthDate":nul})"), "JSON_MALFORMED", "$");
  expect_error(patient(a, R"({"resourceType":"Patient"}{"resourceType":"Patient"})"), "JSON_MALFORMED", "$");
  expect_error(patient(a, R"({"resourceType":"Patient"} x)"), "JSON_MALFORMED", "$");
  expect_error(patient(a, "tru"), "JSON_MALFORMED", "$");
  expect_error(patient(a, "\"x\""), "JSON_WRONG_TYPE", "$");
  // Depth counts kept members.
  std::string deep = R"({"resourceType":"Patient","x":)";
  for (int i = 0; i < 70; ++i) deep += "[";
  for (int i = 0; i < 70; ++i) deep += "]";
  expect_error(patient(a, deep + "}", keep()), "JSON_TOO_DEEP", "$");
  // Escaped keys and strings.
  auto r = patient(a, R"({"resourceType":"Patient","\u0069d":"a\u00e9","gender":"fem\u0061le"})");
  ASSERT_TRUE(r) << r.error->code << " " << r.error->path;
  EXPECT_EQ(slot(*r.record, "id").str(), "a\xc3\xa9");
  EXPECT_STREQ(slot(*r.record, "gender").text, "female");
}

TEST(SinglePass, PaddedInputIsReadInPlace) {
  std::string buffer = R"({"resourceType":"Patient","id":"p1","name":[{"family":"Doe"}]})";
  std::size_t size = buffer.size();
  buffer.append(json::kInputPadding, '\0');
  Arena a;
  auto r = json::decode_fhir(json::PaddedInput{std::string_view(buffer.data(), size)}, fhir(), a);
  ASSERT_TRUE(r) << r.error->code;
  const sabi::Value& id = slot(*r.record, "id");
  EXPECT_EQ(id.str(), "p1");
  EXPECT_GE(id.text, buffer.data());  // a view into the caller's buffer: no copy
  EXPECT_LT(id.text, buffer.data() + size);
  // Errors are the same as with a copied input.
  std::string bad = R"({"resourceType":"Patient","gender":"F"})";
  bad.append(json::kInputPadding, ' ');
  expect_error(
      json::decode_fhir(json::PaddedInput{std::string_view(bad.data(), bad.size() - json::kInputPadding)}, fhir(), a),
      "JSON_BAD_ENUM_CODE", "$.gender");
  // Odoo too.
  std::string row = R"({"id":3,"name":"X"})";
  std::size_t row_size = row.size();
  row.append(json::kInputPadding, '\0');
  auto o = json::decode_odoo(json::PaddedInput{std::string_view(row.data(), row_size)}, model("res.partner"), a);
  ASSERT_TRUE(o);
  EXPECT_EQ(slot(*o.record, "name").text, row.data() + 16);
}

// ---------------------------------------------------------------- projection

namespace {

json::Projection partner_mapping_projection() {
  json::Projection p;
  const sabi::RecordDesc& pat = *fhir().resource("Patient");
  for (const char* path : {"id", "meta.security.code", "identifier.system", "identifier.value", "active", "name.use",
                           "name.family", "name.given", "telecom.system", "telecom.value", "gender", "birthDate",
                           "address.line", "address.city", "address.postalCode", "address.country"})
    EXPECT_TRUE(p.need_path(pat, path)) << path;
  return p;
}

const std::string kPatient =
    R"({"resourceType":"Patient","id":"pat-1","meta":{"versionId":"5","security":[{"system":"s","code":"R"}]},)"
    R"("text":{"status":"generated","div":"<div>x</div>"},"extension":[{"url":"u","valueCode":"F"}],)"
    R"("identifier":[{"use":"usual","system":"urn:oid:1","value":"MRN1"}],"active":false,)"
    R"("name":[{"use":"official","family":"García","given":["Uma","Tariq"]}],)"
    R"("telecom":[{"system":"phone","value":"+1","use":"work"}],"gender":"female","birthDate":"1958-08-19",)"
    R"("address":[{"use":"home","line":["285 Elm St"],"city":"Boston","state":"MA","postalCode":"02115"}],)"
    R"("maritalStatus":{"coding":[{"code":"W"}]},"deceasedBoolean":false,"x-vendor":{"anything":[1,2]}})";

}  // namespace

TEST(Projection, DecodesOnlyTheNeededFields) {
  json::Projection projection = partner_mapping_projection();
  json::DecodeOptions o;
  o.projection = &projection;  // Unknown::Reject, yet x-vendor is skipped, not an error
  Arena a;
  auto r = patient(a, kPatient, o);
  ASSERT_TRUE(r) << r.error->code << " " << r.error->path << " " << r.error->message;
  EXPECT_EQ(slot(*r.record, "id").str(), "pat-1");
  EXPECT_FALSE(slot(*r.record, "active").boolean);
  EXPECT_STREQ(slot(*r.record, "gender").text, "female");
  EXPECT_EQ(slot(*r.record, "birthDate").precision, sabi::Precision::Day);
  EXPECT_EQ(slot(*r.record, "text").kind, sabi::Kind::Absent);
  EXPECT_EQ(slot(*r.record, "extension").kind, sabi::Kind::Absent);
  EXPECT_EQ(slot(*r.record, "maritalStatus").kind, sabi::Kind::Absent);
  EXPECT_EQ(slot(*r.record, "deceasedBoolean").kind, sabi::Kind::Absent);
  EXPECT_EQ(r.record->unknown_count, 0u);
  const sabi::Record& meta = *slot(*r.record, "meta").record;
  EXPECT_EQ(slot(meta, "versionId").kind, sabi::Kind::Absent);
  const sabi::Record& security = *slot(meta, "security").items[0].record;
  EXPECT_EQ(slot(security, "code").str(), "R");
  EXPECT_EQ(slot(security, "system").kind, sabi::Kind::Absent);
  const sabi::Record& name = *slot(*r.record, "name").items[0].record;
  EXPECT_EQ(slot(name, "family").str(), "García");
  EXPECT_EQ(slot(name, "given").aux, 2u);
  const sabi::Record& address = *slot(*r.record, "address").items[0].record;
  EXPECT_EQ(slot(address, "line").items[0].str(), "285 Elm St");
  EXPECT_EQ(slot(address, "use").kind, sabi::Kind::Absent);
  EXPECT_EQ(slot(address, "state").kind, sabi::Kind::Absent);
  EXPECT_EQ(slot(address, "country").kind, sabi::Kind::Absent);

  // Needed fields hold exactly what a full decode gives them.
  Arena b;
  auto full = patient(b, kPatient, keep());
  ASSERT_TRUE(full);
  EXPECT_EQ(slot(*full.record, "id").str(), slot(*r.record, "id").str());
  EXPECT_EQ(slot(*full.record->slots[full.record->desc->field("name")->slot].items[0].record, "family").str(),
            "García");
}

TEST(Projection, NeededMembersAreCheckedSkippedOnesAreNot) {
  json::Projection projection = partner_mapping_projection();
  json::DecodeOptions o;
  o.projection = &projection;
  Arena a;
  // Errors in needed members, with their paths.
  expect_error(patient(a, R"({"resourceType":"Patient","gender":"F"})", o), "JSON_BAD_ENUM_CODE", "$.gender");
  expect_error(patient(a, R"({"resourceType":"Patient","name":[{"given":[1]}]})", o), "JSON_WRONG_TYPE",
               "$.name[0].given[0]");
  expect_error(patient(a, R"({"resourceType":"Patient","active":true,"active":false})", o), "JSON_DUPLICATE_MEMBER",
               "$.active");
  expect_error(patient(a, R"({"resourceType":"Patient","active":tru})", o), "JSON_MALFORMED", "$");
  // A resource the projection says nothing of: nothing is needed, so nothing is required.
  EXPECT_TRUE(patient(a, R"({"resourceType":"Observation"})", o));
  // Skipped members: not decoded, so not checked beyond what skipping needs.
  EXPECT_TRUE(patient(a, R"({"resourceType":"Patient","text":{"div":tru,"x":[1,,]},"id":"a"})", o));
  EXPECT_TRUE(patient(a, R"({"resourceType":"Patient","deceasedBoolean":"yes","maritalStatus":-01})", o));
  EXPECT_TRUE(patient(a, R"({"resourceType":"Patient","nickname":"\q"})", o));
  EXPECT_TRUE(patient(a, R"({"resourceType":"Patient","extension":[{"valueString":"no url"}]})", o));
  // …but the whole text is still UTF-8, brackets must match, and nothing may follow the root.
  expect_error(patient(a, "{\"resourceType\":\"Patient\",\"text\":\"\xff\"}", o), "JSON_INVALID_UTF8", "$");
  expect_error(patient(a, "{\"resourceType\":\"Patient\",\"text\":\"\x01\"}", o), "JSON_MALFORMED", "$");
  expect_error(patient(a, R"({"resourceType":"Patient","text":{"div":[}})", o), "JSON_MALFORMED", "$");
  expect_error(patient(a, R"({"resourceType":"Patient"}{})", o), "JSON_MALFORMED", "$");
  expect_error(patient(a, R"({"resourceType":"Nope"})", o), "JSON_UNKNOWN_RESOURCE_TYPE", "$.resourceType");
  expect_error(patient(a, R"({"id":"x"})", o), "JSON_MISSING_RESOURCE_TYPE", "$");
}

TEST(Projection, RequiredChecksOnlyForNeededFields) {
  Arena a;
  const sabi::RecordDesc& pat = *fhir().resource("Patient");
  json::Projection only_value;
  ASSERT_TRUE(only_value.need_path(pat, "extension.valueString"));
  json::DecodeOptions o;
  o.projection = &only_value;
  const std::string text = R"({"resourceType":"Patient","extension":[{"valueString":"x"}]})";
  EXPECT_TRUE(patient(a, text, o));  // Extension.url is required, but no rule reads it
  json::Projection with_url;
  ASSERT_TRUE(with_url.need_path(pat, "extension.url"));
  o.projection = &with_url;
  expect_error(patient(a, text, o), "JSON_MISSING_MEMBER", "$.extension[0]");
  EXPECT_FALSE(with_url.need_path(pat, "extension.nope"));
  EXPECT_FALSE(with_url.need_path(pat, "id.value"));  // id is a string: no fields below it
}

TEST(Projection, ChoiceKindsAreFilledForNeededGroups) {
  Arena a;
  const sabi::RecordDesc& obs = *fhir().resource("Observation");
  const sabi::FieldDesc* kind = obs.field("value");
  ASSERT_TRUE(kind != nullptr && kind->choice_kind);
  const std::string text = R"({"resourceType":"Observation","status":"final","code":{},"valueString":"s"})";
  // Needing one alternative needs the group: the kind says which alternative is present.
  json::Projection one;
  ASSERT_TRUE(one.need_path(obs, "valueQuantity.value"));
  json::DecodeOptions o;
  o.projection = &one;
  auto r = json::decode_fhir(text, fhir(), a, o);
  ASSERT_TRUE(r) << r.error->code << " " << r.error->path;
  EXPECT_STREQ(r.record->slots[kind->slot].text, "String");
  EXPECT_EQ(slot(*r.record, "valueString").str(), "s");
  EXPECT_EQ(slot(*r.record, "status").kind, sabi::Kind::Absent);
  // Needing the kind alone does the same.
  json::Projection by_kind;
  by_kind.need(obs, static_cast<std::uint32_t>(kind - obs.fields.data()));
  o.projection = &by_kind;
  r = json::decode_fhir(text, fhir(), a, o);
  ASSERT_TRUE(r);
  EXPECT_STREQ(r.record->slots[kind->slot].text, "String");
  expect_error(
      json::decode_fhir(R"({"resourceType":"Observation","valueString":"s","valueBoolean":true})", fhir(), a, o),
      "JSON_CHOICE_CONFLICT", "$.valueBoolean");
  // A group nobody needs: its kind stays absent.
  json::Projection status;
  ASSERT_TRUE(status.need_path(obs, "status"));
  o.projection = &status;
  r = json::decode_fhir(text, fhir(), a, o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r.record->slots[kind->slot].kind, sabi::Kind::Absent);
}

TEST(Projection, NeedAllMatchesAFullDecode) {
  const sabi::RecordDesc& pat = *fhir().resource("Patient");
  json::Projection all;
  all.need_all(pat);
  json::DecodeOptions o;
  o.projection = &all;
  Arena a, b;
  std::string text = kPatient;
  text.replace(text.find(R"(,"x-vendor")"), std::string::npos, "}");  // projections never keep unknown members
  auto r = patient(a, text, o);
  auto full = patient(b, text);
  ASSERT_TRUE(r) << r.error->code << " " << r.error->path;
  ASSERT_TRUE(full);
  std::string x, y;
  json::encode_fhir(*r.record, x);
  json::encode_fhir(*full.record, y);
  EXPECT_EQ(x, y);
}

TEST(Projection, Odoo) {
  const sabi::RecordDesc& partner = model("res.partner");
  json::Projection p;
  ASSERT_TRUE(p.need_path(partner, "name"));
  ASSERT_TRUE(p.need_path(partner, "parent_id"));
  json::DecodeOptions o;
  o.projection = &p;
  Arena a;
  auto r = json::decode_odoo(
      R"({"_model":"res.partner","id":3,"name":"X","email":tru,"x_custom":1,"parent_id":[9,"E"]})", partner, a, o);
  ASSERT_TRUE(r) << r.error->code << " " << r.error->path;
  EXPECT_EQ(slot(*r.record, "name").str(), "X");
  EXPECT_EQ(slot(*r.record, "id").kind, sabi::Kind::Absent);
  EXPECT_EQ(slot(*r.record, "parent_id").integer, 9);
  EXPECT_EQ(ext(*r.record, "parent_id").str(), "E");
  EXPECT_EQ(r.record->unknown_count, 0u);
  expect_error(json::decode_odoo(R"({"_model":"stock.picking","name":"X"})", partner, a, o), "JSON_MODEL_MISMATCH",
               "$._model");
  expect_error(json::decode_odoo(R"({"name":7})", partner, a, o), "JSON_WRONG_TYPE", "$.name");
}

// ---------------------------------------------------------------- writing like jq

TEST(JsonWriter, StringsAreByteIdenticalToJq) {
  // Expected outputs captured from `jq -c .` (jq 1.6) on a JSON string holding the input bytes.
  // clang-format off
  const std::vector<std::pair<std::string, std::string>> cases = {
      {std::string("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f !\x22#$%&'()*+,-./0123456789:;<=>\x3f@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\x5c]^_`abcdefghijklmnopqrstuvwxyz{|}~\x7f", 128),
       std::string("\x22\x5cu0000\x5cu0001\x5cu0002\x5cu0003\x5cu0004\x5cu0005\x5cu0006\x5cu0007\x5c" "b\x5ct\x5cn\x5cu000b\x5c" "f\x5cr\x5cu000e\x5cu000f\x5cu0010\x5cu0011\x5cu0012\x5cu0013\x5cu0014\x5cu0015\x5cu0016\x5cu0017\x5cu0018\x5cu0019\x5cu001a\x5cu001b\x5cu001c\x5cu001d\x5cu001e\x5cu001f !\x5c\x22#$%&'()*+,-./0123456789:;<=>\x3f@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\x5c\x5c]^_`abcdefghijklmnopqrstuvwxyz{|}~\x5cu007f\x22", 277)},
      {std::string("\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80\xef\xbf\xbf\xf4\x8f\xbf\xbf", 16),
       std::string("\x22\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80\xef\xbf\xbf\xf4\x8f\xbf\xbf\x22", 18)},
      {std::string("\xff", 1),
       std::string("\x22\xef\xbf\xbd\x22", 5)},
      {std::string("\xc3", 1),
       std::string("\x22\xef\xbf\xbd\x22", 5)},
      {std::string("\xc3(", 2),
       std::string("\x22\xef\xbf\xbd(\x22", 6)},
      {std::string("a\xe2\x82" "b", 4),
       std::string("\x22" "a\xef\xbf\xbd" "b\x22", 7)},
      {std::string("\xed\xa0\x80", 3),
       std::string("\x22\xef\xbf\xbd\x22", 5)},
      {std::string("\xc0\xaf", 2),
       std::string("\x22\xef\xbf\xbd\xef\xbf\xbd\x22", 8)},
      {std::string("\xf4\x90\x80\x80", 4),
       std::string("\x22\xef\xbf\xbd\x22", 5)},
      {std::string("\xf8\x88\x80\x80\x80", 5),
       std::string("\x22\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\x22", 17)},
      {std::string("\x80", 1),
       std::string("\x22\xef\xbf\xbd\x22", 5)},
      {std::string("\xe0\x80\xaf", 3),
       std::string("\x22\xef\xbf\xbd\x22", 5)},
      {std::string("\xe2(", 2),
       std::string("\x22\xef\xbf\xbd\x22", 5)},
      {std::string("x\xf0\x90", 3),
       std::string("\x22x\xef\xbf\xbd\x22", 6)},
      {std::string("\xe1\x80\xc3\xa9", 4),
       std::string("\x22\xef\xbf\xbd\xc3\xa9\x22", 7)},
      {std::string("\xc2\x7f", 2),
       std::string("\x22\xef\xbf\xbd\x5cu007f\x22", 11)},
      {std::string("Ren\xc3\xa9" "e \x22Q\x22 O'Brien\x5c\x09\x7f", 21),
       std::string("\x22Ren\xc3\xa9" "e \x5c\x22Q\x5c\x22 O'Brien\x5c\x5c\x5ct\x5cu007f\x22", 32)},
      {std::string("abcdefghijklmnopqrstuvwxyz0123456789\xc3\xa9" "abcdefgh\x22", 47),
       std::string("\x22" "abcdefghijklmnopqrstuvwxyz0123456789\xc3\xa9" "abcdefgh\x5c\x22\x22", 50)},
      {std::string("", 0),
       std::string("\x22\x22", 2)},
  };
  // clang-format on
  for (const auto& [input, expected] : cases) {
    std::string out;
    json::write_string(out, input);
    EXPECT_EQ(out, expected) << nlohmann::json(input).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  }
  // Runs of plain text around escapes, at every offset of the 8-byte fast path.
  for (std::size_t pad = 0; pad < 20; ++pad) {
    std::string input = std::string(pad, 'a') + "\"" + std::string(pad, 'b') + "\xc3\xa9\x7f";
    std::string out;
    json::write_string(out, input);
    EXPECT_EQ(out, "\"" + std::string(pad, 'a') + "\\\"" + std::string(pad, 'b') + "\xc3\xa9\\u007f\"");
  }
}

TEST(OdooEncode, RowWritesEveryFieldLikeRead) {
  const sabi::RecordDesc& partner = model("res.partner");
  Arena a;
  auto r = json::decode_odoo(R"({"id":3,"name":"Ren\u00e9e \"Q\"","email":false,"active":true,"parent_id":[9,"St. E"],
      "country_id":233,"category_id":[1,2],"write_date":"2026-11-24 13:43:45","credit_limit":1.50})",
                             partner, a);
  ASSERT_TRUE(r) << r.error->code << " " << r.error->path;
  std::string row;
  json::encode_odoo_row(*r.record, row);
  EXPECT_EQ(row.find(' ', row.find("Ren")), row.find("Ren") + 6) << row;  // only the space inside the name
  // Every field, in declaration order, `false` for no value.
  auto parsed = nlohmann::ordered_json::parse(row);
  std::vector<std::string> keys;
  for (auto& [k, v] : parsed.items()) keys.push_back(k);
  std::vector<std::string> declared;
  for (const sabi::FieldDesc& f : partner.fields)
    if (!f.choice_kind) declared.push_back(f.name);
  EXPECT_EQ(keys, declared);
  EXPECT_EQ(parsed["email"], false);
  EXPECT_EQ(parsed["active"], true);
  EXPECT_EQ(parsed["parent_id"], nlohmann::json::parse(R"([9,"St. E"])"));
  EXPECT_EQ(parsed["country_id"], 233);
  EXPECT_EQ(parsed["category_id"], nlohmann::json::parse("[1,2]"));
  EXPECT_EQ(parsed["write_date"], "2026-11-24 13:43:45");
  EXPECT_NE(row.find(R"("name":"Renée \"Q\"",)"), std::string::npos) << row;
  EXPECT_NE(row.find(R"("credit_limit":1.50)"), std::string::npos) << row;
  EXPECT_EQ(row.find('\n'), std::string::npos);
}
