// diagnostics_test.cpp — sorting, rendering (human, JSON, SARIF) and the code catalogue.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "compiler/diagnostics/render.h"

namespace {

TEST(Diagnostics, CodesAreUniqueAndNamed) {
  std::set<std::string> names;
  for (auto code : suture::all_codes()) {
    std::string name(suture::code_name(code));
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_EQ(name.size(), 5u);
    EXPECT_EQ(suture::code_from_name(name), code);
    EXPECT_FALSE(suture::code_title(code).empty());
  }
}

TEST(Diagnostics, SortedByPositionAndDeduplicated) {
  suture::SourceManager sources;
  const auto& f = sources.add("a.sut", "line one\nline two\n");
  suture::DiagnosticSink sink;
  sink.report(suture::DiagCode::S2001, {f.id(), 12, 15}, "second");
  sink.report(suture::DiagCode::S2001, {f.id(), 0, 4}, "first");
  sink.report(suture::DiagCode::S2001, {f.id(), 0, 4}, "first");
  auto sorted = sink.sorted();
  ASSERT_EQ(sorted.size(), 2u);
  EXPECT_EQ(sorted[0].message, "first");
  EXPECT_EQ(sorted[1].message, "second");
}

TEST(Diagnostics, HumanRenderingHasCaretsUnderTheSpan) {
  suture::SourceManager sources;
  const auto& f = sources.add("a.sut", "let x = p.nmae\n");
  suture::DiagnosticSink sink;
  sink.report(suture::DiagCode::S2009, {f.id(), 10, 14}, "no field `nmae` on type Patient")
      .label({f.id(), 10, 14}, "unknown field")
      .help("did you mean `name`?");
  std::ostringstream out;
  suture::render_human(out, sink.sorted(), sources, {});
  EXPECT_EQ(out.str(),
            "error[S2009]: no field `nmae` on type Patient\n"
            " --> a.sut:1:11\n"
            "  |\n"
            "1 | let x = p.nmae\n"
            "  |           ^^^^ unknown field\n"
            "   = help: did you mean `name`?\n\n");
}

TEST(Diagnostics, ColumnsCountCodePoints) {
  suture::SourceManager sources;
  const auto& f = sources.add("a.sut", "\"é\" x");
  EXPECT_EQ(f.line_col(5).column, 5u);  // after the 4-byte, 3-code-point string and a space
}

TEST(Diagnostics, SarifIsVersion210WithRulesAndRegions) {
  suture::SourceManager sources;
  const auto& f = sources.add("a.sut", "abc\ndef\n");
  suture::DiagnosticSink sink;
  sink.report(suture::DiagCode::S3002, {f.id(), 4, 7}, "may be null");
  auto sarif = suture::render_sarif(sink.sorted(), sources, {});
  EXPECT_EQ(sarif["version"], "2.1.0");
  const auto& result = sarif["runs"][0]["results"][0];
  EXPECT_EQ(result["ruleId"], "S3002");
  EXPECT_EQ(result["level"], "error");
  EXPECT_EQ(result["locations"][0]["physicalLocation"]["region"]["startLine"], 2);
  EXPECT_EQ(result["locations"][0]["physicalLocation"]["region"]["startColumn"], 1);
  EXPECT_EQ(sarif["runs"][0]["tool"]["driver"]["rules"].size(), suture::all_codes().size());
}

TEST(Diagnostics, JsonCarriesCodeSpanAndHelp) {
  suture::SourceManager sources;
  const auto& f = sources.add("a.sut", "abc\n");
  suture::DiagnosticSink sink;
  sink.report(suture::DiagCode::S2012, {f.id(), 0, 3}, "unused").help("remove it");
  auto json = suture::render_json(sink.sorted(), sources);
  EXPECT_EQ(json["warnings"], 1);
  EXPECT_EQ(json["diagnostics"][0]["code"], "S2012");
  EXPECT_EQ(json["diagnostics"][0]["severity"], "warning");
  EXPECT_EQ(json["diagnostics"][0]["span"]["start"]["line"], 1);
  EXPECT_EQ(json["diagnostics"][0]["help"], "remove it");
}

}  // namespace
