-- What each peer sent and received in a meeting session: one row per track of a publishing session (producer)
-- and per track of a subscription (consumer), written when it ends.
CREATE TABLE session_media_tracks (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    peer_id TEXT NOT NULL,
    direction TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    producer_id TEXT NOT NULL,
    remote_peer_id TEXT,
    codec TEXT NOT NULL,
    ssrc INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    packets INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    packets_lost INTEGER NOT NULL,
    jitter_ms REAL
);

CREATE INDEX session_media_tracks_session ON session_media_tracks(session_id, peer_id);
