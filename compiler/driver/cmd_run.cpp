// cmd_run.cpp — `suture run pack.spk --mapping NAME [--in FILE] [--out FILE] [--rejects FILE]`:
// streams messages (NDJSON, one JSON document, or HL7 v2) through a compiled mapping in constant
// memory: one output line per mapped message, one rejection line per bad one. Also `suture
// inspect pack.spk`. Exit codes: 0 every message mapped, 1 some were rejected, 2 usage, I/O or
// a pack that cannot be loaded.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "compiler/driver/commands.h"
#include "compiler/driver/keys.h"
#include "runtime/exec/mapping_runner.h"
#include "runtime/exec/pack_engine.h"
#include "runtime/io/message_stream.h"

namespace suture::driver {
namespace {

// Buffered writes to a file descriptor; flushed past 1 MiB and at the end.
class Sink {
 public:
  explicit Sink(int fd) : fd_(fd) { buffer_.reserve(1u << 21); }
  std::string& buffer() { return buffer_; }
  bool maybe_flush() { return buffer_.size() < (1u << 20) || flush(); }
  bool flush() {
    std::size_t written = 0;
    while (written < buffer_.size()) {
      ssize_t n = ::write(fd_, buffer_.data() + written, buffer_.size() - written);
      if (n <= 0) return false;
      written += static_cast<std::size_t>(n);
    }
    buffer_.clear();
    return true;
  }

 private:
  int fd_;
  std::string buffer_;
};

int open_output(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

std::string fixed(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", ms);
  return text;
}

}  // namespace

int run_run(const std::vector<std::string>& args) {
  std::string pack_path, mapping, in_path, out_path, rejects_path, format = "auto", odoo = "row";
  bool stats = false;
  KeyRing keys;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string* { return i + 1 < args.size() ? &args[++i] : nullptr; };
    const std::string* v = nullptr;
    if (a == "--mapping" || a == "--in" || a == "--out" || a == "--rejects" || a == "--format" || a == "--odoo" ||
        a == "--key") {
      v = value();
      if (!v) return usage_error(a + " needs a value");
    }
    if (a == "--mapping")
      mapping = *v;
    else if (a == "--in")
      in_path = *v;
    else if (a == "--out")
      out_path = *v;
    else if (a == "--rejects")
      rejects_path = *v;
    else if (a == "--format")
      format = *v;
    else if (a == "--odoo")
      odoo = *v;
    else if (a == "--key") {
      if (auto error = keys.add(*v)) return usage_error(*error);
    } else if (a == "--stats")
      stats = true;
    else if (!a.empty() && a[0] == '-')
      return usage_error("unknown option `" + a + "`");
    else if (pack_path.empty())
      pack_path = a;
    else
      return usage_error("run takes one pack");
  }
  if (pack_path.empty()) return usage_error("run needs a pack: suture run pack.spk --mapping NAME");
  runtime::io::StreamOptions stream_options;
  if (format == "ndjson")
    stream_options.format = runtime::io::Format::Ndjson;
  else if (format == "json")
    stream_options.format = runtime::io::Format::JsonDocument;
  else if (format == "hl7v2")
    stream_options.format = runtime::io::Format::Hl7v2;
  else if (format != "auto")
    return usage_error("--format takes auto, ndjson, json or hl7v2");
  if (odoo != "row" && odoo != "vals") return usage_error("--odoo takes row or vals");

