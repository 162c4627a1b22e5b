package evaluation

import (
	"time"

	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// This file is the package's only user of gorm (through storage.DB.Conn).
// Every function runs on the connection carried by ctx, so it joins the
// caller's transaction.

type store struct{ db *storage.DB }

func (st store) conn(ctx context.Context) *gorm.DB { return st.db.Conn(ctx) }

// lock is conn with SELECT … FOR UPDATE where the database has it.
func (st store) lock(ctx context.Context) *gorm.DB {
	q := st.conn(ctx)
	if st.db.Dialect() == storage.MySQL {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return q
}

func (st store) insert(ctx context.Context, row any) error {
	return storage.Translate(st.conn(ctx).Create(row).Error)
}

func (st store) save(ctx context.Context, row any) error {
	return storage.Translate(st.conn(ctx).Save(row).Error)
}

// upsert writes row, replacing the one with the same primary key.
func (st store) upsert(ctx context.Context, row any) error {
	return storage.Translate(st.conn(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(row).Error)
}

// find loads rows matching where into dest, in order.
func (st store) find(ctx context.Context, dest any, order string, where string, args ...any) error {
	q := st.conn(ctx).Where(where, args...)
	if order != "" {
		q = q.Order(order)
	}
	return storage.Translate(q.Find(dest).Error)
}

// take loads one row into dest, or returns apperr.NotFound with msg.
func (st store) take(ctx context.Context, lock bool, dest any, zh, en string, where string, args ...any) error {
	q := st.conn(ctx)
	if lock {
		q = st.lock(ctx)
	}
	err := storage.Translate(q.Where(where, args...).Take(dest).Error)
	if apperr.Is(err, apperr.NotFound) {
		return apperr.New(apperr.NotFound, zh, en)
	}
	return err
}

// update sets fields on the rows of model matching where; it returns how
// many changed.
func (st store) update(ctx context.Context, model any, fields map[string]any, where string, args ...any) (int64, error) {
	res := st.conn(ctx).Model(model).Where(where, args...).Updates(fields)
	return res.RowsAffected, storage.Translate(res.Error)
}

// count returns how many rows of model match where.
func (st store) count(ctx context.Context, model any, where string, args ...any) (int64, error) {
	var n int64
	err := storage.Translate(st.conn(ctx).Model(model).Where(where, args...).Count(&n).Error)
	return n, err
}

// openFlags counts a session's deviation flags not yet settled.
func (st store) openFlags(ctx context.Context, sessionID int64) (int64, error) {
	return st.count(ctx, &Flag{}, "session_id = ? AND status = ?", sessionID, FlagOpen)
}

// seatedSessions lists the sessions in which the user holds a seat not
// withdrawn from.
func (st store) seatedSessions(ctx context.Context, userID int64) ([]int64, error) {
	var ids []int64
	err := storage.Translate(st.conn(ctx).Model(&member{}).Where("user_id = ? AND role <> ?", userID, RoleWithdrawn).Pluck("session_id", &ids).Error)
	return ids, err
}

func (st store) room(ctx context.Context, id int64) (Room, error) {
	var r Room
	return r, st.take(ctx, false, &r, "评标室不存在", "evaluation room not found", "id = ?", id)
}

func (st store) rooms(ctx context.Context) ([]Room, error) {
	rs := []Room{}
	return rs, st.find(ctx, &rs, "id", "1 = 1")
}

func (st store) session(ctx context.Context, id int64, lock bool) (Session, error) {
	var s Session
	return s, st.take(ctx, lock, &s, "评标会话不存在", "evaluation session not found", "id = ?", id)
}

func (st store) sessionOfSection(ctx context.Context, sectionID int64, lock bool) (Session, error) {
	var s Session
	return s, st.take(ctx, lock, &s, "该标段尚未开始评标", "the section's evaluation has not started", "section_id = ?", sectionID)
}

func (st store) members(ctx context.Context, sessionID int64) ([]member, error) {
	var ms []member
	return ms, st.find(ctx, &ms, "seat", "session_id = ?", sessionID)
}

type schemeRow struct {
	SectionID int64     `gorm:"column:section_id;primaryKey"`
	Scheme    Scheme    `gorm:"column:scheme;serializer:json"`
	UpdatedBy int64     `gorm:"column:updated_by"`
	UpdatedAt time.Time `gorm:"column:updated_at"`
}

func (schemeRow) TableName() string { return "eval_schemes" }

// scheme returns the stored scheme of a section, and whether there is one.
func (st store) scheme(ctx context.Context, sectionID int64) (Scheme, bool, error) {
	var rows []schemeRow
	if err := st.find(ctx, &rows, "", "section_id = ?", sectionID); err != nil || len(rows) == 0 {
		return Scheme{}, false, err
	}
	return rows[0].Scheme, true, nil
}
