// schema_codec.cpp — SchemaSet ⇄ bytes (layout in schema_codec.h). Decoding checks every count,
// kind, flag and reference, and allocates no more than the input can justify.
#include "runtime/pack/schema_codec.h"

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "runtime/pack/bytes.h"

namespace suture::pack {
namespace {

enum FieldFlag : std::uint8_t {
  kList = 1u << 0,
  kOptional = 1u << 1,
  kOdooId = 1u << 2,
  kHasExtension = 1u << 3,
  kChoiceKind = 1u << 4,
  kReadonly = 1u << 5,
};
constexpr std::uint8_t kAllFlags = kList | kOptional | kOdooId | kHasExtension | kChoiceKind | kReadonly;
constexpr std::uint8_t kMaxKind = static_cast<std::uint8_t>(abi::Kind::Json);
constexpr std::uint8_t kMaxDateFormat = static_cast<std::uint8_t>(abi::DateFormat::Odoo);
// The fewest bytes an encoded record or enum can take, to bound counts by the input size.
constexpr std::size_t kMinRecordBytes = 6;
constexpr std::size_t kMinEnumBytes = 2;
constexpr std::size_t kMinFieldBytes = 8;

std::uint8_t flags_of(const abi::FieldDesc& f) {
  std::uint8_t flags = 0;
  if (f.type.list) flags |= kList;
  if (f.type.optional) flags |= kOptional;
  if (f.type.odoo_id) flags |= kOdooId;
  if (f.has_extension) flags |= kHasExtension;
  if (f.choice_kind) flags |= kChoiceKind;
  if (f.readonly) flags |= kReadonly;
  return flags;
}

template <typename T>
std::unordered_map<const T*, std::uint64_t> index_of(const std::deque<T>& items) {
  std::unordered_map<const T*, std::uint64_t> index;
  index.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) index.emplace(&items[i], i);
  return index;
}

template <typename T>
std::uint64_t ref(const std::unordered_map<const T*, std::uint64_t>& index, const T* item) {
  if (item == nullptr) return 0;
  auto it = index.find(item);
  return it == index.end() ? 0 : it->second + 1;
}

}  // namespace

void encode_schemas(const abi::SchemaSet& set, std::string& out) {
  ByteWriter w(out);
  const auto record_index = index_of(set.records());
  const auto enum_index = index_of(set.enums());
  w.varint(set.enums().size());
  for (const abi::EnumDesc& e : set.enums()) {
    w.str(e.name);
    w.varint(e.codes.size());
    for (const std::string& code : e.codes) w.str(code);
  }
  w.varint(set.records().size());
  for (const abi::RecordDesc& r : set.records()) {
    w.str(r.name);
    w.str(r.resource_type);
    w.str(r.model);
    w.str(r.segment);
    w.varint(r.messages.size());
    for (const std::string& m : r.messages) w.str(m);
    w.varint(r.fields.size());
    for (const abi::FieldDesc& f : r.fields) {
      w.str(f.name);
      w.u8(static_cast<std::uint8_t>(f.type.kind));
      w.u8(flags_of(f));
      w.u8(static_cast<std::uint8_t>(f.date_format));
      w.varint(f.position);
      w.str(f.choice);
      w.varint(ref(record_index, f.type.record));
      w.varint(ref(enum_index, f.type.enumeration));
    }
  }
}

