// message_facts.h — what the host reads from a message before any rule runs: its idempotency
// key (Odoo: model + id + write_date; FHIR: type/id/version, or the body's hash; HL7 v2:
// MSH-10 with its sender), the HL7 v2 message type for routing, and a JSON nesting check. Cheap, exact scans
// of the bytes; no DOM. Pipeline position: ingress → these → route matching.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace suture::host {

// "odoo:res.partner:9:2026-11-24 13:43:45.828494#<hash of the body>", "fhir:Patient/pat1/_history/2",
// "fhir:Patient/pat1#<sha256>" (no version), "hl7:<MSH-3>|<MSH-4>|<MSH-10>#<hash of the
// segments after MSH>", or "sha256:<hex>".
std::string message_key(std::string_view body, bool hl7);

// MSH-9.1^MSH-9.2 of an ER7 message ("ADT^A01"), "" when there is no MSH segment.
std::string hl7_message_type(std::string_view er7);
// MSH-10, the message control id ("" when absent).
std::string hl7_control_id(std::string_view er7);

// True when objects and arrays nest deeper than `max_depth` (the root counting as 1); strings
// are skipped exactly, so brackets inside them do not count.
bool json_too_deep(std::string_view body, std::size_t max_depth);

// The text of member `name` of a JSON object (a string's value, a number's or bool's token),
// or nothing when it is absent, null, false or "" (Odoo writes `false` for an empty field).
std::optional<std::string> json_member_text(std::string_view object, std::string_view name);

// Lowercase hex SHA-256.
std::string sha256_hex(std::string_view bytes);

}  // namespace suture::host
