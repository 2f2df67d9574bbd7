// main.cpp — `suture-host --config FILE [--check-config]`: loads and checks the configuration
// (every problem listed as file:line: message, exit 2), starts the listeners and the delivery,
// prints where it listens, and runs until SIGTERM / SIGINT (exit 0). SIGHUP reloads the packs.
#include <csignal>
#include <cstring>
#include <iostream>
#include <string>

#include "runtime/host/config/config.h"
#include "runtime/host/host.h"

namespace {

int usage() {
  std::cerr << "usage: suture-host --config FILE.yaml [--check-config]\n"
               "  --config FILE     the host configuration (see docs/host-config.md)\n"
               "  --check-config    check the configuration and the packs it names, then exit\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  bool check_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--config" && i + 1 < argc)
      config_path = argv[++i];
    else if (arg.rfind("--config=", 0) == 0)
      config_path = arg.substr(9);
    else if (arg == "--check-config")
      check_only = true;
    else if (arg == "--help" || arg == "-h")
      return usage(), 0;
    else
      return usage();
  }
  if (config_path.empty()) return usage();
  // Signals are taken by the host's io loop; a peer closing a socket must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);

  auto loaded = suture::host::load_config(config_path);
  if (auto* problems = std::get_if<std::vector<suture::host::ConfigProblem>>(&loaded)) {
    for (const auto& p : *problems) std::cerr << suture::host::format_problem(p) << "\n";
    std::cerr << "suture-host: " << problems->size() << " problem(s) in " << config_path << "\n";
    return 2;
  }
  auto config = std::get<suture::host::HostConfig>(std::move(loaded));
  auto created = suture::host::Host::create(std::move(config));
  if (auto* problems = std::get_if<std::vector<std::string>>(&created)) {
    for (const auto& p : *problems) std::cerr << config_path << ": " << p << "\n";
    std::cerr << "suture-host: cannot start: " << problems->size() << " problem(s)\n";
    return 2;
  }
  auto host = std::move(std::get<std::unique_ptr<suture::host::Host>>(created));
  if (check_only) {
    std::cerr << "suture-host: " << config_path << " is valid\n";
    return 0;
  }
  if (std::string error = host->start(); !error.empty()) {
    std::cerr << "suture-host: cannot start: " << error << "\n";
    return 2;
  }
  std::cerr << "suture-host: listening " << host->listening() << std::endl;
  host->run();
  host->stop();
  std::cerr << "suture-host: stopped\n";
  return 0;
}
