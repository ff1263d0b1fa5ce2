-- A recording's captions: the size of its WebVTT file beside the MP4 (null: none came).
ALTER TABLE recordings ADD COLUMN captions_file_size INTEGER;
