// config_test.cpp — the host configuration loader. Mostly data: every tests/host/config/<case>.yaml
// is loaded and its problems, as format_problem prints them (without the folder), must equal
// <case>.expected line for line; an empty .expected means the file loads. A few tests below
// check the values an accepted file yields.
//
// The cases see a fixed environment (kEnvironment), never the process's. Set
// SUTURE_UPDATE_EXPECTED=1 to rewrite the .expected files from the current output.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "runtime/host/config/config.h"

namespace fs = std::filesystem;
using namespace suture::host;

namespace {

const fs::path kRoot = fs::path(SUTURE_SOURCE_DIR);
const fs::path kCases = kRoot / "tests" / "host" / "config";

const std::map<std::string, std::string> kEnvironment = {
    {"ODOO_PASSWORD", "odoo-password-for-tests"},
    {"ODOO_API_KEY", "odoo-json2-api-key-0123456789"},
    {"EHR_API_KEY", "ehr-api-key-0123456789abcdef"},
    {"SAME_AS_EHR_API_KEY", "ehr-api-key-0123456789abcdef"},
    {"LAB_API_KEY", "lab-api-key-0123456789abcdef"},
    {"SUTURE_ADMIN_KEY", "admin-key-0123456789abcdef"},
    {"HS_SECRET", "hs256-secret-from-env-0123456789abcdef"},
    {"FHIR_TOKEN", "fhir-bearer-token-0123456789"},
    {"SHORT_KEY", "sh0rt-k3y"},
    {"EMPTY_VAR", ""},
};

// Texts that must never appear in a problem: every secret the cases hold.
const std::vector<std::string> kSecretTexts = {"hunter2", "plain-inline-key", "Bearer abc"};

Environment test_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    auto found = kEnvironment.find(name);
    if (found == kEnvironment.end()) return std::nullopt;
    return found->second;
  };
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<fs::path> cases() {
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(kCases)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

// The problems of one case, one per line, with the folder part of the file name removed.
std::string problems_text(const fs::path& yaml) {
  auto loaded = load_config(yaml.string(), test_environment());
  std::string out;
  if (auto* problems = std::get_if<std::vector<ConfigProblem>>(&loaded)) {
    std::string folder = yaml.parent_path().string() + "/";
    for (const ConfigProblem& problem : *problems) {
      std::string line = format_problem(problem);
      if (line.rfind(folder, 0) == 0) line = line.substr(folder.size());
      out += line + "\n";
    }
  }
  return out;
}

HostConfig load_ok(const fs::path& yaml) {
  auto loaded = load_config(yaml.string(), test_environment());
  if (auto* problems = std::get_if<std::vector<ConfigProblem>>(&loaded)) {
    std::string text;
    for (const ConfigProblem& problem : *problems) text += format_problem(problem) + "\n";
    ADD_FAILURE() << "expected " << yaml << " to load:\n" << text;
    return {};
  }
  return std::get<HostConfig>(std::move(loaded));
}

}  // namespace

TEST(HostConfigCases, ProblemsMatchExpected) {
  bool update = std::getenv("SUTURE_UPDATE_EXPECTED") != nullptr;
  auto all = cases();
  ASSERT_GE(all.size(), 10u) << "no cases under " << kCases;
  for (const fs::path& yaml : all) {
    SCOPED_TRACE(yaml.filename().string());
    fs::path expected_path = yaml;
    expected_path.replace_extension(".expected");
    std::string actual = problems_text(yaml);
    if (update) {
      std::ofstream(expected_path, std::ios::binary) << actual;
      continue;
    }
    ASSERT_TRUE(fs::exists(expected_path)) << "missing " << expected_path.filename() << " (empty = loads)";
    EXPECT_EQ(read(expected_path), actual);
    for (const auto& [name, value] : kEnvironment) {
      if (value.size() >= 4) {
        EXPECT_EQ(actual.find(value), std::string::npos) << "the value of " << name << " leaked";
      }
    }
    for (const std::string& secret : kSecretTexts) {
      EXPECT_EQ(actual.find(secret), std::string::npos) << "an inline secret leaked";
    }
  }
}

