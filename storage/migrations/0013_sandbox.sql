-- The platform's mode, fixed the first time a database is served: a
-- production database never serves as a sandbox and a sandbox never as
-- production, so demonstration projects can never mix with real ones.
-- clock_offset_ms is, in a sandbox, how far the platform clock runs ahead of
-- the wall clock (it only grows); replicas follow it.
CREATE TABLE platform_mode (
  id INTEGER NOT NULL PRIMARY KEY,
  mode VARCHAR(20) NOT NULL,
  clock_offset_ms BIGINT NOT NULL,
  updated_at DATETIME(3) NOT NULL
) {{table}};
