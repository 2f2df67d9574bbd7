# tests/host/ingress.cmake — the ingress servers over real sockets on loopback: HTTP and HTTPS
# (body limits, keep-alive, malformed requests, late replies, query decoding), client
# certificates mapped to principals, MLLP ordering and limits, and the HL7 ACK builder.
find_package(Boost 1.74 REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS SSL Crypto)
find_package(Threads REQUIRED)
add_executable(suture_host_ingress_tests ${CMAKE_CURRENT_LIST_DIR}/ingress_test.cpp)
suture_defaults(suture_host_ingress_tests)
target_link_libraries(suture_host_ingress_tests PRIVATE suture_host_ingress suture_host_auth suture_host_config
                                                        suture_host_test_certs Boost::headers OpenSSL::SSL
                                                        OpenSSL::Crypto Threads::Threads GTest::gtest_main)
gtest_discover_tests(suture_host_ingress_tests WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} DISCOVERY_TIMEOUT 60)
