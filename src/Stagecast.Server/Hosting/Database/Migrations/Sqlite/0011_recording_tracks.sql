-- A track recording's files: JSON list of {peer_id, source, kind, codec, file_name, file_size}.
ALTER TABLE recordings ADD COLUMN tracks TEXT;
