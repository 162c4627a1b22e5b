package supervision

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// This file is the package's only user of gorm. Every function runs on the
// connection carried by ctx, joining the caller's transaction if any.

// Subject is one watched case, section or project and its current light.
type Subject struct {
	Subject         string    `json:"subject" gorm:"column:subject;primaryKey"`
	Kind            string    `json:"kind" gorm:"column:kind"` // case, section, project
	Title           string    `json:"title" gorm:"column:title"`
	OfficeOrgID     int64     `json:"officeOrgId" gorm:"column:office_org_id"`
	DepartmentOrgID int64     `json:"departmentOrgId" gorm:"column:department_org_id"`
	Light           Light     `json:"light" gorm:"column:light"`
	Closed          bool      `json:"closed" gorm:"column:closed"`
	UpdatedAt       time.Time `json:"updatedAt" gorm:"column:updated_at"`
}

// TableName maps Subject to supervision_subjects.
func (Subject) TableName() string { return "supervision_subjects" }

// Timer is one time limit of a subject under one rule.
type Timer struct {
	Subject   string     `json:"subject" gorm:"column:subject;primaryKey"`
	RuleID    string     `json:"ruleId" gorm:"column:rule_id;primaryKey"`
	StartedAt time.Time  `json:"startedAt" gorm:"column:started_at"`
	YellowAt  time.Time  `json:"yellowAt" gorm:"column:yellow_at"`
	DueAt     time.Time  `json:"dueAt" gorm:"column:due_at"`
	LimitN    int        `json:"limit" gorm:"column:limit_n"`
	Light     Light      `json:"light" gorm:"column:light"`
	Paused    bool       `json:"paused" gorm:"column:paused"`
	StoppedAt *time.Time `json:"stoppedAt,omitempty" gorm:"column:stopped_at"`
	NextAt    *time.Time `json:"-" gorm:"column:next_at"`
}

// TableName maps Timer to supervision_timers.
func (Timer) TableName() string { return "supervision_timers" }

func (t Timer) window() Window { return Window{Start: t.StartedAt, YellowAt: t.YellowAt, Due: t.DueAt} }

type store struct{ db *storage.DB }

func (st store) conn(ctx context.Context) *gorm.DB { return st.db.Conn(ctx) }

// locked is the connection with FOR UPDATE on MySQL; on SQLite the
// transaction already holds the write lock.
func (st store) locked(ctx context.Context) *gorm.DB {
	if st.db.Dialect() == storage.MySQL {
		return st.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return st.conn(ctx)
}

// insertIgnoring is the connection for an insert that does nothing when
// the unique column already holds the value.
func (st store) insertIgnoring(ctx context.Context, column string) *gorm.DB {
	return st.conn(ctx).Clauses(onConflictNothing(column))
}

// lockCursor takes the cursor row's lock for the rest of the transaction
// (an UPDATE locks on MySQL; SQLite holds the write lock already) and
// returns its position, so two replicas never consume one batch.
func (st store) lockCursor(ctx context.Context, name string) (int64, error) {
	if err := st.conn(ctx).Exec("UPDATE supervision_cursor SET seq = seq WHERE name = ?", name).Error; err != nil {
		return 0, storage.Translate(err)
	}
	var seq int64
	err := st.conn(ctx).Raw("SELECT seq FROM supervision_cursor WHERE name = ?", name).Scan(&seq).Error
	return seq, storage.Translate(err)
}

func (st store) cursor(ctx context.Context, name string) (int64, error) {
	var seq int64
	err := st.conn(ctx).Raw("SELECT seq FROM supervision_cursor WHERE name = ?", name).Scan(&seq).Error
	return seq, storage.Translate(err)
}

func (st store) setCursor(ctx context.Context, name string, seq int64) error {
	return storage.Translate(st.conn(ctx).Exec("UPDATE supervision_cursor SET seq = ? WHERE name = ?", seq, name).Error)
}

// putSubject inserts s, or updates its title and offices when it exists.
func (st store) putSubject(ctx context.Context, s Subject) error {
	return storage.Translate(st.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "subject"}},
		DoUpdates: clause.AssignmentColumns([]string{"title", "office_org_id", "department_org_id", "updated_at"}),
	}).Create(&s).Error)
}

