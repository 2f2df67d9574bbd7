// message_stream_test.cpp — runtime/io/message_stream.h: NDJSON split across tiny chunks, long
// lines, CRLF and blank lines, pretty-printed FHIR documents from ../shared/data, the HL7 v2
// samples there (plain and MLLP-framed), and yielded views decoded in place by the JSON codec.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/lower/schema_descriptors.h"
#include "runtime/codecs/hl7v2/er7.h"
#include "runtime/codecs/json/json.h"
#include "runtime/io/message_stream.h"

namespace fs = std::filesystem;
namespace io = suture::runtime::io;
namespace json = suture::runtime::json;

static_assert(io::kPadding >= simdjson::SIMDJSON_PADDING, "yielded views must be enough for simdjson");
static_assert(io::kPadding >= json::kInputPadding, "yielded views must be PaddedInput");

namespace {

struct Item {
  std::string text;
  std::uint64_t ordinal, offset, size;
  std::string error;
};

// Writes `content` to a temporary file and reads it back through a MessageStream.
class StreamFile {
 public:
  explicit StreamFile(const std::string& content) {
    char name[] = "/tmp/suture_io_test_XXXXXX";
    fd_ = ::mkstemp(name);
    path_ = name;
    EXPECT_EQ(::write(fd_, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    ::lseek(fd_, 0, SEEK_SET);
  }
  ~StreamFile() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  int fd() const { return fd_; }

 private:
  int fd_;
  std::string path_;
};

std::vector<Item> read_all(const std::string& content, io::StreamOptions options, io::Format* detected = nullptr) {
  StreamFile file(content);
  io::MessageStream stream(file.fd(), options);
  std::vector<Item> items;
  io::Message m;
  while (stream.next(m)) {
    items.push_back({std::string(m.text), m.ordinal, m.offset, m.size, m.error ? m.error : ""});
    if (items.size() > 100000) break;
  }
  if (detected != nullptr) *detected = stream.format();
  return items;
}

io::StreamOptions tiny(std::size_t chunk, std::size_t max = 1u << 20) {
  io::StreamOptions o;
  o.chunk_size = chunk;
  o.max_message = max;
  return o;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const suture::abi::SchemaSet& fhir() {
  static auto described = suture::lower::describe_modules({"fhir.r4"}, SUTURE_STDLIB_DIR);
  return described->schemas;
}

}  // namespace

TEST(MessageStream, NdjsonAcrossChunkBoundaries) {
  std::string content;
  std::vector<std::string> lines;
  for (int i = 0; i < 50; ++i) {
    lines.push_back("{\"id\":" + std::to_string(i) + ",\"pad\":\"" + std::string(i % 13, 'x') + "\"}");
    content += lines.back() + "\n";
  }
  for (std::size_t chunk : {1u, 2u, 3u, 7u, 16u, 64u, 4096u}) {
    io::Format format;
    auto items = read_all(content, tiny(chunk), &format);
    EXPECT_EQ(format, io::Format::Ndjson);
    ASSERT_EQ(items.size(), lines.size()) << "chunk " << chunk;
    std::uint64_t offset = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
      EXPECT_EQ(items[i].text, lines[i]);
      EXPECT_EQ(items[i].ordinal, i + 1);
      EXPECT_EQ(items[i].offset, offset);
      EXPECT_EQ(items[i].error, "");
      offset += lines[i].size() + 1;
    }
  }
}

TEST(MessageStream, CrlfBlankLinesAndNoFinalNewline) {
  std::string content = "\r\n{\"a\":1}\r\n\r\n   \n{\"b\":2}\n\t\r\n{\"c\":3}";
  for (std::size_t chunk : {1u, 4u, 1024u}) {
    auto items = read_all(content, tiny(chunk));
    ASSERT_EQ(items.size(), 3u) << chunk;
    EXPECT_EQ(items[0].text, "{\"a\":1}");
    EXPECT_EQ(items[0].offset, 2u);
    EXPECT_EQ(items[1].text, "{\"b\":2}");
    EXPECT_EQ(items[1].ordinal, 2u);
    EXPECT_EQ(items[2].text, "{\"c\":3}");
    EXPECT_EQ(items[2].offset, content.size() - 7);
  }
  EXPECT_TRUE(read_all("", tiny(8)).empty());
  EXPECT_TRUE(read_all("\n\r\n  \n", tiny(2)).empty());
  // A UTF-8 BOM before the first line is not part of it.
  auto bom = read_all("\xEF\xBB\xBF{\"a\":1}\n{\"b\":2}\n", tiny(2));
  ASSERT_EQ(bom.size(), 2u);
  EXPECT_EQ(bom[0].text, "{\"a\":1}");
  EXPECT_EQ(bom[0].offset, 3u);
}

TEST(MessageStream, LongLinesGrowTheBufferUpToTheLimit) {
  std::string big = "{\"x\":\"" + std::string(5000, 'y') + "\"}";
  std::string content = "{\"a\":1}\n" + big + "\n{\"b\":2}\n";
  auto items = read_all(content, tiny(16, 10000));
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[1].text, big);
  EXPECT_EQ(items[1].offset, 8u);
  EXPECT_EQ(items[2].text, "{\"b\":2}");
}

TEST(MessageStream, OversizedLinesAreReportedAndSkipped) {
  std::string huge = "{\"x\":\"" + std::string(3000, 'z') + "\"}";
  std::string content = "{\"a\":1}\n" + huge + "\r\n{\"b\":2}\n" + huge + "\n" + huge;
  for (std::size_t chunk : {1u, 7u, 64u, 1000u, 100000u}) {
    auto items = read_all(content, tiny(chunk, 100));
    ASSERT_EQ(items.size(), 5u) << chunk;
    EXPECT_EQ(items[0].text, "{\"a\":1}");
    EXPECT_EQ(items[1].error, io::code::kMessageTooLarge);
    EXPECT_EQ(items[1].text, "");
    EXPECT_EQ(items[1].ordinal, 2u);
    EXPECT_EQ(items[1].offset, 8u);
    EXPECT_GE(items[1].size, huge.size());
    EXPECT_EQ(items[2].text, "{\"b\":2}") << chunk;
    EXPECT_EQ(items[2].ordinal, 3u);
    EXPECT_EQ(items[2].offset, 8u + huge.size() + 2);
    EXPECT_EQ(items[3].error, io::code::kMessageTooLarge);
    EXPECT_EQ(items[4].error, io::code::kMessageTooLarge);  // the last one, without a newline
    EXPECT_EQ(items[4].offset, content.size() - huge.size());
  }
  // A line of exactly max_message bytes is kept, with or without CR.
  std::string exact(100, 'a');
  auto kept = read_all(exact + "\r\n" + exact + "\n", tiny(3, 100));
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].text, exact);
  EXPECT_EQ(kept[1].text, exact);
}

