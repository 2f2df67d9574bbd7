// checker.cpp — the checker's driver: collects every module's declarations into symbols,
// binds imports, resolves declared types (aliases, records, enums), then checks bodies.
#include "compiler/sema/checker.h"

#include <algorithm>
#include <cctype>

#include "compiler/sema/suggest.h"

namespace suture::sema {

const char* describe(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::Const: return "a constant";
    case SymbolKind::Alias: return "a type alias";
    case SymbolKind::Record: return "a record type";
    case SymbolKind::Enum: return "an enum type";
    case SymbolKind::Table: return "a table";
    case SymbolKind::Function: return "a function";
    case SymbolKind::Mapping: return "a mapping";
    case SymbolKind::Policy: return "a policy";
    case SymbolKind::Route: return "a route";
    case SymbolKind::Test: return "a test";
    case SymbolKind::Namespace: return "a module";
    case SymbolKind::Broken: return "a declaration with errors";
  }
  return "a name";
}

namespace {

SymbolKind kind_of(ast::DeclKind kind) {
  switch (kind) {
    case ast::DeclKind::Const: return SymbolKind::Const;
    case ast::DeclKind::TypeAlias: return SymbolKind::Alias;
    case ast::DeclKind::Record: return SymbolKind::Record;
    case ast::DeclKind::Enum: return SymbolKind::Enum;
    case ast::DeclKind::Table: return SymbolKind::Table;
    case ast::DeclKind::Function: return SymbolKind::Function;
    case ast::DeclKind::Mapping: return SymbolKind::Mapping;
    case ast::DeclKind::Policy: return SymbolKind::Policy;
    case ast::DeclKind::Route: return SymbolKind::Route;
    case ast::DeclKind::Test: return SymbolKind::Test;
  }
  return SymbolKind::Broken;
}

const char* const kBuiltinTypes[] = {"string",   "int",  "decimal", "bool",     "date",
                                     "datetime", "time", "instant", "duration", "json"};

// Annotations the compiler and the codecs understand; others are reported as likely typos.
const char* const kKnownAnnotations[] = {
    "resource",   "url",         "choice",         "fhir_type", "model",   "odoo_type",  "label",
    "format",     "binding",     "code_system",    "fixed",     "doc",     "deprecated", "key",
    "version",    "description", "profile",        "since",     "json",    "pattern",    "segment",
    "component",  "hl7_type",    "max_length",     "example",   "message", "field",      "repeat",
    "short",      "system",      "display",        "base",      "kind",    "relation",   "definition",
    "comment",    "abstract",    "derivation",     "strict",    "path",    "type",       "value_set",
    "hl7_table",  "position",    "required",       "datatype",  "targets", "min",        "max",
    "not_stored", "ordered",     "relation_target"};

}  // namespace

Checker::Checker(Program& program, DiagnosticSink& diagnostics) : program_(program), diagnostics_(diagnostics) {}

CheckResult Checker::run() {
  prelude_ = program_.find_module("std");
  // Collect modules until imports stop loading new ones.
  for (bool grew = true; grew;) {
    grew = false;
    for (ModuleInfo* module : program_.modules()) {
      if (collected_.count(module) != 0) continue;
      grew = true;
      collect_module(module);
      for (const ast::File* file : module->files) resolve_imports(file, module);
    }
  }
  // Declared types first (records may refer to each other in any order), then bodies.
  for (Symbol& symbol : symbols_)
    if (symbol.kind == SymbolKind::Record) fill_record(symbol);
  for (Symbol& symbol : symbols_) resolve_symbol(symbol);
  for (Symbol& symbol : symbols_)
    if (!symbol.module->from_stdlib || symbol.module == prelude_) check_decl(symbol);
  check_recursion();
  check_uninhabited_records();
  for (auto& [file, bindings] : imports_) {
    auto owner_it = module_of_file_.find(file);
    const ModuleInfo* owner = owner_it == module_of_file_.end() ? nullptr : owner_it->second;
    // A file whose broken declarations were dropped may well use its imports there.
    if (owner == nullptr || owner->from_stdlib || file->has_syntax_errors) continue;
    for (auto& [name, binding] : bindings)
      if (!binding.used)
        diagnostics_.report(DiagCode::S2012, binding.span, "`" + name + "` is imported but never used")
            .label(binding.span, "unused")
            .help("remove it from the import list");
  }
  return std::move(result_);
}

