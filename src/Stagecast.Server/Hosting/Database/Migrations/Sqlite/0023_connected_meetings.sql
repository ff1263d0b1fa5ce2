-- A breakout room (RealtimeKit's connected meeting) is a meeting with a parent: the meeting it was made from (docs/realtimekit.md).
ALTER TABLE meetings ADD COLUMN parent_meeting_id TEXT NULL;
CREATE INDEX meetings_parent ON meetings (parent_meeting_id);
