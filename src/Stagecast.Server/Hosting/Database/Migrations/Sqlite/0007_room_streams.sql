-- Room streams: a meeting's program pushed to an RTMP(S) URL. The URL carries the destination's stream key, so it is
-- sealed like livestream keys; url_masked is what answers and logs show.
CREATE TABLE room_streams (
    id              TEXT PRIMARY KEY,
    app_id          TEXT NOT NULL,
    meeting_id      TEXT NOT NULL,
    session_id      TEXT NOT NULL,
    url             BLOB NOT NULL,
    url_masked      TEXT NOT NULL,
    state           TEXT NOT NULL,
    status          TEXT NOT NULL,
    last_error      TEXT,
    bytes_sent      INTEGER NOT NULL DEFAULT 0,
    started_at      INTEGER NOT NULL,
    ended_at        INTEGER
);
CREATE INDEX room_streams_session ON room_streams(session_id, started_at);

-- A meeting's room_streams setting (sealed JSON list of URLs).
ALTER TABLE meetings ADD COLUMN room_streams BLOB;
