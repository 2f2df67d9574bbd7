// message_facts.cpp — idempotency keys, HL7 v2 header fields and the depth check (see
// message_facts.h). simdjson On-Demand reads the few members a key needs.
#include "runtime/host/pipeline/message_facts.h"

#include <openssl/sha.h>

#include <simdjson.h>

namespace suture::host {
namespace {

// The `index`-th (1-based, MSH-1 being the separator itself) field of the MSH segment.
std::string_view msh_field(std::string_view er7, std::size_t index) {
  std::size_t start = er7.find("MSH");
  if (start == std::string_view::npos || er7.size() < start + 4) return {};
  char separator = er7[start + 3];
  std::size_t end = er7.find_first_of("\r\n", start);
  std::string_view segment = er7.substr(start, end == std::string_view::npos ? er7.size() - start : end - start);
  // MSH-1 is the separator: field n (n ≥ 2) is after the (n-1)-th separator.
  std::size_t position = 3;
  for (std::size_t field = 1; field < index; ++field) {
    position = segment.find(separator, position + (field == 1 ? 0 : 1));
    if (position == std::string_view::npos) return {};
    if (field == 1) continue;
  }
  std::size_t from = position + 1;
  std::size_t to = segment.find(separator, from);
  return segment.substr(from, to == std::string_view::npos ? segment.size() - from : to - from);
}

std::string_view component(std::string_view field, std::size_t index, char separator = '^') {
  for (std::size_t i = 1; i < index; ++i) {
    std::size_t at = field.find(separator);
    if (at == std::string_view::npos) return {};
    field.remove_prefix(at + 1);
  }
  return field.substr(0, field.find(separator));
}

std::string text_of(simdjson::ondemand::value value) {
  switch (value.type().value_unsafe()) {
    case simdjson::ondemand::json_type::string: return std::string(value.get_string().value_unsafe());
    case simdjson::ondemand::json_type::number: return std::string(simdjson::trim(value.raw_json_token()));
    default: return {};
  }
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  static const char* hex = "0123456789abcdef";
  std::string out(SHA256_DIGEST_LENGTH * 2, '0');
  for (int i = 0; i < SHA256_DIGEST_LENGTH; ++i) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 15];
  }
  return out;
}

std::string hl7_message_type(std::string_view er7) {
  std::string_view type = msh_field(er7, 9);
  std::string_view event = component(type, 2);
  if (type.empty()) return {};
  return std::string(component(type, 1)) + (event.empty() ? "" : "^" + std::string(event));
}

std::string hl7_control_id(std::string_view er7) {
  return std::string(msh_field(er7, 10));
}

std::string message_key(std::string_view body, bool hl7) {
  if (hl7) {
    // MSH-10 with the sender (MSH-3, MSH-4), and the hash of everything after MSH: a resend
    // (same control id and content, even with a new MSH-7) is a repeat, but a sender that
    // reuses a control id for another message does not lose that message.
    std::string id = hl7_control_id(body);
    if (id.empty()) return "sha256:" + sha256_hex(body);
    std::size_t end_of_msh = body.find_first_of("\r\n", body.find("MSH"));
    std::string_view rest = end_of_msh == std::string_view::npos ? std::string_view() : body.substr(end_of_msh);
    return "hl7:" + std::string(msh_field(body, 3)) + "|" + std::string(msh_field(body, 4)) + "|" + id + "#" +
           sha256_hex(rest).substr(0, 16);
  }
  thread_local simdjson::ondemand::parser parser;
  simdjson::padded_string padded(body);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(object)) return "sha256:" + sha256_hex(body);
  std::string model, id, write_date, resource_type, version;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) break;
    simdjson::ondemand::value value;
    if (field.value().get(value)) break;
    if (key == "_model")
      model = text_of(value);
    else if (key == "id")
      id = text_of(value);
    else if (key == "write_date")
      write_date = text_of(value);
    else if (key == "resourceType")
      resource_type = text_of(value);
    else if (key == "meta") {
      simdjson::ondemand::object meta;
      if (!value.get_object().get(meta)) {
        simdjson::ondemand::value v;
        if (!meta.find_field_unordered("versionId").get(v)) version = text_of(v);
      }
    }
  }
  // Odoo fires the same webhook several times for one write (a repeat: same bytes), but may
  // also send different values under one write_date (a later write in the same second): the
  // body's hash keeps those apart.
  if (!model.empty() && !id.empty() && !write_date.empty())
    return "odoo:" + model + ":" + id + ":" + write_date + "#" + sha256_hex(body).substr(0, 16);
  if (!resource_type.empty() && !id.empty() && !version.empty())
    return "fhir:" + resource_type + "/" + id + "/_history/" + version;
  if (!resource_type.empty() && !id.empty()) return "fhir:" + resource_type + "/" + id + "#" + sha256_hex(body);
  if (!model.empty() && !id.empty()) return "odoo:" + model + ":" + id + "#" + sha256_hex(body);
  return "sha256:" + sha256_hex(body);
}

std::optional<std::string> json_member_text(std::string_view object, std::string_view name) {
  thread_local simdjson::ondemand::parser parser;
  simdjson::padded_string padded(object);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object members;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(members)) return std::nullopt;
  simdjson::ondemand::value value;
  if (members.find_field_unordered(name).get(value)) return std::nullopt;
  switch (value.type().value_unsafe()) {
    case simdjson::ondemand::json_type::null: return std::nullopt;
    case simdjson::ondemand::json_type::boolean:
      if (!value.get_bool().value_unsafe()) return std::nullopt;
      return std::string("true");
    case simdjson::ondemand::json_type::string: {
      std::string_view text = value.get_string().value_unsafe();
      if (text.empty()) return std::nullopt;
      return std::string(text);
    }
    default: return std::string(simdjson::trim(value.raw_json_token()));
  }
}

bool json_too_deep(std::string_view body, std::size_t max_depth) {
  std::size_t depth = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '"') {
      for (++i; i < body.size() && body[i] != '"'; ++i)
        if (body[i] == '\\') ++i;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return true;
    } else if (c == '}' || c == ']') {
      if (depth > 0) --depth;
    }
  }
  return false;
}

}  // namespace suture::host
