-- A livestream that requires TLS refuses its key when it comes in clear (plain RTMP, SRT, WHIP over plain HTTP).
ALTER TABLE livestreams ADD COLUMN require_tls BIGINT NOT NULL DEFAULT 0;
