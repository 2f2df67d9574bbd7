# host.cmake — the `suture-host` binary and the library it is made of (included from
# runtime/host/CMakeLists.txt). Its link line is the layering: runtime runners, the host's own
# parts, Boost, OpenSSL, SQLite — never ANTLR or anything in compiler/.
add_library(suture_host STATIC host.cpp admin_api.cpp delivery_events.cpp)
suture_defaults(suture_host)
target_link_libraries(suture_host PUBLIC suture_host_config suture_host_store suture_host_connectors
                                         suture_host_delivery suture_host_ingress suture_host_auth
                                         suture_host_pipeline suture_host_ops suture_runtime_json)
add_executable(suture-host main.cpp)
suture_defaults(suture-host)
target_link_libraries(suture-host PRIVATE suture_host)
