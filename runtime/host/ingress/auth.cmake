# runtime/host/ingress/auth.cmake — suture_host_auth: who sent a request (API keys, JWT, mTLS
# subjects) and the principal JSON policies see. libcrypto for SHA-256, HMAC and RSA
# signatures; nlohmann/json for token headers and claims.
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
add_library(suture_host_auth STATIC ${CMAKE_CURRENT_LIST_DIR}/auth.cpp)
suture_defaults(suture_host_auth)
target_link_libraries(suture_host_auth PUBLIC suture_host_config
                                       PRIVATE OpenSSL::Crypto nlohmann_json::nlohmann_json)
