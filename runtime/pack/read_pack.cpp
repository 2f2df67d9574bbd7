// read_pack.cpp — verifies a pack and decodes it. Order of checks: magic, format version, ABI,
// that the file holds every byte its section table claims, the SHA-256, the layout, the
// manifest, the schemas. Nothing is returned unless all of them pass.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "runtime/pack/bytes.h"
#include "runtime/pack/format.h"
#include "runtime/pack/manifest_json.h"
#include "runtime/pack/pack.h"
#include "runtime/pack/schema_codec.h"
#include "runtime/pack/sha256.h"

namespace suture::pack {
namespace {

constexpr std::string_view kRebuild = "rebuild it with `suture build`";
constexpr std::size_t kShownHexDigits = 12;

struct Section {
  std::uint32_t kind;
  std::uint64_t offset;
  std::uint64_t length;
};

std::string short_hex(std::string_view hex) {
  return std::string(hex.substr(0, kShownHexDigits)) + "…";
}

bool looks_like_json(std::string_view bytes) {
  for (char c : bytes) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{' || c == '[';
  }
  return false;
}

class Reader {
 public:
  Reader(std::string_view bytes, std::string_view name) : bytes_(bytes), name_(name) {}

  std::variant<LoadedPack, PackError> read() {
    if (auto e = check_header()) return *e;
    if (auto e = read_table()) return *e;
    if (auto e = check_hash()) return *e;
    if (auto e = check_layout()) return *e;
    return decode();
  }

 private:
  PackError fail(const char* code, const std::string& what) const { return {code, std::string(name_) + " " + what}; }

  PackError truncated(std::uint64_t needed) const {
    return fail("PACK_TRUNCATED", "is cut short: it has " + std::to_string(bytes_.size()) +
                                      " bytes but the pack needs " + std::to_string(needed) +
                                      " (an interrupted copy or write?); copy it again or " + std::string(kRebuild));
  }

  std::optional<PackError> check_header() const {
    const std::size_t magic_seen = std::min(bytes_.size(), format::kMagic.size());
    if (bytes_.substr(0, magic_seen) != format::kMagic.substr(0, magic_seen)) {
      std::string why = "is not a Suture rule pack: it does not start with \"SUTUREPK\"";
      if (looks_like_json(bytes_)) why += " (it looks like JSON)";
      return fail("PACK_NOT_A_PACK", why + "; pass the .spk file written by `suture build`");
    }
    if (bytes_.size() < format::kAbiOffset) return truncated(format::kTableOffset);
    const auto version = static_cast<std::uint32_t>(load_le(bytes_, format::kFormatOffset, 4));
    if (version != kFormatVersion) {
      const bool newer = version > kFormatVersion;
      return fail("PACK_FORMAT_VERSION", "uses pack format " + std::to_string(version) +
                                             " but this runtime reads format " + std::to_string(kFormatVersion) +
                                             ": it was made by " + (newer ? "a newer" : "an older") + " Suture; " +
                                             (newer ? "upgrade the runtime, or " : "") + std::string(kRebuild) +
                                             " from this release");
    }
    if (bytes_.size() < format::kHashOffset) return truncated(format::kTableOffset);
    const auto abi_version = static_cast<std::uint32_t>(load_le(bytes_, format::kAbiOffset, 4));
    if (abi_version != abi::kAbiVersion)
      return fail("PACK_ABI_MISMATCH", "was built for runtime ABI " + std::to_string(abi_version) +
                                           ", this runtime is ABI " + std::to_string(abi::kAbiVersion) +
                                           ": the pack must be rebuilt for it; " + std::string(kRebuild));
    if (bytes_.size() < format::kTableOffset) return truncated(format::kTableOffset);
    return std::nullopt;
  }

  // Reads the table; a file shorter than what it claims is truncated. A table that makes no
  // sense is left to the hash check (it is hashed), then to check_layout().
  std::optional<PackError> read_table() {
    const auto count = static_cast<std::uint32_t>(load_le(bytes_, format::kHashedFrom, 4));
    if (count > format::kMaxSections) return std::nullopt;
    const std::uint64_t table_end = format::kTableOffset + format::kTableEntrySize * count;
    if (table_end > bytes_.size()) return truncated(table_end);
    std::uint64_t claimed_end = table_end;
    for (std::uint32_t i = 0; i < count; ++i) {
      const std::size_t at = format::kTableOffset + format::kTableEntrySize * i;
      Section s{static_cast<std::uint32_t>(load_le(bytes_, at, 4)), load_le(bytes_, at + 8, 8),
                load_le(bytes_, at + 16, 8)};
      if (s.length > UINT64_MAX - s.offset) return std::nullopt;  // nonsense: the hash will say so
      claimed_end = std::max(claimed_end, s.offset + s.length);
      sections_.push_back(s);
    }
    if (claimed_end > bytes_.size()) return truncated(claimed_end);
    table_ok_ = true;
    return std::nullopt;
  }

  // Where the manifest's own hash digits are, if the table and manifest look as written.
  std::optional<std::size_t> manifest_hash_at() const {
    if (!table_ok_ || sections_.empty() || sections_[0].kind != format::kManifest) return std::nullopt;
    const Section& m = sections_[0];
    if (m.length < format::kManifestPrefix.size() + format::kHashHexSize) return std::nullopt;
    if (bytes_.substr(m.offset, format::kManifestPrefix.size()) != format::kManifestPrefix) return std::nullopt;
    return m.offset + format::kManifestPrefix.size();
  }

  std::optional<PackError> check_hash() {
    const std::string_view recorded(bytes_.data() + format::kHashOffset, format::kHashSize);
    Digest expected{};
    std::memcpy(expected.data(), recorded.data(), expected.size());
    Digest actual;
    const auto at = manifest_hash_at();
    if (at) {
      static const std::string kZeros(format::kHashHexSize, '0');
      actual = sha256({bytes_.substr(format::kHashedFrom, *at - format::kHashedFrom), kZeros,
                       bytes_.substr(*at + format::kHashHexSize)});
    } else {
      actual = sha256({bytes_.substr(format::kHashedFrom)});
    }
    hash_hex_ = to_hex(expected);
    if (actual != expected)
      return fail("PACK_HASH_MISMATCH", "is corrupted or was modified after it was built: its content hashes to " +
                                            short_hex(to_hex(actual)) + " but the header expects " +
                                            short_hex(hash_hex_) + "; " + std::string(kRebuild) +
                                            " (or copy the original again)");
    if (!at)  // hashed as a whole yet matching: written by something other than write_pack()
      return fail("PACK_NOT_A_PACK",
                  "has a malformed layout (its manifest does not start with its hash); " + std::string(kRebuild));
    if (bytes_.substr(*at, format::kHashHexSize) != hash_hex_)
      return fail("PACK_HASH_MISMATCH", "is corrupted or was modified after it was built: its manifest records hash " +
                                            short_hex(bytes_.substr(*at, format::kHashHexSize)) +
                                            " but the header expects " + short_hex(hash_hex_) + "; " +
                                            std::string(kRebuild));
    return std::nullopt;
  }

  // Only a faulty writer gets here with a matching hash: sections must be manifest, schemas,
  // bitcode and optionally object, back to back from the table to the end of the file.
  std::optional<PackError> check_layout() const {
    static constexpr format::SectionKind kOrder[] = {format::kManifest, format::kSchemas, format::kBitcode,
                                                     format::kObject};
    auto malformed = [&](const std::string& why) {
      return fail("PACK_NOT_A_PACK", "has a malformed section table (" + why + "); " + std::string(kRebuild));
    };
    if (!table_ok_) return malformed("unreadable");
    if (sections_.size() < 3 || sections_.size() > 4)
      return malformed(std::to_string(sections_.size()) + " sections, expected 3 or 4");
    std::uint64_t expected_offset = format::kTableOffset + format::kTableEntrySize * sections_.size();
    for (std::size_t i = 0; i < sections_.size(); ++i) {
      if (sections_[i].kind != kOrder[i])
        return malformed("section " + std::to_string(i) + " has kind " + std::to_string(sections_[i].kind));
      if (sections_[i].offset != expected_offset) return malformed("section " + std::to_string(i) + " is misplaced");
      expected_offset += sections_[i].length;
    }
    if (expected_offset != bytes_.size()) return malformed("sections do not end the file");
    if (load_le(bytes_, format::kTableOffset - 4, 4) != 0) return malformed("reserved field is set");
    return std::nullopt;
  }

  std::string_view section(std::size_t i) const { return bytes_.substr(sections_[i].offset, sections_[i].length); }

  std::variant<LoadedPack, PackError> decode() const {
    LoadedPack pack;
    pack.file_size = bytes_.size();
    const std::string_view manifest = section(0);
    pack.manifest_size = manifest.size();
    auto parsed = manifest_from_json(manifest);
    if (auto* why = std::get_if<std::string>(&parsed))
      return fail("PACK_BAD_MANIFEST", "has an invalid manifest: " + *why + "; " + std::string(kRebuild));
    pack.manifest = std::move(std::get<Manifest>(parsed));
    if (pack.manifest.format_version != kFormatVersion || pack.manifest.abi_version != abi::kAbiVersion)
      return fail("PACK_BAD_MANIFEST", "has a manifest that disagrees with its header (format " +
                                           std::to_string(pack.manifest.format_version) + ", ABI " +
                                           std::to_string(pack.manifest.abi_version) + "); " + std::string(kRebuild));

    const std::string_view schemas = section(1);
    pack.schemas_size = schemas.size();
    auto decoded = decode_schemas(schemas);
    if (auto* why = std::get_if<std::string>(&decoded))
      return fail("PACK_BAD_SCHEMAS", "has invalid schema descriptors: " + *why + "; " + std::string(kRebuild));
    pack.schemas = std::move(std::get<std::unique_ptr<abi::SchemaSet>>(decoded));
    // What entry points read must name records and fields the descriptors hold.
    const auto& records = pack.schemas->records();
    for (const EntryPoint& e : pack.manifest.entry_points)
      for (const FieldsRead& r : e.fields_read) {
        bool valid = r.record < records.size();
        for (std::uint32_t f : r.fields) valid = valid && f < records[r.record].fields.size();
        if (!valid)
          return fail("PACK_BAD_MANIFEST", "lists fields read by `" + e.name +
                                               "` that its schema descriptors do not have; " + std::string(kRebuild));
      }

    pack.bitcode = section(2);
    if (sections_.size() == 4) {
      ByteReader r(section(3));
      CachedObject object;
      object.cpu = r.str();
      object.triple = r.str();
      if (!r.ok) return fail("PACK_NOT_A_PACK", "has a malformed compiled-object section; " + std::string(kRebuild));
      object.bytes = r.rest();
      pack.object = std::move(object);
    }
    return pack;
  }

  std::string_view bytes_;
  std::string_view name_;
  std::vector<Section> sections_;
  bool table_ok_ = false;
  std::string hash_hex_;
};

}  // namespace

std::variant<LoadedPack, PackError> read_pack(std::string_view bytes, std::string_view name) {
  return Reader(bytes, name).read();
}

std::variant<LoadedPack, PackError> read_pack_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return PackError{"PACK_IO", "cannot open " + path + ": " + std::strerror(errno)};
  std::string bytes;
  char buffer[1 << 16];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) bytes.append(buffer, n);
  if (std::ferror(file.get())) return PackError{"PACK_IO", "cannot read " + path + ": " + std::strerror(errno)};
  return read_pack(bytes, path);
}

}  // namespace suture::pack
