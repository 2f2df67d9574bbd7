// pack_output.h — writes a built module as a rule pack (.spk): the manifest, the schema
// descriptors, the bitcode of its LLVM IR. Used by `suture build`.
#pragma once

#include <string>

#include "compiler/driver/build_run.h"

namespace suture::driver {

// Prints a message and returns false when the pack cannot be made or written.
bool write_pack_file(const BuildRun& run, const std::string& path);

}  // namespace suture::driver