std::vector<const Type*> Checker::declared_types(const std::string& module) const {
  std::vector<const Type*> out;
  for (const Symbol& symbol : symbols_)
    if (symbol.module != nullptr && symbol.module->name == module && symbol.type != nullptr &&
        (symbol.kind == SymbolKind::Record || symbol.kind == SymbolKind::Enum))
      out.push_back(symbol.type);
  return out;
}

void Checker::collect_module(ModuleInfo* module) {
  collected_.insert(module);
  auto& table = module_symbols_[module];
  std::map<std::string, Span> test_names;
  for (const ast::File* file : module->files) {
    module_of_file_[file] = module;
    for (const auto& decl : file->decls) {
      check_annotations(decl->annotations);
      Symbol& symbol = symbols_.emplace_back();
      symbol.kind = kind_of(decl->kind);
      symbol.name = decl->name.text;
      symbol.decl = decl.get();
      symbol.module = module;
      symbol.file = file;
      symbol_of_decl_[decl.get()] = &symbol;
      if (symbol.kind == SymbolKind::Test) {
        auto [it, fresh] = test_names.emplace(symbol.name, decl->name.span);
        if (!fresh)
          diagnostics_.report(DiagCode::S2018, decl->name.span, "a test named \"" + symbol.name + "\" already exists")
              .label(it->second, "first defined here")
              .help("give each test its own description");
        continue;
      }
      if (symbol.kind == SymbolKind::Record) {
        RecordInfo* info = types_.new_record();
        info->name = symbol.name;
        info->module = module->name;
        info->decl = static_cast<const ast::RecordDecl*>(decl.get());
        symbol.type = types_.record(info);
      } else if (symbol.kind == SymbolKind::Enum) {
        fill_enum(symbol);
      }
      auto [it, fresh] = table.emplace(symbol.name, &symbol);
      if (!fresh && it->second->kind != SymbolKind::Broken) {
        diagnostics_
            .report(DiagCode::S2005, decl->name.span,
                    "`" + symbol.name + "` is declared more than once in module " + module->name)
            .label(it->second->decl ? it->second->decl->name.span : Span::none(), "first declared here")
            .help("rename one of them");
      } else if (!fresh) {
        it->second = &symbol;
      }
    }
    for (const std::string& broken : file->broken_decl_names) {
      if (table.count(broken) != 0) continue;
      Symbol& symbol = symbols_.emplace_back();
      symbol.kind = SymbolKind::Broken;
      symbol.name = broken;
      symbol.module = module;
      symbol.file = file;
      symbol.type = types_.error();
      symbol.state = Symbol::State::Resolved;
      table.emplace(broken, &symbol);
    }
  }
}

void Checker::check_annotations(const std::vector<ast::Annotation>& annotations) {
  std::vector<std::string> known(std::begin(kKnownAnnotations), std::end(kKnownAnnotations));
  for (const auto& a : annotations) {
    if (std::find(known.begin(), known.end(), a.name.text) != known.end()) continue;
    auto builder = diagnostics_.report(DiagCode::S1006, a.name.span, "unknown annotation `@" + a.name.text + "`");
    builder.label(a.name.span, "not an annotation Suture knows");
    if (auto near = closest(a.name.text, known)) builder.help("did you mean `@" + *near + "`?");
  }
}

