-- Where a recording is uploaded (storage_config, sealed: it holds the secret key) and its object key there.
ALTER TABLE recordings ADD COLUMN storage BLOB;
ALTER TABLE recordings ADD COLUMN storage_key TEXT;
