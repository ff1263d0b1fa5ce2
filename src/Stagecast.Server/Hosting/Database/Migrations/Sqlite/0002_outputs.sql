-- Restream destinations of a livestream. The destination's stream key is sealed like livestream keys.
CREATE TABLE livestream_outputs (
    id              TEXT PRIMARY KEY,
    livestream_id   TEXT NOT NULL REFERENCES livestreams(id),
    app_id          TEXT NOT NULL,
    url             TEXT NOT NULL,
    stream_key      BLOB NOT NULL,
    enabled         INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX livestream_outputs_livestream ON livestream_outputs(livestream_id, created_at);
