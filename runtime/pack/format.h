// format.h — the on-disk layout of a `.spk` pack (internal to runtime/pack). All integers are
// little-endian.
//
//   offset  size  field
//   0       8     magic "SUTUREPK"
//   8       4     pack format version (kFormatVersion)
//   12      4     runtime ABI version (abi::kAbiVersion)
//   16      32    SHA-256 content hash (see below)
//   48      4     section count N
//   52      4     reserved, 0
//   56      24*N  section table: {u32 kind, u32 reserved 0, u64 offset, u64 length}
//   …             sections, in kind order, back to back, the last one ending the file:
//                 manifest (JSON), schemas (schema_codec.h), bitcode, and optionally object
//                 ({varint-prefixed cpu, triple}, then the object bytes to the section's end).
//
// The content hash covers every byte from offset 48 (the section table and all sections) to
// the end of the file, with the 64 hex digits of the manifest's own "content_hash" value counted
// as '0's: the manifest always starts with `{"content_hash":"` so they sit at a fixed place.
// The reader checks those digits against the header separately.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace suture::pack::format {

inline constexpr std::string_view kMagic = "SUTUREPK";
inline constexpr std::size_t kFormatOffset = 8;
inline constexpr std::size_t kAbiOffset = 12;
inline constexpr std::size_t kHashOffset = 16;
inline constexpr std::size_t kHashSize = 32;
inline constexpr std::size_t kHashedFrom = 48;  // the section count: hashing starts here
inline constexpr std::size_t kTableOffset = 56;
inline constexpr std::size_t kTableEntrySize = 24;
inline constexpr std::uint32_t kMaxSections = 16;

enum SectionKind : std::uint32_t { kManifest = 1, kSchemas = 2, kBitcode = 3, kObject = 4 };

// The manifest's first bytes, followed by the 64 hex digits of the hash.
inline constexpr std::string_view kManifestPrefix = R"({"content_hash":")";
inline constexpr std::size_t kHashHexSize = 64;

}  // namespace suture::pack::format
