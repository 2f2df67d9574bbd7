// metrics.h — the host's Prometheus metrics: counters and latency histograms keyed by label
// values, and gauges computed when scraped (queue depth, oldest message age). Counting is a
// lock-free increment after the first use of a label set; rendering takes a snapshot.
// Pipeline position: every stage counts into it; the admin listener's /metrics renders it.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace suture::host {

class Counter {
 public:
  void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// Seconds, with fixed buckets from 0.5 ms to 60 s.
class Histogram {
 public:
  static constexpr std::array<double, 14> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                     0.1,    0.25,  0.5,    1,     2.5,  10,    60};
  void observe(double seconds);
  struct Snapshot {
    std::array<std::uint64_t, kBounds.size()> buckets{};  // cumulative
    std::uint64_t count = 0;
    double sum = 0;
  };
  Snapshot snapshot() const;

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> counts_{};
  std::atomic<std::uint64_t> sum_micros_{0};
};

// A family of counters or histograms of one name, one per label set.
template <class T>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> labels)
      : name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)) {}
  T& at(const std::vector<std::string>& values) {
    std::lock_guard lock(mutex_);
    auto& slot = series_[values];
    if (!slot) slot = std::make_unique<T>();
    return *slot;
  }
  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& labels() const { return labels_; }
  template <class F>
  void each(F f) const {
    std::lock_guard lock(mutex_);
    for (const auto& [values, series] : series_) f(values, *series);
  }

 private:
  std::string name_, help_;
  std::vector<std::string> labels_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> series_;
};

struct Gauge {
  std::vector<std::string> labels;  // values for the family's label names
  double value = 0;
};

class Metrics {
 public:
  Metrics();
  Family<Counter> received{
      "suture_messages_received_total", "Messages received, by listener and route", {"listener", "route"}};
  Family<Counter> accepted{"suture_messages_accepted_total", "Messages durably stored, by route", {"route"}};
  Family<Counter> duplicates{"suture_messages_duplicate_total",
                             "Deliveries not stored again because their idempotency key was already stored",
                             {"route"}};
  Family<Counter> rejected{
      "suture_messages_rejected_total", "Messages refused, by listener, route and code", {"listener", "route", "code"}};
  Family<Counter> denied{"suture_messages_denied_total", "Messages a policy denied, by route", {"route"}};
  Family<Counter> attempts{
      "suture_delivery_attempts_total", "Delivery attempts, by route and endpoint", {"route", "endpoint"}};
  Family<Counter> delivered{
      "suture_deliveries_delivered_total", "Deliveries the endpoint confirmed", {"route", "endpoint"}};
  Family<Counter> retried{"suture_deliveries_retried_total",
                          "Deliveries scheduled again after a transient failure",
                          {"route", "endpoint", "code"}};
  Family<Counter> dead{
      "suture_deliveries_dead_total", "Deliveries moved to the dead letters", {"route", "endpoint", "code"}};
  Family<Counter> dropped{
      "suture_deliveries_dropped_total", "Deliveries dropped after their last attempt", {"route", "endpoint", "code"}};
  Family<Counter> breaker{"suture_circuit_opened_total", "Times an endpoint's circuit opened", {"endpoint"}};
  Family<Counter> reloads{"suture_pack_reloads_total", "Pack reloads, by result", {"result"}};
  Family<Histogram> ingress_latency{
      "suture_ingress_latency_seconds", "Time from request read to reply (stored), by listener", {"listener"}};
  Family<Histogram> delivery_latency{"suture_delivery_latency_seconds",
                                     "Time from acceptance to confirmed delivery, by endpoint",
                                     {"route", "endpoint"}};

  // Gauges computed at scrape time: name, help, label names, and a function giving the values.
  void add_gauge(std::string name, std::string help, std::vector<std::string> labels,
                 std::function<std::vector<Gauge>()> compute);

  // The Prometheus text exposition format (version 0.0.4).
  std::string render() const;

 private:
  struct GaugeFamily {
    std::string name, help;
    std::vector<std::string> labels;
    std::function<std::vector<Gauge>()> compute;
  };
  std::vector<GaugeFamily> gauges_;
};

}  // namespace suture::host
