-- Chat is deleted by age (Stagecast:Chat:Retention).
CREATE INDEX chat_messages_created ON chat_messages(created_at);
