-- Administrative approval (行政审批, issue 15). An item (事项) is versioned:
-- every save adds a row with the next version of its code, and a case keeps
-- the version it applied under. steps, materials and faqs are JSON arrays.
-- state: active or retired (a retired item takes no new applications).
CREATE TABLE approval_items (
  id {{id}},
  code VARCHAR(40) NOT NULL,
  version INT NOT NULL,
  name VARCHAR(200) NOT NULL,
  department_org_id BIGINT NOT NULL,
  legal_basis TEXT NOT NULL,
  conditions TEXT NOT NULL,
  legal_days INT NOT NULL,
  promised_days INT NOT NULL,
  fee_fen BIGINT NOT NULL,
  visits INT NOT NULL,
  online BOOLEAN NOT NULL,
  fast_lane BOOLEAN NOT NULL,
  steps TEXT NOT NULL,
  materials TEXT NOT NULL,
  faqs TEXT NOT NULL,
  window_name VARCHAR(200) NOT NULL,
  window_location VARCHAR(200) NOT NULL,
  complaint_phone VARCHAR(40) NOT NULL,
  state VARCHAR(10) NOT NULL,
  created_by BIGINT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  UNIQUE (code, version)
) {{table}};

-- A case (办件). applicant_id is the applicant's ID number or USCC, sealed
-- with the field key (personal data at rest). state: draft, submitted,
-- supplementing, accepted, suspended, decided, finished, refused,
-- withdrawn. due_at is the promised completion (end of a Shanghai working
-- day) once accepted, moved by suspensions; suspended_workdays is the sum of
-- the closed suspensions. missing_requested is set by the one request for
-- missing materials (一次性告知) a case may get.
CREATE TABLE approval_cases (
  id {{id}},
  case_no VARCHAR(40) NULL,
  item_id BIGINT NOT NULL,
  item_code VARCHAR(40) NOT NULL,
  item_version INT NOT NULL,
  department_org_id BIGINT NOT NULL,
  applicant_user_id BIGINT NOT NULL,
  applicant_kind VARCHAR(12) NOT NULL,
  applicant_name VARCHAR(200) NOT NULL,
  applicant_id TEXT NOT NULL,
  investment_fen BIGINT NOT NULL,
  fast_lane BOOLEAN NOT NULL,
  promised_days INT NOT NULL,
  state VARCHAR(16) NOT NULL,
  submitted_at DATETIME(3) NULL,
  accepted_at DATETIME(3) NULL,
  due_at DATETIME(3) NULL,
  suspended_workdays INT NOT NULL,
  missing_requested BOOLEAN NOT NULL,
  missing TEXT NOT NULL,
  decision VARCHAR(10) NOT NULL,
  reason TEXT NOT NULL,
  officer_user_id BIGINT NOT NULL,
  decided_at DATETIME(3) NULL,
  finished_at DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE (case_no)
) {{table}};
CREATE INDEX approval_cases_dept ON approval_cases (department_org_id, state);
CREATE INDEX approval_cases_applicant ON approval_cases (applicant_user_id);

-- The materials of a case: one row per required material given, the file in
-- the blob store under blob_key with its SM3 digest.
CREATE TABLE approval_materials (
  case_id BIGINT NOT NULL,
  material VARCHAR(40) NOT NULL,
  file_name VARCHAR(255) NOT NULL,
  blob_key VARCHAR(255) NOT NULL,
  sm3 VARCHAR(64) NOT NULL,
  size BIGINT NOT NULL,
  uploaded_at DATETIME(3) NOT NULL,
  PRIMARY KEY (case_id, material)
) {{table}};

-- Suspensions (听证, 现场勘查, 专家评审, 补正) of an accepted case. An open
-- one has resumed_at NULL; workdays is what it added to the due date.
CREATE TABLE approval_suspensions (
  id {{id}},
  case_id BIGINT NOT NULL,
  kind VARCHAR(20) NOT NULL,
  reason TEXT NOT NULL,
  suspended_at DATETIME(3) NOT NULL,
  resumed_at DATETIME(3) NULL,
  workdays INT NOT NULL,
  suspended_by BIGINT NOT NULL,
  resumed_by BIGINT NULL
) {{table}};
CREATE INDEX approval_suspensions_case ON approval_suspensions (case_id);
