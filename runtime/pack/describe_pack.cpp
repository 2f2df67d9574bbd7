// describe_pack.cpp — the human summary behind `suture inspect pack.spk`.
#include <sstream>

#include "runtime/pack/pack.h"

namespace suture::pack {
namespace {

std::string signature(const EntryPoint& e) {
  std::string s = e.name + "(";
  for (std::size_t i = 0; i < e.param_types.size(); ++i) s += (i ? ", " : "") + e.param_types[i];
  return s + ") -> " + e.result_type;
}

}  // namespace

std::string describe_pack(const LoadedPack& pack) {
  const Manifest& m = pack.manifest;
  std::ostringstream out;
  out << "pack format " << m.format_version << ", runtime ABI " << m.abi_version << "\n";
  out << "content hash: sha256:" << m.content_hash << "\n";
  out << "compiler:     " << (m.compiler_version.empty() ? "(unknown)" : m.compiler_version) << "\n";
  out << "target:       " << (m.target_triple.empty() ? "any x86-64" : m.target_triple) << "\n";
  out << "entry points: " << m.entry_points.size() << "\n";
  for (const EntryPoint& e : m.entry_points) {
    out << "  " << to_string(e.kind) << " " << signature(e) << "  [" << to_string(e.input_format) << " -> "
        << to_string(e.output_format) << "]  symbol " << e.symbol << "\n";
  }
  if (!m.routes.empty()) out << "routes:       " << m.routes.size() << "\n";
  for (const RouteInfo& r : m.routes) {
    out << "  route " << r.name << ":";
    for (const RouteTrigger& t : r.triggers)
      out << " on " << t.listener << (t.verb.empty() ? "" : " " + t.verb)
          << (t.selector.empty() ? "" : " " + t.selector) << (t.event.empty() ? "" : " event " + t.event);
    if (r.fallback) out << " fallback";
    out << " as " << r.message_type;
    if (!r.policy.empty()) out << ", authorize " << r.policy;
    if (!r.mapping.empty()) out << ", map " << r.mapping;
    for (const RouteDelivery& d : r.deliveries)
      out << ", deliver " << d.family << "." << d.operation << " to " << d.endpoint;
    out << ", retry " << r.retry << " x" << r.attempts << (r.dead_letter ? " then dead_letter" : " then drop") << "\n";
  }
  out << "schemas:      ";
  for (std::size_t i = 0; i < m.schemas.size(); ++i) out << (i ? ", " : "") << m.schemas[i];
  if (m.schemas.empty()) out << "(none)";
  const std::size_t records = pack.schemas ? pack.schemas->records().size() : 0;
  const std::size_t enums = pack.schemas ? pack.schemas->enums().size() : 0;
  out << " (" << records << " records, " << enums << " enums)\n";
  out << "source map:   " << m.source_map.size() << " locations\n";
  if (pack.object)
    out << "object:       " << pack.object->bytes.size() << " bytes for " << pack.object->triple << " (cpu "
        << pack.object->cpu << ")\n";
  else
    out << "object:       none (compiled from bitcode at load)\n";
  out << "sizes:        " << pack.file_size << " bytes: manifest " << pack.manifest_size << ", schemas "
      << pack.schemas_size << ", bitcode " << pack.bitcode.size() << "\n";
  if (!m.build_info.empty()) {
    out << "build info:\n";
    for (const auto& [key, value] : m.build_info) out << "  " << key << " = " << value << "\n";
  }
  return out.str();
}

}  // namespace suture::pack