TEST(MessageStream, PrettyPrintedFhirDocuments) {
  const fs::path dir = fs::path(SUTURE_SHARED_DATA) / "fhir-r4" / "examples";
  std::size_t count = 0;
  for (const char* name : {"Patient-f001.json", "Appointment-2docs.json", "Patient-animal.json"}) {
    std::string text = read_file(dir / name);
    ASSERT_FALSE(text.empty()) << name;
    for (std::size_t chunk : {5u, 256u, 1u << 20}) {
      io::Format format;
      auto items = read_all(text, tiny(chunk), &format);
      EXPECT_EQ(format, io::Format::JsonDocument) << name;
      ASSERT_EQ(items.size(), 1u) << name;
      std::string trimmed = text;
      while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) trimmed.pop_back();
      EXPECT_EQ(items[0].text, trimmed);
      EXPECT_EQ(items[0].offset, 0u);
      ++count;
    }
  }
  EXPECT_EQ(count, 9u);
  // Bounded by max_message as a whole.
  std::string text = read_file(dir / "Patient-f001.json");
  auto items = read_all(text, tiny(64, 100));
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].error, io::code::kMessageTooLarge);
  // Forced NDJSON reads the same file line by line.
  io::StreamOptions ndjson = tiny(64);
  ndjson.format = io::Format::Ndjson;
  EXPECT_GT(read_all(text, ndjson).size(), 10u);
}

