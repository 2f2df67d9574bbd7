// mapping_runner.h — one compiled mapping from a loaded pack, applied message by message:
// decode (FHIR / Odoo JSON with the pack's projection, or HL7 v2 ER7) into the arena, run the
// entry point, write the output bytes, or write one structured rejection. Shared by `suture
// run` and the host. Never throws on input; a message that fails leaves no partial output.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "runtime/codecs/json/json.h"
#include "runtime/exec/engine.h"
#include "runtime/pack/pack.h"

namespace suture::runtime {

struct Rejection {
  std::string code;     // JSON_…, HL7_…, or the mapping's own (`fail("CODE", …)`)
  std::string path;     // JSON path ("$.id") or HL7 path ("PID-5[1].2")
  std::string message;  // for people
};

class MappingRunner {
 public:
  // Loads `pack`'s module into `engine` (once per runner) and finds `mapping` (its name, or
  // module.name). Errors name the mappings the pack has.
  // `kind` Route: a route's select entry (its outcome is read with run(), never encoded).
  static std::variant<std::unique_ptr<MappingRunner>, std::string> create(
      const pack::LoadedPack& pack, Engine& engine, std::string_view mapping,
      pack::EntryKind kind = pack::EntryKind::Mapping);

  // Maps one message. On success appends the output (one line: JSON, or ER7 segments) to `out`
  // and returns nullopt; otherwise appends nothing and returns why. `padded`: the text is
  // followed by json::kInputPadding readable bytes (no copy needed).
  std::optional<Rejection> map(std::string_view message, bool padded, std::string& out);

  // Decodes and runs without encoding: `result` is the output record, valid in this runner's
  // arena until the next call.
  std::optional<Rejection> run(std::string_view message, bool padded, abi::Value& result);

  const pack::EntryPoint& entry() const { return *entry_; }

  // Odoo output: every field as read() returns it (`false` when absent; the default), or the
  // `vals` of a create/write (present, writable fields only).
  enum class OdooOutput { Row, Vals };
  void set_odoo_output(OdooOutput output) { odoo_output_ = output; }
  // Keys for hmac_sha256 / pseudonymisation, by name (the bytes must outlive the runner's use).
  void set_keys(std::vector<NamedKey> keys) { keys_ = std::move(keys); }

 private:
  MappingRunner() = default;
  const pack::LoadedPack* pack_ = nullptr;
  const pack::EntryPoint* entry_ = nullptr;
  EntryPoint function_ = nullptr;
  const abi::RecordDesc* input_ = nullptr;
  std::unique_ptr<SchemaTables> tables_;
  json::Projection projection_;
  json::DecodeOptions options_;
  Arena arena_;
  ExecContext context_;
  OdooOutput odoo_output_ = OdooOutput::Row;
  std::vector<NamedKey> keys_;
};

// `{"message":N,"code":…,"path":…,"error":…}` — the line `suture run` writes per rejection
// (`suture authorize` names the position "request").
std::string rejection_line(std::uint64_t ordinal, const Rejection& rejection, std::string_view position = "message");

}  // namespace suture::runtime
