// cmd_authorize.cpp — `suture authorize pack.spk --policy NAME --requests FILE [--out FILE]
// [--audit FILE] [--with-resource]`: one decision line per NDJSON request (permit or deny, the
// rules that decided, rules skipped because their condition failed, obligations applied with
// their paths), optionally the resource as the obligations left it, and an audit line per
// decision (no value from the message). Exit 0 every request decided, 1 some request could not
// be read (its line says why), 2 usage, I/O or a pack that cannot be loaded.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "compiler/driver/commands.h"
#include "compiler/driver/keys.h"
#include "runtime/exec/pack_engine.h"
#include "runtime/exec/policy_runner.h"
#include "runtime/io/message_stream.h"
#include "runtime/natives/natives.h"

namespace suture::driver {
namespace {

bool write_all(int fd, std::string& buffer) {
  std::size_t written = 0;
  while (written < buffer.size()) {
    ssize_t n = ::write(fd, buffer.data() + written, buffer.size() - written);
    if (n <= 0) return false;
    written += static_cast<std::size_t>(n);
  }
  buffer.clear();
  return true;
}

// A decision id: the UUID (v5) of the pack hash, the policy, the request's position and bytes.
std::string decision_id(std::string_view pack_hash, std::string_view policy, std::uint64_t ordinal,
                        std::string_view request) {
  std::string seed = std::string(pack_hash) + "/" + std::string(policy) + "/" + std::to_string(ordinal) + "/";
  seed += request;
  runtime::Arena arena;
  runtime::ExecContext ctx;
  ctx.arena = &arena;
  abi::Value in, out;
  in.kind = abi::Kind::String;
  in.text = seed.data();
  in.aux = static_cast<std::uint32_t>(seed.size());
  if (!suture_rt_uuid_from(&ctx, &out, &in)) return "";
  return std::string(out.str());
}

// --measure N: every request decoded once, then decided N times in a row in process; prints the
// median and 99th percentile of the per-request mean decision time, and the rule count.
int measure(runtime::PolicyRunner& runner, int in_fd, std::size_t repeat) {
  runtime::io::StreamOptions options;
  options.format = runtime::io::Format::Ndjson;
  runtime::io::MessageStream stream(in_fd, options);
  std::vector<double> per_decision;
  runtime::DecisionReport report;
  for (runtime::io::Message message; stream.next(message);) {
    if (message.error != nullptr || runner.prepare(message.text)) continue;
    auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < repeat; ++i) runner.decide_prepared(&report);
    auto ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    per_decision.push_back(ns / static_cast<double>(repeat));
  }
  if (per_decision.empty()) {
    std::cerr << "suture: no request could be decoded\n";
    return 1;
  }
  std::sort(per_decision.begin(), per_decision.end());
  auto at = [&](double q) {
    return per_decision[static_cast<std::size_t>(q * static_cast<double>(per_decision.size() - 1))];
  };
  std::printf(
      "rules %zu, requests %zu, decisions each %zu: median %.0f ns, p99 %.0f ns per decision (with explanation)\n",
      runner.entry().rules.size(), per_decision.size(), repeat, at(0.5), at(0.99));
  return 0;
}

}  // namespace

