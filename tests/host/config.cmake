# tests/host/config.cmake — the host configuration loader (data cases under tests/host/config)
# and the request authenticator.
add_executable(suture_host_config_tests ${CMAKE_CURRENT_LIST_DIR}/config_test.cpp)
suture_defaults(suture_host_config_tests)
target_link_libraries(suture_host_config_tests PRIVATE suture_host_config GTest::gtest_main)
target_compile_definitions(suture_host_config_tests PRIVATE SUTURE_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
gtest_discover_tests(suture_host_config_tests WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} DISCOVERY_TIMEOUT 60)

find_package(OpenSSL REQUIRED COMPONENTS Crypto)
add_executable(suture_host_auth_tests ${CMAKE_CURRENT_LIST_DIR}/auth_test.cpp)
suture_defaults(suture_host_auth_tests)
target_link_libraries(suture_host_auth_tests PRIVATE suture_host_auth suture_host_config OpenSSL::Crypto
                                                     nlohmann_json::nlohmann_json GTest::gtest_main)
target_compile_definitions(suture_host_auth_tests PRIVATE SUTURE_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
gtest_discover_tests(suture_host_auth_tests WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} DISCOVERY_TIMEOUT 60)
