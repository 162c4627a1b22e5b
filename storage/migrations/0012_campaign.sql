-- The call campaign (issue 6 part 5): after a draw, its experts are
-- called in draw order, group by group, until each group has its members
-- and reserves confirmed. Every attempt, ring time, key press and outcome
-- is kept; carrier callbacks are stored once by their event id, so a
-- callback delivered twice is applied once.
CREATE TABLE expert_campaigns (
  draw_id BIGINT NOT NULL PRIMARY KEY,
  section_id BIGINT NOT NULL,
  state VARCHAR(20) NOT NULL,
  confirm_by DATETIME(3) NOT NULL,
  retries INT NOT NULL,
  retry_seconds INT NOT NULL,
  created_by BIGINT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  finished_at DATETIME(3) NULL
) {{table}};

-- status: calling, accepted, declined, no_answer, cancelled.
CREATE TABLE expert_invitations (
  id {{id}},
  draw_id BIGINT NOT NULL,
  group_idx INT NOT NULL,
  position INT NOT NULL,
  expert_id BIGINT NOT NULL,
  employer_uscc VARCHAR(18) NOT NULL,
  status VARCHAR(20) NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL
) {{table}};

CREATE UNIQUE INDEX expert_invitations_expert ON expert_invitations (draw_id, expert_id);

-- One row per call attempt; id is the attempt id handed to the carrier
-- (its idempotency key) and part of the call task's fixed id.
-- status: queued, dialed, completed.
CREATE TABLE expert_call_attempts (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  invitation_id BIGINT NOT NULL,
  draw_id BIGINT NOT NULL,
  attempt_no INT NOT NULL,
  phone_index INT NOT NULL,
  carrier_call_id VARCHAR(100) NOT NULL DEFAULT '',
  status VARCHAR(20) NOT NULL,
  outcome VARCHAR(20) NOT NULL DEFAULT '',
  ring_ms BIGINT NOT NULL DEFAULT 0,
  prompts INT NOT NULL DEFAULT 0,
  keys_pressed VARCHAR(100) NOT NULL DEFAULT '',
  run_at DATETIME(3) NOT NULL,
  dialed_at DATETIME(3) NULL,
  completed_at DATETIME(3) NULL
) {{table}};

CREATE INDEX expert_call_attempts_draw ON expert_call_attempts (draw_id, status);

CREATE TABLE expert_call_events (
  carrier VARCHAR(40) NOT NULL,
  event_id VARCHAR(100) NOT NULL,
  attempt_id VARCHAR(64) NOT NULL,
  type VARCHAR(40) NOT NULL,
  at DATETIME(3) NOT NULL,
  received_at DATETIME(3) NOT NULL,
  PRIMARY KEY (carrier, event_id)
) {{table}};
