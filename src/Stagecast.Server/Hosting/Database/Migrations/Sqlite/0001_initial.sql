-- Times are Unix milliseconds (UTC); booleans are 0/1.
CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,
    name        TEXT,
    created_at  INTEGER NOT NULL
);

CREATE TABLE apps (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    name        TEXT,
    created_at  INTEGER NOT NULL
);
CREATE INDEX apps_account ON apps(account_id);

CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    token_hash  BLOB NOT NULL UNIQUE,
    prefix      TEXT NOT NULL,
    name        TEXT,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX api_tokens_account ON api_tokens(account_id);

CREATE TABLE livestreams (
    id               TEXT PRIMARY KEY,
    app_id           TEXT NOT NULL REFERENCES apps(id),
    name             TEXT,
    meeting_id       TEXT,
    stream_key       BLOB NOT NULL,
    stream_key_hash  BLOB NOT NULL UNIQUE,
    status           TEXT NOT NULL,
    disabled         INTEGER NOT NULL DEFAULT 0,
    manual_ingest    INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    deleted_at       INTEGER
);
CREATE INDEX livestreams_app_created ON livestreams(app_id, created_at);

CREATE TABLE livestream_sessions (
    id              TEXT PRIMARY KEY,
    livestream_id   TEXT NOT NULL REFERENCES livestreams(id),
    app_id          TEXT NOT NULL,
    err_message     TEXT,
    invoked_time    INTEGER,
    started_time    INTEGER,
    stopped_time    INTEGER,
    ingest_seconds  REAL NOT NULL DEFAULT 0,
    viewer_seconds  REAL NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX livestream_sessions_livestream ON livestream_sessions(livestream_id, created_at);
CREATE INDEX livestream_sessions_app_started ON livestream_sessions(app_id, started_time);
CREATE INDEX livestream_sessions_open ON livestream_sessions(stopped_time) WHERE stopped_time IS NULL;