TEST(HostConfig, FullExampleYieldsItsValues) {
  HostConfig config = load_ok(kCases / "ok_full.yaml");
  const std::string folder = (kCases).string() + "/";

  ASSERT_EQ(config.packs.size(), 2u);
  EXPECT_EQ(config.packs[0], (kRoot / "build/specs.spk").lexically_normal().string());
  EXPECT_EQ(config.packs[1], folder + "packs/extra.spk");
  EXPECT_EQ(config.store_path, folder + "suture.db");
  EXPECT_EQ(config.audit_log, "-");
  EXPECT_EQ(config.delivery_workers, 8u);
  EXPECT_EQ(config.io_threads, 3u);
  EXPECT_EQ(config.commit_interval_us, 2000u);

  ASSERT_EQ(config.listeners.size(), 3u);
  const ListenerConfig& web = config.listeners[0];
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.kind, ListenerKind::Http);
  EXPECT_EQ(web.address, "127.0.0.1");
  EXPECT_EQ(web.port, 8443);
  ASSERT_TRUE(web.tls.has_value());
  EXPECT_EQ(web.tls->cert_file, folder + "files/server.pem");
  EXPECT_EQ(web.tls->client_ca_file, folder + "files/ca.pem");
  EXPECT_EQ(web.auth, (std::vector<std::string>{"api_key", "jwt", "mtls"}));
  EXPECT_EQ(web.limits.max_body_bytes, 1u << 20);
  EXPECT_EQ(web.limits.max_depth, 32u);
  EXPECT_DOUBLE_EQ(web.limits.rate_per_second, 500.0);
  EXPECT_EQ(web.limits.burst, 1000u);
  EXPECT_EQ(config.listeners[1].auth, (std::vector<std::string>{"api_key"}));  // the default
  EXPECT_EQ(config.listeners[1].limits.max_body_bytes, 1u << 20);
  EXPECT_DOUBLE_EQ(config.listeners[1].limits.rate_per_second, 100.0 / 60.0);
  const ListenerConfig& lab = config.listeners[2];
  EXPECT_EQ(lab.kind, ListenerKind::Mllp);
  EXPECT_EQ(lab.address, "::");
  EXPECT_EQ(lab.principal, "lab");

  const EndpointConfig* odoo = config.endpoint("odoo");
  ASSERT_NE(odoo, nullptr);
  EXPECT_EQ(odoo->kind, EndpointKind::OdooJsonRpc);
  EXPECT_EQ(odoo->url, "http://127.0.0.1:8069");
  EXPECT_EQ(odoo->database, "hospital");
  EXPECT_EQ(odoo->login, "suture");
  ASSERT_TRUE(odoo->password.has_value());
  EXPECT_EQ(odoo->password->source, "env:ODOO_PASSWORD");
  EXPECT_EQ(odoo->password->value, "odoo-password-for-tests");
  EXPECT_EQ(odoo->timeout_ms, 10000u);
  EXPECT_EQ(odoo->concurrency, 4u);
  EXPECT_DOUBLE_EQ(odoo->rate_per_second, 100.0);
  EXPECT_EQ(odoo->breaker_failures, 5u);
  EXPECT_EQ(odoo->breaker_cooldown_ms, 30000u);
  EXPECT_EQ(odoo->retry.max_attempts, 8u);
  const EndpointConfig* json2 = config.endpoint("odoo17");
  ASSERT_NE(json2, nullptr);
  EXPECT_EQ(json2->kind, EndpointKind::OdooJson2);
  EXPECT_EQ(json2->api_key->value, "odoo-json2-api-key-0123456789");
  const EndpointConfig* fhir = config.endpoint("fhir");
  ASSERT_NE(fhir, nullptr);
  EXPECT_EQ(fhir->ca_file, folder + "files/ca.pem");
  EXPECT_EQ(fhir->headers.at("Accept-Language"), "en");
  EXPECT_EQ(fhir->timeout_ms, 2500u);
  EXPECT_EQ(config.endpoint("lis")->kind, EndpointKind::Mllp);
  EXPECT_EQ(config.endpoint("nowhere"), nullptr);

  const PrincipalConfig* ehr = config.principal("ehr");
  ASSERT_NE(ehr, nullptr);
  EXPECT_EQ(ehr->kind, "service");
  EXPECT_EQ(ehr->role, "sync");
  EXPECT_EQ(ehr->roles, (std::set<std::string>{"sync", "read"}));
  EXPECT_EQ(ehr->scopes, (std::set<std::string>{"phi.restricted"}));
  EXPECT_EQ(ehr->attributes.at("site"), "main");
  ASSERT_EQ(ehr->api_keys.size(), 1u);
  EXPECT_EQ(ehr->api_keys[0].value, "ehr-api-key-0123456789abcdef");
  EXPECT_EQ(ehr->jwt_subject, "ehr-service");
  EXPECT_EQ(ehr->mtls_subject, "CN=ehr,O=Hospital");  // written with a blank after the comma
  const PrincipalConfig* lab_principal = config.principal("lab");
  ASSERT_NE(lab_principal, nullptr);
  EXPECT_EQ(lab_principal->api_keys[0].source, "file:files/lab.key");
  EXPECT_EQ(lab_principal->api_keys[0].value, "lab-api-key-from-a-file-0123456789");  // newline trimmed
  EXPECT_EQ(config.principal("nurse")->kind, "human");

  ASSERT_EQ(config.jwt_issuers.size(), 2u);
  EXPECT_EQ(config.jwt_issuers[0].algorithm, "RS256");
  EXPECT_EQ(config.jwt_issuers[0].audience, "suture");
  EXPECT_NE(config.jwt_issuers[0].key.value.find("BEGIN PUBLIC KEY"), std::string::npos);
  EXPECT_FALSE(config.jwt_issuers[1].audience.has_value());

  EXPECT_EQ(config.admin.address, "127.0.0.1");
  EXPECT_EQ(config.admin.port, 9090);
  ASSERT_EQ(config.admin.api_keys.size(), 1u);
  EXPECT_EQ(config.admin.api_keys[0].source, "env:SUTURE_ADMIN_KEY");
}

