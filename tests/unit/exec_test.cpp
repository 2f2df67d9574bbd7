// exec_test.cpp — compiled mappings run end to end in process: spec → IR → LLVM IR → JIT (the
// engine with every native registered) → entry point on decoded messages → encoded output,
// compared with what the benchmark's jq program writes for the same patients.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/driver/build_run.h"
#include "compiler/ir/evaluate.h"
#include "compiler/ir/optimise.h"
#include "runtime/codecs/json/json.h"
#include "runtime/exec/engine.h"

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
    compiled_ = new Compiled(compile(kRoot / "tests" / "bench" / "patient_partner.sut",
                                     "bench.patient_partner.patient_partner"));
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

}  // namespace
