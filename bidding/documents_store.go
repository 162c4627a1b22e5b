package bidding

import (
	"context"
	"time"

	"github.com/tenderhall/tenderhall/storage"
)

// The tender documents' queries. They run on st.conn(ctx) (store.go), so
// they join the caller's transaction; this file does not import gorm.

// currentDocumentNamed returns the section's current (not replaced)
// documents called name, except the one with ID except.
func (st store) currentDocumentNamed(ctx context.Context, sectionID int64, name string, except int64) ([]Document, error) {
	var out []Document
	err := st.conn(ctx).Where("section_id = ? AND name = ? AND replaced_by IS NULL AND id <> ?", sectionID, name, except).
		Order("id").Find(&out).Error
	return out, storage.Translate(err)
}

// currentDocuments lists the section's documents that are not replaced.
func (st store) currentDocuments(ctx context.Context, sectionID int64) ([]Document, error) {
	out := []Document{}
	err := st.conn(ctx).Where("section_id = ? AND replaced_by IS NULL", sectionID).Order("id").Find(&out).Error
	return out, storage.Translate(err)
}

func (st store) document(ctx context.Context, id int64) (Document, error) {
	var d Document
	err := st.conn(ctx).First(&d, id).Error
	return d, notFound(err, "招标文件不存在", "document not found")
}

// downloadRow is one recorded download.
type downloadRow struct {
	ID           int64     `gorm:"column:id;primaryKey"`
	DocumentID   int64     `gorm:"column:document_id"`
	SectionID    int64     `gorm:"column:section_id"`
	UserID       int64     `gorm:"column:user_id"`
	OrgID        int64     `gorm:"column:org_id"`
	AsBidder     bool      `gorm:"column:as_bidder"`
	IP           string    `gorm:"column:ip"`
	DownloadedAt time.Time `gorm:"column:downloaded_at"`
}

// TableName maps downloadRow to its table.
func (downloadRow) TableName() string { return "bid_document_downloads" }

// downloads lists the section's recorded downloads, oldest first, with the
// user's and organisation's names.
func (st store) downloads(ctx context.Context, sectionID int64) ([]Download, error) {
	out := []Download{}
	err := st.conn(ctx).Table("bid_document_downloads d").
		Select("d.document_id, d.user_id, COALESCE(u.username, '') AS username, COALESCE(u.display_name, '') AS display_name, d.org_id, COALESCE(o.name, '') AS org_name, d.as_bidder, d.ip, d.downloaded_at").
		Joins("LEFT JOIN users u ON u.id = d.user_id").
		Joins("LEFT JOIN organizations o ON o.id = d.org_id").
		Where("d.section_id = ?", sectionID).Order("d.id").Scan(&out).Error
	return out, storage.Translate(err)
}

// downloaderOrgs returns the distinct organisations that downloaded the
// section's documents as bidders.
func (st store) downloaderOrgs(ctx context.Context, sectionID int64) ([]int64, error) {
	var out []int64
	err := st.conn(ctx).Model(&downloadRow{}).Distinct("org_id").
		Where("section_id = ? AND as_bidder = ? AND org_id <> 0", sectionID, true).Order("org_id").Pluck("org_id", &out).Error
	return out, storage.Translate(err)
}
