-- Sealed-bid upload (issue 4, part 7): resumable upload sessions, whose
-- parts live in the blob store under uploads/<id>/<offset>, and the bids
-- they become at finalize, with the platform's signed receipt. A bidder has
-- at most one current bid per section: replaced bids stay, superseded;
-- withdrawn bids stay, withdrawn. The current-bid rule is kept by the
-- finalize transaction, which locks the section row first.
CREATE TABLE bid_uploads (
  id VARCHAR(40) NOT NULL PRIMARY KEY,
  section_id BIGINT NOT NULL,
  bidder_org_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  size BIGINT NOT NULL DEFAULT 0,
  parts INT NOT NULL DEFAULT 0,
  status VARCHAR(20) NOT NULL,
  bid_id BIGINT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  FOREIGN KEY (section_id) REFERENCES bid_sections (id)
) {{table}};

CREATE INDEX bid_uploads_section ON bid_uploads (section_id, bidder_org_id);
CREATE INDEX bid_uploads_status ON bid_uploads (status, updated_at);

-- One row per accepted chunk: concurrent appends at one offset each write
-- their own object; the row that commits names the one that counts.
CREATE TABLE bid_upload_parts (
  upload_id VARCHAR(40) NOT NULL,
  part_offset BIGINT NOT NULL,
  size BIGINT NOT NULL,
  blob_key VARCHAR(200) NOT NULL,
  PRIMARY KEY (upload_id, part_offset)
) {{table}};

CREATE TABLE bids (
  id {{id}},
  section_id BIGINT NOT NULL,
  bidder_org_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  upload_id VARCHAR(40) NOT NULL,
  blob_key VARCHAR(200) NOT NULL,
  digest CHAR(64) NOT NULL,
  size BIGINT NOT NULL,
  status VARCHAR(20) NOT NULL,
  received_at DATETIME(3) NOT NULL,
  log_index BIGINT NOT NULL,
  receipt TEXT NOT NULL,
  withdrawn_at DATETIME(3) NULL,
  FOREIGN KEY (section_id) REFERENCES bid_sections (id)
) {{table}};

CREATE INDEX bids_section ON bids (section_id, bidder_org_id, status);
CREATE UNIQUE INDEX bids_upload ON bids (upload_id);
