// auth_test.cpp — the Authenticator against a configuration loaded the way the host loads it:
// API keys from the Authorization header, X-Api-Key and the api_key query parameter; HS256
// and RS256 tokens (the RSA key is generated here and tokens are signed here) with expiry,
// not-before, audience, issuer and subject checks on a clock the tests move; client
// certificate subjects; `auth: [none]` listeners; the admin API; principal_json.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "runtime/host/config/config.h"
#include "runtime/host/ingress/auth.h"

using namespace suture::host;
using nlohmann::json;

namespace {

constexpr std::int64_t kNow = 1800000000;  // 2027-01-15T08:00:00Z

const char* const kEhrKey = "ehr-api-key-0123456789abcdef";
const char* const kLabKey = "lab-api-key-0123456789abcdef";
const char* const kAdminKey = "admin-key-0123456789abcdef";
const char* const kHsSecret = "hs256-secret-for-the-tests-0123456789";

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Pkey generate_rsa_key() {
  EVP_PKEY_CTX* context = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nullptr);
  EVP_PKEY* key = nullptr;
  bool ok = context != nullptr && EVP_PKEY_keygen_init(context) == 1 &&
            EVP_PKEY_CTX_set_rsa_keygen_bits(context, 2048) == 1 && EVP_PKEY_keygen(context, &key) == 1;
  EVP_PKEY_CTX_free(context);
  if (!ok) ADD_FAILURE() << "RSA key generation failed";
  return Pkey(key);
}

std::string public_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return pem;
}

std::string base64url(std::string_view bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += alphabet[(buffer << (6 - bits)) & 0x3f];
  return out;
}

std::string hmac_sha256(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &length);
  return std::string(reinterpret_cast<char*>(mac), length);
}

std::string rsa_sha256(EVP_PKEY* key, const std::string& data) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  std::size_t length = 0;
  std::string signature;
  if (EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestSign(context, nullptr, &length, reinterpret_cast<const unsigned char*>(data.data()), data.size()) ==
          1) {
    signature.resize(length);
    EVP_DigestSign(context, reinterpret_cast<unsigned char*>(signature.data()), &length,
                   reinterpret_cast<const unsigned char*>(data.data()), data.size());
    signature.resize(length);
  }
  EVP_MD_CTX_free(context);
  return signature;
}

std::string hs256_token(const json& claims, const std::string& secret = kHsSecret) {
  std::string input = base64url(json{{"alg", "HS256"}, {"typ", "JWT"}}.dump()) + "." + base64url(claims.dump());
  return input + "." + base64url(hmac_sha256(secret, input));
}

std::string rs256_token(const json& claims, EVP_PKEY* key, const json& header = {{"alg", "RS256"}, {"typ", "JWT"}}) {
  std::string input = base64url(header.dump()) + "." + base64url(claims.dump());
  return input + "." + base64url(rsa_sha256(key, input));
}

json idp_claims(const std::string& subject) {
  return {{"iss", "https://idp.example"}, {"aud", "suture"}, {"sub", subject}, {"iat", kNow - 10}, {"exp", kNow + 300}};
}

json hs_claims(const std::string& subject) {
  return {{"iss", "https://hs.example"}, {"sub", subject}, {"exp", kNow + 300}};
}

const std::string kConfig = R"(packs: [a.spk]
store: s.db
listeners:
  - {name: web, listen: 127.0.0.1:0, auth: [api_key, jwt]}
  - {name: keys, listen: 127.0.0.1:0}
  - {name: tokens, listen: 127.0.0.1:0, auth: [jwt]}
  - name: certs
    listen: 127.0.0.1:0
    tls: {cert: config/files/server.pem, key: config/files/server.key, client_ca: config/files/ca.pem}
    auth: [mtls, api_key]
  - {name: lab-feed, kind: mllp, listen: 127.0.0.1:0, auth: [none], principal: lab}
