-- Whether a transcript line was shown to the meeting's peers (its speaker's preset has transcription_enabled): only those
-- are served to participants (GET /v2/meetings/{id}/active-transcript); the others are kept for the app alone.
ALTER TABLE transcript_lines ADD COLUMN shown INTEGER NOT NULL DEFAULT 0;
