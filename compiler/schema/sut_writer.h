// sut_writer.h — the Suture declarations the importers emit (records, enums, type aliases)
// and their rendering as .sut text: quoting of literals, backticks for names the grammar
// would not accept, layout. Knows grammar/Suture.g4's lexical rules; knows nothing of FHIR
// or Odoo.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace suture::schema {

// ── literals and names ──

// A Suture string literal: "…" with \" \\ \n \r \t and \u{…} escapes; other UTF-8 kept.
std::string string_literal(std::string_view text);
std::string int_literal(std::int64_t value);
std::string bool_literal(bool value);

// [A-Za-z_][A-Za-z0-9_]* and not the lone `_` token.
bool is_plain_identifier(std::string_view text);
// Any reserved word of the language (hard or soft).
bool is_keyword(std::string_view text);

// A record field / enum member name: any identifier or keyword is fine; anything else is
// written in backticks.
std::string member_name(std::string_view name);
// A declared or referenced type name: identifiers that are not keywords stay bare.
std::string type_name(std::string_view name);

// Type expressions, built from rendered pieces.
std::string optional_type(std::string_view type);
std::string list_type(std::string_view type);
std::string id_type(std::string_view model_record);

// ── declarations ──

struct Annotation {
  std::string name;
  std::vector<std::string> args;  // rendered literals (string_literal, int_literal, …)

  Annotation(std::string annotation_name) : name(std::move(annotation_name)) {}
  Annotation(std::string annotation_name, std::vector<std::string> rendered_args)
      : name(std::move(annotation_name)), args(std::move(rendered_args)) {}
  bool operator==(const Annotation&) const = default;
};
// @name("text") — the common case.
Annotation string_annotation(std::string name, std::string_view text);

struct FieldDecl {
  std::vector<std::string> doc;  // rendered as `///` lines above the field
  std::vector<Annotation> annotations;
  bool readonly = false;
  std::string name;  // raw name; escaped when rendered
  std::string type;  // a rendered type expression
  bool operator==(const FieldDecl&) const = default;
};

struct RecordDecl {
  std::vector<std::string> doc;
  std::vector<Annotation> annotations;
  std::string name;  // raw; escaped when rendered
  std::vector<FieldDecl> fields;
};

struct EnumMember {
  std::vector<Annotation> annotations;
  std::string code;  // raw; bare when an identifier, else a string literal
};

struct EnumDecl {
  std::vector<std::string> doc;
  std::vector<Annotation> annotations;
  std::string name;
  std::vector<EnumMember> members;
};

struct AliasDecl {
  std::vector<std::string> doc;
  std::vector<Annotation> annotations;
  std::string name;
  std::string target;  // a rendered type expression
};

using Declaration = std::variant<RecordDecl, EnumDecl, AliasDecl>;

struct SutFile {
  std::string file_name;             // relative to the output folder, e.g. "patient.sut"
  std::vector<std::string> comment;  // `//` lines under the banner, before the module line
  std::vector<Declaration> declarations;
};

// The whole file: banner, comment, `module <module_name>`, declarations; ends in '\n'.
std::string render_file(const SutFile& file, std::string_view banner, std::string_view module_name);

}  // namespace suture::schema
