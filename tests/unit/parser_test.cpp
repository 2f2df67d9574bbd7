// parser_test.cpp — the parse phase: precedence, spans, equality without spans, recovery.
#include <gtest/gtest.h>

#include "compiler/ast/equality.h"
#include "compiler/ast/printer.h"
#include "compiler/parse/parser.h"

namespace {

struct Parsed {
  suture::SourceManager sources;
  suture::DiagnosticSink diagnostics;
  std::unique_ptr<suture::ast::File> file;
};

std::unique_ptr<Parsed> parse(const std::string& text) {
  auto p = std::make_unique<Parsed>();
  p->file = suture::parse::parse_file(p->sources.add("t.sut", text), p->diagnostics);
  return p;
}

std::string expr_of(const std::string& e) {
  auto p = parse("const X = " + e);
  EXPECT_FALSE(p->diagnostics.has_errors()) << e;
  return suture::ast::print(*p->file).substr(0);
}

TEST(Parser, OperatorPrecedence) {
  EXPECT_EQ(expr_of("a + b * c"), "(const X (+ a (* b c)))\n");
  EXPECT_EQ(expr_of("a ?? b ++ c"), "(const X (?? a (++ b c)))\n");
  EXPECT_EQ(expr_of("a == b and c or d"), "(const X (or (and (== a b) c) d))\n");
  EXPECT_EQ(expr_of("not a == b"), "(const X (not (== a b)))\n");
  EXPECT_EQ(expr_of("-a * b"), "(const X (* (- a) b))\n");
  EXPECT_EQ(expr_of("a ?? b ?? c"), "(const X (?? a (?? b c)))\n");
  EXPECT_EQ(expr_of("x in {1, 2} and y not in [3]"), "(const X (and (in x {1 2}) (not in y [3])))\n");
}

TEST(Parser, PostfixChainsAndMethods) {
  EXPECT_EQ(expr_of("p.name.first(x => x.use == \"official\")?.family"),
            "(const X (?. (.first (. p name) (fn (x) (== (. x use) \"official\"))) family))\n");
  EXPECT_EQ(expr_of("xs[0].a"), "(const X (. (index xs 0) a))\n");
  EXPECT_EQ(expr_of("f(a, key: b)"), "(const X (call f a key:b))\n");
}

TEST(Parser, Literals) {
  EXPECT_EQ(expr_of("[@2024-02-29, @2024-03-15T10:30:00+02:00, @T10:30, 500ms, 1.50, \"a\\u{e9}\"]"),
            "(const X [@2024-02-29 @2024-03-15T10:30:00+02:00 @T10:30 500ms 1.50 \"a\xC3\xA9\"])\n");
}

TEST(Parser, KeywordsAreFieldNames) {
  EXPECT_EQ(expr_of("p.type.class.match"), "(const X (. (. (. p type) class) match))\n");
}

TEST(Parser, EqualityIgnoresSpans) {
  auto a = parse("mapping m(p: P) -> Q { x = p.a ?? 1 }");
  auto b = parse("\n\nmapping   m( p : P )->Q {\n  x = p.a\n    ?? 1\n}\n");
  EXPECT_TRUE(suture::ast::equal(*a->file, *b->file));
  auto c = parse("mapping m(p: P) -> Q { x = p.a ?? 2 }");
  EXPECT_FALSE(suture::ast::equal(*a->file, *c->file));
}

TEST(Parser, SpansPointAtTheText) {
  auto p = parse("const  NAME = 42");
  const auto& decl = *p->file->decls.at(0);
  EXPECT_EQ(decl.name.span.begin, 7u);
  EXPECT_EQ(decl.name.span.end, 11u);
}

TEST(Parser, BadDeclarationDoesNotHideTheNext) {
  auto p = parse("const A = 1 +\nconst B = )\nconst C = 3\n");
  auto diagnostics = p->diagnostics.sorted();
  ASSERT_GE(diagnostics.size(), 2u);
  ASSERT_EQ(p->file->decls.size(), 1u);
  EXPECT_EQ(p->file->decls[0]->name.text, "C");
}

TEST(Parser, ExpectedTokensAreSaidInWords) {
  auto p = parse("mapping m(p: P) -> Q { x = }");
  auto diagnostics = p->diagnostics.sorted();
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_NE(diagnostics[0].message.find("expected an expression"), std::string::npos) << diagnostics[0].message;
}

TEST(Parser, SingleEqualsInParenthesesIsReportedOnceAndReadAsComparison) {
  auto p = parse("const A = [1].any(x => x = 1)\nconst B = 2\n");
  auto diagnostics = p->diagnostics.sorted();
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_NE(diagnostics[0].message.find("write `==`"), std::string::npos);
  ASSERT_EQ(p->file->decls.size(), 2u);  // the repaired declaration is kept
  EXPECT_EQ(suture::ast::print(*p->file), "(const A (.any [1] (fn (x) (== x 1))))\n(const B 2)\n");
}

TEST(Parser, UnfinishedDeclarationDoesNotSwallowTheNextLine) {
  auto p = parse("const B = (2 +\nconst C = 3\n");
  auto diagnostics = p->diagnostics.sorted();
  ASSERT_EQ(diagnostics.size(), 1u);
  ASSERT_EQ(p->file->decls.size(), 1u);
  EXPECT_EQ(p->file->decls[0]->name.text, "C");
}

TEST(Parser, DeepNestingIsRefusedNotCrashing) {
  std::string deep(5000, '(');
  auto p = parse("const X = " + deep);
  EXPECT_TRUE(p->diagnostics.has_errors());
}

TEST(Parser, InvalidUtf8IsReported) {
  auto p = parse("const X = \"\xff\"");
  ASSERT_TRUE(p->diagnostics.has_errors());
  EXPECT_EQ(p->diagnostics.sorted()[0].code, suture::DiagCode::S1002);
}

}  // namespace
