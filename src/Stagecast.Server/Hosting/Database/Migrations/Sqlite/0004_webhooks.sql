-- Webhooks and their durable outbox. An event is written with the state change that caused it, in the same
-- transaction: its exact body once (webhook_events), and one delivery per webhook subscribed to it at that moment
-- (webhook_deliveries). Deliveries of a webhook go out in event order (seq).
CREATE TABLE webhooks (
    id          TEXT PRIMARY KEY,
    app_id      TEXT NOT NULL REFERENCES apps(id),
    name        TEXT NOT NULL,
    url         TEXT NOT NULL,
    events      TEXT NOT NULL,
    enabled     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER
);
CREATE INDEX webhooks_app ON webhooks(app_id, created_at);

CREATE TABLE webhook_events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    app_id      TEXT NOT NULL,
    event       TEXT NOT NULL,
    body        BLOB NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE webhook_deliveries (
    id                  TEXT PRIMARY KEY,
    webhook_id          TEXT NOT NULL REFERENCES webhooks(id),
    event_seq           INTEGER NOT NULL REFERENCES webhook_events(seq),
    status              TEXT NOT NULL,
    attempts            INTEGER NOT NULL DEFAULT 0,
    last_response_code  INTEGER,
    last_error          TEXT,
    next_attempt_at     INTEGER,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    delivered_at        INTEGER
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries(webhook_id, event_seq) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, event_seq);
