package calendar

import (
	"context"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// This file is the package's only user of gorm (through storage.DB.Conn).
// Every function runs on the connection carried by ctx, so it joins the
// caller's transaction if any.

type dayRow struct {
	Day       string    `gorm:"column:day;primaryKey"`
	Kind      string    `gorm:"column:kind"`
	Name      string    `gorm:"column:name"`
	UpdatedAt time.Time `gorm:"column:updated_at"`
	UpdatedBy string    `gorm:"column:updated_by"`
}

// TableName maps dayRow to the calendar_days table.
func (dayRow) TableName() string { return "calendar_days" }

type store struct{ db *storage.DB }

// version returns the calendar's change counter.
func (st store) version(ctx context.Context) (int64, error) {
	var v []int64
	if err := st.db.Conn(ctx).Raw("SELECT version FROM calendar_version WHERE id = 1").Scan(&v).Error; err != nil {
		return 0, storage.Translate(err)
	}
	if len(v) != 1 {
		return 0, apperr.New(apperr.Internal, "节假日版本记录缺失", "the calendar version row is missing")
	}
	return v[0], nil
}

// bumpVersion advances the change counter, holding its row lock until the
// transaction ends.
func (st store) bumpVersion(ctx context.Context) error {
	res := st.db.Conn(ctx).Exec("UPDATE calendar_version SET version = version + 1 WHERE id = 1")
	if res.Error != nil {
		return storage.Translate(res.Error)
	}
	if res.RowsAffected != 1 {
		return apperr.New(apperr.Internal, "节假日版本记录缺失", "the calendar version row is missing")
	}
	return nil
}

// between returns the rows with from <= day <= to, in date order.
func (st store) between(ctx context.Context, from, to string) ([]dayRow, error) {
	var rows []dayRow
	err := st.db.Conn(ctx).Where("day >= ? AND day <= ?", from, to).Order("day").Find(&rows).Error
	return rows, storage.Translate(err)
}

// deleteBetween removes the rows with from <= day <= to and returns how many.
func (st store) deleteBetween(ctx context.Context, from, to string) (int64, error) {
	res := st.db.Conn(ctx).Exec("DELETE FROM calendar_days WHERE day >= ? AND day <= ?", from, to)
	return res.RowsAffected, storage.Translate(res.Error)
}

func (st store) insert(ctx context.Context, rows []dayRow) error {
	if len(rows) == 0 {
		return nil
	}
	return storage.Translate(st.db.Conn(ctx).Create(&rows).Error)
}
