-- Files and images sent in chat (docs/decisions.md, "Chat files in the SQL stores"): a row a file, from its reservation
-- on. The bytes are where they were (the data directory's chat-files/ on node_id, or the S3 bucket at storage_key).
-- size: the file's bytes once state is 'uploaded'; while 'reserved', what its upload has charged to the quotas so far.
-- app_id is NULL only for a file imported from a sidecar written before quotas whose meeting is not found.
CREATE TABLE chat_files (
    id                TEXT PRIMARY KEY,
    app_id            TEXT,
    meeting_id        TEXT NOT NULL,
    session_id        TEXT,
    participant_id    TEXT NOT NULL,
    name              TEXT NOT NULL,
    content_type      TEXT NOT NULL,
    size              INTEGER NOT NULL,
    state             TEXT NOT NULL,
    origin            TEXT NOT NULL,
    storage_key       TEXT,
    node_id           TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    upload_expires_at INTEGER
);
-- The quotas' sums read these alone; retention walks the files by age.
CREATE INDEX chat_files_participant ON chat_files(participant_id, size);
CREATE INDEX chat_files_meeting ON chat_files(meeting_id, size);
CREATE INDEX chat_files_app ON chat_files(app_id, size);
CREATE INDEX chat_files_created ON chat_files(created_at, id);
