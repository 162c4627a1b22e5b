-- Who bid in each awarded section and who won (issue 16), kept so that the
-- window rules — bidders who keep losing to one winner (陪标), winners at
-- abnormal rates (标王) — count across sections without rereading the log.
CREATE TABLE supervision_outcomes (
  subject VARCHAR(60) NOT NULL,
  bidder_org_id BIGINT NOT NULL,
  won BOOLEAN NOT NULL,
  decided_at DATETIME(3) NOT NULL,
  PRIMARY KEY (subject, bidder_org_id)
) {{table}};
CREATE INDEX supervision_outcomes_org ON supervision_outcomes (bidder_org_id, decided_at);
