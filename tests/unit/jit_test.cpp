// jit_test.cpp — the JIT facade (runtime/jit): JIT hand-written IR and call it, runtime symbols,
// same-named functions in side-by-side modules, hot reload (add new, remove old), bad bitcode
// and bad IR as errors, bitcode round trip, concurrent lookups; prints (does not assert) timings.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "runtime/jit/jit.h"

namespace jit = suture::runtime::jit;

namespace {

constexpr const char* kAddIr = R"(
define i64 @add(i64 %a, i64 %b) {
  %sum = add i64 %a, %b
  ret i64 %sum
}
)";

std::string constant_function_ir(const std::string& name, int value) {
  return "define i64 @" + name + "() {\n  ret i64 " + std::to_string(value) + "\n}\n";
}

jit::Options options_with(int opt_level, std::string cpu = "host", std::string cache_dir = "") {
  jit::Options options;
  options.opt_level = opt_level;
  options.cpu = std::move(cpu);
  options.cache_dir = std::move(cache_dir);
  return options;
}

std::unique_ptr<jit::Jit> make_jit(jit::Options options = {}) {
  auto created = jit::Jit::create(options);
  if (auto* error = std::get_if<jit::JitError>(&created)) {
    ADD_FAILURE() << error->message;
    return nullptr;
  }
  return std::move(std::get<std::unique_ptr<jit::Jit>>(created));
}

jit::ModuleHandle* add_ir(jit::Jit& j, const std::string& ir, const std::string& name) {
  auto added = j.add_ir_text(ir, name);
  if (auto* error = std::get_if<jit::JitError>(&added)) {
    ADD_FAILURE() << error->message;
    return nullptr;
  }
  return std::get<jit::ModuleHandle*>(added);
}

template <typename Fn>
Fn lookup_fn(jit::Jit& j, jit::ModuleHandle* module, std::string_view symbol) {
  auto found = j.lookup(module, symbol);
  if (auto* error = std::get_if<jit::JitError>(&found)) {
    ADD_FAILURE() << error->message;
    return nullptr;
  }
  return reinterpret_cast<Fn>(std::get<void*>(found));
}

std::string error_of(const std::variant<jit::ModuleHandle*, jit::JitError>& result) {
  const auto* error = std::get_if<jit::JitError>(&result);
  return error ? error->message : std::string();
}

std::vector<std::int64_t> recorded;
extern "C" void suture_test_record(std::int64_t value) {
  recorded.push_back(value);
}

double median_ms(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

TEST(Jit, CompilesAndCallsAnAddFunction) {
  auto j = make_jit();
  ASSERT_TRUE(j);
  EXPECT_FALSE(j->target_triple().empty());
  EXPECT_FALSE(j->cpu().empty());
  auto* module = add_ir(*j, kAddIr, "add");
  ASSERT_TRUE(module);
  auto add = lookup_fn<std::int64_t (*)(std::int64_t, std::int64_t)>(*j, module, "add");
  ASSERT_TRUE(add);
  EXPECT_EQ(add(40, 2), 42);
  EXPECT_EQ(add(-5, 3), -2);
}

TEST(Jit, EveryOptLevelWorks) {
  for (int level = 0; level <= 3; ++level) {
    auto j = make_jit(options_with(level));
    ASSERT_TRUE(j);
    auto* module = add_ir(*j, kAddIr, "add");
    ASSERT_TRUE(module);
    auto add = lookup_fn<std::int64_t (*)(std::int64_t, std::int64_t)>(*j, module, "add");
    ASSERT_TRUE(add);
    EXPECT_EQ(add(1, 2), 3) << "opt level " << level;
  }
}

TEST(Jit, RejectsBadOptions) {
  EXPECT_TRUE(std::holds_alternative<jit::JitError>(jit::Jit::create(options_with(4))));
  EXPECT_TRUE(std::holds_alternative<jit::JitError>(jit::Jit::create(options_with(2, "no-such-cpu"))));
  EXPECT_TRUE(std::holds_alternative<jit::JitError>(jit::Jit::create(options_with(2, "host", "/tmp/x"))));
  auto generic = make_jit(options_with(2, "x86-64"));
  ASSERT_TRUE(generic);
  EXPECT_EQ(generic->cpu(), "x86-64");
}

TEST(Jit, CallsARuntimeSymbol) {
  auto j = make_jit();
  ASSERT_TRUE(j);
  ASSERT_FALSE(j->define_runtime_symbol("suture_test_record", reinterpret_cast<void*>(&suture_test_record)));
  auto* module = add_ir(*j, R"(
declare void @suture_test_record(i64)
define i64 @run(i64 %x) {
  call void @suture_test_record(i64 %x)
  %twice = mul i64 %x, 2
  ret i64 %twice
}
)",
                        "runtime-call");
  ASSERT_TRUE(module);
  auto run = lookup_fn<std::int64_t (*)(std::int64_t)>(*j, module, "run");
  ASSERT_TRUE(run);
  recorded.clear();
  EXPECT_EQ(run(21), 42);
  EXPECT_EQ(run(7), 14);
  EXPECT_EQ(recorded, (std::vector<std::int64_t>{21, 7}));

  // A runtime symbol cannot be defined twice, nor be null.
  EXPECT_TRUE(j->define_runtime_symbol("suture_test_record", reinterpret_cast<void*>(&suture_test_record)));
  EXPECT_TRUE(j->define_runtime_symbol("suture_null", nullptr));
}