principals:
  - id: ehr
    role: sync
    roles: [sync, read]
    scopes: [phi.restricted]
    attributes: {site: main, "quote\"d": "x"}
    api_keys: [{env: EHR_KEY}]
    jwt_subject: ehr-service
    mtls_subject: "CN=ehr,O=Hospital"
  - id: lab
    api_keys: [{env: LAB_KEY}]
  - id: nurse
    kind: human
    role: clinician
    jwt_subject: nurse-1
jwt_issuers:
  - {issuer: https://idp.example, audience: suture, algorithm: RS256, key: {env: IDP_PUBLIC_PEM}}
  - {issuer: https://hs.example, algorithm: HS256, key: {env: HS_SECRET}}
admin:
  listen: 127.0.0.1:9999
  api_keys: [{env: ADMIN_KEY}]
)";

class AuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    idp_key_ = generate_rsa_key().release();
    other_key_ = generate_rsa_key().release();
  }
  static void TearDownTestSuite() {
    EVP_PKEY_free(idp_key_);
    EVP_PKEY_free(other_key_);
  }

  void SetUp() override {
    std::map<std::string, std::string> environment = {{"EHR_KEY", kEhrKey},
                                                      {"LAB_KEY", kLabKey},
                                                      {"ADMIN_KEY", kAdminKey},
                                                      {"HS_SECRET", kHsSecret},
                                                      {"IDP_PUBLIC_PEM", public_pem(idp_key_)}};
    auto loaded = load_config_text(kConfig, std::string(SUTURE_SOURCE_DIR) + "/tests/host/auth.yaml",
                                   [environment](const std::string& name) -> std::optional<std::string> {
                                     auto found = environment.find(name);
                                     if (found == environment.end()) return std::nullopt;
                                     return found->second;
                                   });
    if (auto* problems = std::get_if<std::vector<ConfigProblem>>(&loaded)) {
      for (const auto& problem : *problems) ADD_FAILURE() << format_problem(problem);
      GTEST_SKIP();
    }
    config_ = std::get<HostConfig>(std::move(loaded));
    auth_ = std::make_unique<Authenticator>(config_, [this] { return now_; });
  }

  const ListenerConfig& listener(const std::string& name) {
    for (const ListenerConfig& candidate : config_.listeners) {
      if (candidate.name == name) return candidate;
    }
    throw std::runtime_error("no listener " + name);
  }

  // The principal's id, or "CODE: message".
  std::string who(const std::string& listener_name, const RequestCredentials& credentials) {
    AuthResult result = auth_->authenticate(listener(listener_name), credentials);
    if (auto* principal = std::get_if<const PrincipalConfig*>(&result)) return (*principal)->id;
    const AuthFailure& failure = std::get<AuthFailure>(result);
    EXPECT_EQ(failure.http_status, 401);
    return failure.code + ": " + failure.message;
  }

  std::string bearer(const std::string& listener_name, const std::string& token) {
    std::string header = "Bearer " + token;
    return who(listener_name, {.authorization = header});
  }

  static EVP_PKEY* idp_key_;
  static EVP_PKEY* other_key_;
  HostConfig config_;
  std::unique_ptr<Authenticator> auth_;
  std::int64_t now_ = kNow;
};

EVP_PKEY* AuthTest::idp_key_ = nullptr;
EVP_PKEY* AuthTest::other_key_ = nullptr;

bool starts_with(const std::string& text, const std::string& start) {
  return text.rfind(start, 0) == 0;
}

// ---- API keys ----

TEST_F(AuthTest, ApiKeyInAuthorizationHeader) {
  EXPECT_EQ(bearer("keys", kEhrKey), "ehr");
  EXPECT_EQ(who("keys", {.authorization = std::string("bearer   ") + kLabKey}), "lab");  // scheme in any case
}

TEST_F(AuthTest, ApiKeyInXApiKeyHeader) {
  EXPECT_EQ(who("keys", {.x_api_key = kLabKey}), "lab");
}

