// totality.cpp — no recursion: the calls among functions, mappings, tables, constants and
// policies must form no cycle, so every rule terminates on every input.
#include <algorithm>
#include <functional>
#include <set>

#include "compiler/sema/checker.h"

namespace suture::sema {

void Checker::add_edge(Symbol* from, Symbol* to, Span at) {
  if (from == nullptr || to == nullptr) return;
  calls_[from].push_back({to, at});
}

void Checker::check_uninhabited_records() {
  // A record whose required fields lead back to itself has no finite value: nothing can
  // ever build one. Optional and repeated fields end such chains (they may be empty).
  for (Symbol& symbol : symbols_) {
    if (symbol.kind != SymbolKind::Record || symbol.module->from_stdlib || symbol.type == nullptr) continue;
    const RecordInfo* start = symbol.type->record;
    std::vector<std::string> path;
    std::set<const RecordInfo*> seen;
    std::function<bool(const RecordInfo*)> leads_back = [&](const RecordInfo* at) {
      for (const FieldInfo& f : at->fields) {
        if (f.readonly || f.type->kind != TypeKind::Record) continue;
        path.push_back(f.name);
        if (f.type->record == start) return true;
        if (seen.insert(f.type->record).second && leads_back(f.type->record)) return true;
        path.pop_back();
      }
      return false;
    };
    if (!leads_back(start)) continue;
    std::string chain;
    for (const auto& p : path) chain += (chain.empty() ? "" : ".") + p;
    diagnostics_
        .report(DiagCode::S4006, symbol.decl->name.span,
                "record `" + symbol.name + "` can never be built: it requires another " + symbol.name + " through `" +
                    chain + "`")
        .label(symbol.decl->name.span, "no finite value has this type")
        .help("make one field on the way optional (`" + symbol.name + "?`) or a list");
  }
}

void Checker::check_recursion() {
  // Tarjan's strongly connected components; each component with a cycle is reported once,
  // at its first member in source order, with the path of the cycle in the notes.
  std::map<Symbol*, int> index, low;
  std::map<Symbol*, bool> on_stack;
  std::vector<Symbol*> stack;
  int counter = 0;
  std::vector<std::vector<Symbol*>> cycles;
  std::function<void(Symbol*)> visit = [&](Symbol* v) {
    index[v] = low[v] = counter++;
    stack.push_back(v);
    on_stack[v] = true;
    for (const Edge& e : calls_[v]) {
      if (index.count(e.to) == 0) {
        visit(e.to);
        low[v] = std::min(low[v], low[e.to]);
      } else if (on_stack[e.to]) {
        low[v] = std::min(low[v], index[e.to]);
      }
    }
    if (low[v] != index[v]) return;
    std::vector<Symbol*> component;
    Symbol* w = nullptr;
    do {
      w = stack.back();
      stack.pop_back();
      on_stack[w] = false;
      component.push_back(w);
    } while (w != v);
    bool self_loop = std::any_of(calls_[v].begin(), calls_[v].end(), [&](const Edge& e) { return e.to == v; });
    if (component.size() > 1 || self_loop) cycles.push_back(component);
  };
  std::vector<Symbol*> nodes;
  for (auto& [from, edges] : calls_) nodes.push_back(from);
  std::sort(nodes.begin(), nodes.end(), [](Symbol* a, Symbol* b) {
    return std::make_pair(a->decl->span.file, a->decl->span.begin) <
           std::make_pair(b->decl->span.file, b->decl->span.begin);
  });
  for (Symbol* node : nodes)
    if (index.count(node) == 0) visit(node);
  for (auto& component : cycles) {
    std::sort(component.begin(), component.end(), [](Symbol* a, Symbol* b) {
      return std::make_pair(a->decl->span.file, a->decl->span.begin) <
             std::make_pair(b->decl->span.file, b->decl->span.begin);
    });
    Symbol* head = component.front();
    if (head->kind == SymbolKind::Const) continue;  // constants report their own cycles while resolving
    // Walk the cycle from the head, following edges that stay in the component.
    std::vector<std::pair<Symbol*, Span>> path;
    Symbol* at = head;
    std::set<Symbol*> seen;
    while (seen.insert(at).second) {
      for (const Edge& e : calls_[at])
        if (std::find(component.begin(), component.end(), e.to) != component.end()) {
          path.push_back({at, e.at});
          at = e.to;
          break;
        }
    }
    std::string chain;
    for (const auto& [symbol, span] : path) chain += symbol->name + " → ";
    chain += at->name;
    std::string noun = describe(head->kind);
    noun = noun.substr(noun.find(' ') + 1);  // "a function" → "function"
    auto builder = diagnostics_.report(
        DiagCode::S4001, head->decl->name.span,
        noun + " `" + head->name + "` calls itself" + (component.size() > 1 ? " through " + chain : ""));
    builder.label(head->decl->name.span, "recursive");
    for (const auto& [symbol, span] : path) builder.label(span, "`" + symbol->name + "` calls here");
    builder.note("Suture rules must terminate on every input, so recursion is not allowed");
    builder.help("work over collections with map / filter / flat_map instead");
  }
}

}  // namespace suture::sema