TEST(Jit, UnresolvedSymbolIsAnErrorAtAdd) {
  auto j = make_jit();
  ASSERT_TRUE(j);
  auto added = j->add_ir_text(R"(
declare void @not_registered(i64)
define void @run() {
  call void @not_registered(i64 1)
  ret void
}
)",
                              "unresolved");
  EXPECT_NE(error_of(added).find("not_registered"), std::string::npos) << error_of(added);
  // Process symbols are not visible to modules.
  added = j->add_ir_text(
      "declare i32 @puts(ptr)\ndefine i32 @f(ptr %s) {\n  %r = call i32 @puts(ptr %s)\n  ret i32 %r\n}\n",
      "process-symbol");
  EXPECT_NE(error_of(added).find("puts"), std::string::npos) << error_of(added);
  // The JIT still works afterwards.
  EXPECT_TRUE(add_ir(*j, kAddIr, "add"));
}

TEST(Jit, SameNamesInTwoModulesDoNotClash) {
  auto j = make_jit();
  ASSERT_TRUE(j);
  const std::string with_global = R"(
@counter = global i64 0
define i64 @bump() {
  %old = load i64, ptr @counter
  %new = add i64 %old, 1
  store i64 %new, ptr @counter
  ret i64 %new
}
)";
  auto* first = add_ir(*j, constant_function_ir("answer", 1) + with_global, "pack-a");
  auto* second = add_ir(*j, constant_function_ir("answer", 2) + with_global, "pack-b");
  ASSERT_TRUE(first && second);
  auto answer_a = lookup_fn<std::int64_t (*)()>(*j, first, "answer");
  auto answer_b = lookup_fn<std::int64_t (*)()>(*j, second, "answer");
  ASSERT_TRUE(answer_a && answer_b);
  EXPECT_NE(reinterpret_cast<void*>(answer_a), reinterpret_cast<void*>(answer_b));
  EXPECT_EQ(answer_a(), 1);
  EXPECT_EQ(answer_b(), 2);

  auto bump_a = lookup_fn<std::int64_t (*)()>(*j, first, "bump");
  auto bump_b = lookup_fn<std::int64_t (*)()>(*j, second, "bump");
  ASSERT_TRUE(bump_a && bump_b);
  EXPECT_EQ(bump_a(), 1);
  EXPECT_EQ(bump_a(), 2);
  EXPECT_EQ(bump_b(), 1);  // each module has its own @counter
  auto counter_a = j->lookup(first, "counter");
  ASSERT_TRUE(std::holds_alternative<void*>(counter_a));
  EXPECT_EQ(*static_cast<std::int64_t*>(std::get<void*>(counter_a)), 2);

  auto missing = j->lookup(first, "no_such_symbol");
  EXPECT_TRUE(std::holds_alternative<jit::JitError>(missing));
}

