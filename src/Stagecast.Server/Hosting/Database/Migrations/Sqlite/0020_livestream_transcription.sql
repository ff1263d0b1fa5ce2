-- An independent livestream may ask for captions of its own audio (docs/ai.md): its HLS carries them while a speech engine runs.
ALTER TABLE livestreams ADD COLUMN transcription_enabled INTEGER NOT NULL DEFAULT 0;