TEST_F(AuthTest, ApiKeyInQueryParameterForSendersWithoutHeaders) {
  EXPECT_EQ(who("keys", {.query_api_key = kEhrKey}), "ehr");
}

TEST_F(AuthTest, TheSameKeyInTwoPlacesIsOneCredential) {
  std::string header = std::string("Bearer ") + kEhrKey;
  EXPECT_EQ(who("keys", {.authorization = header, .x_api_key = kEhrKey, .query_api_key = kEhrKey}), "ehr");
}

TEST_F(AuthTest, DifferentKeysInTwoPlacesAreRefused) {
  EXPECT_EQ(who("keys", {.x_api_key = kEhrKey, .query_api_key = kLabKey}),
            "AUTH_INVALID: different credentials in X-Api-Key and the api_key query parameter; send one");
}

TEST_F(AuthTest, UnknownKeyIsInvalidAndNotRepeated) {
  std::string guess = "ehr-api-key-0123456789abcdeX";
  EXPECT_EQ(who("keys", {.x_api_key = guess}), "AUTH_INVALID: unknown API key in X-Api-Key");
  EXPECT_EQ(bearer("keys", guess), "AUTH_INVALID: unknown API key in Authorization");
  EXPECT_EQ(who("keys", {.query_api_key = guess}), "AUTH_INVALID: unknown API key in the api_key query parameter");
}

TEST_F(AuthTest, OtherAuthorizationSchemesAreRefusedWithoutEchoingThem) {
  std::string result = who("keys", {.authorization = "Basic ZWhyOnNlY3JldA=="});
  EXPECT_EQ(result, "AUTH_INVALID: the Authorization header must be \"Bearer <token or key>\"");
  result = who("keys", {.authorization = kEhrKey});  // the key without "Bearer "
  EXPECT_EQ(result.find(kEhrKey), std::string::npos);
  EXPECT_TRUE(starts_with(result, "AUTH_INVALID")) << result;
  EXPECT_TRUE(starts_with(who("keys", {.authorization = "Bearer   "}), "AUTH_INVALID")) << "empty bearer";
}

TEST_F(AuthTest, NoCredentialsIsMissing) {
  EXPECT_EQ(who("keys", {}),
            "AUTH_MISSING: no credentials; listener \"keys\" takes an API key (Authorization: Bearer, X-Api-Key or "
            "?api_key=)");
  EXPECT_TRUE(starts_with(who("web", {}), "AUTH_MISSING")) << who("web", {});
}

TEST_F(AuthTest, ApiKeyOnATokenOnlyListenerIsTheWrongMethod) {
  EXPECT_EQ(who("tokens", {.x_api_key = kEhrKey}),
            "AUTH_FORBIDDEN_METHOD: listener \"tokens\" does not accept API keys (api_key); it accepts jwt");
}

// ---- JWT ----

TEST_F(AuthTest, Hs256TokenNamesThePrincipalBySubject) {
  EXPECT_EQ(bearer("tokens", hs256_token(hs_claims("ehr-service"))), "ehr");
  EXPECT_EQ(bearer("web", hs256_token(hs_claims("nurse-1"))), "nurse");
}

TEST_F(AuthTest, Rs256TokenWithAudience) {
  EXPECT_EQ(bearer("tokens", rs256_token(idp_claims("nurse-1"), idp_key_)), "nurse");
  json claims = idp_claims("ehr-service");
  claims["aud"] = json::array({"other", "suture"});
  EXPECT_EQ(bearer("tokens", rs256_token(claims, idp_key_)), "ehr");
}

TEST_F(AuthTest, ExpiredTokenIsInvalid) {
  json claims = idp_claims("nurse-1");
  claims["exp"] = kNow - 3600;
  EXPECT_EQ(bearer("tokens", rs256_token(claims, idp_key_)), "AUTH_INVALID: the token expired at 2027-01-15T07:00:00Z");
  claims["exp"] = kNow - kJwtClockLeewaySeconds + 1;  // within the leeway
  EXPECT_EQ(bearer("tokens", rs256_token(claims, idp_key_)), "nurse");
  now_ = kNow + 2 * kJwtClockLeewaySeconds;  // time moves on
  EXPECT_TRUE(starts_with(bearer("tokens", rs256_token(claims, idp_key_)), "AUTH_INVALID: the token expired"));
}

