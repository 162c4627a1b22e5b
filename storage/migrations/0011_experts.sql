-- The expert pool and the verifiable draw (issue 6). ID numbers and
-- phones are sealed with the platform field key (notary.FieldCipher);
-- id_hash is a keyed SM3-HMAC of the normalised ID number, so a
-- re-import finds the same expert without decrypting anything.
CREATE TABLE experts (
  id {{id}},
  id_hash CHAR(64) NOT NULL,
  name VARCHAR(100) NOT NULL,
  id_number TEXT NOT NULL,
  id_mask VARCHAR(32) NOT NULL,
  phones TEXT NOT NULL,
  phone_mask VARCHAR(100) NOT NULL,
  employer_uscc VARCHAR(18) NOT NULL,
  employer_name VARCHAR(200) NOT NULL,
  region VARCHAR(12) NOT NULL,
  title VARCHAR(50) NOT NULL,
  level VARCHAR(20) NOT NULL,
  category VARCHAR(12) NOT NULL,
  specialties VARCHAR(400) NOT NULL,
  status VARCHAR(20) NOT NULL,
  suspended_until DATETIME(3) NULL,
  blacklist_reason TEXT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL
) {{table}};

CREATE UNIQUE INDEX experts_id_hash ON experts (id_hash);
CREATE INDEX experts_status ON experts (status);

-- One row per specialty code of an expert, so that a draw finds the
-- experts under a code prefix with an index range instead of a scan.
CREATE TABLE expert_specialties (
  expert_id BIGINT NOT NULL,
  code VARCHAR(7) NOT NULL,
  PRIMARY KEY (expert_id, code),
  FOREIGN KEY (expert_id) REFERENCES experts (id)
) {{table}};

CREATE INDEX expert_specialties_code ON expert_specialties (code, expert_id);

-- Past and present employers, for the three-year avoidance rule.
CREATE TABLE expert_employments (
  id {{id}},
  expert_id BIGINT NOT NULL,
  employer_uscc VARCHAR(18) NOT NULL,
  employer_name VARCHAR(200) NOT NULL,
  from_date DATETIME(3) NOT NULL,
  until_date DATETIME(3) NULL,
  FOREIGN KEY (expert_id) REFERENCES experts (id)
) {{table}};

CREATE INDEX expert_employments_expert ON expert_employments (expert_id);
CREATE INDEX expert_employments_employer ON expert_employments (employer_uscc);

CREATE TABLE expert_leaves (
  id {{id}},
  expert_id BIGINT NOT NULL,
  from_at DATETIME(3) NOT NULL,
  until_at DATETIME(3) NOT NULL,
  reason VARCHAR(200) NOT NULL,
  FOREIGN KEY (expert_id) REFERENCES experts (id)
) {{table}};

CREATE INDEX expert_leaves_expert ON expert_leaves (expert_id);

-- One row per draw request. candidates, secret and result are sealed with
-- the field key until the section's result is final; request and
-- exclusions are JSON (exclusions name experts and reasons, no personal data).
CREATE TABLE expert_draws (
  id {{id}},
  section_id BIGINT NOT NULL,
  project_id BIGINT NOT NULL,
  state VARCHAR(20) NOT NULL,
  request TEXT NOT NULL,
  exclusions {{blob}} NULL,
  candidates {{blob}} NOT NULL,
  candidates_hash CHAR(64) NOT NULL,
  candidate_count INT NOT NULL,
  secret TEXT NOT NULL,
  secret_commitment CHAR(64) NOT NULL,
  commit_seq BIGINT NOT NULL DEFAULT 0,
  public_value VARCHAR(200) NULL,
  sth TEXT NULL,
  result {{blob}} NULL,
  result_hash CHAR(64) NULL,
  supervisor_user_id BIGINT NULL,
  created_by BIGINT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  drawn_at DATETIME(3) NULL,
  FOREIGN KEY (section_id) REFERENCES bid_sections (id)
) {{table}};

CREATE INDEX expert_draws_section ON expert_draws (section_id);
CREATE INDEX expert_draws_project ON expert_draws (project_id);

-- Who was drawn when, for the "drawn more than N times in D days" and
-- "already drawn for this project" rules. project_tag is a keyed SM3-HMAC
-- of the project ID, so this table alone does not tell which project an
-- expert sits on.
CREATE TABLE expert_draw_history (
  id {{id}},
  expert_id BIGINT NOT NULL,
  project_tag CHAR(64) NOT NULL,
  drawn_at DATETIME(3) NOT NULL
) {{table}};

CREATE INDEX expert_draw_history_expert ON expert_draw_history (expert_id, drawn_at);
CREATE INDEX expert_draw_history_project ON expert_draw_history (project_tag);
