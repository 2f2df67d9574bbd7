// exec_test.cpp — compiled mappings run end to end in process: spec → IR → LLVM IR → JIT (the
// engine with every native registered) → entry point on decoded messages → encoded output,
// compared with what the benchmark's jq program writes for the same patients.
#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/driver/build_run.h"
#include "compiler/driver/pack_output.h"
#include "compiler/ir/evaluate.h"
#include "compiler/ir/optimise.h"
#include "runtime/codecs/hl7v2/er7.h"
#include "runtime/codecs/hl7v2/typed.h"
#include "runtime/codecs/json/json.h"
#include "runtime/exec/engine.h"
#include "runtime/exec/policy_runner.h"

namespace fs = std::filesystem;
using namespace suture;

namespace {

const fs::path kRoot = fs::path(SUTURE_SOURCE_DIR);

std::vector<std::string> lines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

struct Compiled {
  std::unique_ptr<driver::BuildRun> run;
  std::unique_ptr<runtime::Engine> engine;
  runtime::EntryPoint entry = nullptr;
  std::unique_ptr<runtime::SchemaTables> tables;
};

Compiled compile(const fs::path& spec, const std::string& symbol) {
  Compiled c;
  c.run = driver::build_paths({spec.string()}, kRoot / "stdlib", {});
  EXPECT_TRUE(c.run->module) << "the spec did not build";
  if (!c.run->module) return c;
  auto engine = runtime::Engine::create();
  EXPECT_TRUE(std::holds_alternative<std::unique_ptr<runtime::Engine>>(engine)) << std::get<std::string>(engine);
  c.engine = std::move(std::get<std::unique_ptr<runtime::Engine>>(engine));
  auto module = c.engine->load_ir(c.run->llvm_ir, "test");
  EXPECT_TRUE(std::holds_alternative<runtime::jit::ModuleHandle*>(module)) << std::get<std::string>(module);
  auto entry = c.engine->entry(std::get<runtime::jit::ModuleHandle*>(module), symbol);
  EXPECT_TRUE(std::holds_alternative<runtime::EntryPoint>(entry)) << std::get<std::string>(entry);
  c.entry = std::get<runtime::EntryPoint>(entry);
  c.tables = std::make_unique<runtime::SchemaTables>(c.run->module->schemas);
  return c;
}

// Runs one message: decoded as FHIR, mapped, written as an Odoo row; or the rejection.
std::string map_one(const Compiled& c, const std::string& json, const runtime::json::Projection* projection) {
  runtime::Arena arena;
  const ir::Function& f = c.run->module->functions.at(0);
  runtime::json::DecodeOptions options;
  options.projection = projection;
  options.unknown = runtime::json::Unknown::Keep;
  auto decoded = runtime::json::decode_fhir_as(json, *f.params[0]->record, arena, options);
  if (!decoded) return "decode error " + decoded.error->code + " at " + decoded.error->path;
  runtime::ExecContext ctx;
  c.tables->bind(ctx, arena);
  suture::abi::Value in, out;
  in.kind = suture::abi::Kind::Record;
  in.record = decoded.record;
  if (c.entry(&ctx, &out, &in) != 0) return "rejected " + ctx.error.code + " at " + ctx.error.path;
  std::string row;
  runtime::json::encode_odoo_row(*out.record, row);
  return row;
}

class PatientPartner : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    compiled_ = new Compiled(
        compile(kRoot / "tests" / "bench" / "patient_partner.sut", "bench.patient_partner.patient_partner"));
  }
  static void TearDownTestSuite() { delete compiled_; }
  static Compiled* compiled_;
};
Compiled* PatientPartner::compiled_ = nullptr;

TEST_F(PatientPartner, MatchesTheJqProgramByteForByte) {
  ASSERT_TRUE(compiled_->entry);
  auto inputs = lines(kRoot / "tests" / "fixtures" / "patients3.ndjson");
  auto expected = lines(kRoot / "tests" / "fixtures" / "patients3.partner.ndjson");
  ASSERT_EQ(inputs.size(), expected.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) EXPECT_EQ(map_one(*compiled_, inputs[i], nullptr), expected[i]);
}

