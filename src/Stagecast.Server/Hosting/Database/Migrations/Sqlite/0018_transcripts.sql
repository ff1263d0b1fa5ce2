-- What the speech engine heard in a meeting session, an utterance a row (docs/ai.md): the session's transcript.
CREATE TABLE transcript_lines (
    id                    TEXT PRIMARY KEY,
    session_id            TEXT NOT NULL,
    meeting_id            TEXT NOT NULL,
    peer_id               TEXT NOT NULL,
    participant_id        TEXT NOT NULL,
    custom_participant_id TEXT NOT NULL,
    name                  TEXT NOT NULL,
    started_at            INTEGER NOT NULL,
    ended_at              INTEGER NOT NULL,
    text                  TEXT NOT NULL,
    UNIQUE (session_id, started_at, id)
);
