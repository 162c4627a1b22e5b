package supervision

import (
	"context"
	"strconv"
	"time"

	"github.com/tenderhall/tenderhall/storage"
)

// Scan is the reading of one section's decrypted bids for the signals
// that need their contents (documents' metadata and hashes, the bid
// forms' contacts and accounts).
type Scan struct {
	Subject      string      `json:"subject" gorm:"column:subject;primaryKey"`
	SourceSeq    int64       `json:"sourceSeq" gorm:"column:source_seq"`
	Bids         []openedBid `json:"bids" gorm:"column:bids;serializer:json"`
	State        string      `json:"state" gorm:"column:state"` // pending, done
	Attempts     int         `json:"attempts" gorm:"column:attempts"`
	LastError    string      `json:"lastError,omitempty" gorm:"column:last_error"`
	ClaimedUntil *time.Time  `json:"-" gorm:"column:claimed_until"`
	CreatedAt    time.Time   `json:"createdAt" gorm:"column:created_at"`
	DoneAt       *time.Time  `json:"doneAt,omitempty" gorm:"column:done_at"`
}

// TableName maps Scan to supervision_scans.
func (Scan) TableName() string { return "supervision_scans" }

// Document is one document of a scanned bid: its hash, its format and,
// unless Skipped says why not, the metadata it carries.
type Document struct {
	ID          int64  `json:"-" gorm:"column:id;primaryKey"`
	Subject     string `json:"-" gorm:"column:subject"`
	BidID       int64  `json:"bidId" gorm:"column:bid_id"`
	BidderOrgID int64  `json:"bidderOrgId" gorm:"column:bidder_org_id"`
	Entry       int    `json:"entry" gorm:"column:entry"`
	Name        string `json:"name" gorm:"column:name"`
	Size        int64  `json:"size" gorm:"column:size"`
	SM3         string `json:"sm3" gorm:"column:sm3"`
	Format      string `json:"format,omitempty" gorm:"column:format"`
	MetaSealed  string `json:"-" gorm:"column:meta_sealed"`
	Skipped     string `json:"skipped,omitempty" gorm:"column:skipped"`
}

// TableName maps Document to supervision_documents.
func (Document) TableName() string { return "supervision_documents" }

const (
	scanPending = "pending"
	scanDone    = "done"
)

func (st store) queueScan(ctx context.Context, sc *Scan) error {
	return storage.Translate(st.insertIgnoring(ctx, "subject").Create(sc).Error)
}

// pendingScans lists scans not done, oldest first.
func (st store) pendingScans(ctx context.Context, limit int) ([]Scan, error) {
	var out []Scan
	err := st.conn(ctx).Where("state = ?", scanPending).Order("created_at, subject").Limit(limit).Find(&out).Error
	return out, storage.Translate(err)
}

// claimScan takes a pending scan until until, unless another worker holds
// it: false when it lost.
func (st store) claimScan(ctx context.Context, subject string, now, until time.Time) (bool, error) {
	res := st.conn(ctx).Model(&Scan{}).
		Where("subject = ? AND state = ? AND (claimed_until IS NULL OR claimed_until < ?)", subject, scanPending, now).
		Updates(map[string]any{"claimed_until": until, "attempts": gormExpr("attempts + 1")})
	return res.RowsAffected == 1, storage.Translate(res.Error)
}

// failScan records why an attempt failed and frees the scan for a later one.
func (st store) failScan(ctx context.Context, subject, reason string) error {
	return storage.Translate(st.conn(ctx).Model(&Scan{}).Where("subject = ?", subject).
		Updates(map[string]any{"last_error": reason, "claimed_until": nil}).Error)
}

func (st store) finishScan(ctx context.Context, subject string, now time.Time) error {
	return storage.Translate(st.conn(ctx).Model(&Scan{}).Where("subject = ?", subject).
		Updates(map[string]any{"state": scanDone, "done_at": now, "claimed_until": nil}).Error)
}

func (st store) scan(ctx context.Context, subject string) (Scan, error) {
	var sc Scan
	err := st.conn(ctx).Where("subject = ?", subject).First(&sc).Error
	return sc, storage.Translate(err)
}

func (st store) insertDocument(ctx context.Context, d *Document) error {
	return storage.Translate(st.conn(ctx).Clauses(onConflictNothing("bid_id", "entry")).Create(d).Error)
}

func (st store) documents(ctx context.Context, subject string) ([]Document, error) {
	out := []Document{}
	err := st.conn(ctx).Where("subject = ?", subject).Order("bid_id, entry").Find(&out).Error
	return out, storage.Translate(err)
}

// boardVersion is the latest subject change as text ("" on an empty
// board): creating, relighting and closing a subject all set updated_at;
// the number of subjects changed at that millisecond tells two changes
// within it apart. Both are read through the updated_at index.
func (st store) boardVersion(ctx context.Context) (string, error) {
	var at []time.Time
	err := st.conn(ctx).Model(&Subject{}).Order("updated_at DESC").Limit(1).Pluck("updated_at", &at).Error
	if err != nil || len(at) == 0 {
		return "", storage.Translate(err)
	}
	var n int64
	if err := st.conn(ctx).Model(&Subject{}).Where("updated_at = ?", at[0]).Count(&n).Error; err != nil {
		return "", storage.Translate(err)
	}
	return at[0].UTC().Format("20060102T150405.000") + "/" + strconv.FormatInt(n, 10), nil
}