TEST_F(AuthTest, TokenWithoutExpiryIsInvalid) {
  json claims = hs_claims("nurse-1");
  claims.erase("exp");
  EXPECT_EQ(bearer("tokens", hs256_token(claims)), "AUTH_INVALID: the token has no exp (expiry) claim");
}

TEST_F(AuthTest, TokenNotYetValidIsInvalid) {
  json claims = hs_claims("nurse-1");
  claims["nbf"] = kNow + 600;
  EXPECT_EQ(bearer("tokens", hs256_token(claims)), "AUTH_INVALID: the token is not valid before 2027-01-15T08:10:00Z");
}

TEST_F(AuthTest, WrongAudienceIsInvalid) {
  json claims = idp_claims("nurse-1");
  claims["aud"] = "billing";
  EXPECT_EQ(bearer("tokens", rs256_token(claims, idp_key_)),
            "AUTH_INVALID: the token's audience does not include \"suture\"");
  claims.erase("aud");
  EXPECT_EQ(bearer("tokens", rs256_token(claims, idp_key_)),
            "AUTH_INVALID: the token's audience does not include \"suture\"");
}

TEST_F(AuthTest, BadSignaturesAreInvalid) {
  const std::string expected = "AUTH_INVALID: the token signature does not verify";
  EXPECT_EQ(bearer("tokens", rs256_token(idp_claims("nurse-1"), other_key_)), expected);  // another key
  EXPECT_EQ(bearer("tokens", hs256_token(hs_claims("nurse-1"), "another-secret-of-enough-length-0123456789")),
            expected);
  // A payload swapped under a valid signature.
  std::string token = hs256_token(hs_claims("nurse-1"));
  std::string forged = hs256_token(hs_claims("ehr-service"));
  std::size_t dot = token.find('.'), last = token.rfind('.');
  std::size_t forged_dot = forged.find('.'), forged_last = forged.rfind('.');
  std::string spliced = token.substr(0, dot) + forged.substr(forged_dot, forged_last - forged_dot) + token.substr(last);
  EXPECT_EQ(bearer("tokens", spliced), expected);
  // A signature cut short.
  EXPECT_EQ(bearer("tokens", token.substr(0, token.size() - 4)), expected);
}

TEST_F(AuthTest, AlgorithmNoneAndAlgorithmConfusionAreRefused) {
  std::string unsigned_token =
      base64url(json{{"alg", "none"}}.dump()) + "." + base64url(hs_claims("nurse-1").dump()) + ".";
  EXPECT_EQ(bearer("tokens", unsigned_token), "AUTH_INVALID: token algorithm \"none\" is not accepted (HS256, RS256)");
  // An HS256 token "signed" with the RS256 issuer's public key as the HMAC secret.
  json claims = idp_claims("nurse-1");
  std::string confused = hs256_token(claims, public_pem(idp_key_));
  EXPECT_EQ(bearer("tokens", confused), "AUTH_INVALID: token algorithm HS256 is not the one configured for its issuer");
  json header = {{"alg", "RS256"}, {"crit", json::array({"exp"})}};
  EXPECT_TRUE(
      starts_with(bearer("tokens", rs256_token(claims, idp_key_, header)), "AUTH_INVALID: the token has critical"));
}

TEST_F(AuthTest, UnknownIssuerAndSubjectAreInvalid) {
  json claims = hs_claims("nurse-1");
  claims["iss"] = "https://evil.example";
  EXPECT_EQ(bearer("tokens", hs256_token(claims)),
            "AUTH_INVALID: token issuer \"https://evil.example\" is not configured");
  EXPECT_EQ(bearer("tokens", hs256_token(hs_claims("someone-else"))),
            "AUTH_INVALID: no principal has jwt_subject \"someone-else\"");
}