void Checker::resolve_imports(const ast::File* file, ModuleInfo* module) {
  auto& bindings = imports_[file];
  auto bind = [&](const std::string& name, Symbol* symbol, Span span) {
    auto [it, fresh] = bindings.emplace(name, ImportBinding{symbol, span, false});
    if (!fresh) {
      diagnostics_.report(DiagCode::S2011, span, "`" + name + "` is imported twice")
          .label(it->second.span, "first imported here")
          .help("import it once, or rename one with `as`");
      return;
    }
    auto& own = module_symbols_[module];
    if (auto local = own.find(name); local != own.end() && local->second->decl != nullptr)
      diagnostics_.report(DiagCode::S2011, span, "`" + name + "` is imported but also declared in this module")
          .label(local->second->decl->name.span, "declared here")
          .help("rename the import with `as`");
    // The conflict is the problem to report; an "unused import" warning on top would repeat it.
    if (auto local = own.find(name); local != own.end() && local->second->decl != nullptr) it->second.used = true;
  };
  for (const ast::Import& import : file->imports) {
    std::string name = import.module.joined();
    if (name == module->name) {
      diagnostics_.report(DiagCode::S2020, import.module.span, "module " + name + " imports itself")
          .help("names of the same module are visible without an import");
      continue;
    }
    ModuleInfo* target = program_.find_module(name);
    if (target == nullptr) {
      auto builder = diagnostics_.report(DiagCode::S2003, import.module.span, "no module named `" + name + "`");
      builder.label(import.module.span, "not found in the inputs or the standard library");
      if (auto near = closest(name, program_.known_module_names())) builder.help("did you mean `" + *near + "`?");
      continue;
    }
    if (collected_.count(target) == 0) {
      collect_module(target);
      for (const ast::File* f : target->files) resolve_imports(f, target);
    }
    if (!import.has_item_list) {
      Symbol& ns = symbols_.emplace_back();
      ns.kind = SymbolKind::Namespace;
      ns.name = import.alias ? import.alias->text : import.module.parts.back().text;
      ns.namespace_module = target;
      ns.module = module;
      ns.file = file;
      ns.state = Symbol::State::Resolved;
      bind(ns.name, &ns, import.alias ? import.alias->span : import.module.span);
      continue;
    }
    auto& exported = module_symbols_[target];
    for (const ast::ImportItem& item : import.items) {
      auto found = exported.find(item.name.text);
      if (found == exported.end()) {
        std::vector<std::string> names;
        for (const auto& [n, s] : exported) names.push_back(n);
        auto builder = diagnostics_.report(DiagCode::S2004, item.name.span,
                                           "module " + name + " has no declaration named `" + item.name.text + "`");
        builder.label(item.name.span, "not in " + name);
        if (auto near = closest(item.name.text, names)) builder.help("did you mean `" + *near + "`?");
        continue;
      }
      const ast::Name& local = item.alias ? *item.alias : item.name;
      bind(local.text, found->second, local.span);
    }
  }
}

Symbol* Checker::lookup(const ast::File* file, ModuleInfo* module, const std::string& name, bool mark_used) {
  if (auto f = imports_.find(file); f != imports_.end())
    if (auto it = f->second.find(name); it != f->second.end()) {
      if (mark_used) it->second.used = true;
      return it->second.symbol;
    }
  if (auto m = module_symbols_.find(module); m != module_symbols_.end())
    if (auto it = m->second.find(name); it != m->second.end()) return it->second;
  if (prelude_ != nullptr && module != prelude_)
    if (auto m = module_symbols_.find(prelude_); m != module_symbols_.end())
      if (auto it = m->second.find(name); it != m->second.end()) return it->second;
  return nullptr;
}

std::vector<std::string> Checker::visible_names(const Env& env) const {
  std::vector<std::string> names;
  for (const Local& local : env.locals) names.push_back(local.name);
  if (auto f = imports_.find(env.file); f != imports_.end())
    for (const auto& [n, b] : f->second) names.push_back(n);
  for (ModuleInfo* module : {env.module, prelude_})
    if (auto m = module_symbols_.find(module); m != module_symbols_.end())
      for (const auto& [n, s] : m->second) names.push_back(n);
  return names;
}

void Checker::fill_enum(Symbol& symbol) {
  const auto* decl = static_cast<const ast::EnumDecl*>(symbol.decl);
  EnumInfo* info = types_.new_enum();
  info->name = symbol.name;
  info->module = symbol.module->name;
  info->decl = decl;
  std::map<std::string, Span> seen;
  for (const auto& member : decl->members) {
    check_annotations(member.annotations);
    auto [it, fresh] = seen.emplace(member.name.text, member.name.span);
    if (!fresh) {
      diagnostics_
          .report(DiagCode::S2007, member.name.span, "enum " + symbol.name + " lists `" + member.name.text + "` twice")
          .label(it->second, "first listed here");
      continue;
    }
    info->members.push_back(member.name.text);
  }
  symbol.type = types_.enumeration(info);
  symbol.state = Symbol::State::Resolved;
}

