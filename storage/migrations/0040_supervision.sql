-- Electronic supervision (电子监察, issue 16). Everything here is derived
-- from the event log by the rules consumer, whose position is the cursor
-- row: the consumer moves it in the same transaction as the rows it
-- writes, so a restart neither loses nor repeats a warning.
CREATE TABLE supervision_cursor (
  name VARCHAR(40) PRIMARY KEY,
  seq BIGINT NOT NULL
) {{table}};
INSERT INTO supervision_cursor (name, seq) VALUES ('rules', 0);

-- What is watched: an approval case or a section, its responsible office
-- (the approval department, the procurement agency) and its supervising
-- department. light is the worst of its running timers and open warnings.
CREATE TABLE supervision_subjects (
  subject VARCHAR(60) PRIMARY KEY,
  kind VARCHAR(10) NOT NULL,
  title VARCHAR(200) NOT NULL,
  office_org_id BIGINT NOT NULL,
  department_org_id BIGINT NOT NULL,
  light VARCHAR(8) NOT NULL,
  closed BOOLEAN NOT NULL,
  updated_at DATETIME(3) NOT NULL
) {{table}};
CREATE INDEX supervision_subjects_board ON supervision_subjects (closed, light);

-- One time limit of a subject under one rule. next_at is when the sweep
-- must look again (the yellow moment while green, the due moment while
-- yellow); NULL when red, paused or stopped.
CREATE TABLE supervision_timers (
  subject VARCHAR(60) NOT NULL,
  rule_id VARCHAR(40) NOT NULL,
  started_at DATETIME(3) NOT NULL,
  yellow_at DATETIME(3) NOT NULL,
  due_at DATETIME(3) NOT NULL,
  limit_n INT NOT NULL,
  light VARCHAR(8) NOT NULL,
  paused BOOLEAN NOT NULL,
  stopped_at DATETIME(3) NULL,
  next_at DATETIME(3) NULL,
  PRIMARY KEY (subject, rule_id)
) {{table}};
CREATE INDEX supervision_timers_next ON supervision_timers (next_at);

-- A warning (预警) to the responsible office, to be explained or corrected
-- (纠错) by answer_due; the supervisor accepts or rejects the answer.
-- dedupe makes raising the same warning twice a no-op. state: open,
-- answered, accepted, escalated.
CREATE TABLE supervision_warnings (
  id {{id}},
  dedupe VARCHAR(120) NOT NULL,
  rule_id VARCHAR(40) NOT NULL,
  subject VARCHAR(60) NOT NULL,
  light VARCHAR(8) NOT NULL,
  office_org_id BIGINT NOT NULL,
  department_org_id BIGINT NOT NULL,
  detail TEXT NOT NULL,
  source_seq BIGINT NOT NULL,
  state VARCHAR(10) NOT NULL,
  raised_at DATETIME(3) NOT NULL,
  answer_due DATETIME(3) NOT NULL,
  answer TEXT NOT NULL,
  answered_by BIGINT NOT NULL,
  answered_at DATETIME(3) NULL,
  review_note TEXT NOT NULL,
  reviewed_by BIGINT NOT NULL,
  reviewed_at DATETIME(3) NULL,
  escalated_at DATETIME(3) NULL,
  UNIQUE (dedupe)
) {{table}};
CREATE INDEX supervision_warnings_office ON supervision_warnings (office_org_id, state);
CREATE INDEX supervision_warnings_subject ON supervision_warnings (subject);

-- Counters of repeated events per subject and rule (a bid replaced, an
-- expert draw repeated, missing materials asked for again), so that the
-- count rules need not reread the log.
CREATE TABLE supervision_counts (
  subject VARCHAR(60) NOT NULL,
  rule_id VARCHAR(40) NOT NULL,
  count_key VARCHAR(60) NOT NULL,
  n INT NOT NULL,
  PRIMARY KEY (subject, rule_id, count_key)
) {{table}};

-- Collusion signals (围标串标) of a section, computed after its opening:
-- evidence for the supervisor, never a decision. dedupe names the signal
-- so that replaying the opening raises it once.
CREATE TABLE supervision_signals (
  id {{id}},
  dedupe VARCHAR(160) NOT NULL,
  subject VARCHAR(60) NOT NULL,
  kind VARCHAR(20) NOT NULL,
  strength VARCHAR(10) NOT NULL,
  evidence TEXT NOT NULL,
  source_seq BIGINT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  UNIQUE (dedupe)
) {{table}};
CREATE INDEX supervision_signals_subject ON supervision_signals (subject);
