-- Recordings: of a meeting's program or of a livestream session, as RealtimeKit's recording object.
CREATE TABLE recordings (
    id                  TEXT PRIMARY KEY,
    app_id              TEXT NOT NULL,
    meeting_id          TEXT,
    livestream_id       TEXT,
    session_id          TEXT,
    status              TEXT NOT NULL,
    invoked_time        INTEGER NOT NULL,
    started_time        INTEGER,
    stopped_time        INTEGER,
    output_file_name    TEXT NOT NULL,
    file_size           INTEGER,
    duration            REAL,
    start_reason        TEXT NOT NULL,
    stop_reason         TEXT,
    max_seconds         INTEGER,
    error               TEXT
);
CREATE INDEX recordings_app ON recordings(app_id, invoked_time);
CREATE INDEX recordings_meeting ON recordings(meeting_id, invoked_time);