void Checker::fill_record(Symbol& symbol) {
  const auto* decl = static_cast<const ast::RecordDecl*>(symbol.decl);
  auto* info = const_cast<RecordInfo*>(symbol.type->record);
  std::map<std::string, Span> seen;
  for (const auto& field : decl->fields) {
    check_annotations(field.annotations);
    auto [it, fresh] = seen.emplace(field.name.text, field.name.span);
    if (!fresh) {
      diagnostics_
          .report(DiagCode::S2006, field.name.span,
                  "record " + symbol.name + " declares `" + field.name.text + "` twice")
          .label(it->second, "first declared here");
      continue;
    }
    info->fields.push_back({field.name.text,
                            resolve_type(*field.type, symbol.file, symbol.module),
                            field.readonly,
                            field.name.span,
                            &field.annotations,
                            {}});
  }
  add_choice_kinds(*info);
  symbol.state = Symbol::State::Resolved;
}

void Checker::add_choice_kinds(RecordInfo& info) {
  // Group the @choice("stem") fields in declaration order; each group gets a member `stem`
  // whose enum lists the alternatives by their type suffix (valueQuantity → Quantity).
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const FieldInfo& f : info.fields) {
    if (f.annotations == nullptr) continue;
    for (const ast::Annotation& a : *f.annotations) {
      if (a.name.text != "choice" || a.args.empty()) continue;
      const std::string& stem = a.args[0].text;
      if (f.name.size() <= stem.size() || f.name.compare(0, stem.size(), stem) != 0) continue;
      auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == stem; });
      if (it == groups.end()) it = groups.insert(groups.end(), {stem, {}});
      it->second.push_back(f.name.substr(stem.size()));
    }
  }
  for (auto& [stem, alternatives] : groups) {
    if (info.field(stem) != nullptr) continue;  // a real field of that name wins
    EnumInfo* kinds = types_.new_enum();
    std::string upper = stem;
    upper[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[0])));
    kinds->name = info.name + upper + "Kind";
    kinds->module = info.module;
    kinds->members = alternatives;
    FieldInfo kind;
    kind.name = stem;
    kind.type = types_.optional(types_.enumeration(kinds));
    kind.readonly = true;
    kind.span = info.decl ? info.decl->name.span : Span::none();
    kind.choice_kind_of = stem;
    info.fields.push_back(std::move(kind));
  }
}

void Checker::resolve_symbol(Symbol& symbol) {
  if (symbol.state == Symbol::State::Resolved) return;
  if (symbol.state == Symbol::State::Resolving) {
    if (symbol.kind == SymbolKind::Alias) {
      diagnostics_.report(DiagCode::S4002, symbol.decl->name.span, "type alias `" + symbol.name + "` refers to itself")
          .label(symbol.decl->name.span, "this alias expands to itself")
          .help("use a record for recursive structures: records may refer to themselves");
    } else {
      diagnostics_
          .report(DiagCode::S4001, symbol.decl->name.span,
                  "constant `" + symbol.name + "` is defined in terms of itself")
          .label(symbol.decl->name.span, "its value depends on itself");
    }
    symbol.type = types_.error();
    symbol.state = Symbol::State::Resolved;
    return;
  }
  switch (symbol.kind) {
    case SymbolKind::Alias: {
      symbol.state = Symbol::State::Resolving;
      const Type* t =
          resolve_type(*static_cast<const ast::TypeAliasDecl*>(symbol.decl)->type, symbol.file, symbol.module);
      if (symbol.state == Symbol::State::Resolved) return;  // a cycle was reported inside
      symbol.type = t;
      symbol.state = Symbol::State::Resolved;
      return;
    }
    case SymbolKind::Const: check_const(symbol); return;
    default: symbol.state = Symbol::State::Resolved; return;
  }
}

