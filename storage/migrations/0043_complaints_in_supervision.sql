-- Complaints (投诉) move to supervision (issue 16): a complaint follows an
-- objection (异议) at any stage, and the supervising department may
-- suspend the procedure. A section suspended by a complaint names it in
-- suspended_by ('' when not suspended).
ALTER TABLE bid_sections ADD COLUMN suspended_by VARCHAR(60) NOT NULL DEFAULT '';

-- The objections supervision learns from the log, so that a complaint can
-- be checked against the objection it follows. stage: documents,
-- opening, award.
CREATE TABLE supervision_objections (
  stage VARCHAR(12) NOT NULL,
  objection_id BIGINT NOT NULL,
  subject VARCHAR(60) NOT NULL,
  bidder_org_id BIGINT NOT NULL,
  raised_at DATETIME(3) NOT NULL,
  due_at DATETIME(3) NOT NULL,
  answered_at DATETIME(3) NULL,
  PRIMARY KEY (stage, objection_id)
) {{table}};
CREATE INDEX supervision_objections_org ON supervision_objections (subject, bidder_org_id);

CREATE TABLE supervision_complaints (
  id {{id}},
  section_id BIGINT NOT NULL,
  department_org_id BIGINT NOT NULL,
  bidder_org_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  stage VARCHAR(12) NOT NULL,
  objection_id BIGINT NOT NULL,
  body TEXT NOT NULL,
  filed_at DATETIME(3) NOT NULL,
  window_ends_at DATETIME(3) NOT NULL,
  state VARCHAR(10) NOT NULL,
  accept_due DATETIME(3) NOT NULL,
  decide_due DATETIME(3) NULL,
  suspended BOOLEAN NOT NULL,
  reply TEXT NOT NULL,
  decision TEXT NOT NULL,
  upheld BOOLEAN NOT NULL,
  handled_by BIGINT NOT NULL,
  accepted_at DATETIME(3) NULL,
  decided_at DATETIME(3) NULL
) {{table}};
CREATE INDEX supervision_complaints_section ON supervision_complaints (section_id);
CREATE INDEX supervision_complaints_dept ON supervision_complaints (department_org_id, state);

-- The award-stage complaints evaluation kept until now, with their state.
INSERT INTO supervision_complaints (section_id, department_org_id, bidder_org_id, user_id, stage, objection_id, body, filed_at,
  window_ends_at, state, accept_due, decide_due, suspended, reply, decision, upheld, handled_by, accepted_at, decided_at)
SELECT c.section_id, COALESCE(p.supervising_org_id, 0), c.bidder_org_id, c.user_id, 'award', 0, c.body, c.filed_at,
  c.filed_at, c.status, c.accept_due, c.decide_due, c.pause_award, COALESCE(c.reply, ''), COALESCE(c.decision, ''), FALSE,
  COALESCE(c.handled_by, 0), c.accepted_at, c.decided_at
FROM complaints c JOIN bid_sections s ON s.id = c.section_id JOIN bid_projects p ON p.id = s.project_id;
DROP TABLE complaints;
