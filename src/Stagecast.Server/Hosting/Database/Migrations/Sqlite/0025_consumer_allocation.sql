-- How a subscriber's connection allocated a consumed track: the simulcast layer (RID) it read last, its layer switches
-- and pauses, and the connection's downlink estimate in bit/s (null: no congestion control, or no feedback yet).
ALTER TABLE session_media_tracks ADD COLUMN layer TEXT;
ALTER TABLE session_media_tracks ADD COLUMN layer_switches INTEGER NOT NULL DEFAULT 0;
ALTER TABLE session_media_tracks ADD COLUMN pauses INTEGER NOT NULL DEFAULT 0;
ALTER TABLE session_media_tracks ADD COLUMN estimate_bps INTEGER;
