-- Joint approval (并联审批, issue 15 part 3): a composite item lists the
-- codes of its part items (parts, a JSON array, '[]' for a plain item). A
-- case of a composite item is the joint file (joint = TRUE): its materials
-- are given once on it, and one sub-case per part (parent_case_id naming the
-- joint file) is worked by the part's department.
ALTER TABLE approval_items ADD COLUMN parts TEXT NULL;
ALTER TABLE approval_cases ADD COLUMN joint BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE approval_cases ADD COLUMN parent_case_id BIGINT NULL;
CREATE INDEX approval_cases_parent ON approval_cases (parent_case_id);

-- A material taken from the applicant's library (要件库) instead of an
-- upload names the library entry it reuses.
ALTER TABLE approval_materials ADD COLUMN reused_from BIGINT NULL;

-- The licence and materials library (电子证照库, 要件库): every material of
-- an accepted case, kept per applicant with its expiry, for later
-- applications to reuse. kind: material or certificate.
CREATE TABLE approval_library (
  id {{id}},
  applicant_user_id BIGINT NOT NULL,
  kind VARCHAR(12) NOT NULL,
  material_key VARCHAR(40) NOT NULL,
  name VARCHAR(200) NOT NULL,
  file_name VARCHAR(255) NOT NULL,
  blob_key VARCHAR(255) NOT NULL,
  sm3 VARCHAR(64) NOT NULL,
  size BIGINT NOT NULL,
  source_case_id BIGINT NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  UNIQUE (applicant_user_id, material_key, sm3)
) {{table}};

-- Comments of the departments on a joint file (网上会商).
CREATE TABLE approval_comments (
  id {{id}},
  case_id BIGINT NOT NULL,
  author_user_id BIGINT NOT NULL,
  author_org_id BIGINT NOT NULL,
  body TEXT NOT NULL,
  created_at DATETIME(3) NOT NULL
) {{table}};
CREATE INDEX approval_comments_case ON approval_comments (case_id);

-- One rating per finished case (一件一评): level 5 非常满意 … 1 非常不满意;
-- channel web, sms or pad (the window's rating pad).
CREATE TABLE approval_ratings (
  case_id BIGINT NOT NULL PRIMARY KEY,
  level INT NOT NULL,
  comment TEXT NOT NULL,
  channel VARCHAR(8) NOT NULL,
  department_org_id BIGINT NOT NULL,
  officer_user_id BIGINT NOT NULL,
  window_name VARCHAR(200) NOT NULL,
  created_at DATETIME(3) NOT NULL
) {{table}};

-- Follow-up tasks a bad rating opens: a call-back (回访) and a
-- rectification (整改), each with its due date, tracked to closure.
-- state: open or closed.
CREATE TABLE approval_tasks (
  id {{id}},
  case_id BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  department_org_id BIGINT NOT NULL,
  due_at DATETIME(3) NOT NULL,
  state VARCHAR(8) NOT NULL,
  note TEXT NOT NULL,
  closed_by BIGINT NULL,
  closed_at DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL,
  UNIQUE (case_id, kind)
) {{table}};
CREATE INDEX approval_tasks_dept ON approval_tasks (department_org_id, state);
