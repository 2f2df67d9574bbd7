// write_pack.cpp — lays a pack out (format.h) and seals it with its SHA-256. Nothing depends on
// time, addresses or hash-map order, so the same contents always give the same bytes.
#include <utility>
#include <vector>

#include "runtime/pack/bytes.h"
#include "runtime/pack/format.h"
#include "runtime/pack/manifest_json.h"
#include "runtime/pack/pack.h"
#include "runtime/pack/schema_codec.h"
#include "runtime/pack/sha256.h"

namespace suture::pack {

std::string write_pack(const PackContents& contents) {
  const std::string manifest = manifest_to_json(contents.manifest, std::string(format::kHashHexSize, '0'));
  std::string schemas;
  // Not `schemas ? *schemas : SchemaSet()`: that would encode a copy, whose records are not the
  // ones the fields point to.
  const abi::SchemaSet no_schemas;
  encode_schemas(contents.schemas != nullptr ? *contents.schemas : no_schemas, schemas);
  std::string object;
  if (contents.object) {
    ByteWriter w(object);
    w.str(contents.object->cpu);
    w.str(contents.object->triple);
    object += contents.object->bytes;
  }

  std::vector<std::pair<format::SectionKind, std::string_view>> sections = {
      {format::kManifest, manifest}, {format::kSchemas, schemas}, {format::kBitcode, contents.bitcode}};
  if (contents.object) sections.emplace_back(format::kObject, object);

  std::size_t offset = format::kTableOffset + format::kTableEntrySize * sections.size();
  const std::size_t manifest_offset = offset;
  std::string out;
  out.reserve(offset + manifest.size() + schemas.size() + contents.bitcode.size() + object.size());
  ByteWriter w(out);
  out += format::kMagic;
  w.u32(kFormatVersion);
  w.u32(abi::kAbiVersion);
  out.append(format::kHashSize, '\0');  // filled in below
  w.u32(static_cast<std::uint32_t>(sections.size()));
  w.u32(0);
  for (const auto& [kind, bytes] : sections) {
    w.u32(kind);
    w.u32(0);
    w.u64(offset);
    w.u64(bytes.size());
    offset += bytes.size();
  }
  for (const auto& [kind, bytes] : sections) out += bytes;

  // The manifest's hash digits are still '0's, exactly as the reader counts them.
  const Digest digest = sha256({std::string_view(out).substr(format::kHashedFrom)});
  const std::string hex = to_hex(digest);
  out.replace(manifest_offset + format::kManifestPrefix.size(), hex.size(), hex);
  out.replace(format::kHashOffset, digest.size(), reinterpret_cast<const char*>(digest.data()), digest.size());
  return out;
}

}  // namespace suture::pack
