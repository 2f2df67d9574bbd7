// golden_test.cpp — runs every case under tests/golden through `suture check` in process and
// compares the diagnostics with the expected ones written beside it.
//
//   tests/golden/<area>/<case>.sut        one file; <case>.expected beside it (absent = clean)
//   tests/golden/<area>/<case>/*.sut      several files checked together; <case>/expected
//
// Expected lines are `LINE:COL: severity[CODE]: message` (prefixed `file.sut:` in folder
// cases). Set SUTURE_UPDATE_GOLDEN=1 to rewrite the expected files from the current output.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "compiler/diagnostics/render.h"
#include "compiler/driver/check_run.h"

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = fs::path(SUTURE_SOURCE_DIR);
const fs::path kGolden = kRoot / "tests" / "golden";

struct GoldenCase {
  std::string name;  // area/case
  fs::path input;    // file or folder
  fs::path expected;
};

std::vector<GoldenCase> discover() {
  std::vector<GoldenCase> cases;
  if (!fs::exists(kGolden)) return cases;
  for (const auto& area : fs::directory_iterator(kGolden)) {
    if (!area.is_directory()) continue;
    for (const auto& entry : fs::directory_iterator(area.path())) {
      std::string name = area.path().filename().string() + "/" + entry.path().stem().string();
      if (entry.is_regular_file() && entry.path().extension() == ".sut") {
        fs::path expected = entry.path();
        expected.replace_extension(".expected");
        cases.push_back({name, entry.path(), expected});
      } else if (entry.is_directory()) {
        cases.push_back({name, entry.path(), entry.path() / "expected"});
      }
    }
  }
  std::sort(cases.begin(), cases.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return cases;
}

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Short-format diagnostics with the folder part of each path removed.
std::string actual_output(const GoldenCase& c) {
  auto run = suture::driver::check_paths({c.input.string()}, kRoot / "stdlib");
  std::ostringstream out;
  suture::render_short(out, run->diagnostics.sorted(), run->sources);
  std::string prefix = (fs::is_directory(c.input) ? c.input : c.input.parent_path()).string() + "/";
  std::string text = out.str(), result;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(prefix, 0) == 0) line = line.substr(prefix.size());
    if (!fs::is_directory(c.input)) {
      std::string own = c.input.filename().string() + ":";
      if (line.rfind(own, 0) == 0) line = line.substr(own.size());
    }
    result += line + "\n";
  }
  return result;
}

// Failures name the case, not the bytes of the struct.
void PrintTo(const GoldenCase& c, std::ostream* out) {
  *out << c.name;
}

class Golden : public testing::TestWithParam<GoldenCase> {};

TEST_P(Golden, DiagnosticsMatch) {
  const GoldenCase& c = GetParam();
  std::string actual = actual_output(c);
  if (const char* update = std::getenv("SUTURE_UPDATE_GOLDEN"); update != nullptr && std::string(update) == "1") {
    if (actual.empty())
      fs::remove(c.expected);
    else
      std::ofstream(c.expected) << actual;
    return;
  }
  std::string expected = fs::exists(c.expected) ? read(c.expected) : "";
  EXPECT_EQ(expected, actual) << "case " << c.name << " (input " << c.input.string() << ")";
}

INSTANTIATE_TEST_SUITE_P(Cases, Golden, testing::ValuesIn(discover()), [](const auto& info) {
  std::string name = info.param.name;
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
});

// Every diagnostic code must be shown by at least one golden case. Driver codes (S0xxx: a
// path that cannot be read, no spec files) have no source to point at; tests/cli covers them.
TEST(GoldenCoverage, EveryDiagnosticCodeHasACase) {
  std::string all;
  for (const auto& c : discover())
    if (fs::exists(c.expected)) all += read(c.expected);
  // Back-end codes (S5xxx) are shown by the `suture build` cases in tests/build.
  for (const auto& entry : fs::recursive_directory_iterator(kRoot / "tests" / "build"))
    if (entry.path().extension() == ".expected") all += read(entry.path());
  std::vector<std::string> missing;
  for (auto code : suture::all_codes()) {
    std::string tag = "[" + std::string(suture::code_name(code)) + "]";
    if (suture::code_name(code).substr(0, 2) == "S0") continue;
    if (all.find(tag) == std::string::npos) missing.push_back(std::string(suture::code_name(code)));
  }
  std::string list;
  for (const auto& m : missing) list += m + " ";
  EXPECT_TRUE(missing.empty()) << "codes without a golden case: " << list;
}

TEST(GoldenCoverage, AtLeastOneHundredFiftyCases) {
  EXPECT_GE(discover().size(), 150u);
}

}  // namespace