TEST_F(PatientPartner, ProjectedDecodingGivesTheSameRows) {
  ASSERT_TRUE(compiled_->entry);
  const ir::Module& module = *compiled_->run->module;
  runtime::json::Projection projection;
  for (const auto& [record, flags] : ir::fields_read(module, module.functions[0]))
    for (std::uint32_t i = 0; i < flags.size(); ++i)
      if (flags[i]) projection.need(module.schemas.records()[record], i);
  auto inputs = lines(kRoot / "tests" / "fixtures" / "patients3.ndjson");
  auto expected = lines(kRoot / "tests" / "fixtures" / "patients3.partner.ndjson");
  for (std::size_t i = 0; i < inputs.size(); ++i) EXPECT_EQ(map_one(*compiled_, inputs[i], &projection), expected[i]);
}

TEST_F(PatientPartner, APatientWithoutIdIsRejectedAtItsPath) {
  ASSERT_TRUE(compiled_->entry);
  EXPECT_EQ(map_one(*compiled_, R"({"resourceType":"Patient","name":[{"use":"official","family":"Doe"}]})", nullptr),
            "rejected PATIENT_NO_ID at $.id");
}

TEST_F(PatientPartner, RestrictedPatientsLoseTheirContacts) {
  ASSERT_TRUE(compiled_->entry);
  std::string row = map_one(*compiled_,
                            R"({"resourceType":"Patient","id":"x","meta":{"security":[{"code":"V"}]},)"
                            R"("telecom":[{"system":"email","value":"a@b.c"}],"gender":"female"})",
                            nullptr);
  EXPECT_EQ(row,
            R"({"name":" ","ref":false,"email":false,"phone":false,"street":false,"city":false,"zip":false,)"
            R"("country_code":false,"active":true,"comment":"FHIR Patient/x","x_birthdate":false,"x_gender":"f"})");
}

// Every spec under tests/build/ir builds into LLVM IR the JIT accepts.
TEST(Exec, EveryBuildCaseCompiles) {
  auto made = runtime::Engine::create();
  ASSERT_TRUE(std::holds_alternative<std::unique_ptr<runtime::Engine>>(made));
  auto& engine = *std::get<std::unique_ptr<runtime::Engine>>(made);
  for (const auto& entry : fs::directory_iterator(kRoot / "tests" / "build" / "ir")) {
    if (entry.path().extension() != ".sut") continue;
    auto run = driver::build_paths({entry.path().string()}, kRoot / "stdlib", {});
    ASSERT_TRUE(run->module) << entry.path();
    auto module = engine.load_ir(run->llvm_ir, entry.path().stem().string());
    EXPECT_TRUE(std::holds_alternative<runtime::jit::ModuleHandle*>(module))
        << entry.path() << ": " << std::get<std::string>(module);
  }
}

// Every spec under tests/build/ir that maps a FHIR resource runs, JIT-compiled and in the
// reference evaluator, on every example of that resource in ../shared/data: both must accept or
// reject alike and write the same bytes.
TEST(Exec, JitAgreesWithTheEvaluatorOnRealExamples) {
  auto made = runtime::Engine::create();
  ASSERT_TRUE(std::holds_alternative<std::unique_ptr<runtime::Engine>>(made));
  auto& engine = *std::get<std::unique_ptr<runtime::Engine>>(made);
  const fs::path examples = kRoot / ".." / "shared" / "data" / "fhir-r4" / "examples";
  ASSERT_TRUE(fs::exists(examples));
  std::size_t compared = 0;
  for (const auto& spec : fs::directory_iterator(kRoot / "tests" / "build" / "ir")) {
    if (spec.path().extension() != ".sut") continue;
    auto run = driver::build_paths({spec.path().string()}, kRoot / "stdlib", {});
    ASSERT_TRUE(run->module) << spec.path();
    auto module = engine.load_ir(run->llvm_ir, spec.path().stem().string());
    ASSERT_TRUE(std::holds_alternative<runtime::jit::ModuleHandle*>(module));
    runtime::SchemaTables tables(run->module->schemas);
    for (const ir::Function& f : run->module->functions) {
      const suture::abi::RecordDesc* input = f.params[0]->record;
      if (input == nullptr || input->resource_type.empty()) continue;
      auto entry = engine.entry(std::get<runtime::jit::ModuleHandle*>(module), f.symbol);
      ASSERT_TRUE(std::holds_alternative<runtime::EntryPoint>(entry));
      for (const auto& example : fs::directory_iterator(examples)) {
        if (example.path().filename().string().rfind(input->resource_type + "-", 0) != 0) continue;
        std::ifstream in(example.path());
        std::stringstream text;
        text << in.rdbuf();
        runtime::Arena arena;
        runtime::json::DecodeOptions options;
        options.unknown = runtime::json::Unknown::Keep;
        auto decoded = runtime::json::decode_fhir_as(text.str(), *input, arena, options);
        if (!decoded) continue;  // the example needs what the stdlib does not model
        suture::abi::Value param;
        param.kind = suture::abi::Kind::Record;
        param.record = decoded.record;
        auto outcome = [&](bool jit) {
          runtime::ExecContext ctx;
          tables.bind(ctx, arena);
          suture::abi::Value out;
          bool ok = jit ? std::get<runtime::EntryPoint>(entry)(&ctx, &out, &param) == 0
                        : ir::evaluate(f, *run->module, ctx, {param}, out);
          if (!ok) return "rejected " + ctx.error.code + " at " + ctx.error.path;
          std::string bytes;
          runtime::json::encode_fhir(*out.record, bytes);
          return bytes;
        };
        EXPECT_EQ(outcome(true), outcome(false)) << spec.path().filename() << " on " << example.path().filename();
        ++compared;
      }
    }
  }
  EXPECT_GE(compared, 30u) << "too few real examples were compared";
}

