-- PostgreSQL's schema starts at version 11: SQLite's schema after its migrations 1 to 11, in one script. Later
-- migrations carry the same number for both engines.
-- As in SQLite: times are Unix milliseconds (UTC) and booleans 0/1, in BIGINT so rows read back as the same types;
-- tables listed in insertion order carry a rowid (SQLite's own there, an identity column here).

CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,
    name        TEXT,
    created_at  BIGINT NOT NULL,
    rowid       BIGINT GENERATED ALWAYS AS IDENTITY
);

CREATE TABLE apps (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    name        TEXT,
    created_at  BIGINT NOT NULL,
    rowid       BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX apps_account ON apps(account_id);

CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    token_hash  BYTEA NOT NULL UNIQUE,
    prefix      TEXT NOT NULL,
    name        TEXT,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT,
    rowid       BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX api_tokens_account ON api_tokens(account_id);

CREATE TABLE livestreams (
    id                  TEXT PRIMARY KEY,
    app_id              TEXT NOT NULL REFERENCES apps(id),
    name                TEXT,
    meeting_id          TEXT,
    stream_key          BYTEA NOT NULL,
    stream_key_hash     BYTEA NOT NULL UNIQUE,
    status              TEXT NOT NULL,
    disabled            BIGINT NOT NULL DEFAULT 0,
    manual_ingest       BIGINT NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    deleted_at          BIGINT,
    meeting_session_id  TEXT,
    video_config        TEXT,
    recording_mode      TEXT NOT NULL DEFAULT 'off',
    rowid               BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX livestreams_app_created ON livestreams(app_id, created_at);
CREATE INDEX livestreams_meeting ON livestreams(meeting_id, created_at) WHERE meeting_id IS NOT NULL;

CREATE TABLE livestream_sessions (
    id                  TEXT PRIMARY KEY,
    livestream_id       TEXT NOT NULL REFERENCES livestreams(id),
    app_id              TEXT NOT NULL,
    err_message         TEXT,
    invoked_time        BIGINT,
    started_time        BIGINT,
    stopped_time        BIGINT,
    ingest_seconds      DOUBLE PRECISION NOT NULL DEFAULT 0,
    viewer_seconds      DOUBLE PRECISION NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    meeting_session_id  TEXT,
    rowid               BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX livestream_sessions_livestream ON livestream_sessions(livestream_id, created_at);
CREATE INDEX livestream_sessions_app_started ON livestream_sessions(app_id, started_time);
CREATE INDEX livestream_sessions_open ON livestream_sessions(stopped_time) WHERE stopped_time IS NULL;
CREATE INDEX livestream_sessions_meeting_session ON livestream_sessions(meeting_session_id) WHERE meeting_session_id IS NOT NULL;

CREATE TABLE livestream_outputs (
    id              TEXT PRIMARY KEY,
    livestream_id   TEXT NOT NULL REFERENCES livestreams(id),
    app_id          TEXT NOT NULL,
    url             TEXT NOT NULL,
    stream_key      BYTEA NOT NULL,
    enabled         BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    rowid           BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX livestream_outputs_livestream ON livestream_outputs(livestream_id, created_at);

CREATE TABLE presets (
    id           TEXT PRIMARY KEY,
    app_id       TEXT NOT NULL REFERENCES apps(id),
    name         TEXT NOT NULL,
    config       TEXT NOT NULL,
    permissions  TEXT NOT NULL,
    ui           TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    rowid        BIGINT GENERATED ALWAYS AS IDENTITY,
    UNIQUE (app_id, name)
);

CREATE TABLE meetings (
    id                               TEXT PRIMARY KEY,
    app_id                           TEXT NOT NULL REFERENCES apps(id),
    title                            TEXT,
    record_on_start                  BIGINT NOT NULL,
    live_stream_on_start             BIGINT NOT NULL,
    persist_chat                     BIGINT NOT NULL,
    summarize_on_end                 BIGINT NOT NULL,
    transcribe_on_end                BIGINT NOT NULL,
    session_keep_alive_time_in_secs  BIGINT NOT NULL,
    status                           TEXT NOT NULL,
    ai_config                        TEXT,
    recording_config                 TEXT,
    created_at                       BIGINT NOT NULL,
    updated_at                       BIGINT NOT NULL,
    room_streams                     BYTEA,
    rowid                            BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX meetings_app_created ON meetings(app_id, created_at);

CREATE TABLE participants (
    id                     TEXT PRIMARY KEY,
    meeting_id             TEXT NOT NULL REFERENCES meetings(id),
    app_id                 TEXT NOT NULL,
    custom_participant_id  TEXT NOT NULL,
    preset_id              TEXT NOT NULL,
    name                   TEXT,
    picture                TEXT,
    token_id               TEXT NOT NULL,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL,
    deleted_at             BIGINT,
    rowid                  BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX participants_meeting ON participants(meeting_id, created_at);
CREATE INDEX participants_custom ON participants(meeting_id, custom_participant_id);
CREATE INDEX participants_preset ON participants(preset_id);

CREATE TABLE meeting_sessions (
    id                           TEXT PRIMARY KEY,
    meeting_id                   TEXT NOT NULL REFERENCES meetings(id),
    app_id                       TEXT NOT NULL,
    account_id                   TEXT NOT NULL,
    meeting_display_name         TEXT,
    max_concurrent_participants  BIGINT NOT NULL DEFAULT 0,
    started_at                   BIGINT NOT NULL,
    ended_at                     BIGINT,
    end_reason                   TEXT,
    created_at                   BIGINT NOT NULL,
    updated_at                   BIGINT NOT NULL,
    rowid                        BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX meeting_sessions_app_started ON meeting_sessions(app_id, started_at);
CREATE INDEX meeting_sessions_meeting ON meeting_sessions(meeting_id, started_at);
CREATE INDEX meeting_sessions_open ON meeting_sessions(ended_at) WHERE ended_at IS NULL;

CREATE TABLE session_peers (
    id                     TEXT PRIMARY KEY,
    session_id             TEXT NOT NULL REFERENCES meeting_sessions(id),
    participant_id         TEXT NOT NULL,
    custom_participant_id  TEXT NOT NULL,
    display_name           TEXT,
    preset_name            TEXT,
    joined_at              BIGINT NOT NULL,
    left_at                BIGINT,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL,
    rowid                  BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX session_peers_session ON session_peers(session_id, joined_at);
CREATE INDEX session_peers_open ON session_peers(left_at) WHERE left_at IS NULL;

CREATE TABLE chat_messages (
    id              TEXT PRIMARY KEY,
    session_id      TEXT NOT NULL REFERENCES meeting_sessions(id),
    meeting_id      TEXT NOT NULL,
    participant_id  TEXT NOT NULL,
    peer_id         TEXT,
    display_name    TEXT,
    payload_type    TEXT NOT NULL,
    payload         TEXT NOT NULL,
    pinned          BIGINT NOT NULL DEFAULT 0,
    is_edited       BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    rowid           BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX chat_messages_session ON chat_messages(session_id, created_at);
CREATE INDEX chat_messages_meeting ON chat_messages(meeting_id, created_at);
CREATE INDEX chat_messages_created ON chat_messages(created_at);

CREATE TABLE polls (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES meeting_sessions(id),
    meeting_id  TEXT NOT NULL,
    created_by  TEXT,
    question    TEXT NOT NULL,
    options     TEXT NOT NULL,
    anonymous   BIGINT NOT NULL,
    hide_votes  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    rowid       BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX polls_session ON polls(session_id, created_at);

CREATE TABLE poll_votes (
    poll_id         TEXT NOT NULL REFERENCES polls(id),
    participant_id  TEXT NOT NULL,
    display_name    TEXT,
    option_index    BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    rowid           BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (poll_id, participant_id)
);

CREATE TABLE webhooks (
    id          TEXT PRIMARY KEY,
    app_id      TEXT NOT NULL REFERENCES apps(id),
    name        TEXT NOT NULL,
    url         TEXT NOT NULL,
    events      TEXT NOT NULL,
    enabled     BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    deleted_at  BIGINT,
    rowid       BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX webhooks_app ON webhooks(app_id, created_at);

CREATE TABLE webhook_events (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    app_id      TEXT NOT NULL,
    event       TEXT NOT NULL,
    body        BYTEA NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id                  TEXT PRIMARY KEY,
    webhook_id          TEXT NOT NULL REFERENCES webhooks(id),
    event_seq           BIGINT NOT NULL REFERENCES webhook_events(seq),
    status              TEXT NOT NULL,
    attempts            BIGINT NOT NULL DEFAULT 0,
    last_response_code  BIGINT,
    last_error          TEXT,
    next_attempt_at     BIGINT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    delivered_at        BIGINT
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries(webhook_id, event_seq) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, event_seq);

CREATE TABLE session_media_tracks (
    id              TEXT PRIMARY KEY,
    session_id      TEXT NOT NULL,
    peer_id         TEXT NOT NULL,
    direction       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    source          TEXT NOT NULL,
    producer_id     TEXT NOT NULL,
    remote_peer_id  TEXT,
    codec           TEXT NOT NULL,
    ssrc            BIGINT NOT NULL,
    started_at      BIGINT NOT NULL,
    ended_at        BIGINT,
    packets         BIGINT NOT NULL,
    bytes           BIGINT NOT NULL,
    packets_lost    BIGINT NOT NULL,
    jitter_ms       DOUBLE PRECISION,
    rowid           BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX session_media_tracks_session ON session_media_tracks(session_id, peer_id);

CREATE TABLE room_streams (
    id              TEXT PRIMARY KEY,
    app_id          TEXT NOT NULL,
    meeting_id      TEXT NOT NULL,
    session_id      TEXT NOT NULL,
    url             BYTEA NOT NULL,
    url_masked      TEXT NOT NULL,
    state           TEXT NOT NULL,
    status          TEXT NOT NULL,
    last_error      TEXT,
    bytes_sent      BIGINT NOT NULL DEFAULT 0,
    started_at      BIGINT NOT NULL,
    ended_at        BIGINT,
    rowid           BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX room_streams_session ON room_streams(session_id, started_at);

CREATE TABLE recordings (
    id                  TEXT PRIMARY KEY,
    app_id              TEXT NOT NULL,
    meeting_id          TEXT,
    livestream_id       TEXT,
    session_id          TEXT,
    status              TEXT NOT NULL,
    invoked_time        BIGINT NOT NULL,
    started_time        BIGINT,
    stopped_time        BIGINT,
    output_file_name    TEXT NOT NULL,
    file_size           BIGINT,
    duration            DOUBLE PRECISION,
    start_reason        TEXT NOT NULL,
    stop_reason         TEXT,
    max_seconds         BIGINT,
    error               TEXT,
    storage             BYTEA,
    storage_key         TEXT,
    tracks              TEXT,
    rowid               BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX recordings_app ON recordings(app_id, invoked_time);
CREATE INDEX recordings_meeting ON recordings(meeting_id, invoked_time);
