// generated_files.cpp — writes a generated module to disk (see generated_files.h).
#include "compiler/schema/generated_files.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <system_error>

namespace suture::schema {
namespace fs = std::filesystem;
namespace {

bool read_whole(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out = std::move(buffer).str();
  return true;
}

bool first_line_is(const fs::path& path, const std::string& banner) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  return in && std::getline(in, line) && line == banner;
}

}  // namespace

void write_module(const GeneratedModule& module, const fs::path& out_dir, ImportReport& report) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) {
    report.errors.push_back(out_dir.generic_string() + ": cannot create output folder: " + ec.message());
    return;
  }
  std::set<std::string> names;
  for (const SutFile& file : module.files) {
    // INVARIANT: importers give every file a distinct name.
    if (!names.insert(file.file_name).second) {
      report.errors.push_back(file.file_name + ": generated twice (internal error)");
      continue;
    }
    const fs::path path = out_dir / file.file_name;
    const std::string text = render_file(file, module.banner, module.module_name);
    std::string existing;
    if (!read_whole(path, existing) || existing != text) {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << text;
      out.close();
      if (!out) {
        report.errors.push_back(path.generic_string() + ": cannot write");
        continue;
      }
    }
    report.written.push_back(path);
  }
  // Remove what an earlier run generated and this one did not (a renamed type, a dropped
  // model); files without our banner are someone else's and stay.
  std::vector<fs::path> stale;
  for (fs::directory_iterator it(out_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& path = it->path();
    std::error_code type_ec;
    if (path.extension() != ".sut" || !it->is_regular_file(type_ec)) continue;
    if (names.contains(path.filename().string())) continue;
    if (first_line_is(path, module.banner)) stale.push_back(path);
  }
  std::sort(stale.begin(), stale.end());
  for (const fs::path& path : stale) {
    if (!fs::remove(path, ec) || ec) {
      report.errors.push_back(path.generic_string() + ": cannot remove stale generated file");
    }
  }
  std::sort(report.written.begin(), report.written.end());
}

}  // namespace suture::schema
