-- A private chat message names its recipients' participant ids (a JSON array, the sender's included); NULL: to everyone.
ALTER TABLE chat_messages ADD COLUMN target_user_ids TEXT;
