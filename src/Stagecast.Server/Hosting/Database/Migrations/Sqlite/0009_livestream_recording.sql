-- A livestream's recording mode: 'off' or 'automatic' (every session recorded).
ALTER TABLE livestreams ADD COLUMN recording_mode TEXT NOT NULL DEFAULT 'off';
