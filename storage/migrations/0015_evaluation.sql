-- Evaluation and award (issue 7). A section's evaluation scheme is kept
-- while it is a draft; the session copies it when the committee starts.
-- Experts are named here only by expert_id and seat: the names stay in the
-- pool, and routes show them to the committee and supervisors only until
-- the section's result is final.
CREATE TABLE eval_schemes (
  section_id BIGINT NOT NULL PRIMARY KEY,
  scheme TEXT NOT NULL,
  updated_by BIGINT NOT NULL,
  updated_at DATETIME(3) NOT NULL
) {{table}};

-- Evaluation rooms and the networks (CIDR list, JSON) requests of the
-- committee must come from.
CREATE TABLE eval_rooms (
  id {{id}},
  name VARCHAR(100) NOT NULL,
  location VARCHAR(200) NOT NULL,
  networks TEXT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL
) {{table}};

-- phase: signin, review, scoring, report, signed, failed.
CREATE TABLE eval_sessions (
  id {{id}},
  section_id BIGINT NOT NULL,
  draw_id BIGINT NOT NULL,
  room_id BIGINT NOT NULL,
  phase VARCHAR(20) NOT NULL,
  scheme TEXT NOT NULL,
  bids TEXT NOT NULL,
  seats TEXT NOT NULL,
  evaluation_at DATETIME(3) NOT NULL,
  place VARCHAR(200) NOT NULL,
  chair_seat INT NULL,
  competitive BOOLEAN NULL,
  competition_reason TEXT NULL,
  started_by BIGINT NOT NULL,
  started_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  publicity_warned BOOLEAN NOT NULL DEFAULT FALSE,
  FOREIGN KEY (section_id) REFERENCES bid_sections (id),
  FOREIGN KEY (room_id) REFERENCES eval_rooms (id)
) {{table}};

CREATE UNIQUE INDEX eval_sessions_section ON eval_sessions (section_id);

-- role: member, reserve, withdrawn. returned lists the objective items
-- sent back for reconciliation (JSON), empty when none.
CREATE TABLE eval_members (
  id {{id}},
  session_id BIGINT NOT NULL,
  seat INT NOT NULL,
  expert_id BIGINT NOT NULL,
  user_id BIGINT NULL,
  draw_id BIGINT NOT NULL,
  group_idx INT NOT NULL,
  position INT NOT NULL,
  category VARCHAR(12) NOT NULL,
  role VARCHAR(12) NOT NULL,
  signed_in_at DATETIME(3) NULL,
  signin_ip VARCHAR(64) NULL,
  declared_at DATETIME(3) NULL,
  declaration TEXT NULL,
  vote_seat INT NULL,
  review_submitted_at DATETIME(3) NULL,
  scores_submitted_at DATETIME(3) NULL,
  returned TEXT NULL,
  FOREIGN KEY (session_id) REFERENCES eval_sessions (id)
) {{table}};

CREATE UNIQUE INDEX eval_members_expert ON eval_members (session_id, expert_id);
CREATE UNIQUE INDEX eval_members_seat ON eval_members (session_id, seat);

CREATE TABLE eval_reviews (
  session_id BIGINT NOT NULL,
  seat INT NOT NULL,
  bid_id BIGINT NOT NULL,
  criterion VARCHAR(20) NOT NULL,
  pass BOOLEAN NOT NULL,
  reason TEXT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (session_id, seat, bid_id, criterion)
) {{table}};

CREATE TABLE eval_conclusions (
  session_id BIGINT NOT NULL,
  bid_id BIGINT NOT NULL,
  valid BOOLEAN NOT NULL,
  statute VARCHAR(40) NULL,
  reason TEXT NULL,
  decided_at DATETIME(3) NOT NULL,
  PRIMARY KEY (session_id, bid_id)
) {{table}};

CREATE TABLE eval_scores (
  session_id BIGINT NOT NULL,
  seat INT NOT NULL,
  bid_id BIGINT NOT NULL,
  criterion VARCHAR(20) NOT NULL,
  points BIGINT NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (session_id, seat, bid_id, criterion)
) {{table}};

-- status: open, confirmed (kept with a reason), changed (new_points, reason).
CREATE TABLE eval_flags (
  id {{id}},
  session_id BIGINT NOT NULL,
  seat INT NOT NULL,
  bid_id BIGINT NOT NULL,
  criterion VARCHAR(20) NOT NULL,
  points BIGINT NOT NULL,
  mean VARCHAR(20) NOT NULL,
  status VARCHAR(12) NOT NULL,
  new_points BIGINT NULL,
  reason TEXT NULL,
  raised_at DATETIME(3) NOT NULL,
  resolved_at DATETIME(3) NULL
) {{table}};

CREATE UNIQUE INDEX eval_flags_item ON eval_flags (session_id, seat, bid_id, criterion);