const Type* Checker::resolve_type(const ast::TypeExpr& type, const ast::File* file, ModuleInfo* module) {
  auto arg = [&](std::size_t i) { return resolve_type(*type.args.at(i), file, module); };
  switch (type.kind) {
    case ast::TypeExprKind::Optional: return types_.optional(arg(0));
    case ast::TypeExprKind::Fallible: return types_.fallible(arg(0));
    case ast::TypeExprKind::List: return types_.list(arg(0));
    case ast::TypeExprKind::Set: return types_.set(arg(0));
    case ast::TypeExprKind::Map: return types_.map(arg(0), arg(1));
    case ast::TypeExprKind::Record: {
      std::vector<FieldInfo> fields;
      for (const auto& f : type.fields)
        fields.push_back({f.name.text, resolve_type(*f.type, file, module), false, f.name.span, nullptr, {}});
      return types_.anon_record(std::move(fields));
    }
    case ast::TypeExprKind::Named: break;
  }
  const std::string name = type.name.joined();
  auto arity = [&](std::size_t wanted) {
    if (type.args.size() == wanted) return true;
    diagnostics_
        .report(DiagCode::S3028, type.span,
                "`" + name + "` takes " + std::to_string(wanted) + " type argument" + (wanted == 1 ? "" : "s") +
                    ", not " + std::to_string(type.args.size()))
        .label(type.span, "here");
    return false;
  };
  if (type.name.parts.size() == 1) {
    for (const char* builtin : kBuiltinTypes)
      if (name == builtin) {
        if (!arity(0)) return types_.error();
        if (name == "string") return types_.string();
        if (name == "int") return types_.integer();
        if (name == "decimal") return types_.decimal();
        if (name == "bool") return types_.boolean();
        if (name == "date") return types_.date();
        if (name == "datetime") return types_.datetime();
        if (name == "time") return types_.time();
        if (name == "instant") return types_.instant();
        if (name == "duration") return types_.duration();
        return types_.json();
      }
    if (name == "list" || name == "set" || name == "map") {
      // With the right number of arguments the parser builds a collection type; here it is wrong.
      arity(name == "map" ? 2 : 1);
      return types_.error();
    }
    if (name == "id") {
      if (!arity(1)) return types_.error();
      const Type* model = arg(0);
      if (!is_error(model) && model->kind != TypeKind::Record) {
        diagnostics_.report(DiagCode::S3001, type.args[0]->span, "`id<…>` takes a record type, not " + display(model))
            .label(type.args[0]->span, "not a record");
        return types_.error();
      }
      return types_.id(model);
    }
  }
  Symbol* symbol = nullptr;
  if (type.name.parts.size() == 1) {
    symbol = lookup(file, module, name);
  } else if (Symbol* ns = lookup(file, module, type.name.parts[0].text); ns && ns->kind == SymbolKind::Namespace) {
    ModuleInfo* target = ns->namespace_module;
    for (std::size_t i = 1; i + 1 < type.name.parts.size() && target; ++i) target = nullptr;  // one level of nesting
    if (target != nullptr) {
      auto& table = module_symbols_[target];
      if (auto it = table.find(type.name.parts.back().text); it != table.end()) symbol = it->second;
    }
  }
  if (symbol == nullptr) {
    std::vector<std::string> candidates(std::begin(kBuiltinTypes), std::end(kBuiltinTypes));
    for (ModuleInfo* m : {module, prelude_})
      for (const auto& [n, s] : module_symbols_[m])
        if (s->kind == SymbolKind::Record || s->kind == SymbolKind::Enum || s->kind == SymbolKind::Alias)
          candidates.push_back(n);
    for (const auto& [n, b] : imports_[file])
      if (b.symbol->kind != SymbolKind::Const) candidates.push_back(n);
    auto builder = diagnostics_.report(DiagCode::S2002, type.name.span, "unknown type `" + name + "`");
    builder.label(type.name.span, "not a type in scope");
    if (auto near = closest(name, candidates))
      builder.help("did you mean `" + *near + "`?");
    else
      builder.help("import it, e.g. `import fhir.r4 (" + type.name.parts.back().text + ")`");
    return types_.error();
  }
  switch (symbol->kind) {
    case SymbolKind::Record:
    case SymbolKind::Enum:
      if (!arity(0)) return types_.error();
      return symbol->type;
    case SymbolKind::Alias:
      if (!arity(0)) return types_.error();
      resolve_symbol(*symbol);
      return symbol->type ? symbol->type : types_.error();
    case SymbolKind::Broken: return types_.error();
    default:
      diagnostics_
          .report(DiagCode::S2016, type.name.span, "`" + name + "` is " + describe(symbol->kind) + ", not a type")
          .label(type.name.span, "used as a type here");
      return types_.error();
  }
}

}  // namespace suture::sema
