-- Tender documents of a section and the record of their downloads (issue 4,
-- part 6). A document's bytes live in the blob store under blob_key
-- ("docs/<section>/<random id>"); its SM3 digest is published with it. A
-- replaced document keeps its row (replaced_by names the new one). The
-- downloads table names who downloaded: it is secret until the deadline
-- and only bidding.Service.Downloaders reads it.
CREATE TABLE bid_documents (
  id {{id}},
  section_id BIGINT NOT NULL,
  name VARCHAR(255) NOT NULL,
  content_type VARCHAR(127) NOT NULL DEFAULT '',
  size BIGINT NOT NULL,
  sm3 CHAR(64) NOT NULL,
  blob_key VARCHAR(255) NOT NULL,
  uploaded_by BIGINT NOT NULL,
  uploaded_at DATETIME(3) NOT NULL,
  replaced_by BIGINT NULL,
  replaced_at DATETIME(3) NULL,
  FOREIGN KEY (section_id) REFERENCES bid_sections (id)
) {{table}};

CREATE INDEX bid_documents_section ON bid_documents (section_id, name);

CREATE TABLE bid_document_downloads (
  id {{id}},
  document_id BIGINT NOT NULL,
  section_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  org_id BIGINT NOT NULL DEFAULT 0,
  as_bidder BOOLEAN NOT NULL DEFAULT FALSE,
  ip VARCHAR(64) NOT NULL DEFAULT '',
  downloaded_at DATETIME(3) NOT NULL,
  FOREIGN KEY (document_id) REFERENCES bid_documents (id)
) {{table}};

CREATE INDEX bid_document_downloads_section ON bid_document_downloads (section_id, downloaded_at);