TEST(MessageStream, YieldedViewsDecodeInPlace) {
  const fs::path dir = fs::path(SUTURE_SHARED_DATA) / "fhir-r4" / "examples";
  std::string ndjson;
  std::vector<std::string> ids;
  for (const char* name : {"Patient-f001.json", "Patient-animal.json", "Patient-pat2.json"}) {
    // One line per resource: the document with its newlines turned into spaces.
    std::string text = read_file(dir / name);
    std::replace(text.begin(), text.end(), '\n', ' ');
    std::replace(text.begin(), text.end(), '\r', ' ');
    ndjson += text + "\n";
  }
  for (std::size_t chunk : {7u, 1u << 20}) {
    StreamFile file(ndjson);
    io::MessageStream stream(file.fd(), tiny(chunk));
    io::Message m;
    std::size_t decoded = 0;
    while (stream.next(m)) {
      ASSERT_EQ(m.error, nullptr);
      suture::runtime::Arena arena;
      auto r = json::decode_fhir(json::PaddedInput{m.text}, fhir(), arena);
      ASSERT_TRUE(r) << r.error->code << " at " << r.error->path;
      EXPECT_EQ(r.record->desc->resource_type, "Patient");
      ++decoded;
    }
    EXPECT_EQ(decoded, 3u);
  }
  // A pretty-printed Bundle-sized document, too.
  std::string doc = read_file(dir / "Appointment-2docs.json");
  StreamFile file(doc);
  io::MessageStream stream(file.fd(), tiny(100));
  io::Message m;
  ASSERT_TRUE(stream.next(m));
  suture::runtime::Arena arena;
  auto r = json::decode_fhir(json::PaddedInput{m.text}, fhir(), arena);
  ASSERT_TRUE(r) << r.error->code << " at " << r.error->path;
  EXPECT_FALSE(stream.next(m));
}

TEST(MessageStream, Hl7Samples) {
  const fs::path dir = fs::path(SUTURE_SHARED_DATA) / "hl7v2";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    // One message per file (a few samples are batches of several).
    std::string text = read_file(e.path());
    if (e.path().extension() == ".hl7" && text.find("MSH", 4) == std::string::npos) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 100u);
  std::string all, mllp, lf;
  std::vector<std::string> expected;
  for (const auto& f : files) {
    std::string text = read_file(f);  // some start with a UTF-8 BOM: it separates, like a terminator
    std::string trimmed = text.rfind("\xEF\xBB\xBF", 0) == 0 ? text.substr(3) : text;
    while (!trimmed.empty() && (trimmed.back() == '\r' || trimmed.back() == '\n')) trimmed.pop_back();
    expected.push_back(trimmed);
    all += text;
    if (all.back() != '\r' && all.back() != '\n') all += '\r';
    mllp += "\x0b" + trimmed + "\r\x1c\r";
    std::string unix_text = trimmed;
    std::replace(unix_text.begin(), unix_text.end(), '\r', '\n');
    lf += unix_text + "\n\n";
  }
  for (std::size_t chunk : {3u, 100u, 1u << 20}) {
    io::Format format;
    auto items = read_all(all, tiny(chunk), &format);
    EXPECT_EQ(format, io::Format::Hl7v2);
    ASSERT_EQ(items.size(), expected.size()) << chunk;
    for (std::size_t i = 0; i < items.size(); ++i) {
      EXPECT_EQ(items[i].text, expected[i]) << files[i].filename();
      EXPECT_EQ(items[i].ordinal, i + 1);
      EXPECT_EQ(all.compare(items[i].offset, items[i].text.size(), items[i].text), 0);
    }
    auto framed = read_all(mllp, tiny(chunk), &format);
    EXPECT_EQ(format, io::Format::Hl7v2);
    ASSERT_EQ(framed.size(), expected.size()) << chunk;
    for (std::size_t i = 0; i < framed.size(); ++i) {
      EXPECT_EQ(framed[i].text, expected[i]);
      EXPECT_EQ(mllp[framed[i].offset - 1], '\x0b');
    }
    auto unix_items = read_all(lf, tiny(chunk));
    ASSERT_EQ(unix_items.size(), expected.size());
    // Every yielded message parses as ER7.
    for (const auto& item : framed) EXPECT_TRUE(suture::runtime::hl7::parse(item.text).ok()) << item.text.substr(0, 40);
  }
}

