-- Bidding: projects, sections with their rulebook and lifecycle state, the
-- history of each section's effective deadline, announcements, project
-- clarifications, bidder questions and objections (issue 4, parts 1-5).
-- Times are UTC; the effective deadline lives on the section row, which a
-- bid's finalize locks (SELECT … FOR UPDATE) together with the deadline job.
CREATE TABLE bid_projects (
  id {{id}},
  name VARCHAR(200) NOT NULL,
  tenderer_org_id BIGINT NOT NULL,
  agency_org_id BIGINT NOT NULL,
  region VARCHAR(12) NOT NULL DEFAULT '',
  created_by BIGINT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  FOREIGN KEY (tenderer_org_id) REFERENCES organizations (id),
  FOREIGN KEY (agency_org_id) REFERENCES organizations (id)
) {{table}};

CREATE INDEX bid_projects_agency ON bid_projects (agency_org_id);

CREATE TABLE bid_sections (
  id {{id}},
  project_id BIGINT NOT NULL,
  code VARCHAR(64) NOT NULL,
  name VARCHAR(200) NOT NULL,
  kind VARCHAR(20) NOT NULL,
  budget_fen BIGINT NOT NULL,
  rulebook_name VARCHAR(20) NOT NULL,
  rulebook TEXT NOT NULL,
  prequalification BOOLEAN NOT NULL DEFAULT FALSE,
  state VARCHAR(20) NOT NULL,
  cancel_reason VARCHAR(500) NOT NULL DEFAULT '',
  docs_from DATETIME(3) NULL,
  deadline DATETIME(3) NULL,
  paused_since DATETIME(3) NULL,
  rulebook_frozen_at DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  FOREIGN KEY (project_id) REFERENCES bid_projects (id)
) {{table}};

CREATE INDEX bid_sections_project ON bid_sections (project_id);
CREATE INDEX bid_sections_state ON bid_sections (state);

CREATE TABLE bid_deadline_changes (
  id {{id}},
  section_id BIGINT NOT NULL,
  old_deadline DATETIME(3) NULL,
  new_deadline DATETIME(3) NOT NULL,
  reason VARCHAR(20) NOT NULL,
  ref_id BIGINT NOT NULL DEFAULT 0,
  changed_at DATETIME(3) NOT NULL,
  FOREIGN KEY (section_id) REFERENCES bid_sections (id)
) {{table}};

CREATE INDEX bid_deadline_changes_section ON bid_deadline_changes (section_id);

CREATE TABLE bid_announcements (
  id {{id}},
  section_id BIGINT NOT NULL,
  title VARCHAR(300) NOT NULL,
  body TEXT NOT NULL,
  region VARCHAR(12) NOT NULL DEFAULT '',
  kind VARCHAR(20) NOT NULL,
  status VARCHAR(20) NOT NULL,
  docs_from DATETIME(3) NOT NULL,
  docs_until DATETIME(3) NOT NULL,
  deadline DATETIME(3) NOT NULL,
  approved_by BIGINT NULL,
  approved_at DATETIME(3) NULL,
  published_at DATETIME(3) NULL,
  published_date CHAR(10) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  FOREIGN KEY (section_id) REFERENCES bid_sections (id)
) {{table}};

CREATE UNIQUE INDEX bid_announcements_section ON bid_announcements (section_id);
CREATE INDEX bid_announcements_listing ON bid_announcements (status, id);

CREATE TABLE bid_clarifications (
  id {{id}},
  project_id BIGINT NOT NULL,
  title VARCHAR(300) NOT NULL,
  body TEXT NOT NULL,
  affects_preparation BOOLEAN NOT NULL DEFAULT TRUE,
  issued_by BIGINT NOT NULL,
  issued_at DATETIME(3) NOT NULL,
  FOREIGN KEY (project_id) REFERENCES bid_projects (id)
) {{table}};

CREATE INDEX bid_clarifications_project ON bid_clarifications (project_id);

CREATE TABLE bid_questions (
  id {{id}},
  section_id BIGINT NOT NULL,
  asker_user_id BIGINT NOT NULL,
  asker_org_id BIGINT NOT NULL,
  question TEXT NOT NULL,
  answer TEXT NULL,
  answered_by BIGINT NULL,
  asked_at DATETIME(3) NOT NULL,
  answered_at DATETIME(3) NULL,
  FOREIGN KEY (section_id) REFERENCES bid_sections (id)
) {{table}};

CREATE INDEX bid_questions_section ON bid_questions (section_id);

CREATE TABLE bid_objections (
  id {{id}},
  section_id BIGINT NOT NULL,
  raiser_user_id BIGINT NOT NULL,
  raiser_org_id BIGINT NOT NULL,
  body TEXT NOT NULL,
  answer TEXT NULL,
  answered_by BIGINT NULL,
  raised_at DATETIME(3) NOT NULL,
  answer_due DATETIME(3) NOT NULL,
  answered_at DATETIME(3) NULL,
  FOREIGN KEY (section_id) REFERENCES bid_sections (id)
) {{table}};

CREATE INDEX bid_objections_section ON bid_objections (section_id);