// The policy of tests/build/ir/policy_access.sut on requests made from the real Patient
// examples carrying no, N, R and V confidentiality labels: the compiled policy and the reference
// evaluator must agree on every rule's status (skipped rules included), the decision, and the
// resource as the obligations left it.
TEST(Policy, JitAgreesWithTheEvaluatorOnLabelledExamples) {
  auto run =
      driver::build_paths({(kRoot / "tests" / "build" / "ir" / "policy_access.sut").string()}, kRoot / "stdlib", {});
  ASSERT_TRUE(run->module);
  const fs::path pack_path = fs::temp_directory_path() / "suture_policy_test.spk";
  ASSERT_TRUE(driver::write_pack_file(*run, pack_path.string()));
  auto loaded = pack::read_pack_file(pack_path.string());
  ASSERT_TRUE(std::holds_alternative<pack::LoadedPack>(loaded));
  const pack::LoadedPack& pack = std::get<pack::LoadedPack>(loaded);
  auto made = runtime::Engine::create();
  auto& engine = *std::get<std::unique_ptr<runtime::Engine>>(made);
  auto created = runtime::PolicyRunner::create(pack, engine, "access");
  ASSERT_TRUE(std::holds_alternative<std::unique_ptr<runtime::PolicyRunner>>(created))
      << std::get<std::string>(created);
  auto& runner = *std::get<std::unique_ptr<runtime::PolicyRunner>>(created);
  const std::string key = "test-key";
  std::vector<runtime::NamedKey> keys = {{"mrn-key", key}};
  runner.set_keys(keys);
  const ir::Function& f = run->module->functions.at(0);
  runtime::SchemaTables tables(*pack.schemas);
  std::size_t permits = 0, denies = 0, skipped = 0;
  for (const std::string& request : lines(kRoot / "tests" / "fixtures" / "policy_requests.ndjson")) {
    // The JIT through the runner; the evaluator on a fresh decode (obligations change messages).
    runtime::DecisionReport report;
    std::string jit_resource;
    auto rejection = runner.decide(request, false, report, &jit_resource);
    ASSERT_FALSE(rejection) << rejection->code << " at " << rejection->path;
    runtime::Arena arena;
    std::vector<suture::abi::Value> params;
    ASSERT_FALSE(runner.decode(request, arena, params));
    runtime::ExecContext ctx;
    tables.bind(ctx, arena);
    ctx.keys = keys.data();
    ctx.key_count = 1;
    suture::abi::Value outcome;
    ASSERT_TRUE(ir::evaluate(f, *run->module, ctx, params, outcome)) << ctx.error.code;
    EXPECT_EQ(outcome.record->slots[0].boolean, report.permitted) << request.substr(0, 200);
    std::vector<std::string> deciding, skipped_rules;
    std::vector<std::uint32_t> held = ctx.held;
    std::sort(held.begin(), held.end());
    for (std::uint32_t i : held)
      if (f.rules[i].kind == (report.permitted ? ir::RuleKind::Permit : ir::RuleKind::Forbid))
        deciding.push_back(f.rules[i].label);
    EXPECT_EQ(deciding, report.deciding);
    for (const auto& [index, error] : ctx.skipped) skipped_rules.push_back(f.rules[index].label + ":" + error.code);
    std::vector<std::string> reported;
    for (const auto& s : report.skipped) reported.push_back(s.rule + ":" + s.error.code);
    std::sort(skipped_rules.begin(), skipped_rules.end());
    std::sort(reported.begin(), reported.end());
    EXPECT_EQ(skipped_rules, reported);
    std::string evaluated = "\"res\":";
    runtime::json::encode_fhir(*params[2].record, evaluated);
    EXPECT_EQ(evaluated, jit_resource);
    (report.permitted ? permits : denies)++;
    skipped += report.skipped.size();
  }
  EXPECT_GT(permits, 5u);
  EXPECT_GT(denies, 5u);
  EXPECT_GT(skipped, 0u);
  fs::remove(pack_path);
}