TEST(MessageStream, Hl7EdgeCases) {
  std::string a = "MSH|^~\\&|A|B\rPID|1||MSH-not-a-segment\r";
  std::string b = "MSH|^~\\&|C|D\rEVN|A01\r";
  // Junk before the first message is an item of its own.
  io::StreamOptions hl7 = tiny(4);
  hl7.format = io::Format::Hl7v2;
  auto items = read_all("garbage\r" + a + b, hl7);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].error, io::code::kNotHl7);
  EXPECT_EQ(items[1].text, a.substr(0, a.size() - 1));
  EXPECT_EQ(items[2].text, b.substr(0, b.size() - 1));
  // CRLF terminators and a message larger than the limit between two good ones.
  std::string big = "MSH|^~\\&|X\r" + std::string(500, 'Z') + "\r";
  auto sized = read_all(a + big + b, tiny(8, 100));
  ASSERT_EQ(sized.size(), 3u);
  EXPECT_EQ(sized[1].error, io::code::kMessageTooLarge);
  EXPECT_EQ(sized[1].offset, a.size());
  EXPECT_EQ(sized[2].text, b.substr(0, b.size() - 1));
  auto crlf = read_all("MSH|1\r\nPID|2\r\nMSH|3\r\n", tiny(2));
  ASSERT_EQ(crlf.size(), 2u);
  EXPECT_EQ(crlf[0].text, "MSH|1\r\nPID|2");
  EXPECT_EQ(crlf[1].text, "MSH|3");
}

TEST(MessageStream, ViewsArePadded) {
  // The bytes after each yielded view are readable (ASan would flag an overread here).
  std::string content = "{\"a\":1}\n{\"b\":2}";
  StreamFile file(content);
  io::MessageStream stream(file.fd(), tiny(1));
  io::Message m;
  std::size_t sum = 0;
  while (stream.next(m))
    for (std::size_t i = 0; i < m.text.size() + io::kPadding; ++i) sum += static_cast<unsigned char>(m.text.data()[i]);
  EXPECT_GT(sum, 0u);
}

