-- The event log (DESIGN.md §3): every state change of every domain, appended
-- in the same transaction as the change. seq is gap-free: it is taken from
-- event_counter under the transaction's row lock, not from AUTO_INCREMENT,
-- which leaves gaps on rollback.
CREATE TABLE event_counter (
  id INTEGER NOT NULL PRIMARY KEY,
  next_seq BIGINT NOT NULL
) {{table}};

INSERT INTO event_counter (id, next_seq) VALUES (1, 0);

CREATE TABLE events (
  seq BIGINT NOT NULL PRIMARY KEY,
  occurred_at DATETIME(3) NOT NULL,
  type VARCHAR(100) NOT NULL,
  subject VARCHAR(200) NOT NULL,
  actor VARCHAR(200) NOT NULL,
  ip VARCHAR(64) NOT NULL DEFAULT '',
  request_id VARCHAR(64) NOT NULL DEFAULT '',
  payload TEXT NOT NULL
) {{table}};

CREATE INDEX events_subject ON events (subject, seq);

CREATE INDEX events_type ON events (type, seq);
