-- Plugins an app offers in its meetings (web apps a host opens for everyone); presets: a JSON array of preset names.
CREATE TABLE plugins (
    id           TEXT PRIMARY KEY,
    app_id       TEXT NOT NULL REFERENCES apps(id),
    name         TEXT NOT NULL,
    description  TEXT NOT NULL,
    picture      TEXT,
    base_url     TEXT NOT NULL,
    presets      TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (app_id, name)
);
