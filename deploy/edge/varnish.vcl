vcl 4.1;
# The LL-HLS edge of deploy/edge/nginx.conf, in Varnish (measured against nginx in bench/README.md).
# Varnish collapses concurrent misses on its own (the waiting list), keeps objects for the Cache-Control lifetime
# Stagecast sends (parts immutable, blocking playlists a target duration, the rest no-store), and adds the Age
# header hls.js uses. Replace the backends with the Stagecast nodes.

import directors;

probe healthz {
    .url = "/healthz";
    .interval = 1s;
    .timeout = 1s;
    .window = 3;
    .threshold = 2;
}

backend node1 {
    .host = "127.0.0.1";
    .port = "8081";
    .probe = healthz;
    # A blocking playlist request waits at the node for up to three target durations.
    .first_byte_timeout = 15s;
}

backend node2 {
    .host = "127.0.0.1";
    .port = "8082";
    .probe = healthz;
    .first_byte_timeout = 15s;
}

sub vcl_init {
    new nodes = directors.round_robin();
    nodes.add_backend(node1);
    nodes.add_backend(node2);
}

sub vcl_recv {
    set req.backend_hint = nodes.backend();
    if (req.http.upgrade ~ "(?i)websocket") {
        return (pipe);
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }

    if (req.url ~ "^/[^/]+/manifest/") {
        # The player id only tells viewers apart at the origin: every player shares one copy here.
        set req.url = regsub(req.url, "^/([^/]+)/manifest/([^/]+)/([^/]+)/([^/?]+)", "/\1/manifest/\2/\4");
        # A playlist without _HLS_msn changes with every part (and the multivariant one carries a player id).
        if (req.url ~ "\.m3u8" && req.url !~ "[?&]_HLS_msn=") {
            return (pass);
        }

        unset req.http.cookie;
        return (hash);
    }

    return (pass);
}

sub vcl_pipe {
    if (req.http.upgrade) {
        set bereq.http.upgrade = req.http.upgrade;
        set bereq.http.connection = req.http.connection;
    }
}

sub vcl_backend_fetch {
    # A retry goes to the next node (the round robin moves on).
    if (bereq.retries > 0) {
        set bereq.backend = nodes.backend();
    }
}

sub vcl_backend_error {
    # A node that died mid-request, before its probe has marked it sick: ask another (GETs are safe to repeat).
    if (bereq.retries < 2) {
        return (retry);
    }
}

sub vcl_backend_response {
    if ((beresp.status == 502 || beresp.status == 504) && bereq.retries < 2) {
        return (retry);
    }

    # Only complete answers are kept; a 404 or 503 for a part asked early must not stay.
    if (beresp.status != 200) {
        set beresp.uncacheable = true;
        set beresp.ttl = 1s;
        return (deliver);
    }

    set beresp.grace = 0s;
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
