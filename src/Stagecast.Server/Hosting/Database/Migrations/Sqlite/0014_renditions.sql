-- Rendition ladders, as JSON lists of names, source first (docs/renditions.md): a livestream's own (NULL: it follows
-- its app's default) and an app's default (NULL: the source alone).
ALTER TABLE livestreams ADD COLUMN renditions TEXT;
ALTER TABLE apps ADD COLUMN default_renditions TEXT;
