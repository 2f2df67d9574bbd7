// build_golden_test.cpp — runs every case under tests/build through `suture build` in process:
// a spec that builds is compared with its typed IR (optimised, as packs get it); one that does
// not, with its diagnostics.
//
//   tests/build/<area>/<case>.sut   with <case>.ir (it builds) or <case>.expected (it does not)
//
// Set SUTURE_UPDATE_GOLDEN=1 to rewrite the expected files from the current output.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/diagnostics/render.h"
#include "compiler/driver/build_run.h"
#include "compiler/ir/printer.h"

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = fs::path(SUTURE_SOURCE_DIR);

struct BuildCase {
  std::string name;
  fs::path input;
};

std::vector<BuildCase> discover() {
  std::vector<BuildCase> cases;
  for (const auto& entry : fs::recursive_directory_iterator(kRoot / "tests" / "build"))
    if (entry.is_regular_file() && entry.path().extension() == ".sut")
      cases.push_back(
          {fs::relative(entry.path(), kRoot / "tests" / "build").replace_extension().string(), entry.path()});
  std::sort(cases.begin(), cases.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return cases;
}

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void PrintTo(const BuildCase& c, std::ostream* out) {
  *out << c.name;
}

class BuildGolden : public testing::TestWithParam<BuildCase> {};

TEST_P(BuildGolden, OutputMatches) {
  const BuildCase& c = GetParam();
  auto run = suture::driver::build_paths({c.input.string()}, kRoot / "stdlib", {});
  std::string actual;
  fs::path expected_path = c.input;
  if (run->module) {
    actual = suture::ir::print(*run->module);
    expected_path.replace_extension(".ir");
  } else {
    std::ostringstream out;
    suture::render_short(out, run->diagnostics.sorted(), run->sources);
    std::string prefix = c.input.string() + ":";
    std::istringstream lines(out.str());
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind(prefix, 0) == 0) line = line.substr(prefix.size());
      actual += line + "\n";
    }
    expected_path.replace_extension(".expected");
  }
  if (const char* update = std::getenv("SUTURE_UPDATE_GOLDEN"); update != nullptr && std::string(update) == "1") {
    std::ofstream(expected_path) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(expected_path)) << c.name << ": expected " << expected_path.filename().string()
                                         << " (the build " << (run->module ? "succeeded" : "failed") << ")";
  EXPECT_EQ(read(expected_path), actual) << "case " << c.name;
}

INSTANTIATE_TEST_SUITE_P(Cases, BuildGolden, testing::ValuesIn(discover()), [](const auto& info) {
  std::string name = info.param.name;
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
});

}  // namespace
