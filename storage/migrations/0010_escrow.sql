-- The escrow remedy (issue 5 part 8, off by default): a section that
-- enables it gets an SM2 escrow key at announcement; bids must also be
-- sealed to it. Its private half is split k-of-n (Shamir) among the
-- supervisors granted on the project, each share wrapped to the holder's
-- own SM2 key, and never stored whole. After the decryption window has
-- closed, k holders hand their shares in to decrypt a bid whose bidder lost
-- its key; the shares are kept sealed with the field key only until the
-- remedy completes.
ALTER TABLE users ADD COLUMN sm2_public_key TEXT NULL;

CREATE TABLE escrow_keys (
  section_id BIGINT NOT NULL PRIMARY KEY,
  public_key TEXT NOT NULL,
  key_id CHAR(64) NOT NULL,
  threshold INT NOT NULL,
  holders INT NOT NULL,
  commitments TEXT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  FOREIGN KEY (section_id) REFERENCES bid_sections (id)
) {{table}};

CREATE TABLE escrow_shares (
  section_id BIGINT NOT NULL,
  holder_user_id BIGINT NOT NULL,
  share_index INT NOT NULL,
  holder_key_id CHAR(64) NOT NULL,
  wrapped TEXT NOT NULL,
  PRIMARY KEY (section_id, holder_user_id)
) {{table}};

-- status: collecting, done. One remedy per bid.
CREATE TABLE escrow_remedies (
  bid_id BIGINT NOT NULL PRIMARY KEY,
  section_id BIGINT NOT NULL,
  requested_by BIGINT NOT NULL,
  reason TEXT NOT NULL,
  status VARCHAR(20) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  completed_at DATETIME(3) NULL
) {{table}};

-- share holds the handed-in share sealed with the field key; it is set to
-- NULL when the remedy completes, so that no key outlives its use.
CREATE TABLE escrow_submissions (
  bid_id BIGINT NOT NULL,
  holder_user_id BIGINT NOT NULL,
  share TEXT NULL,
  submitted_at DATETIME(3) NOT NULL,
  PRIMARY KEY (bid_id, holder_user_id)
) {{table}};

ALTER TABLE opening_bids ADD COLUMN remedy BOOLEAN NOT NULL DEFAULT FALSE;
