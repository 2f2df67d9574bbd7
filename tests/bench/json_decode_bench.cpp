// json_decode_bench.cpp — decode throughput of the FHIR JSON codec (runtime/codecs/json) on an
// NDJSON file of Patients (../shared/bench/patient_partner/gen_patients.py), full and projected
// to the fields the patient_partner mapping reads. Decode only: the file is read into one padded
// buffer first and each line is decoded in place (PaddedInput), so no copy is timed.
//   suture_json_bench patients.ndjson [repeats] [projected]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "compiler/lower/schema_descriptors.h"
#include "runtime/codecs/json/json.h"
#include "runtime/io/message_stream.h"

namespace json = suture::runtime::json;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: suture_json_bench patients.ndjson [repeats]\n";
    return 2;
  }
  int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  auto described = suture::lower::describe_modules({"fhir.r4"}, SUTURE_STDLIB_DIR);
  const suture::abi::SchemaSet& fhir = described->schemas;
  const suture::abi::RecordDesc* patient = fhir.resource("Patient");

  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string data = ss.str();
  data.append(json::kInputPadding, '\0');  // every line is followed by the rest, then padding
  std::vector<std::string_view> lines;
  std::size_t size = data.size() - json::kInputPadding;
  for (std::size_t at = 0; at < size;) {
    std::size_t nl = data.find('\n', at);
    if (nl == std::string::npos || nl > size) nl = size;
    if (nl > at) lines.emplace_back(data.data() + at, nl - at);
    at = nl + 1;
  }

  json::Projection projection;
  for (const char* path : {"id", "meta.security.code", "identifier.system", "identifier.value", "active", "name.use",
                           "name.family", "name.given", "telecom.system", "telecom.value", "gender", "birthDate",
                           "address.line", "address.city", "address.postalCode", "address.country"})
    if (!projection.need_path(*patient, path)) std::cerr << "no such path " << path << "\n";

  auto run = [&](const char* label, const json::DecodeOptions& options, bool padded) {
    std::vector<double> times;
    std::size_t ok = 0;
    suture::runtime::Arena arena;
    for (int r = 0; r < repeats; ++r) {
      ok = 0;
      auto start = std::chrono::steady_clock::now();
      for (std::string_view line : lines) {
        arena.reset();
        json::DecodeResult result = padded ? json::decode_fhir(json::PaddedInput{line}, fhir, arena, options)
                                           : json::decode_fhir(line, fhir, arena, options);
        ok += result.record != nullptr;
      }
      times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    double median = times[times.size() / 2];
    std::printf("%-28s %zu/%zu ok  median %.4f s  min %.4f s  (%.0f MB/s)\n", label, ok, lines.size(), median,
                times.front(), size / median / 1e6);
  };
  json::DecodeOptions full;
  full.unknown = json::Unknown::Keep;
  json::DecodeOptions projected;
  projected.projection = &projection;
  bool only_projected = argc > 3 && std::string_view(argv[3]) == "projected";
  if (!only_projected) {
    run("full, copied", full, false);
    run("full, in place", full, true);
    run("projected, copied", projected, false);
  }
  run("projected, in place", projected, true);
  {
    // The ingest path: read the file through a MessageStream (1 MiB chunks) and decode each
    // yielded view in place, projected. Reading is timed too.
    std::vector<double> times;
    std::size_t ok = 0;
    suture::runtime::Arena arena;
    for (int r = 0; r < repeats; ++r) {
      ok = 0;
      auto start = std::chrono::steady_clock::now();
      int fd = ::open(argv[1], O_RDONLY);
      suture::runtime::io::MessageStream stream(fd);
      suture::runtime::io::Message m;
      while (stream.next(m)) {
        arena.reset();
        ok += json::decode_fhir(json::PaddedInput{m.text}, fhir, arena, projected).record != nullptr;
      }
      ::close(fd);
      times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    std::printf("%-28s %zu/%zu ok  median %.4f s  min %.4f s\n", "stream + projected decode", ok, lines.size(),
                times[times.size() / 2], times.front());
  }
  json::Projection nothing;  // the floor: index the text and skip every member
  json::DecodeOptions skip_all;
  skip_all.projection = &nothing;
  run("nothing needed, in place", skip_all, true);
  return 0;
}
