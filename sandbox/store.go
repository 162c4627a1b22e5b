package sandbox

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/tenderhall/tenderhall/storage"
)

// This file is the package's only user of gorm (through storage.DB.Conn).

type modeRow struct {
	ID            int64     `gorm:"column:id;primaryKey"`
	Mode          Mode      `gorm:"column:mode"`
	ClockOffsetMS int64     `gorm:"column:clock_offset_ms"`
	UpdatedAt     time.Time `gorm:"column:updated_at"`
}

func (modeRow) TableName() string { return "platform_mode" }

type store struct{ db *storage.DB }

// mode returns the stored mode row; apperr.NotFound before the first claim.
func (st store) mode(ctx context.Context, lock bool) (modeRow, error) {
	q := st.db.Conn(ctx)
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var r modeRow
	return r, storage.Translate(q.Where("id = 1").Take(&r).Error)
}

func (st store) insert(ctx context.Context, r modeRow) error {
	return storage.Translate(st.db.Conn(ctx).Create(&r).Error)
}

func (st store) setOffset(ctx context.Context, offset time.Duration, now time.Time) error {
	return storage.Translate(st.db.Conn(ctx).Model(&modeRow{}).Where("id = 1").
		Updates(map[string]any{"clock_offset_ms": offset.Milliseconds(), "updated_at": now}).Error)
}

// hasProjects reports whether any procurement project exists.
func (st store) hasProjects(ctx context.Context) (bool, error) {
	var n int64
	err := st.db.Conn(ctx).Raw("SELECT COUNT(*) FROM bid_projects").Scan(&n).Error
	return n > 0, storage.Translate(err)
}
