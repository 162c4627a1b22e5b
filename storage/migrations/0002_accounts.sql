-- Organisations, users, roles, per-project grants, sessions and the one-time
-- admin setup token (issue 2, part 7).
CREATE TABLE organizations (
  id {{id}},
  kind VARCHAR(20) NOT NULL,
  name VARCHAR(200) NOT NULL,
  uscc VARCHAR(18) NULL,
  region VARCHAR(12) NOT NULL DEFAULT '',
  sm2_public_key TEXT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL
) {{table}};

CREATE UNIQUE INDEX organizations_uscc ON organizations (uscc);

CREATE TABLE users (
  id {{id}},
  org_id BIGINT NULL,
  username VARCHAR(64) NOT NULL,
  display_name VARCHAR(100) NOT NULL,
  password_hash VARCHAR(200) NOT NULL,
  status VARCHAR(20) NOT NULL DEFAULT 'active',
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until DATETIME(3) NULL,
  totp_secret VARCHAR(200) NOT NULL DEFAULT '',
  totp_enabled BOOLEAN NOT NULL DEFAULT FALSE,
  totp_last_step BIGINT NOT NULL DEFAULT 0,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  FOREIGN KEY (org_id) REFERENCES organizations (id)
) {{table}};

CREATE UNIQUE INDEX users_username ON users (username);

CREATE TABLE user_roles (
  user_id BIGINT NOT NULL,
  role VARCHAR(20) NOT NULL,
  granted_by BIGINT NULL,
  granted_at DATETIME(3) NOT NULL,
  PRIMARY KEY (user_id, role),
  FOREIGN KEY (user_id) REFERENCES users (id)
) {{table}};

CREATE TABLE project_grants (
  user_id BIGINT NOT NULL,
  project_id VARCHAR(64) NOT NULL,
  role VARCHAR(20) NOT NULL,
  granted_by BIGINT NULL,
  granted_at DATETIME(3) NOT NULL,
  PRIMARY KEY (user_id, project_id, role),
  FOREIGN KEY (user_id) REFERENCES users (id)
) {{table}};

CREATE INDEX project_grants_project ON project_grants (project_id);

CREATE TABLE sessions (
  id CHAR(64) NOT NULL PRIMARY KEY,
  user_id BIGINT NOT NULL,
  kind VARCHAR(10) NOT NULL,
  name VARCHAR(100) NOT NULL DEFAULT '',
  csrf_token CHAR(64) NOT NULL DEFAULT '',
  ip VARCHAR(64) NOT NULL DEFAULT '',
  user_agent VARCHAR(300) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  last_seen_at DATETIME(3) NOT NULL,
  revoked_at DATETIME(3) NULL,
  FOREIGN KEY (user_id) REFERENCES users (id)
) {{table}};

CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE setup_tokens (
  id CHAR(64) NOT NULL PRIMARY KEY,
  created_at DATETIME(3) NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  used_at DATETIME(3) NULL
) {{table}};
