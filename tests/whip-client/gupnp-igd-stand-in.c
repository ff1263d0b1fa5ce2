/*
 * A stand-in for libgupnp-igd-1.0.so.4, used only by the tests that run Debian bookworm's simple-whip-client.
 *
 * simple-whip-client links libsoup 2; libnice links libgupnp-igd, which links libsoup 3, and a process with both
 * aborts at start ("libsoup2 symbols detected"). libgupnp-igd only maps ports on UPnP routers, which a loopback test
 * never needs: with this library first on LD_LIBRARY_PATH, libnice's gupnp_simple_igd_thread_new() returns NULL,
 * libnice skips UPnP, and libsoup 3 is never loaded. Nothing else changes.
 */
#include <stddef.h>

void *gupnp_simple_igd_thread_new(void) { return NULL; }
unsigned long gupnp_simple_igd_get_type(void) { return 0; }
void gupnp_simple_igd_add_port(void) { }
void gupnp_simple_igd_remove_port_local(void) { }