// Labels R and V deny everyone without the phi.restricted scope; a permitted clinician sees
// the identifier masked, the birth date as a year and the id pseudonymised.
TEST(Policy, RedactionOnALabelledRealPatient) {
  auto run =
      driver::build_paths({(kRoot / "tests" / "build" / "ir" / "policy_access.sut").string()}, kRoot / "stdlib", {});
  ASSERT_TRUE(run->module);
  const fs::path pack_path = fs::temp_directory_path() / "suture_policy_test2.spk";
  ASSERT_TRUE(driver::write_pack_file(*run, pack_path.string()));
  auto loaded = pack::read_pack_file(pack_path.string());
  const pack::LoadedPack& pack = std::get<pack::LoadedPack>(loaded);
  auto made = runtime::Engine::create();
  auto& engine = *std::get<std::unique_ptr<runtime::Engine>>(made);
  auto created = runtime::PolicyRunner::create(pack, engine, "access");
  ASSERT_TRUE(std::holds_alternative<std::unique_ptr<runtime::PolicyRunner>>(created));
  auto& runner = *std::get<std::unique_ptr<runtime::PolicyRunner>>(created);
  const std::string key = "test-key";
  runner.set_keys({{"mrn-key", key}});
  std::ifstream in(kRoot / ".." / "shared" / "data" / "fhir-r4" / "examples" / "Patient-f001.json");
  std::stringstream text;
  text << in.rdbuf();
  const std::string clinician =
      R"({"id":"u1","kind":"human","role":"clinician","roles":[],"scopes":[],"attributes":{}})";
  const std::string officer =
      R"({"id":"u9","kind":"human","role":"clinician","roles":[],"scopes":["phi.restricted"],"attributes":{}})";
  std::string patient = text.str();
  auto with_label = [&](const std::string& code) {
    std::string labelled = patient;
    labelled.insert(labelled.find('{') + 1, R"("meta":{"security":[{"code":")" + code + R"("}]},)");
    return labelled;
  };
  for (const std::string code : {"R", "V"}) {
    runtime::DecisionReport report;
    auto rejection = runner.decide(
        R"({"principal":)" + clinician + R"(,"action":"read","res":)" + with_label(code) + "}", false, report);
    ASSERT_FALSE(rejection) << rejection->code << " " << rejection->path << " " << rejection->message;
    EXPECT_FALSE(report.permitted) << code;
    EXPECT_EQ(report.deciding, std::vector<std::string>{"restricted"});
    EXPECT_TRUE(report.obligations.empty());
  }
  runtime::DecisionReport report;
  std::string resource;
  auto rejection = runner.decide(R"({"principal":)" + officer + R"(,"action":"read","res":)" + with_label("V") + "}",
                                 false, report, &resource);
  ASSERT_FALSE(rejection);
  EXPECT_TRUE(report.permitted);
  EXPECT_NE(resource.find(R"("birthDate":"1944")"), std::string::npos) << resource;
  EXPECT_EQ(resource.find(R"("value":"738472983")"), std::string::npos) << "the identifier is masked: " << resource;
  EXPECT_NE(resource.find(R"("value":"*****2983")"), std::string::npos) << resource;
  EXPECT_EQ(resource.find("738472983"), std::string::npos) << "the narrative is redacted too: " << resource;
  EXPECT_EQ(resource.find(R"("id":"f001")"), std::string::npos) << "the id is pseudonymised";
  fs::remove(pack_path);
}

