// values.h — the small value languages of the host configuration: durations (`500ms`), sizes
// (`1MiB`), rates (`500/s`), listen addresses (`127.0.0.1:8080`), endpoint URLs, and the
// "did you mean" suggestion for misspelt keys. Each parser returns the value or a sentence
// saying what is wrong, meant to follow "<key>: ".
// Pipeline position: used by config.cpp only; not part of the host's configuration API.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace suture::host::config_values {

template <class T>
struct Parsed {
  T value{};
  std::string error;  // empty when `value` holds
  bool ok() const { return error.empty(); }
};

// `0`, or a whole number followed by us, ms, s, m or h; in microseconds.
Parsed<std::uint64_t> parse_duration_us(std::string_view text);

// A whole number of bytes, optionally followed by B, KB, MB, GB (powers of 1000) or KiB, MiB,
// GiB (powers of 1024).
Parsed<std::uint64_t> parse_size(std::string_view text);

// `N/s`, `N/m` or `N/h` (N may have a fraction); in events per second, always > 0.
Parsed<double> parse_rate(std::string_view text);

struct HostPort {
  std::string host;  // IPv6 without its brackets
  int port = 0;
};

// `host:port` where host is an IPv4 address, a bracketed IPv6 address or a DNS name. The port
// is 0..65535; callers decide whether 0 is allowed.
Parsed<HostPort> parse_host_port(std::string_view text);

struct Url {
  std::string scheme;  // lower case
  std::string host;
  int port = 0;      // 0 when the URL has none
  std::string path;  // "" or starting with '/'
};

// `scheme://host[:port][/path]`. Refuses user information (credentials in URLs), query
// strings and fragments.
Parsed<Url> parse_url(std::string_view text);

// The candidate closest to `word` when it is close enough to be a likely misspelling
// (case differences, one or two edits, transpositions); "" otherwise.
std::string suggest(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace suture::host::config_values
