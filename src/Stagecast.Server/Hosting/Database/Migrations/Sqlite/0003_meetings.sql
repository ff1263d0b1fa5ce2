-- The RealtimeKit meeting world: presets, meetings, participants, meeting sessions with their peers, chat and polls.
-- Documents (preset config/permissions/ui, meeting ai/recording config) are JSON text.

CREATE TABLE presets (
    id           TEXT PRIMARY KEY,
    app_id       TEXT NOT NULL REFERENCES apps(id),
    name         TEXT NOT NULL,
    config       TEXT NOT NULL,
    permissions  TEXT NOT NULL,
    ui           TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (app_id, name)
);

CREATE TABLE meetings (
    id                               TEXT PRIMARY KEY,
    app_id                           TEXT NOT NULL REFERENCES apps(id),
    title                            TEXT,
    record_on_start                  INTEGER NOT NULL,
    live_stream_on_start             INTEGER NOT NULL,
    persist_chat                     INTEGER NOT NULL,
    summarize_on_end                 INTEGER NOT NULL,
    transcribe_on_end                INTEGER NOT NULL,
    session_keep_alive_time_in_secs  INTEGER NOT NULL,
    status                           TEXT NOT NULL,
    ai_config                        TEXT,
    recording_config                 TEXT,
    created_at                       INTEGER NOT NULL,
    updated_at                       INTEGER NOT NULL
);
CREATE INDEX meetings_app_created ON meetings(app_id, created_at);

-- preset_id has no foreign key: a deleted participant keeps pointing at a preset that may since have been deleted.
-- token_id is the "jti" of the participant's current tokens; refreshing replaces it, so earlier tokens stop working.
CREATE TABLE participants (
    id                     TEXT PRIMARY KEY,
    meeting_id             TEXT NOT NULL REFERENCES meetings(id),
    app_id                 TEXT NOT NULL,
    custom_participant_id  TEXT NOT NULL,
    preset_id              TEXT NOT NULL,
    name                   TEXT,
    picture                TEXT,
    token_id               TEXT NOT NULL,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    deleted_at             INTEGER
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
    max_concurrent_participants  INTEGER NOT NULL DEFAULT 0,
    started_at                   INTEGER NOT NULL,
    ended_at                     INTEGER,
    end_reason                   TEXT,
    created_at                   INTEGER NOT NULL,
    updated_at                   INTEGER NOT NULL
);
CREATE INDEX meeting_sessions_app_started ON meeting_sessions(app_id, started_at);
CREATE INDEX meeting_sessions_meeting ON meeting_sessions(meeting_id, started_at);
CREATE INDEX meeting_sessions_open ON meeting_sessions(ended_at) WHERE ended_at IS NULL;

-- One row per peer: a participant's presence in a session, from join to leave. updated_at is written while the
-- peer is connected, so after a crash its presence ends at the last write.
CREATE TABLE session_peers (
    id                     TEXT PRIMARY KEY,
    session_id             TEXT NOT NULL REFERENCES meeting_sessions(id),
    participant_id         TEXT NOT NULL,
    custom_participant_id  TEXT NOT NULL,
    display_name           TEXT,
    preset_name            TEXT,
    joined_at              INTEGER NOT NULL,
    left_at                INTEGER,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL
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
    pinned          INTEGER NOT NULL DEFAULT 0,
    is_edited       INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
);
CREATE INDEX chat_messages_session ON chat_messages(session_id, created_at);
CREATE INDEX chat_messages_meeting ON chat_messages(meeting_id, created_at);

CREATE TABLE polls (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES meeting_sessions(id),
    meeting_id  TEXT NOT NULL,
    created_by  TEXT,
    question    TEXT NOT NULL,
    options     TEXT NOT NULL,
    anonymous   INTEGER NOT NULL,
    hide_votes  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX polls_session ON polls(session_id, created_at);

CREATE TABLE poll_votes (
    poll_id         TEXT NOT NULL REFERENCES polls(id),
    participant_id  TEXT NOT NULL,
    display_name    TEXT,
    option_index    INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (poll_id, participant_id)
);

-- Meeting livestreams: the meeting session a livestream was started in, its requested video size, and for each
-- livestream session the meeting session it belongs to.
ALTER TABLE livestreams ADD COLUMN meeting_session_id TEXT;
ALTER TABLE livestreams ADD COLUMN video_config TEXT;
ALTER TABLE livestream_sessions ADD COLUMN meeting_session_id TEXT;
CREATE INDEX livestreams_meeting ON livestreams(meeting_id, created_at) WHERE meeting_id IS NOT NULL;
CREATE INDEX livestream_sessions_meeting_session ON livestream_sessions(meeting_session_id) WHERE meeting_session_id IS NOT NULL;
