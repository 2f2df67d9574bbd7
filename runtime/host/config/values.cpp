// values.cpp — parsers for durations, sizes, rates, addresses and URLs in the host
// configuration, and the misspelling suggestion. Pure functions over text (inet_pton for IP
// literals); config.cpp turns their sentences into problems with a line.
#include "runtime/host/config/values.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <vector>

namespace suture::host::config_values {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string in_quotes(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

// Splits "123unit" (spaces allowed between) into its digits and its unit; false when it does
// not start with a digit.
bool split_number(std::string_view text, std::string_view& digits, std::string_view& unit) {
  std::size_t i = 0;
  while (i < text.size() && is_digit(text[i])) ++i;
  if (i == 0) return false;
  digits = text.substr(0, i);
  while (i < text.size() && text[i] == ' ') ++i;
  unit = text.substr(i);
  return true;
}

// Whole number without sign; false on overflow or when there are more than 18 digits.
bool to_u64(std::string_view digits, std::uint64_t& out) {
  if (digits.empty() || digits.size() > 18) return false;
  out = 0;
  for (char c : digits) out = out * 10 + static_cast<std::uint64_t>(c - '0');
  return true;
}

bool multiply(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) return false;
  out = a * b;
  return true;
}

bool is_ipv4_shaped(std::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) { return is_digit(c) || c == '.'; });
}

bool is_dns_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  std::size_t start = 0;
  while (start <= host.size()) {
    std::size_t end = host.find('.', start);
    if (end == std::string_view::npos) end = host.size();
    std::string_view label = host.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    start = end + 1;
  }
  return true;
}

// "" when `host` is a usable IPv4 literal or DNS name, else why not.
std::string check_host(std::string_view host) {
  std::string text(host);
  if (is_ipv4_shaped(host)) {
    in_addr address{};
    if (inet_pton(AF_INET, text.c_str(), &address) != 1) return in_quotes(host) + " is not an IPv4 address";
    return "";
  }
  if (host.find(':') != std::string_view::npos) return "write IPv6 addresses in brackets: [" + text + "]:PORT";
  if (!is_dns_name(host)) return in_quotes(host) + " is not a host name or IP address";
  return "";
}

// Splits "host:port" / "[v6]:port" / "host" (when the port is optional) and checks both parts.
Parsed<HostPort> split_host_port(std::string_view text, bool port_required) {
  Parsed<HostPort> result;
  std::string_view host, port;
  bool has_port = false;
  if (!text.empty() && text.front() == '[') {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos) {
      result.error = in_quotes(text) + " has no closing ']' after the IPv6 address";
      return result;
    }
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        result.error = in_quotes(text) + " must continue with ':PORT' after ']'";
        return result;
      }
      port = rest.substr(1);
      has_port = true;
    }
    std::string v6(host);
    in6_addr address{};
    if (inet_pton(AF_INET6, v6.c_str(), &address) != 1) {
      result.error = in_quotes(host) + " is not an IPv6 address";
      return result;
    }
  } else {
    std::size_t colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find(':') != colon) {
      result.error = "write IPv6 addresses in brackets: [" + std::string(text.substr(0, colon)) + "]:PORT";
      return result;
    }
    host = colon == std::string_view::npos ? text : text.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = text.substr(colon + 1);
      has_port = true;
    }
    if (host.empty()) {
      result.error = in_quotes(text) + " has no host (write 0.0.0.0:PORT for every interface)";
      return result;
    }
    if (std::string why = check_host(host); !why.empty()) {
      result.error = why;
      return result;
    }
  }
  result.value.host = std::string(host);
  if (!has_port) {
    if (port_required) result.error = in_quotes(text) + " has no port; write HOST:PORT";
    return result;
  }
  std::uint64_t number = 0;
  if (port.empty() || !std::all_of(port.begin(), port.end(), is_digit) || !to_u64(port, number) || number > 65535) {
    result.error = in_quotes(port) + " is not a port (0 to 65535)";
    return result;
  }
  result.value.port = static_cast<int>(number);
  return result;
}

// Optimal string alignment distance: edits, with a swap of neighbours counting as one.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Parsed<std::uint64_t> parse_duration_us(std::string_view text) {
  Parsed<std::uint64_t> result;
  const std::string hint = " is not a duration; write a whole number and a unit: 500ms, 2s, 5m";
  std::string_view digits, unit;
  if (!split_number(text, digits, unit)) {
    result.error = in_quotes(text) + hint;
    return result;
  }
  std::uint64_t number = 0;
  if (!to_u64(digits, number)) {
    result.error = in_quotes(text) + " is too long a duration";
    return result;
  }
  std::uint64_t scale = 0;
  if (unit == "us")
    scale = 1;
  else if (unit == "ms")
    scale = 1000;
  else if (unit == "s")
    scale = 1000000;
  else if (unit == "m")
    scale = 60000000;
  else if (unit == "h")
    scale = 3600000000ULL;
  else if (unit.empty() && number == 0)
    scale = 1;
  else if (unit.empty()) {
    result.error = in_quotes(text) + " needs a unit: us, ms, s, m or h (" + std::string(digits) + "ms, " +
                   std::string(digits) + "s)";
    return result;
  } else {
    result.error = in_quotes(text) + hint;
    return result;
  }
  if (!multiply(number, scale, result.value)) result.error = in_quotes(text) + " is too long a duration";
  return result;
}