std::variant<std::unique_ptr<abi::SchemaSet>, std::string> decode_schemas(std::string_view bytes) {
  auto set = std::make_unique<abi::SchemaSet>();
  ByteReader r(bytes);
  auto truncated = [] { return std::string("the schema descriptors end in the middle of an entry"); };

  const std::uint64_t enum_count = r.varint();
  if (!r.ok) return truncated();
  if (enum_count > r.remaining() / kMinEnumBytes) return std::string("the enum count is larger than the section");
  std::vector<const abi::EnumDesc*> enums;
  enums.reserve(enum_count);
  for (std::uint64_t i = 0; i < enum_count; ++i) {
    abi::EnumDesc& e = set->add_enum(std::string(r.str()));
    const std::uint64_t code_count = r.varint();
    if (!r.ok) return truncated();
    if (code_count > r.remaining()) return "enum " + e.name + " has more codes than the section has bytes";
    e.codes.reserve(code_count);
    for (std::uint64_t c = 0; c < code_count; ++c) e.codes.emplace_back(r.str());
    if (!r.ok) return truncated();
    enums.push_back(&e);
  }

  const std::uint64_t record_count = r.varint();
  if (!r.ok) return truncated();
  if (record_count > r.remaining() / kMinRecordBytes) return std::string("the record count is larger than the section");
  // Every record exists before any field refers to one (deque addresses are stable).
  std::vector<abi::RecordDesc*> records;
  records.reserve(record_count);
  for (std::uint64_t i = 0; i < record_count; ++i) records.push_back(&set->add_record(std::string()));

  for (abi::RecordDesc* rec : records) {
    rec->name = r.str();
    rec->resource_type = r.str();
    rec->model = r.str();
    rec->segment = r.str();
    const std::uint64_t message_count = r.varint();
    if (!r.ok) return truncated();
    if (message_count > r.remaining()) return "record " + rec->name + " has more messages than the section has bytes";
    rec->messages.reserve(message_count);
    for (std::uint64_t m = 0; m < message_count; ++m) rec->messages.emplace_back(r.str());
    const std::uint64_t field_count = r.varint();
    if (!r.ok) return truncated();
    if (field_count > r.remaining() / kMinFieldBytes)
      return "record " + rec->name + " has more fields than the section has bytes";
    rec->fields.resize(field_count);
    for (abi::FieldDesc& f : rec->fields) {
      f.name = r.str();
      const std::uint8_t kind = r.u8();
      const std::uint8_t flags = r.u8();
      const std::uint8_t date_format = r.u8();
      const std::uint64_t position = r.varint();
      f.choice = r.str();
      const std::uint64_t record_ref = r.varint();
      const std::uint64_t enum_ref = r.varint();
      if (!r.ok) return truncated();
      const std::string where = "field " + rec->name + "." + f.name;
      if (kind > kMaxKind) return where + " has unknown value kind " + std::to_string(kind);
      if ((flags & ~kAllFlags) != 0) return where + " has unknown flags " + std::to_string(flags);
      if (date_format > kMaxDateFormat) return where + " has unknown date format " + std::to_string(date_format);
      if (position > UINT16_MAX) return where + " has position " + std::to_string(position) + " (at most 65535)";
      if (record_ref > records.size())
        return where + " refers to record #" + std::to_string(record_ref - 1) + " of " + std::to_string(records.size());
      if (enum_ref > enums.size())
        return where + " refers to enum #" + std::to_string(enum_ref - 1) + " of " + std::to_string(enums.size());
      f.type.kind = static_cast<abi::Kind>(kind);
      f.type.list = (flags & kList) != 0;
      f.type.optional = (flags & kOptional) != 0;
      f.type.odoo_id = (flags & kOdooId) != 0;
      f.type.record = record_ref == 0 ? nullptr : records[record_ref - 1];
      f.type.enumeration = enum_ref == 0 ? nullptr : enums[enum_ref - 1];
      f.has_extension = (flags & kHasExtension) != 0;
      f.choice_kind = (flags & kChoiceKind) != 0;
      f.readonly = (flags & kReadonly) != 0;
      f.date_format = static_cast<abi::DateFormat>(date_format);
      f.position = static_cast<std::uint16_t>(position);
    }
  }
  if (!r.at_end()) return std::to_string(r.remaining()) + " unexpected bytes follow the schema descriptors";
  set->finish();
  return set;
}

}  // namespace suture::pack
