-- Reading a section's decrypted bids for collusion signals (issue 16):
-- the consumer queues a scan at the opening, in its own transaction; the
-- sweep reads the bids outside it (they may be large) and records every
-- document, with the reason where its metadata could not be read.
CREATE TABLE supervision_scans (
  subject VARCHAR(60) PRIMARY KEY,
  source_seq BIGINT NOT NULL,
  bids TEXT NOT NULL,
  state VARCHAR(10) NOT NULL,
  attempts INT NOT NULL,
  last_error TEXT NOT NULL,
  claimed_until DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL,
  done_at DATETIME(3) NULL
) {{table}};
CREATE INDEX supervision_scans_state ON supervision_scans (state);

-- One document of a scanned bid (entry is its place in the bid package;
-- -1 records a bid that could not be read at all). meta_sealed is what the
-- document says about who made it (names of people: personal data),
-- sealed with the platform's field key.
CREATE TABLE supervision_documents (
  id {{id}},
  subject VARCHAR(60) NOT NULL,
  bid_id BIGINT NOT NULL,
  bidder_org_id BIGINT NOT NULL,
  entry INT NOT NULL,
  name VARCHAR(255) NOT NULL,
  size BIGINT NOT NULL,
  sm3 VARCHAR(64) NOT NULL,
  format VARCHAR(8) NOT NULL,
  meta_sealed TEXT NOT NULL,
  skipped TEXT NOT NULL,
  UNIQUE (bid_id, entry)
) {{table}};
CREATE INDEX supervision_documents_subject ON supervision_documents (subject);

-- Evidence naming people (document authors, contact persons, accounts) is
-- sealed like the documents' metadata; evidence then holds "{}".
ALTER TABLE supervision_signals ADD COLUMN evidence_sealed TEXT NULL;