TEST_F(AuthTest, TokenOnAKeyOnlyListenerIsTheWrongMethod) {
  EXPECT_EQ(bearer("keys", hs256_token(hs_claims("nurse-1"))),
            "AUTH_FORBIDDEN_METHOD: listener \"keys\" does not accept tokens (jwt); it accepts api_key");
}

TEST_F(AuthTest, MalformedTokensNeverCrash) {
  for (std::string token : {std::string("a.b.c"), std::string("..."), std::string("e30.e30.!!"),
                            base64url("{") + "." + base64url("{}") + ".", base64url("{\"alg\":1}") + ".e30.",
                            base64url("{\"alg\":\"HS256\"}") + "." + base64url("[1]") + ".",
                            base64url("{\"alg\":\"HS256\"}") + ".e30.", std::string(kMaxTokenBytes + 1, 'a')}) {
    std::string result = bearer("web", token);
    EXPECT_TRUE(starts_with(result, "AUTH_INVALID")) << token.substr(0, 40) << " → " << result;
  }
}

// ---- mTLS and fixed principals ----

TEST_F(AuthTest, ClientCertificateSubjectNamesThePrincipal) {
  EXPECT_EQ(who("certs", {.peer_subject = "CN=ehr,O=Hospital"}), "ehr");
  EXPECT_EQ(who("certs", {.peer_subject = "CN=ehr, O=Hospital"}), "ehr");
  EXPECT_EQ(who("certs", {.peer_subject = "CN=intruder,O=Hospital"}),
            "AUTH_INVALID: client certificate subject \"CN=intruder,O=Hospital\" is not the mtls_subject of any "
            "principal");
  // An explicit key wins over the certificate on a listener that takes both.
  EXPECT_EQ(who("certs", {.x_api_key = kLabKey, .peer_subject = "CN=ehr,O=Hospital"}), "lab");
}

TEST_F(AuthTest, CertificatesAreIgnoredWhereMtlsIsNotAccepted) {
  EXPECT_TRUE(starts_with(who("keys", {.peer_subject = "CN=ehr,O=Hospital"}), "AUTH_MISSING"));
}

TEST_F(AuthTest, ListenerWithoutAuthenticationGivesItsPrincipal) {
  EXPECT_EQ(who("lab-feed", {}), "lab");
  EXPECT_EQ(who("lab-feed", {.x_api_key = kEhrKey}), "lab");
}

// ---- admin ----

TEST_F(AuthTest, AdminApiTakesOnlyAdminKeysFromHeaders) {
  EXPECT_EQ(auth_->authenticate_admin({.x_api_key = kAdminKey}), std::nullopt);
  std::string header = std::string("Bearer ") + kAdminKey;
  EXPECT_EQ(auth_->authenticate_admin({.authorization = header}), std::nullopt);
  auto failure = auth_->authenticate_admin({.query_api_key = kAdminKey});
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->code, "AUTH_FORBIDDEN_METHOD");
  failure = auth_->authenticate_admin({.x_api_key = kEhrKey});
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->message, "unknown admin key in X-Api-Key");
  failure = auth_->authenticate_admin({});
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->code, "AUTH_MISSING");
}

// ---- what policies see ----

TEST_F(AuthTest, PrincipalJsonIsThePreludeRecord) {
  EXPECT_EQ(principal_json(*config_.principal("ehr")),
            R"({"id":"ehr","kind":"service","role":"sync","roles":["read","sync"],"scopes":["phi.restricted"],)"
            R"("attributes":{"quote\"d":"x","site":"main"}})");
  EXPECT_EQ(principal_json(*config_.principal("nurse")),
            R"({"id":"nurse","kind":"human","role":"clinician","roles":[],"scopes":[],"attributes":{}})");
}

}  // namespace