TEST(Jit, HotReloadRemovesTheOldModuleAndCallsTheNew) {
  auto j = make_jit();
  ASSERT_TRUE(j);
  auto* v1 = add_ir(*j, constant_function_ir("entry", 1), "pack@v1");
  ASSERT_TRUE(v1);
  auto entry_v1 = lookup_fn<std::int64_t (*)()>(*j, v1, "entry");
  ASSERT_TRUE(entry_v1);
  EXPECT_EQ(entry_v1(), 1);

  // Add the new version while the old one is still live, switch, then remove the old one.
  auto* v2 = add_ir(*j, constant_function_ir("entry", 2), "pack@v2");
  ASSERT_TRUE(v2);
  auto entry_v2 = lookup_fn<std::int64_t (*)()>(*j, v2, "entry");
  ASSERT_TRUE(entry_v2);
  EXPECT_FALSE(j->remove(v1));
  EXPECT_EQ(entry_v2(), 2);

  // A removed handle is refused, and removing it again is an error.
  EXPECT_TRUE(std::holds_alternative<jit::JitError>(j->lookup(v1, "entry")));
  EXPECT_TRUE(j->remove(v1));

  // Many reloads in a row keep working (and free their code as they go).
  jit::ModuleHandle* live = v2;
  for (int version = 3; version <= 20; ++version) {
    auto* next = add_ir(*j, constant_function_ir("entry", version), "pack@v" + std::to_string(version));
    ASSERT_TRUE(next);
    ASSERT_FALSE(j->remove(live));
    live = next;
    auto entry = lookup_fn<std::int64_t (*)()>(*j, live, "entry");
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry(), version);
  }
}

TEST(Jit, MalformedBitcodeIsAnError) {
  auto j = make_jit();
  ASSERT_TRUE(j);
  EXPECT_NE(error_of(j->add_bitcode("", "empty")), "");
  EXPECT_NE(error_of(j->add_bitcode("this is not bitcode at all", "garbage")), "");
  std::string fake_magic("BC\xC0\xDE", 4);
  fake_magic += std::string(64, '\xFF');
  EXPECT_NE(error_of(j->add_bitcode(fake_magic, "bad-body")), "");

  auto bitcode = jit::ir_text_to_bitcode(kAddIr);
  ASSERT_TRUE(std::holds_alternative<std::string>(bitcode));
  const std::string& bytes = std::get<std::string>(bitcode);
  for (std::size_t length : {std::size_t{4}, std::size_t{8}, bytes.size() / 2, bytes.size() - 4}) {
    EXPECT_NE(error_of(j->add_bitcode(std::string_view(bytes).substr(0, length), "truncated")), "")
        << "length " << length;
  }
  EXPECT_TRUE(add_ir(*j, kAddIr, "still-works"));
}

TEST(Jit, MalformedIrIsAnError) {
  auto j = make_jit();
  ASSERT_TRUE(j);
  std::string syntax = error_of(j->add_ir_text("define i64 @f( {", "syntax"));
  EXPECT_NE(syntax.find("syntax"), std::string::npos) << syntax;
  EXPECT_NE(syntax.find("invalid LLVM IR"), std::string::npos) << syntax;
  EXPECT_NE(error_of(j->add_ir_text("define i64 @f() {\n  ret i32 0\n}\n", "type")), "");
  // Parses, but does not verify: a use before its definition.
  std::string dominance = error_of(j->add_ir_text(R"(
define i64 @f() {
  %x = add i64 %y, 1
  %y = add i64 1, 1
  ret i64 %x
}
)",
                                                  "dominance"));
  EXPECT_NE(dominance.find("does not verify"), std::string::npos) << dominance;
  // Static constructors are refused; a foreign architecture too.
  EXPECT_NE(error_of(j->add_ir_text(R"(
@llvm.global_ctors = appending global [1 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 65535, ptr @init, ptr null }]
define void @init() {
  ret void
}
)",
                                    "ctors")),
            "");
  EXPECT_NE(error_of(j->add_ir_text("target triple = \"aarch64-unknown-linux-gnu\"\n" + std::string(kAddIr), "arm")),
            "");
  EXPECT_TRUE(std::holds_alternative<jit::JitError>(jit::ir_text_to_bitcode("not IR")));
  EXPECT_TRUE(add_ir(*j, kAddIr, "still-works"));
}

