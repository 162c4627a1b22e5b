-- The working-day calendar (DESIGN.md §5): holidays and adjusted workdays
-- (调休) an administrator maintains, one row per listed day. A day without a
-- row follows the weekend rule (Saturday and Sunday off).
--
-- day is the civil date in Asia/Shanghai as "YYYY-MM-DD": text compares in
-- date order on both backends, and no time zone can shift it. kind is
-- 'holiday' or 'workday'; updated_by names the actor ("user:ID").
CREATE TABLE calendar_days (
  day VARCHAR(10) NOT NULL PRIMARY KEY,
  kind VARCHAR(10) NOT NULL,
  name VARCHAR(100) NOT NULL DEFAULT '',
  updated_at DATETIME(3) NOT NULL,
  updated_by VARCHAR(200) NOT NULL
) {{table}};

-- One row whose version every change of calendar_days advances in the same
-- transaction. Replicas cache the calendar and re-read only this row to know
-- whether their copy is current; the UPDATE's row lock also serialises
-- concurrent changes.
CREATE TABLE calendar_version (
  id INTEGER NOT NULL PRIMARY KEY,
  version BIGINT NOT NULL
) {{table}};

INSERT INTO calendar_version (id, version) VALUES (1, 0);
