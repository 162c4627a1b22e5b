package jobs

import (
	"context"
	"fmt"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// jobColumns is the th_jobs table, one row per task ID. Times are BIGINT
// Unix milliseconds: the same on both drivers, with no time zone or
// precision surprises. The types are valid on SQLite (which maps them by
// affinity) and on MySQL 8 / MariaDB.
const jobColumns = `
	id          VARCHAR(191) NOT NULL,            -- the fixed task ID; the primary key dedupes enqueues
	task_type   VARCHAR(191) NOT NULL,            -- handler key
	payload     MEDIUMBLOB   NOT NULL,
	state       VARCHAR(16)  NOT NULL,            -- pending | running | done | dead
	next_at     BIGINT       NOT NULL,            -- pending: when due; running: when the lease ends
	attempts    INT          NOT NULL DEFAULT 0,  -- claims so far; also the row's version for conditional updates
	max_retry   INT          NOT NULL,
	last_error  TEXT         NULL,
	lease_owner VARCHAR(64)  NOT NULL DEFAULT '', -- the worker holding the lease while running
	created_at  BIGINT       NOT NULL,
	finished_at BIGINT       NOT NULL DEFAULT 0,  -- done or dead since; rows are purged after retention
	PRIMARY KEY (id)`

// schema holds, per dialect, the statements that create th_jobs and its
// index on (state, next_at), which serves both claiming and purging. MySQL
// has no CREATE INDEX IF NOT EXISTS, so its index is declared inline.
var schema = map[string][]string{
	"sqlite": {
		"CREATE TABLE IF NOT EXISTS th_jobs (" + jobColumns + "\n)",
		"CREATE INDEX IF NOT EXISTS th_jobs_due ON th_jobs (state, next_at)",
	},
	"mysql": {
		"CREATE TABLE IF NOT EXISTS th_jobs (" + jobColumns + ",\n\tKEY th_jobs_due (state, next_at)\n)" +
			" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
	},
}

// migrate creates th_jobs if it does not exist yet. It is safe to run from
// several replicas at once.
func (q *Embedded) migrate(ctx context.Context) error {
	stmts, ok := schema[q.dialect]
	if !ok {
		return apperr.Newf(apperr.Invalid, "未知的数据库方言 %q", "unknown SQL dialect %q (want sqlite or mysql)", q.dialect)
	}
	for _, s := range stmts {
		if _, err := q.db.ExecContext(ctx, s); err != nil {
			return unavailable(fmt.Errorf("jobs: create th_jobs: %w", err))
		}
	}
	return nil
}
