-- An expert of the pool may have a platform account (role expert), with
-- which they sign in to the evaluation room (issue 7).
ALTER TABLE experts ADD COLUMN user_id BIGINT NULL;

CREATE UNIQUE INDEX experts_user ON experts (user_id);
