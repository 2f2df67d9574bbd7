// mapping_runner.cpp — decode → entry point → encode, per message (see mapping_runner.h).
#include "runtime/exec/mapping_runner.h"
#include "runtime/exec/pack_engine.h"

#include "runtime/codecs/hl7v2/er7.h"
#include "runtime/codecs/hl7v2/typed.h"
#include "runtime/codecs/json/writer.h"

namespace suture::runtime {

std::variant<std::unique_ptr<MappingRunner>, std::string> MappingRunner::create(const pack::LoadedPack& pack,
                                                                                Engine& engine,
                                                                                std::string_view mapping,
                                                                                pack::EntryKind kind) {
  std::unique_ptr<MappingRunner> runner(new MappingRunner());
  runner->pack_ = &pack;
  auto found = find_entry(pack, kind, mapping);
  if (auto* error = std::get_if<std::string>(&found)) return *error;
  runner->entry_ = std::get<const pack::EntryPoint*>(found);
  const pack::EntryPoint& e = *runner->entry_;
  if (e.param_types.size() != 1)
    return "mapping `" + e.name + "` takes " + std::to_string(e.param_types.size()) +
           " parameters; `suture run` feeds mappings of one message";
  runner->input_ = pack.schemas->record(e.param_types[0]);
  if (runner->input_ == nullptr)
    return "mapping `" + e.name + "` reads " + e.param_types[0] + ", a type the pack does not describe";
  auto function = load_entry(pack, engine, e);
  if (auto* error = std::get_if<std::string>(&function)) return *error;
  runner->function_ = std::get<EntryPoint>(function);
  runner->tables_ = std::make_unique<SchemaTables>(*pack.schemas);
  if (!e.reads_everything) {
    const auto& records = pack.schemas->records();
    for (const pack::FieldsRead& r : e.fields_read)
      for (std::uint32_t f : r.fields) runner->projection_.need(records[r.record], f);
    runner->options_.projection = &runner->projection_;
  }
  runner->options_.unknown = json::Unknown::Keep;
  return runner;
}

std::optional<Rejection> MappingRunner::map(std::string_view message, bool padded, std::string& out) {
  abi::Value result;
  if (auto rejection = run(message, padded, result)) return rejection;
  switch (entry_->output_format) {
    case pack::DataFormat::Odoo:
      if (odoo_output_ == OdooOutput::Row)
        json::encode_odoo_row(*result.record, out);
      else
        json::encode_odoo_values(*result.record, out);
      break;
    case pack::DataFormat::Hl7v2: out += hl7::encode_typed(*result.record); break;
    default: json::encode_fhir(*result.record, out); break;
  }
  out += '\n';
  return std::nullopt;
}

std::optional<Rejection> MappingRunner::run(std::string_view message, bool padded, abi::Value& result) {
  arena_.reset();
  abi::Record* record = nullptr;
  hl7::Result<hl7::Message> parsed = hl7::Error{};
  switch (entry_->input_format) {
    case pack::DataFormat::Hl7v2: {
      parsed = hl7::parse(message);
      if (!parsed) {
        const hl7::Error& error = parsed.error();
        return Rejection{std::string(hl7::error_code_name(error.code)), error.where.path, error.message};
      }
      // The message type (MSH-9.1^MSH-9.2) must be one the mapping's structure carries.
      if (!input_->messages.empty()) {
        std::string type = std::string(hl7::get(parsed.value(), "MSH-9.1").value_or("")) + "^" +
                           std::string(hl7::get(parsed.value(), "MSH-9.2").value_or(""));
        bool known = false;
        for (const std::string& m : input_->messages) known = known || m == type;
        if (!known) {
          std::string carried;
          for (const std::string& m : input_->messages) carried += (carried.empty() ? "" : ", ") + m;
          return Rejection{
              "HL7_UNEXPECTED_MESSAGE_TYPE", "MSH-9",
              "message type " + type + " cannot be read as " + input_->name + ", which carries " + carried};
        }
      }
      hl7::TypedResult typed = hl7::decode_typed_as(parsed.value(), *input_, arena_);
      if (!typed) {
        const hl7::Error& error = *typed.error;
        return Rejection{std::string(hl7::error_code_name(error.code)), error.where.path, error.message};
      }
      record = typed.record;
      break;
    }
    case pack::DataFormat::Odoo: {
      json::DecodeResult decoded = padded ? json::decode_odoo(json::PaddedInput{message}, *input_, arena_, options_)
                                          : json::decode_odoo(message, *input_, arena_, options_);
      if (!decoded) return Rejection{decoded.error->code, decoded.error->path, decoded.error->message};
      record = decoded.record;
      break;
    }
    default: {
      json::DecodeResult decoded = padded ? json::decode_fhir_as(json::PaddedInput{message}, *input_, arena_, options_)
                                          : json::decode_fhir_as(message, *input_, arena_, options_);
      if (!decoded) return Rejection{decoded.error->code, decoded.error->path, decoded.error->message};
      record = decoded.record;
      break;
    }
  }
  context_.clear();
  tables_->bind(context_, arena_);
  context_.keys = keys_.data();
  context_.key_count = static_cast<std::uint32_t>(keys_.size());
  abi::Value in;
  in.kind = abi::Kind::Record;
  in.record = record;
  if (function_(&context_, &result, &in) != 0)
    return Rejection{context_.error.code, context_.error.path, context_.error.message};
  return std::nullopt;
}

std::string rejection_line(std::uint64_t ordinal, const Rejection& rejection, std::string_view position) {
  std::string line = "{\"" + std::string(position) + "\":" + std::to_string(ordinal) + ",\"code\":";
  json::write_string(line, rejection.code);
  line += ",\"path\":";
  json::write_string(line, rejection.path.empty() ? "$" : rejection.path);
  line += ",\"error\":";
  json::write_string(line, rejection.message);
  line += "}\n";
  return line;
}

}  // namespace suture::runtime
