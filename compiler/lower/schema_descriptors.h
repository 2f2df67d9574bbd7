// schema_descriptors.h — turns checked schema types (records, enums) into the runtime's
// descriptors (runtime/schema/descriptor.h), which codecs use to decode messages.
// Pipeline position: after sema; the first piece of lowering. Packs will carry its output.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "runtime/schema/descriptor.h"

namespace suture::lower {

struct DescribedSchemas {
  abi::SchemaSet schemas;
  std::vector<std::string> errors;  // diagnostics of the modules, rendered one per line
};

// Checks the named modules (found in the standard library) and describes every record and
// enum they declare, and everything those refer to.
std::unique_ptr<DescribedSchemas> describe_modules(const std::vector<std::string>& modules,
                                                   const std::filesystem::path& stdlib);

}  // namespace suture::lower