Parsed<std::uint64_t> parse_size(std::string_view text) {
  Parsed<std::uint64_t> result;
  std::string_view digits, unit;
  std::uint64_t number = 0;
  if (!split_number(text, digits, unit) || !to_u64(digits, number)) {
    result.error = in_quotes(text) + " is not a size; write bytes or a number and a unit: 65536, 512KiB, 1MiB";
    return result;
  }
  std::uint64_t scale = 0;
  if (unit.empty() || unit == "B")
    scale = 1;
  else if (unit == "KB" || unit == "kB")
    scale = 1000;
  else if (unit == "MB")
    scale = 1000 * 1000;
  else if (unit == "GB")
    scale = 1000 * 1000 * 1000;
  else if (unit == "KiB")
    scale = 1024;
  else if (unit == "MiB")
    scale = 1024 * 1024;
  else if (unit == "GiB")
    scale = 1024 * 1024 * 1024;
  else {
    result.error = in_quotes(text) + " has an unknown unit; use B, KB, MB, GB, KiB, MiB or GiB";
    return result;
  }
  if (!multiply(number, scale, result.value)) result.error = in_quotes(text) + " is too large a size";
  return result;
}

Parsed<double> parse_rate(std::string_view text) {
  Parsed<double> result;
  const std::string hint = " is not a rate; write a number per unit of time: 500/s, 100/m, 10/h";
  std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    result.error = in_quotes(text) + hint;
    return result;
  }
  std::string_view number = text.substr(0, slash), unit = text.substr(slash + 1);
  std::size_t dot = number.find('.');
  std::string_view whole = number.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? std::string_view() : number.substr(dot + 1);
  bool digits_ok = !whole.empty() && whole.size() <= 12 && std::all_of(whole.begin(), whole.end(), is_digit) &&
                   (dot == std::string_view::npos || (!fraction.empty() && fraction.size() <= 6 &&
                                                      std::all_of(fraction.begin(), fraction.end(), is_digit)));
  double per = 0;
  if (unit == "s")
    per = 1;
  else if (unit == "m")
    per = 60;
  else if (unit == "h")
    per = 3600;
  if (!digits_ok || per == 0) {
    result.error = in_quotes(text) + hint;
    return result;
  }
  double value = std::stod(std::string(number)) / per;
  if (!(value > 0)) {
    result.error = in_quotes(text) + " must be more than 0 (leave the key out for no limit)";
    return result;
  }
  result.value = value;
  return result;
}

Parsed<HostPort> parse_host_port(std::string_view text) {
  return split_host_port(text, true);
}

Parsed<Url> parse_url(std::string_view text) {
  Parsed<Url> result;
  std::size_t separator = text.find("://");
  if (separator == std::string_view::npos || separator == 0) {
    result.error = in_quotes(text) + " is not a URL; write scheme://host:port/path";
    return result;
  }
  result.value.scheme = lower(text.substr(0, separator));
  std::string_view rest = text.substr(separator + 3);
  std::size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    result.error = "credentials in the URL are refused; use the endpoint's login/password or api_key";
    return result;
  }
  if (tail.find_first_of("?#") != std::string_view::npos) {
    result.error = in_quotes(text) + " has a query or fragment; give the base URL only";
    return result;
  }
  if (authority.empty()) {
    result.error = in_quotes(text) + " has no host";
    return result;
  }
  Parsed<HostPort> host_port = split_host_port(authority, false);
  if (!host_port.ok()) {
    result.error = host_port.error;
    return result;
  }
  if (host_port.value.port == 0 && authority.find(':') != std::string_view::npos && authority.back() != ']') {
    result.error = in_quotes(text) + " has port 0";
    return result;
  }
  result.value.host = host_port.value.host;
  result.value.port = host_port.value.port;
  result.value.path = std::string(tail);
  return result;
}

std::string suggest(std::string_view word, std::span<const std::string_view> candidates) {
  std::string folded = lower(word);
  std::size_t limit = std::max<std::size_t>(1, std::min<std::size_t>(3, folded.size() / 3));
  std::string best;
  std::size_t best_distance = limit + 1;
  for (std::string_view candidate : candidates) {
    std::size_t distance = edit_distance(folded, lower(candidate));
    if (distance < best_distance) {
      best_distance = distance;
      best = std::string(candidate);
    }
  }
  return best;
}

}  // namespace suture::host::config_values
