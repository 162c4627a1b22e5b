package supervision

import (
	"context"
	"time"

	"github.com/tenderhall/tenderhall/storage"
)

// Outcome is one bidder's result in one awarded section.
type Outcome struct {
	Subject     string    `gorm:"column:subject;primaryKey"`
	BidderOrgID int64     `gorm:"column:bidder_org_id;primaryKey"`
	Won         bool      `gorm:"column:won"`
	DecidedAt   time.Time `gorm:"column:decided_at"`
}

// TableName maps Outcome to supervision_outcomes.
func (Outcome) TableName() string { return "supervision_outcomes" }

func (st store) insertOutcome(ctx context.Context, o *Outcome) error {
	return storage.Translate(st.conn(ctx).Clauses(onConflictNothing("subject", "bidder_org_id")).Create(o).Error)
}

// outcomesOfAll lists the outcomes of orgs decided since since, oldest first.
func (st store) outcomesOfAll(ctx context.Context, orgs []int64, since time.Time) ([]Outcome, error) {
	var out []Outcome
	if len(orgs) == 0 {
		return out, nil
	}
	err := st.conn(ctx).Where("bidder_org_id IN ? AND decided_at >= ?", orgs, since).Order("decided_at, subject").Find(&out).Error
	return out, storage.Translate(err)
}
