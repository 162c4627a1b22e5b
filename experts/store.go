package experts

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// This file is the package's only user of gorm. Every function runs on the
// connection carried by ctx, so it joins the caller's transaction. Times
// are compared in Go where SQLite would compare text.

type store struct{ db *storage.DB }

func (st store) conn(ctx context.Context) *gorm.DB { return st.db.Conn(ctx) }

func notFound(err error, zh, en string) error {
	if t := storage.Translate(err); t != nil && apperr.Is(t, apperr.NotFound) {
		return apperr.Wrap(err, apperr.NotFound, zh, en)
	}
	return storage.Translate(err)
}

func (st store) insert(ctx context.Context, row any) error {
	return storage.Translate(st.conn(ctx).Create(row).Error)
}

func (st store) save(ctx context.Context, row any) error {
	return storage.Translate(st.conn(ctx).Save(row).Error)
}

func (st store) lock(ctx context.Context) *gorm.DB {
	q := st.conn(ctx)
	if st.db.Dialect() == storage.MySQL {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return q
}

func (st store) expert(ctx context.Context, id int64, forUpdate bool) (Expert, error) {
	var e Expert
	q := st.conn(ctx)
	if forUpdate {
		q = st.lock(ctx)
	}
	err := q.First(&e, id).Error
	return e, notFound(err, "专家不存在", "expert not found")
}

// expertByHash returns the expert whose ID number hashes to h, if any.
func (st store) expertByHash(ctx context.Context, h string) (Expert, bool, error) {
	var out []Expert
	err := st.conn(ctx).Where("id_hash = ?", h).Limit(1).Find(&out).Error
	if err != nil || len(out) == 0 {
		return Expert{}, false, storage.Translate(err)
	}
	return out[0], true, nil
}

// experts lists experts with id above after, in ID order.
func (st store) experts(ctx context.Context, after int64, limit int, status Status) ([]Expert, error) {
	q := st.conn(ctx).Where("id > ?", after)
	if status != "" {
		q = q.Where("status = ?", status)
	}
	var out []Expert
	err := q.Order("id").Limit(limit).Find(&out).Error
	return out, storage.Translate(err)
}

func (st store) countExperts(ctx context.Context) (int64, error) {
	var n int64
	err := st.conn(ctx).Model(&Expert{}).Count(&n).Error
	return n, storage.Translate(err)
}

func (st store) employments(ctx context.Context, expertIDs []int64) ([]Employment, error) {
	var out []Employment
	err := inChunks(expertIDs, func(ids []int64) error {
		var part []Employment
		err := st.conn(ctx).Where("expert_id IN ?", ids).Order("id").Find(&part).Error
		out = append(out, part...)
		return err
	})
	return out, storage.Translate(err)
}

// setSpecialties replaces the expert's rows in expert_specialties.
func (st store) setSpecialties(ctx context.Context, expertID int64, codes []string) error {
	if err := st.conn(ctx).Exec("DELETE FROM expert_specialties WHERE expert_id = ?", expertID).Error; err != nil {
		return storage.Translate(err)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if seen[c] {
			continue
		}
		seen[c] = true
		if err := st.conn(ctx).Exec("INSERT INTO expert_specialties (expert_id, code) VALUES (?, ?)", expertID, c).Error; err != nil {
			return storage.Translate(err)
		}
	}
	return nil
}

func (st store) deleteEmployments(ctx context.Context, expertID int64) error {
	return storage.Translate(st.conn(ctx).Where("expert_id = ?", expertID).Delete(&Employment{}).Error)
}

func (st store) leaves(ctx context.Context, expertIDs []int64) ([]Leave, error) {
	var out []Leave
	err := inChunks(expertIDs, func(ids []int64) error {
		var part []Leave
		err := st.conn(ctx).Where("expert_id IN ?", ids).Order("id").Find(&part).Error
		out = append(out, part...)
		return err
	})
	return out, storage.Translate(err)
}

// candidatePool returns what the filters read of every expert holding a
// specialty that starts with one of prefixes (any status: the filters
// record why a suspended one is out), found by index ranges over
// expert_specialties. Specialties holds only the codes under the prefixes,
// the ones the groups match on. It scans rows by hand: at 100,000 experts
// gorm's reflection was most of a draw's time.
func (st store) candidatePool(ctx context.Context, prefixes []string) ([]Expert, error) {
	where := make([]string, len(prefixes))
	args := make([]any, 0, 2*len(prefixes))
	for i, p := range prefixes {
		where[i] = "(s.code >= ? AND s.code < ?)"
		args = append(args, p, p+"~") // codes are A-C and digits, all below '~'
	}
	rows, err := st.conn(ctx).Raw("SELECT e.id, s.code, e.employer_uscc, e.region, e.category, e.status, e.suspended_until "+
		"FROM expert_specialties s JOIN experts e ON e.id = s.expert_id WHERE "+strings.Join(where, " OR ")+" ORDER BY e.id, s.code", args...).Rows()
	if err != nil {
		return nil, storage.Translate(err)
	}
	defer rows.Close()
	var out []Expert
	for rows.Next() {
		var e Expert
		var code string
		var until sql.NullTime
		if err := rows.Scan(&e.ID, &code, &e.EmployerUSCC, &e.Region, &e.Category, &e.Status, &until); err != nil {
			return nil, storage.Translate(err)
		}
		if n := len(out); n > 0 && out[n-1].ID == e.ID {
			out[n-1].Specialties = append(out[n-1].Specialties, code)
			continue
		}
		if until.Valid {
			e.SuspendedUntil = &until.Time
		}
		e.Specialties = []string{code}
		out = append(out, e)
	}
	return out, storage.Translate(rows.Err())
}

// jobsWith returns the employments at any of the employers codes (the
// avoidance rules only read those).
func (st store) jobsWith(ctx context.Context, codes []string) ([]Employment, error) {
	var out []Employment
	if len(codes) == 0 {
		return out, nil
	}
	err := st.conn(ctx).Where("employer_uscc IN ?", codes).Find(&out).Error
	return out, storage.Translate(err)
}

// allLeaves returns every leave; the rules compare times in Go (SQLite
// keeps times as text).
func (st store) allLeaves(ctx context.Context) ([]Leave, error) {
	var out []Leave
	err := st.conn(ctx).Find(&out).Error
	return out, storage.Translate(err)
}

// history returns draw history rows since from, and every row tagged with
// projectTag, for the given experts.
func (st store) history(ctx context.Context, since time.Time, projectTag string) ([]historyRow, error) {
	var out []historyRow
	err := st.conn(ctx).Where("drawn_at >= ? OR project_tag = ?", since, projectTag).Find(&out).Error
	return out, storage.Translate(err)
}

// orgUSCCs maps organisation IDs to their credit codes (empty when none).
func (st store) orgUSCCs(ctx context.Context, ids []int64) (map[int64]string, error) {
	type row struct {
		ID   int64  `gorm:"column:id"`
		USCC string `gorm:"column:uscc"`
	}
	var rows []row
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	err := st.conn(ctx).Raw("SELECT id, COALESCE(uscc, '') AS uscc FROM organizations WHERE id IN ?", ids).Scan(&rows).Error
	for _, r := range rows {
		out[r.ID] = r.USCC
	}
	return out, storage.Translate(err)
}

func (st store) draw(ctx context.Context, id int64, forUpdate bool) (drawRow, error) {
	var d drawRow
	q := st.conn(ctx)
	if forUpdate {
		q = st.lock(ctx)
	}
	err := q.First(&d, id).Error
	return d, notFound(err, "抽取记录不存在", "draw not found")
}

// pendingDraw reports whether the section has a draw not yet drawn.
func (st store) pendingDraw(ctx context.Context, sectionID int64) (bool, error) {
	var n int64
	err := st.conn(ctx).Model(&drawRow{}).Where("section_id = ? AND state = ?", sectionID, DrawCommitted).Count(&n).Error
	return n > 0, storage.Translate(err)
}

func (st store) drawsOf(ctx context.Context, sectionID int64) ([]drawRow, error) {
	var out []drawRow
	err := st.conn(ctx).Where("section_id = ?", sectionID).Order("id").Find(&out).Error
	return out, storage.Translate(err)
}

func (st store) insertHistory(ctx context.Context, rows []historyRow) error {
	if len(rows) == 0 {
		return nil
	}
	return storage.Translate(st.conn(ctx).CreateInBatches(rows, 200).Error)
}

func inChunks(ids []int64, fn func([]int64) error) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		if err := fn(ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}
