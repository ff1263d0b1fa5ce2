-- A session's summary (docs/ai.md), made from its transcript at its end (summarize_on_end) or when the app asks.
CREATE TABLE session_summaries (
    session_id   TEXT PRIMARY KEY,
    meeting_id   TEXT NOT NULL,
    text         TEXT NOT NULL,
    text_format  TEXT NOT NULL,
    made_by      TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