int run_authorize(const std::vector<std::string>& args) {
  std::string pack_path, policy, requests_path, out_path, audit_path;
  bool with_resource = false;
  std::size_t repeat = 0;
  KeyRing keys;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string* { return i + 1 < args.size() ? &args[++i] : nullptr; };
    const std::string* v = nullptr;
    if (a == "--policy" || a == "--requests" || a == "--out" || a == "--audit" || a == "--key" || a == "--measure") {
      v = value();
      if (!v) return usage_error(a + " needs a value");
    }
    if (a == "--policy")
      policy = *v;
    else if (a == "--requests")
      requests_path = *v;
    else if (a == "--out")
      out_path = *v;
    else if (a == "--audit")
      audit_path = *v;
    else if (a == "--with-resource")
      with_resource = true;
    else if (a == "--measure")
      repeat = static_cast<std::size_t>(std::max(1L, std::atol(v->c_str())));
    else if (a == "--key") {
      if (auto error = keys.add(*v)) return usage_error(*error);
    } else if (!a.empty() && a[0] == '-')
      return usage_error("unknown option `" + a + "`");
    else if (pack_path.empty())
      pack_path = a;
    else
      return usage_error("authorize takes one pack");
  }
  if (pack_path.empty())
    return usage_error("authorize needs a pack: suture authorize pack.spk --policy NAME --requests FILE");
  auto loaded = pack::read_pack_file(pack_path);
  if (auto* error = std::get_if<pack::PackError>(&loaded)) {
    std::cerr << "suture: " << error->code << ": " << error->message << "\n";
    return 2;
  }
  const pack::LoadedPack& pack = std::get<pack::LoadedPack>(loaded);
  if (policy.empty()) {
    auto only = runtime::only_entry(pack, pack::EntryKind::Policy);
    if (only.index() == 1) return usage_error(std::get<1>(only) + " with --policy");
    policy = std::get<0>(only);
  }
  auto engine = runtime::engine_for(pack);
  if (auto* error = std::get_if<std::string>(&engine)) {
    std::cerr << "suture: cannot start the JIT: " << *error << "\n";
    return 2;
  }
  auto made = runtime::PolicyRunner::create(pack, *std::get<std::unique_ptr<runtime::Engine>>(engine), policy);
  if (auto* error = std::get_if<std::string>(&made)) {
    std::cerr << "suture: " << pack_path << ": " << *error << "\n";
    return 2;
  }
  auto& runner = *std::get<std::unique_ptr<runtime::PolicyRunner>>(made);
  runner.set_keys(keys.keys());
  int in_fd = requests_path.empty() || requests_path == "-" ? STDIN_FILENO
                                                            : ::open(requests_path.c_str(), O_RDONLY | O_CLOEXEC);
  int out_fd = out_path.empty() || out_path == "-"
                   ? STDOUT_FILENO
                   : ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int audit_fd = audit_path.empty() ? -1 : ::open(audit_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (in_fd < 0 || out_fd < 0 || (!audit_path.empty() && audit_fd < 0)) {
    std::cerr << "suture: cannot open " << (in_fd < 0 ? requests_path : out_fd < 0 ? out_path : audit_path) << "\n";
    return 2;
  }
  if (repeat > 0) return measure(runner, in_fd, repeat);
  runtime::io::StreamOptions options;
  options.format = runtime::io::Format::Ndjson;
  runtime::io::MessageStream stream(in_fd, options);
  std::string out, audit, resource;
  std::uint64_t decided = 0, refused = 0;
  bool io_ok = true;
  runtime::DecisionReport report;
  for (runtime::io::Message message; stream.next(message);) {
    std::optional<runtime::Rejection> rejection;
    if (message.error != nullptr) {
      rejection = runtime::Rejection{message.error, "$", "the request could not be read"};
    } else {
      resource.clear();
      rejection = runner.decide(message.text, true, report, with_resource ? &resource : nullptr);
    }
    if (rejection) {
      ++refused;
      out += runtime::rejection_line(message.ordinal, *rejection, "request");
    } else {
      ++decided;
      out += runtime::decision_line(message.ordinal, report, with_resource ? &resource : nullptr);
      if (audit_fd >= 0)
        audit += runtime::audit_line(decision_id(pack.manifest.content_hash, policy, message.ordinal, message.text),
                                     pack.manifest.content_hash, policy, report);
    }
    if (out.size() > (1u << 20)) io_ok = write_all(out_fd, out) && io_ok;
    if (audit.size() > (1u << 20)) io_ok = write_all(audit_fd, audit) && io_ok;
  }
  io_ok = write_all(out_fd, out) && io_ok;
  if (audit_fd >= 0) io_ok = write_all(audit_fd, audit) && ::close(audit_fd) == 0 && io_ok;
  if (out_fd != STDOUT_FILENO) io_ok = ::close(out_fd) == 0 && io_ok;
  if (in_fd != STDIN_FILENO) ::close(in_fd);
  if (!io_ok) {
    std::cerr << "suture: writing the decisions failed\n";
    return 2;
  }
  if (refused > 0) std::cerr << "suture authorize: " << decided << " decided, " << refused << " request(s) refused\n";
  return refused > 0 ? 1 : 0;
}

}  // namespace suture::driver
