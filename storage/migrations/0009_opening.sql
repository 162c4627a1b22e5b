-- The opening room (issue 5): one room per section, opened by the deadline
-- job in the same transaction that closes bidding; check-ins signed with
-- the bidder's SM2 key against one-time challenges; one decryption result
-- per bid; objections raised in the room; the signed opening record.
CREATE TABLE opening_rooms (
  section_id BIGINT NOT NULL PRIMARY KEY,
  phase VARCHAR(20) NOT NULL,
  bid_count INT NOT NULL,
  opened_at DATETIME(3) NOT NULL,
  window_ends_at DATETIME(3) NOT NULL,
  results_at DATETIME(3) NULL,
  closed_at DATETIME(3) NULL,
  record_key VARCHAR(200) NOT NULL DEFAULT '',
  record_pdf_key VARCHAR(200) NOT NULL DEFAULT '',
  record_digest CHAR(64) NOT NULL DEFAULT '',
  FOREIGN KEY (section_id) REFERENCES bid_sections (id)
) {{table}};

CREATE TABLE opening_challenges (
  id VARCHAR(40) NOT NULL PRIMARY KEY,
  section_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  nonce VARCHAR(64) NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  used_at DATETIME(3) NULL
) {{table}};

CREATE TABLE opening_checkins (
  section_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  org_id BIGINT NOT NULL,
  role VARCHAR(20) NOT NULL,
  checked_in_at DATETIME(3) NOT NULL,
  PRIMARY KEY (section_id, user_id)
) {{table}};

-- status: pending, decrypted, revoked (the bidder's fault: not decrypted
-- in the window, or a wrong key), withdrawn (the platform's fault: a logged
-- server error while decrypting it). The decrypted bid stays the
-- bidder's envelope in the blob store; dek holds its data key sealed with
-- the platform's field key, for the committee later. form holds the bid
-- form sealed the same way until the window closes; price and duration
-- are copied in the clear only then, for the results and the record.
CREATE TABLE opening_bids (
  bid_id BIGINT NOT NULL PRIMARY KEY,
  section_id BIGINT NOT NULL,
  bidder_org_id BIGINT NOT NULL,
  status VARCHAR(20) NOT NULL,
  digest CHAR(64) NOT NULL,
  decrypted_at DATETIME(3) NULL,
  dek TEXT NULL,
  plain_size BIGINT NOT NULL DEFAULT 0,
  form {{blob}} NULL,
  price_fen BIGINT NULL,
  duration_days INT NULL,
  failure TEXT NULL,
  platform_error BOOLEAN NOT NULL DEFAULT FALSE
) {{table}};

CREATE INDEX opening_bids_section ON opening_bids (section_id, status);

CREATE TABLE opening_objections (
  id {{id}},
  section_id BIGINT NOT NULL,
  bidder_org_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  body TEXT NOT NULL,
  raised_at DATETIME(3) NOT NULL,
  answer TEXT NULL,
  answered_by BIGINT NULL,
  answered_at DATETIME(3) NULL
) {{table}};

CREATE INDEX opening_objections_section ON opening_objections (section_id);

ALTER TABLE bid_sections ADD COLUMN fail_reason TEXT NULL;
ALTER TABLE bid_sections ADD COLUMN previous_section_id BIGINT NULL;