TEST(Jit, BitcodeRoundTrip) {
  auto bitcode = jit::ir_text_to_bitcode(kAddIr);
  ASSERT_TRUE(std::holds_alternative<std::string>(bitcode)) << std::get<jit::JitError>(bitcode).message;
  const std::string& bytes = std::get<std::string>(bitcode);
  ASSERT_GE(bytes.size(), 4u);
  EXPECT_EQ(bytes.substr(0, 4), std::string("BC\xC0\xDE", 4));
  EXPECT_EQ(std::get<std::string>(jit::ir_text_to_bitcode(kAddIr)), bytes);  // deterministic

  auto j = make_jit();
  ASSERT_TRUE(j);
  auto added = j->add_bitcode(bytes, "from-bitcode");
  ASSERT_TRUE(std::holds_alternative<jit::ModuleHandle*>(added)) << error_of(added);
  auto add = lookup_fn<std::int64_t (*)(std::int64_t, std::int64_t)>(*j, std::get<jit::ModuleHandle*>(added), "add");
  ASSERT_TRUE(add);
  EXPECT_EQ(add(1000, 337), 1337);
}

TEST(Jit, LookupsRunWhileOtherModulesAreAddedAndRemoved) {
  auto j = make_jit();
  ASSERT_TRUE(j);
  auto* stable = add_ir(*j, constant_function_ir("entry", 7), "stable");
  ASSERT_TRUE(stable);
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        auto found = j->lookup(stable, "entry");
        if (!std::holds_alternative<void*>(found) ||
            reinterpret_cast<std::int64_t (*)()>(std::get<void*>(found))() != 7) {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (int i = 0; i < 10; ++i) {
    auto* churn = add_ir(*j, constant_function_ir("entry", i), "churn");
    ASSERT_TRUE(churn);
    EXPECT_FALSE(j->remove(churn));
  }
  stop = true;
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(Jit, Timings) {
  constexpr int kRuns = 7;
  std::vector<double> create_ms, compile_ms, bitcode_ms;
  for (int run = 0; run < kRuns; ++run) {
    auto start = Clock::now();
    auto j = make_jit();
    create_ms.push_back(ms_since(start));
    ASSERT_TRUE(j);

    start = Clock::now();
    auto* module = add_ir(*j, kAddIr, "timed");
    auto add = module ? lookup_fn<std::int64_t (*)(std::int64_t, std::int64_t)>(*j, module, "add") : nullptr;
    compile_ms.push_back(ms_since(start));
    ASSERT_TRUE(add);
    EXPECT_EQ(add(2, 2), 4);

    auto bitcode = jit::ir_text_to_bitcode(kAddIr);
    ASSERT_TRUE(std::holds_alternative<std::string>(bitcode));
    start = Clock::now();
    auto added = j->add_bitcode(std::get<std::string>(bitcode), "timed-bc");
    ASSERT_TRUE(std::holds_alternative<jit::ModuleHandle*>(added));
    EXPECT_TRUE(std::holds_alternative<void*>(j->lookup(std::get<jit::ModuleHandle*>(added), "add")));
    bitcode_ms.push_back(ms_since(start));
  }
  std::printf("[ timing ] Jit::create (O2, host): median %.3f ms over %d runs (first %.3f ms)\n", median_ms(create_ms),
              kRuns, create_ms.front());
  std::printf("[ timing ] add_ir_text + lookup of i64 add(i64,i64): median %.3f ms (first %.3f ms)\n",
              median_ms(compile_ms), compile_ms.front());
  std::printf("[ timing ] add_bitcode + lookup of the same: median %.3f ms\n", median_ms(bitcode_ms));
}
