-- Bidders sign in with their organisation's SM2 key (issue 8): a one-time
-- challenge per attempt, used at most once. Numbered 0020 to stay clear of
-- the migrations other branches add meanwhile; gaps are allowed.
CREATE TABLE login_challenges (
  id VARCHAR(40) NOT NULL PRIMARY KEY,
  username VARCHAR(64) NOT NULL,
  nonce VARCHAR(64) NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  used_at DATETIME(3) NULL
) {{table}};