  auto start = std::chrono::steady_clock::now();
  auto loaded = pack::read_pack_file(pack_path);
  if (auto* error = std::get_if<pack::PackError>(&loaded)) {
    std::cerr << "suture: " << error->code << ": " << error->message << "\n";
    return 2;
  }
  const pack::LoadedPack& pack = std::get<pack::LoadedPack>(loaded);
  double read_ms = ms_since(start);
  if (mapping.empty()) {
    auto only = runtime::only_entry(pack, pack::EntryKind::Mapping);
    if (only.index() == 1) return usage_error(std::get<1>(only) + " with --mapping");
    mapping = std::get<0>(only);
  }
  auto engine = runtime::engine_for(pack);
  if (auto* error = std::get_if<std::string>(&engine)) {
    std::cerr << "suture: cannot start the JIT: " << *error << "\n";
    return 2;
  }
  double jit_ms = ms_since(start) - read_ms;
  auto runner = runtime::MappingRunner::create(pack, *std::get<std::unique_ptr<runtime::Engine>>(engine), mapping);
  if (auto* error = std::get_if<std::string>(&runner)) {
    std::cerr << "suture: " << pack_path << ": " << *error << "\n";
    return 2;
  }
  double load_ms = ms_since(start);
  auto& run = *std::get<std::unique_ptr<runtime::MappingRunner>>(runner);
  run.set_keys(keys.keys());
  run.set_odoo_output(odoo == "vals" ? runtime::MappingRunner::OdooOutput::Vals
                                     : runtime::MappingRunner::OdooOutput::Row);

  int in_fd = in_path.empty() || in_path == "-" ? STDIN_FILENO : ::open(in_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in_fd < 0) {
    std::cerr << "suture: cannot read " << in_path << "\n";
    return 2;
  }
  int out_fd = out_path.empty() || out_path == "-" ? STDOUT_FILENO : open_output(out_path);
  int rejects_fd = rejects_path.empty() ? STDERR_FILENO : open_output(rejects_path);
  if (out_fd < 0 || rejects_fd < 0) {
    std::cerr << "suture: cannot write " << (out_fd < 0 ? out_path : rejects_path) << "\n";
    return 2;
  }
  Sink out(out_fd), rejects(rejects_fd);
  runtime::io::MessageStream stream(in_fd, stream_options);
  std::uint64_t read = 0, mapped = 0, rejected = 0;
  bool io_ok = true;
  for (runtime::io::Message message; stream.next(message);) {
    ++read;
    if (message.error != nullptr) {
      ++rejected;
      std::string why = std::string(message.error) == runtime::io::code::kMessageTooLarge
                            ? "the message is " + std::to_string(message.size) + " bytes, more than the limit"
                            : "the input could not be split into messages here";
      rejects.buffer() += runtime::rejection_line(message.ordinal, {message.error, "$", why});
    } else if (auto rejection = run.map(message.text, true, out.buffer())) {
      ++rejected;
      rejects.buffer() += runtime::rejection_line(message.ordinal, *rejection);
    } else {
      ++mapped;
    }
    io_ok = io_ok && out.maybe_flush() && rejects.maybe_flush();
  }
  io_ok = out.flush() && rejects.flush() && io_ok;
  if (in_fd != STDIN_FILENO) ::close(in_fd);
  if (out_fd != STDOUT_FILENO && ::close(out_fd) != 0) io_ok = false;
  if (rejects_fd != STDERR_FILENO) ::close(rejects_fd);
  if (!io_ok) {
    std::cerr << "suture: writing the output failed\n";
    return 2;
  }
  if (stats || rejected > 0)
    std::cerr << "suture run: " << read << " message(s), " << mapped << " mapped, " << rejected << " rejected"
              << (stats ? "; pack loaded and compiled in " + fixed(load_ms) + " ms (read and verify " + fixed(read_ms) +
                              ", JIT start " + fixed(jit_ms) + ", compile " + fixed(load_ms - read_ms - jit_ms) + ")"
                        : std::string())
              << "\n";
  return rejected > 0 ? 1 : 0;
}

int run_inspect(const std::vector<std::string>& args) {
  if (args.size() != 1) return usage_error("inspect takes one pack");
  auto loaded = pack::read_pack_file(args[0]);
  if (auto* error = std::get_if<pack::PackError>(&loaded)) {
    std::cerr << "suture: " << error->code << ": " << error->message << "\n";
    return 2;
  }
  std::cout << pack::describe_pack(std::get<pack::LoadedPack>(loaded));
  return 0;
}

}  // namespace suture::driver