// `test` blocks (a test invoking a mapping on a fixture) give the same outcome compiled and in
// the reference evaluator; the shipped specs' and the tutorial's tests pass.
TEST(Tests, CompiledTestBlocksAgreeWithTheEvaluator) {
  driver::BuildOptions options;
  options.tests = true;
  auto run = driver::build_paths({(kRoot / "specs").string(), (kRoot / "examples" / "tutorial").string()},
                                 kRoot / "stdlib", options);
  ASSERT_TRUE(run->module);
  auto made = runtime::Engine::create();
  auto& engine = *std::get<std::unique_ptr<runtime::Engine>>(made);
  auto module = engine.load_ir(run->llvm_ir, "tests");
  ASSERT_TRUE(std::holds_alternative<runtime::jit::ModuleHandle*>(module)) << std::get<std::string>(module);
  runtime::SchemaTables tables(run->module->schemas);
  const std::vector<runtime::PolicyRules> policy_rules = driver::policy_rules(*run->module);
  std::size_t tests = 0;
  for (const ir::Function& f : run->module->functions) {
    if (!f.test) continue;
    ++tests;
    auto outcome = [&](bool jit) {
      runtime::Arena arena;
      std::vector<suture::abi::Value> params(f.params.size());
      for (std::size_t i = 0; i < f.params.size(); ++i) {
        std::ifstream in(f.fixtures[i]);
        std::stringstream text;
        text << in.rdbuf();
        runtime::json::DecodeOptions decode;
        decode.unknown = runtime::json::Unknown::Keep;
        const auto& record = *f.params[i]->record;
        if (!record.messages.empty()) {                       // an HL7 v2 message
          static std::deque<runtime::hl7::Message> messages;  // the typed record points into it
          auto parsed = runtime::hl7::parse_owned(text.str());
          if (!parsed) return "undecodable fixture " + f.fixtures[i];
          messages.push_back(std::move(parsed.value()));
          auto typed = runtime::hl7::decode_typed_as(messages.back(), record, arena);
          if (!typed) return "undecodable fixture " + f.fixtures[i];
          params[i].kind = suture::abi::Kind::Record;
          params[i].record = typed.record;
          continue;
        }
        auto decoded = record.model.empty() ? runtime::json::decode_fhir_as(text.str(), record, arena, decode)
                                            : runtime::json::decode_odoo(text.str(), record, arena, decode);
        if (!decoded) {
          ADD_FAILURE() << f.fixtures[i] << ": " << decoded.error->code;
          return std::string("undecodable fixture");
        }
        params[i].kind = suture::abi::Kind::Record;
        params[i].record = decoded.record;
      }
      runtime::ExecContext ctx;
      tables.bind(ctx, arena);
      ctx.policy_rules = &policy_rules;
      suture::abi::Value out;
      auto entry = engine.entry(std::get<runtime::jit::ModuleHandle*>(module), f.symbol);
      bool ok = jit ? std::get<runtime::EntryPoint>(entry)(&ctx, &out, params.data()) == 0
                    : ir::evaluate(f, *run->module, ctx, params, out);
      std::string expects;
      if (!ok) return "rejected " + ctx.error.code;
      for (std::size_t i = 0; i < f.expect_sources.size(); ++i) {
        const suture::abi::Value& v = out.record->slots[i];
        // A whole-output expect holds the record: compare how it is written.
        if (v.kind == suture::abi::Kind::Record) {
          std::string text;
          runtime::json::encode_fhir(*v.record, text);
          expects += "{" + text + "}";
        } else {
          expects += v.kind == suture::abi::Kind::Bool && v.boolean ? '1' : '0';
        }
      }
      return expects;
    };
    std::string compiled = outcome(true);
    EXPECT_EQ(compiled, outcome(false)) << f.name;
    // Tests with whole-output or rejection expects are judged by `suture test` (cli tests).
    if (f.whole_expects.empty() && f.rejection_expects.empty())
      EXPECT_EQ(compiled, std::string(f.expect_sources.size(), '1')) << f.name << ": every expect holds";
  }
  EXPECT_GE(tests, 2u);
}

}  // namespace