// subject returns the subject, apperr.NotFound when it is not watched.
func (st store) subject(ctx context.Context, subject string) (Subject, error) {
	var s Subject
	err := st.conn(ctx).Where("subject = ?", subject).Take(&s).Error
	if err != nil {
		return s, notFound(storage.Translate(err), "监察对象不存在", "no such supervised subject")
	}
	return s, nil
}

func (st store) updateSubject(ctx context.Context, subject string, fields map[string]any) error {
	return storage.Translate(st.conn(ctx).Model(&Subject{}).Where("subject = ?", subject).Updates(fields).Error)
}

// putTimer stores t, replacing the subject's earlier timer of the rule.
func (st store) putTimer(ctx context.Context, t Timer) error {
	return storage.Translate(st.conn(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&t).Error)
}

// timer returns the subject's timer of rule, apperr.NotFound when none.
func (st store) timer(ctx context.Context, subject, rule string) (Timer, error) {
	var t Timer
	err := st.conn(ctx).Where("subject = ? AND rule_id = ?", subject, rule).Take(&t).Error
	return t, notFound(storage.Translate(err), "没有该时限", "no such time limit")
}

func (st store) timers(ctx context.Context, subject string) ([]Timer, error) {
	var ts []Timer
	err := st.conn(ctx).Where("subject = ?", subject).Order("started_at, rule_id").Find(&ts).Error
	return ts, storage.Translate(err)
}

// due returns up to limit timers whose next look is at or before now.
func (st store) due(ctx context.Context, now time.Time, limit int) ([]Timer, error) {
	var ts []Timer
	err := st.conn(ctx).Where("next_at IS NOT NULL AND next_at <= ?", now).Order("next_at").Limit(limit).Find(&ts).Error
	return ts, storage.Translate(err)
}

// moveTimer updates the timer, when expect is set only if its light is
// still *expect: false when another sweep moved it first.
func (st store) moveTimer(ctx context.Context, t Timer, expect *Light, fields map[string]any) (bool, error) {
	q := st.conn(ctx).Model(&Timer{}).Where("subject = ? AND rule_id = ?", t.Subject, t.RuleID)
	if expect != nil {
		q = q.Where("light = ?", *expect)
	}
	res := q.Updates(fields)
	return res.RowsAffected == 1, storage.Translate(res.Error)
}

func notFound(err error, zh, en string) error {
	if apperr.KindOf(err) == apperr.NotFound {
		return apperr.New(apperr.NotFound, zh, en)
	}
	return err
}

// incr adds one to the subject's counter of rule and key and returns it.
func (st store) incr(ctx context.Context, subject, rule, key string) (int, error) {
	res := st.conn(ctx).Exec("UPDATE supervision_counts SET n = n + 1 WHERE subject = ? AND rule_id = ? AND count_key = ?", subject, rule, key)
	if res.Error != nil {
		return 0, storage.Translate(res.Error)
	}
	if res.RowsAffected == 0 {
		if err := st.conn(ctx).Exec("INSERT INTO supervision_counts (subject, rule_id, count_key, n) VALUES (?, ?, ?, 1)", subject, rule, key).Error; err != nil {
			return 0, storage.Translate(err)
		}
		return 1, nil
	}
	var n int
	err := st.conn(ctx).Raw("SELECT n FROM supervision_counts WHERE subject = ? AND rule_id = ? AND count_key = ?", subject, rule, key).Scan(&n).Error
	return n, storage.Translate(err)
}

// setCount stores n as the subject's counter of rule and key.
func (st store) setCount(ctx context.Context, subject, rule, key string, n int) error {
	return storage.Translate(st.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "subject"}, {Name: "rule_id"}, {Name: "count_key"}},
		DoUpdates: clause.AssignmentColumns([]string{"n"}),
	}).Table("supervision_counts").Create(map[string]any{"subject": subject, "rule_id": rule, "count_key": key, "n": n}).Error)
}