TEST(MessageStream, RandomNdjsonMatchesAPlainSplit) {
  // Differential: random lines (blank, CR-ended, short, near and over the limit) against a
  // straightforward split of the whole text, for several chunk sizes.
  std::uint64_t seed = 42;
  auto rnd = [&seed](std::uint64_t n) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (seed >> 33) % n;
  };
  const std::size_t max = 40;
  for (int round = 0; round < 40; ++round) {
    std::string content = "{}\n";  // a complete first line: NDJSON
    std::size_t lines = 1 + rnd(30);
    for (std::size_t i = 0; i < lines; ++i) {
      std::size_t kind = rnd(6);
      std::string line = kind == 0 ? "" : kind == 1 ? "  " : std::string(rnd(kind == 5 ? 120 : 45), 'a' + rnd(26));
      content += line + (rnd(3) == 0 ? "\r\n" : "\n");
    }
    if (rnd(2) == 0) content += std::string(rnd(60), 'z');  // no final newline
    std::vector<Item> expected;
    std::uint64_t ordinal = 0;
    for (std::size_t at = 0; at < content.size();) {
      std::size_t nl = content.find('\n', at);
      std::size_t end = nl == std::string::npos ? content.size() : nl;
      std::string line = content.substr(at, end - at);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t\r") != std::string::npos) {
        bool too_large = line.size() > max;
        expected.push_back({too_large ? "" : line, ++ordinal, at, 0, too_large ? io::code::kMessageTooLarge : ""});
      }
      at = end + 1;
    }
    for (std::size_t chunk : {1u, 3u, 16u, 41u, 1000u}) {
      auto items = read_all(content, tiny(chunk, max));
      ASSERT_EQ(items.size(), expected.size()) << "round " << round << " chunk " << chunk;
      for (std::size_t i = 0; i < items.size(); ++i) {
        EXPECT_EQ(items[i].text, expected[i].text) << round << "/" << chunk << "/" << i;
        EXPECT_EQ(items[i].error, expected[i].error) << round << "/" << chunk << "/" << i;
        EXPECT_EQ(items[i].offset, expected[i].offset) << round << "/" << chunk << "/" << i;
        EXPECT_EQ(items[i].ordinal, expected[i].ordinal);
      }
    }
  }
}

TEST(MessageStream, RandomHl7MatchesTheMessagesWritten) {
  // Differential: random ER7 messages with random terminators, MLLP framing, BOMs and blank
  // lines between them, some over the limit, read back through several chunk sizes.
  std::uint64_t seed = 7;
  auto rnd = [&seed](std::uint64_t n) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (seed >> 33) % n;
  };
  const std::size_t max = 80;
  for (int round = 0; round < 40; ++round) {
    std::string content;
    std::vector<std::pair<std::string, std::string>> expected;  // text, error
    std::size_t messages = 1 + rnd(12);
    for (std::size_t i = 0; i < messages; ++i) {
      std::string terminator = rnd(3) == 0 ? "\r\n" : rnd(2) == 0 ? "\r" : "\n";
      std::string message = "MSH|^~\\&|" + std::to_string(round) + "|" + std::to_string(i);
      std::size_t segments = rnd(5);
      for (std::size_t s = 0; s < segments; ++s)
        message += terminator + "PID|" + std::string(rnd(s == 4 ? 90 : 20), 'M');  // 'M's that start nothing
      bool mllp = rnd(4) == 0;
      std::string framed = (mllp ? "\x0b" : "") + message + terminator + (mllp ? "\x1c\r" : "");
      if (rnd(5) == 0) framed += terminator;  // a blank line
      if (!mllp && rnd(8) == 0) framed = "\xEF\xBB\xBF" + framed;
      content += framed;
      bool too_large = message.size() > max;
      expected.emplace_back(too_large ? "" : message, too_large ? io::code::kMessageTooLarge : "");
    }
    for (std::size_t chunk : {1u, 2u, 5u, 33u, 4096u}) {
      io::StreamOptions options = tiny(chunk, max);
      options.format = round % 2 == 0 ? io::Format::Hl7v2 : io::Format::Auto;
      auto items = read_all(content, options);
      ASSERT_EQ(items.size(), expected.size()) << "round " << round << " chunk " << chunk;
      for (std::size_t i = 0; i < items.size(); ++i) {
        EXPECT_EQ(items[i].text, expected[i].first) << round << "/" << chunk << "/" << i;
        EXPECT_EQ(items[i].error, expected[i].second) << round << "/" << chunk << "/" << i;
        if (items[i].error.empty()) EXPECT_EQ(content.compare(items[i].offset, items[i].text.size(), items[i].text), 0);
      }
    }
  }
}
