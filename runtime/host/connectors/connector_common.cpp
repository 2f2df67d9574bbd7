// connector_common.cpp — the base class every connector derives from, the outcome constructors
// and the HTTP status table they share.
// Pipeline position: inside connectors/ only.
#include "runtime/host/connectors/connector_common.h"

#include <algorithm>
#include <exception>

namespace suture::host {

DeliveryResult ConnectorBase::deliver(const DeliveryRequest& request) {
  const net::Clock::time_point started = net::Clock::now();
  DeliveryResult result;
  try {
    std::string problem = check(request);
    if (!problem.empty())
      result = permanent("UNSUPPORTED_OPERATION", problem);
    else
      result = deliver_within(request, started + std::chrono::milliseconds(endpoint_.timeout_ms));
  } catch (const std::exception& e) {
    result = transient("INTERNAL", clip(std::string("connector failed: ") + e.what()));
  } catch (...) {
    result = transient("INTERNAL", "connector failed");
  }
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(net::Clock::now() - started).count();
  result.elapsed_ms = static_cast<std::uint32_t>(elapsed < 0 ? 0 : elapsed);
  return result;
}

DeliveryResult delivered(std::string remote_id, std::uint32_t http_status) {
  DeliveryResult r;
  r.outcome = Outcome::Delivered;
  r.remote_id = std::move(remote_id);
  r.http_status = http_status;
  return r;
}

DeliveryResult transient(std::string code, std::string detail, std::uint32_t http_status) {
  DeliveryResult r;
  r.outcome = Outcome::Transient;
  r.code = std::move(code);
  r.detail = std::move(detail);
  r.http_status = http_status;
  return r;
}

DeliveryResult permanent(std::string code, std::string detail, std::uint32_t http_status) {
  DeliveryResult r = transient(std::move(code), std::move(detail), http_status);
  r.outcome = Outcome::Permanent;
  return r;
}

DeliveryResult transport_failure(const HttpResponse& response) {
  return transient(std::string(net::transport_code(response.error)), response.error_detail);
}

std::string status_line(const HttpResponse& response) {
  std::string line = "HTTP " + std::to_string(response.status);
  if (!response.reason.empty()) line += " " + clip(response.reason, 80);
  return line;
}

DeliveryResult classify_http_status(const HttpResponse& response) {
  const std::uint32_t s = response.status;
  if (s >= 200 && s < 300) return delivered({}, s);
  std::string code = "HTTP_" + std::to_string(s);
  if (s == 408 || s == 429 || (s >= 500 && s < 600)) return transient(code, status_line(response), s);
  return permanent(code, status_line(response), s);
}

std::string clip(std::string_view text, std::size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max));
  for (char c : text) {
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > max) {
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += "…";
  }
  return out;
}

std::unique_ptr<HttpClient> make_http_client(const EndpointConfig& endpoint, std::string* error) {
  std::optional<net::Url> url = net::parse_url(endpoint.url, error);
  if (!url) return nullptr;
  if (url->scheme != "http" && url->scheme != "https") {
    if (error) *error = "this endpoint needs an http:// or https:// URL";
    return nullptr;
  }
  HttpClientOptions options;
  options.connect_timeout_ms = endpoint.timeout_ms;
  options.ca_file = endpoint.ca_file;
  options.max_idle_connections = std::max<std::size_t>(endpoint.concurrency, 1);
  return std::make_unique<HttpClient>(std::move(*url), std::move(options));
}

namespace {

class UnusableConnector final : public Connector {
 public:
  explicit UnusableConnector(std::string why) : why_(std::move(why)) {}
  DeliveryResult deliver(const DeliveryRequest&) override { return permanent("ENDPOINT_CONFIG", why_); }
  std::string check(const DeliveryRequest&) const override { return why_; }

 private:
  std::string why_;
};

}  // namespace

std::unique_ptr<Connector> make_unusable_connector(std::string why) {
  return std::make_unique<UnusableConnector>(std::move(why));
}

}  // namespace suture::host