// deptStats is one department's raw figures for a period.
type deptStats struct {
	Dept     int64
	Finished int     // cases whose promised limit stopped in the period
	OnTime   int     // of them, stopped by the due time
	UsedSum  float64 // the sum of their used shares of the limit
	Warnings int
	Red      int
	Ratings  int
	LevelSum int
}

// efficiencyStats gathers every department's figures for cases in
// [from, to); months are the "YYYY-MM" keys of the ratings in it.
func (st store) efficiencyStats(ctx context.Context, from, to time.Time, months []string) (map[int64]*deptStats, error) {
	out := map[int64]*deptStats{}
	get := func(d int64) *deptStats {
		if out[d] == nil {
			out[d] = &deptStats{Dept: d}
		}
		return out[d]
	}
	var ts []struct {
		Dept                        int64
		StartedAt, DueAt, StoppedAt time.Time
	}
	err := st.conn(ctx).Raw(`SELECT s.department_org_id AS dept, t.started_at, t.due_at, t.stopped_at
		FROM supervision_timers t JOIN supervision_subjects s ON s.subject = t.subject
		WHERE s.kind = 'case' AND t.rule_id = ? AND t.stopped_at >= ? AND t.stopped_at < ?`, RuleCasePromised, from, to).Scan(&ts).Error
	if err != nil {
		return nil, storage.Translate(err)
	}
	for _, t := range ts {
		d := get(t.Dept)
		d.Finished++
		if !t.StoppedAt.After(t.DueAt) {
			d.OnTime++
		}
		if total := t.DueAt.Sub(t.StartedAt); total > 0 {
			d.UsedSum += float64(t.StoppedAt.Sub(t.StartedAt)) / float64(total)
		}
	}
	var ws []struct {
		Dept  int64
		Light string
		N     int
	}
	err = st.conn(ctx).Raw(`SELECT w.department_org_id AS dept, w.light, COUNT(*) AS n FROM supervision_warnings w
		JOIN supervision_subjects s ON s.subject = w.subject
		WHERE s.kind = 'case' AND w.raised_at >= ? AND w.raised_at < ? GROUP BY w.department_org_id, w.light`, from, to).Scan(&ws).Error
	if err != nil {
		return nil, storage.Translate(err)
	}
	for _, w := range ws {
		d := get(w.Dept)
		d.Warnings += w.N
		if w.Light == string(Red) {
			d.Red += w.N
		}
	}
	var rs []struct {
		Dept   int64
		N, Sum int
	}
	err = st.conn(ctx).Raw(`SELECT s.department_org_id AS dept, COUNT(*) AS n, SUM(c.n) AS sum FROM supervision_counts c
		JOIN supervision_subjects s ON s.subject = c.subject
		WHERE c.rule_id = ? AND c.count_key IN ? GROUP BY s.department_org_id`, ruleRating, months).Scan(&rs).Error
	for _, r := range rs {
		d := get(r.Dept)
		d.Ratings, d.LevelSum = r.N, r.Sum
	}
	return out, storage.Translate(err)
}

func gormExpr(sql string) clause.Expr { return gorm.Expr(sql) }

func onConflictNothing(columns ...string) clause.OnConflict {
	cols := make([]clause.Column, len(columns))
	for i, c := range columns {
		cols[i] = clause.Column{Name: c}
	}
	return clause.OnConflict{Columns: cols, DoNothing: true}
}

// count reads the subject's counter of rule and key, 0 when there is none.
func (st store) count(ctx context.Context, subject, rule, key string) (int, error) {
	var n []int
	err := st.conn(ctx).Raw("SELECT n FROM supervision_counts WHERE subject = ? AND rule_id = ? AND count_key = ?", subject, rule, key).Scan(&n).Error
	if err != nil || len(n) == 0 {
		return 0, storage.Translate(err)
	}
	return n[0], nil
}
