// schema_descriptors.h — turns checked schema types (records, enums) into the runtime's
// descriptors (runtime/schema/descriptor.h), which codecs use to decode messages.
// Pipeline position: after sema; the first piece of lowering. Packs will carry its output.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/schema/descriptor.h"

namespace suture::sema {
struct Type;
struct RecordInfo;
struct EnumInfo;
}  // namespace suture::sema

namespace suture::lower {

// Describes checked record and enum types into a SchemaSet, each once, with everything they
// refer to. The caller calls out.finish() when it has described all it needs.
class Describer {
 public:
  explicit Describer(abi::SchemaSet& out) : out_(out) {}
  const abi::RecordDesc* record(const sema::Type* t);
  const abi::EnumDesc* enumeration(const sema::Type* t);
  abi::TypeDesc type(const sema::Type* t);

 private:
  abi::SchemaSet& out_;
  std::map<const sema::RecordInfo*, const abi::RecordDesc*> records_;
  std::map<const sema::EnumInfo*, const abi::EnumDesc*> enums_;
};

struct DescribedSchemas {
  abi::SchemaSet schemas;
  std::vector<std::string> errors;  // diagnostics of the modules, rendered one per line
};

// Checks the named modules (found in the standard library) and describes every record and
// enum they declare, and everything those refer to.
std::unique_ptr<DescribedSchemas> describe_modules(const std::vector<std::string>& modules,
                                                   const std::filesystem::path& stdlib);

}  // namespace suture::lower
