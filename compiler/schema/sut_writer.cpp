// sut_writer.cpp — rendering of generated declarations as .sut text (see sut_writer.h).
#include "compiler/schema/sut_writer.h"

#include <cstdio>

namespace suture::schema {
namespace {

// Every reserved word of grammar/Suture.g4. Members may use any of them; declared names may
// not use the hard ones, and `list`/`set`/`map` would read as type constructors, so type
// names written here get backticks for all of them.
constexpr std::string_view kKeywords[] = {
    "module",   "import",  "as",       "const",    "type",      "record",     "enum",         "table",
    "fn",       "mapping", "policy",   "route",    "test",      "let",        "in",           "if",
    "then",     "else",    "match",    "when",     "unless",    "where",      "permit",       "forbid",
    "redact",   "mask",    "keep",     "last",     "first",     "generalise", "pseudonymise", "with",
    "on",       "event",   "priority", "fallback", "authorize", "map",        "deliver",      "to",
    "endpoint", "retry",   "attempts", "order",    "by",        "expect",     "readonly",     "and",
    "or",       "not",     "true",     "false",    "null",      "list",       "set",          "_"};

constexpr std::size_t kLineWidth = 100;

std::string backticked(std::string_view name) {
  // INVARIANT: the lexer's BACKTICK_IDENT cannot hold a backtick or a line break, and no
  // importer produces such a name; replace them rather than emit an unparsable file.
  std::string out = "`";
  for (char c : name) out += (c == '`' || c == '\n' || c == '\r') ? '_' : c;
  out += '`';
  return out;
}

void append_lines(std::string& out, std::string_view prefix, std::string_view text) {
  // One output line per line of text; trailing spaces and empty trailing lines dropped.
  std::size_t start = 0;
  std::vector<std::string_view> lines;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    lines.push_back(line);
    start = end + 1;
  }
  while (lines.size() > 1 && lines.back().empty()) lines.pop_back();
  for (std::string_view line : lines) {
    out += prefix;
    if (!line.empty()) {
      out += ' ';
      out += line;
    }
    out += '\n';
  }
}

void append_doc(std::string& out, const std::vector<std::string>& doc, std::string_view indent) {
  for (const std::string& text : doc) append_lines(out, std::string(indent) + "///", text);
}

std::string render_annotations(const std::vector<Annotation>& annotations) {
  std::string out;
  for (const Annotation& a : annotations) {
    out += '@';
    out += a.name;
    if (!a.args.empty()) {
      out += '(';
      for (std::size_t i = 0; i < a.args.size(); ++i) {
        if (i > 0) out += ", ";
        out += a.args[i];
      }
      out += ')';
    }
    out += ' ';
  }
  return out;
}

std::string render_member(const EnumMember& member) {
  return render_annotations(member.annotations) +
         (is_plain_identifier(member.code) ? member.code : string_literal(member.code));
}

void render(std::string& out, const RecordDecl& record) {
  append_doc(out, record.doc, "");
  if (!record.annotations.empty()) {
    std::string line = render_annotations(record.annotations);
    line.pop_back();
    out += line + '\n';
  }
  out += "record " + type_name(record.name) + " {\n";
  for (const FieldDecl& field : record.fields) {
    append_doc(out, field.doc, "  ");
    out += "  " + render_annotations(field.annotations);
    if (field.readonly) out += "readonly ";
    // A field literally named `readonly` right after the prefix position would be ambiguous
    // to a reader; backticks make it plain.
    out += (field.name == "readonly" ? backticked(field.name) : member_name(field.name));
    out += ": " + field.type + '\n';
  }
  out += "}\n";
}

void render(std::string& out, const EnumDecl& decl) {
  append_doc(out, decl.doc, "");
  if (!decl.annotations.empty()) {
    std::string line = render_annotations(decl.annotations);
    line.pop_back();
    out += line + '\n';
  }
  const std::string head = "enum " + type_name(decl.name) + " {";
  bool annotated = false;
  std::vector<std::string> members;
  for (const EnumMember& member : decl.members) {
    annotated = annotated || !member.annotations.empty();
    members.push_back(render_member(member));
  }
  if (!annotated) {
    std::string one_line = head;
    for (std::size_t i = 0; i < members.size(); ++i) one_line += (i ? ", " : " ") + members[i];
    one_line += " }";
    if (one_line.size() <= kLineWidth) {
      out += one_line + '\n';
      return;
    }
  }
  out += head + '\n';
  if (annotated) {
    for (const std::string& member : members) out += "  " + member + ",\n";
  } else {
    std::string line = " ";
    for (const std::string& member : members) {
      if (line.size() > 1 && line.size() + 1 + member.size() + 1 > kLineWidth) {
        out += line + '\n';
        line = " ";
      }
      line += ' ' + member + ',';
    }
    if (line.size() > 1) out += line + '\n';
  }
  out += "}\n";
}

void render(std::string& out, const AliasDecl& alias) {
  append_doc(out, alias.doc, "");
  out += render_annotations(alias.annotations);
  out += "type " + type_name(alias.name) + " = " + alias.target + '\n';
}

}  // namespace

std::string string_literal(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buffer[16];
          std::snprintf(buffer, sizeof buffer, "\\u{%X}", static_cast<unsigned>(c));
          out += buffer;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

std::string int_literal(std::int64_t value) {
  return std::to_string(value);
}
std::string bool_literal(bool value) {
  return value ? "true" : "false";
}

bool is_plain_identifier(std::string_view text) {
  if (text.empty() || text == "_") return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!(letter || (digit && i > 0))) return false;
  }
  return true;
}

bool is_keyword(std::string_view text) {
  for (std::string_view keyword : kKeywords) {
    if (keyword == text) return true;
  }
  return false;
}

std::string member_name(std::string_view name) {
  return is_plain_identifier(name) ? std::string(name) : backticked(name);
}

std::string type_name(std::string_view name) {
  return is_plain_identifier(name) && !is_keyword(name) ? std::string(name) : backticked(name);
}

std::string optional_type(std::string_view type) {
  return std::string(type) + "?";
}
std::string list_type(std::string_view type) {
  return "list<" + std::string(type) + ">";
}
std::string id_type(std::string_view model_record) {
  return "id<" + type_name(model_record) + ">";
}

Annotation string_annotation(std::string name, std::string_view text) {
  return Annotation(std::move(name), {string_literal(text)});
}

std::string render_file(const SutFile& file, std::string_view banner, std::string_view module_name) {
  std::string out(banner);
  out += '\n';
  for (const std::string& line : file.comment) append_lines(out, "//", line);
  out += "\nmodule ";
  out += module_name;
  out += '\n';
  for (const Declaration& declaration : file.declarations) {
    out += '\n';
    std::visit([&out](const auto& decl) { render(out, decl); }, declaration);
  }
  return out;
}

}  // namespace suture::schema
