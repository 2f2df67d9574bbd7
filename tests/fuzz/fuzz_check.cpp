// fuzz_check.cpp — libFuzzer target: parse and check arbitrary bytes as a spec. Any crash,
// hang or sanitizer report is a bug; diagnostics are the only allowed outcome.
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/driver/check_run.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto run = suture::driver::check_text("fuzz.sut", text, suture::driver::default_stdlib());
  (void)run->diagnostics.sorted();
  return 0;
}
