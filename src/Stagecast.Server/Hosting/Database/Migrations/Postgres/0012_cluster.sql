-- Several nodes: keys shared through the database (used with PostgreSQL; the table exists in both for one schema),
-- the node each live session, recording and room stream runs on (so a node recovers its own and those of nodes that
-- died, never a live one's), and each livestream's ownership epoch (writes carrying an older one are refused).
CREATE TABLE shared_secrets (
    name        TEXT PRIMARY KEY,
    value       BYTEA NOT NULL,
    created_at  BIGINT NOT NULL
);
ALTER TABLE livestream_sessions ADD COLUMN node_id TEXT;
ALTER TABLE meeting_sessions ADD COLUMN node_id TEXT;
ALTER TABLE recordings ADD COLUMN node_id TEXT;
ALTER TABLE room_streams ADD COLUMN node_id TEXT;
ALTER TABLE livestreams ADD COLUMN owner_epoch BIGINT NOT NULL DEFAULT 0;
-- A webhook delivery is claimed by the node sending it, until a deadline: another node sends it only after that.
ALTER TABLE webhook_deliveries ADD COLUMN claimed_by TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN claimed_until BIGINT;