CREATE TABLE eval_clarifications (
  id {{id}},
  session_id BIGINT NOT NULL,
  bid_id BIGINT NOT NULL,
  bidder_org_id BIGINT NOT NULL,
  question TEXT NOT NULL,
  about_price BOOLEAN NOT NULL,
  due_at DATETIME(3) NOT NULL,
  asked_at DATETIME(3) NOT NULL,
  answer TEXT NULL,
  answered_at DATETIME(3) NULL,
  answered_by BIGINT NULL
) {{table}};

CREATE INDEX eval_clarifications_session ON eval_clarifications (session_id, bid_id);

-- body holds the report's exact bytes, signed by every member over
-- SM3(body) (kind: signed, dissent with a reason, or deemed: refused
-- without a reason, which counts as agreement).
CREATE TABLE eval_reports (
  session_id BIGINT NOT NULL PRIMARY KEY,
  body {{blob}} NOT NULL,
  digest CHAR(64) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  final_at DATETIME(3) NULL,
  json_key VARCHAR(200) NOT NULL DEFAULT '',
  pdf_key VARCHAR(200) NOT NULL DEFAULT ''
) {{table}};

CREATE TABLE eval_signatures (
  session_id BIGINT NOT NULL,
  seat INT NOT NULL,
  kind VARCHAR(10) NOT NULL,
  key_id VARCHAR(80) NULL,
  signature TEXT NULL,
  reason TEXT NULL,
  signed_at DATETIME(3) NOT NULL,
  PRIMARY KEY (session_id, seat)
) {{table}};

CREATE TABLE award_publicity (
  section_id BIGINT NOT NULL PRIMARY KEY,
  session_id BIGINT NOT NULL,
  starts_at DATETIME(3) NOT NULL,
  ends_at DATETIME(3) NOT NULL,
  candidates TEXT NOT NULL,
  late BOOLEAN NOT NULL,
  published_by BIGINT NOT NULL,
  created_at DATETIME(3) NOT NULL
) {{table}};

CREATE TABLE award_objections (
  id {{id}},
  section_id BIGINT NOT NULL,
  bidder_org_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  body TEXT NOT NULL,
  raised_at DATETIME(3) NOT NULL,
  due_at DATETIME(3) NOT NULL,
  answer TEXT NULL,
  answered_at DATETIME(3) NULL,
  answered_by BIGINT NULL,
  overdue_warned BOOLEAN NOT NULL DEFAULT FALSE
) {{table}};

CREATE INDEX award_objections_section ON award_objections (section_id);

CREATE TABLE awards (
  section_id BIGINT NOT NULL PRIMARY KEY,
  winner_bid_id BIGINT NOT NULL,
  winner_org_id BIGINT NOT NULL,
  winner_rank INT NOT NULL,
  price_fen BIGINT NOT NULL,
  skipped TEXT NOT NULL,
  announcement TEXT NOT NULL,
  issued_at DATETIME(3) NOT NULL,
  issued_by BIGINT NOT NULL,
  contract_due DATETIME(3) NOT NULL,
  contract_signed_on VARCHAR(10) NULL,
  contract_amount_fen BIGINT NULL,
  contract_recorded_at DATETIME(3) NULL,
  overdue_warned BOOLEAN NOT NULL DEFAULT FALSE
) {{table}};

-- One signed notice per bidder: kind award (中标通知书) for the winner,
-- result (中标结果通知书) for the others. The platform signs the notice's
-- bytes and, separately, the SM3 digest of its PDF (rendered
-- deterministically, stored after the commit).
CREATE TABLE award_notices (
  id {{id}},
  section_id BIGINT NOT NULL,
  bidder_org_id BIGINT NOT NULL,
  kind VARCHAR(10) NOT NULL,
  body {{blob}} NOT NULL,
  key_id VARCHAR(80) NOT NULL,
  signature TEXT NOT NULL,
  pdf_key VARCHAR(200) NOT NULL,
  pdf_digest CHAR(64) NOT NULL,
  pdf_signature TEXT NOT NULL,
  created_at DATETIME(3) NOT NULL
) {{table}};

CREATE UNIQUE INDEX award_notices_bidder ON award_notices (section_id, bidder_org_id);

-- status: filed, accepted, refused, decided.
CREATE TABLE complaints (
  id {{id}},
  section_id BIGINT NOT NULL,
  bidder_org_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  body TEXT NOT NULL,
  known_at DATETIME(3) NOT NULL,
  filed_at DATETIME(3) NOT NULL,
  status VARCHAR(12) NOT NULL,
  accept_due DATETIME(3) NOT NULL,
  decide_due DATETIME(3) NULL,
  pause_award BOOLEAN NOT NULL DEFAULT FALSE,
  handled_by BIGINT NULL,
  reply TEXT NULL,
  decision TEXT NULL,
  accepted_at DATETIME(3) NULL,
  decided_at DATETIME(3) NULL,
  accept_warned BOOLEAN NOT NULL DEFAULT FALSE,
  decide_warned BOOLEAN NOT NULL DEFAULT FALSE
) {{table}};

CREATE INDEX complaints_section ON complaints (section_id);
