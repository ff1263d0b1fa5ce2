-- A livestream's ingest URL scheme: rtmp (the default) or rtmps (created with ?protocol=rtmps).
ALTER TABLE livestreams ADD COLUMN ingest_protocol TEXT NOT NULL DEFAULT 'rtmp';
