// host.h — `suture-host` assembled: configuration → store, packs, connectors, dispatcher,
// listeners, admin API, metrics and audit, run on a pool of io threads. Messages go
// ingress → authenticate → rate limit → pipeline (route, authorize, map) → store (durable)
// → reply; the dispatcher delivers from the store. Reload swaps the pack set atomically.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "runtime/host/config/config.h"

namespace suture::host {

class Host {
 public:
  // Opens the store, loads the packs and builds the connectors; every problem is listed.
  static std::variant<std::unique_ptr<Host>, std::vector<std::string>> create(HostConfig config);
  ~Host();

  // Binds every listener and starts the io threads and the dispatcher; "" or why not.
  std::string start();
  // Blocks until SIGINT / SIGTERM (or stop()); SIGHUP reloads the packs.
  void run();
  void stop();
  // Loads the configured packs again and swaps them in; "" or the problems, joined.
  std::string reload();
  // "web=127.0.0.1:8080 hl7=127.0.0.1:2575 admin=127.0.0.1:9090"
  std::string listening() const;

  struct Impl;

 private:
  explicit Host(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace suture::host