TEST(HostConfig, MinimalFileTakesTheDefaults) {
  HostConfig config = load_ok(kCases / "ok_minimal.yaml");
  EXPECT_EQ(config.delivery_workers, 4u);
  EXPECT_EQ(config.io_threads, 2u);
  EXPECT_EQ(config.commit_interval_us, 0u);
  EXPECT_EQ(config.audit_log, "");
  EXPECT_EQ(config.admin.port, 0);
  ASSERT_EQ(config.listeners.size(), 1u);
  EXPECT_EQ(config.listeners[0].auth, (std::vector<std::string>{"api_key"}));
  EXPECT_EQ(config.listeners[0].port, 0);  // any free port
}

TEST(HostConfig, UnreadableFileIsOneProblemWithoutLine) {
  auto loaded = load_config((kCases / "no-such-file.yaml").string(), test_environment());
  auto* problems = std::get_if<std::vector<ConfigProblem>>(&loaded);
  ASSERT_NE(problems, nullptr);
  ASSERT_EQ(problems->size(), 1u);
  EXPECT_EQ(format_problem(problems->front()),
            (kCases / "no-such-file.yaml").string() + ": cannot read the configuration: No such file or directory");
}

TEST(HostConfig, TextWithoutFolderResolvesAgainstTheWorkingDirectory) {
  auto loaded = load_config_text("packs: [a.spk]\nstore: s.db\n", "inline.yaml", test_environment());
  ASSERT_TRUE(std::holds_alternative<HostConfig>(loaded));
  EXPECT_EQ(std::get<HostConfig>(loaded).packs, std::vector<std::string>{"a.spk"});
  EXPECT_EQ(std::get<HostConfig>(loaded).file, "inline.yaml");
}

TEST(HostConfig, ProcessEnvironmentIsTheDefault) {
  ::setenv("SUTURE_CONFIG_TEST_KEY", "from-the-process-0123456789", 1);
  auto loaded = load_config_text(
      "packs: [a.spk]\nstore: s.db\nprincipals:\n  - id: p\n    api_keys: [{env: SUTURE_CONFIG_TEST_KEY}]\n", "x.yaml");
  ASSERT_TRUE(std::holds_alternative<HostConfig>(loaded));
  EXPECT_EQ(std::get<HostConfig>(loaded).principals[0].api_keys[0].value, "from-the-process-0123456789");
}

TEST(HostConfig, SubjectsCompareWithoutBlanksAfterSeparators) {
  EXPECT_EQ(normalize_certificate_subject("CN=ehr, O=Hospital"), "CN=ehr,O=Hospital");
  EXPECT_EQ(normalize_certificate_subject("CN=a\\, b,O=x"), "CN=a\\, b,O=x");  // escaped comma keeps its blank
  EXPECT_EQ(normalize_certificate_subject("CN=a+ OU=b"), "CN=a+OU=b");
}

// The shipped example must stay valid: its only problems may be the files and variables that
// exist where it is deployed, not here.
TEST(HostConfig, ShippedExampleHasOnlyDeploymentProblems) {
  fs::path example = kRoot / "runtime" / "host" / "config" / "example.yaml";
  auto loaded = load_config(example.string(), [](const std::string& name) -> std::optional<std::string> {
    return name + "-value-for-the-example-test";
  });
  if (auto* problems = std::get_if<std::vector<ConfigProblem>>(&loaded)) {
    for (const ConfigProblem& problem : *problems) {
      EXPECT_NE(problem.message.find("cannot read"), std::string::npos) << format_problem(problem);
    }
  }
}
