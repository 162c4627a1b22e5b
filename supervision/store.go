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
	return st.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: column}}, DoNothing: true})
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
