package approval

import (
	"context"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// EventMaterialReused records a material taken from the applicant's
// library instead of an upload: which entry, which file, which digest.
const EventMaterialReused = "approval.material_reused"

// EventLibraryKept records the materials of an accepted case entering the
// applicant's library.
const EventLibraryKept = "approval.library_kept"

// The library entry kinds.
const (
	LibraryMaterial    = "material"    // an accepted material (要件库)
	LibraryCertificate = "certificate" // an issued certificate (电子证照库)
)

// LibraryEntry is one file kept in an applicant's library (电子证照库,
// 要件库) for later applications to reuse. Material keys name a kind of
// document across the whole catalogue (business_licence is the same
// document in every item that asks for it), which is what makes reuse
// across items possible.
type LibraryEntry struct {
	ID           int64     `json:"id"`
	Kind         string    `json:"kind"`
	MaterialKey  string    `json:"materialKey"`
	Name         string    `json:"name"`
	FileName     string    `json:"fileName"`
	SM3          string    `json:"sm3"`
	Size         int64     `json:"size"`
	SourceCaseID int64     `json:"sourceCaseId"`
	ExpiresAt    time.Time `json:"expiresAt"`
	CreatedAt    time.Time `json:"createdAt"`
}

type libraryRow struct {
	ID              int64     `gorm:"column:id;primaryKey"`
	ApplicantUserID int64     `gorm:"column:applicant_user_id"`
	Kind            string    `gorm:"column:kind"`
	MaterialKey     string    `gorm:"column:material_key"`
	Name            string    `gorm:"column:name"`
	FileName        string    `gorm:"column:file_name"`
	BlobKey         string    `gorm:"column:blob_key"`
	SM3             string    `gorm:"column:sm3"`
	Size            int64     `gorm:"column:size"`
	SourceCaseID    int64     `gorm:"column:source_case_id"`
	ExpiresAt       time.Time `gorm:"column:expires_at"`
	CreatedAt       time.Time `gorm:"column:created_at"`
}

// TableName maps libraryRow to approval_library.
func (libraryRow) TableName() string { return "approval_library" }

func (r libraryRow) entry() LibraryEntry {
	return LibraryEntry{ID: r.ID, Kind: r.Kind, MaterialKey: r.MaterialKey, Name: r.Name, FileName: r.FileName, SM3: r.SM3,
		Size: r.Size, SourceCaseID: r.SourceCaseID, ExpiresAt: r.ExpiresAt.UTC(), CreatedAt: r.CreatedAt.UTC()}
}

// Library lists the caller's own library, newest first, expired entries
// included (their ExpiresAt says so). Errors: Forbidden unless actor is an
// applicant.
func (s *Service) Library(ctx context.Context, actor accounts.Principal) ([]LibraryEntry, error) {
	if actor.UserID == 0 || !actor.Has(accounts.RoleApplicant) {
		return nil, apperr.New(apperr.Forbidden, "只有申请人可以查看自己的证照库", "only an applicant has a library").WithCode("applicant_required")
	}
	var rows []libraryRow
	if err := s.st.conn(ctx).Where("applicant_user_id = ?", actor.UserID).Order("id DESC").Find(&rows).Error; err != nil {
		return nil, storage.Translate(err)
	}
	out := make([]LibraryEntry, len(rows))
	for i, r := range rows {
		out[i] = r.entry()
	}
	return out, nil
}

// keepInLibrary copies the materials of accepted case r into its
// applicant's library, each valid for its material's ValidMonths; a file
// already kept (same material, same digest) is not kept twice. It runs in
// the acceptance's transaction.
func (s *Service) keepInLibrary(ctx context.Context, actor accounts.Principal, r caseRow, now time.Time) error {
	it, err := s.st.itemByID(ctx, r.ItemID)
	if err != nil {
		return err
	}
	rows, err := s.st.materials(ctx, fileOf(r))
	if err != nil {
		return err
	}
	byKey := map[string]Material{}
	for _, m := range it.Materials {
		byKey[m.Key] = m
	}
	kept := []string{}
	for _, m := range rows {
		spec, listed := byKey[m.Material]
		if !listed {
			continue // a joint file's material another part asked for
		}
		months := spec.ValidMonths
		if months <= 0 {
			months = DefaultValidMonths
		}
		e := libraryRow{ApplicantUserID: r.ApplicantUserID, Kind: LibraryMaterial, MaterialKey: m.Material, Name: spec.Name,
			FileName: m.FileName, BlobKey: m.BlobKey, SM3: m.SM3, Size: m.Size, SourceCaseID: r.ID,
			ExpiresAt: now.AddDate(0, months, 0), CreatedAt: now}
		added, err := s.st.insertNew(ctx, &e)
		if err != nil {
			return err
		}
		if added {
			kept = append(kept, m.Material)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return s.append(ctx, EventLibraryKept, caseSubject(r.ID), actor, map[string]any{"materials": kept})
}

// reuseLibrary pre-fills new case r's materials from its applicant's
// library: for every material of the item, the newest unexpired entry of
// that key, recorded on the case (reused_from) with an
// approval.material_reused event naming the entry, file and digest. It
// runs in the application's transaction.
func (s *Service) reuseLibrary(ctx context.Context, actor accounts.Principal, r caseRow, it Item, now time.Time) error {
	for _, m := range it.Materials {
		var e libraryRow
		err := s.st.conn(ctx).Where("applicant_user_id = ? AND material_key = ? AND expires_at > ?", r.ApplicantUserID, m.Key, now).
			Order("id DESC").Limit(1).Find(&e).Error
		if err != nil {
			return storage.Translate(err)
		}
		if e.ID == 0 {
			continue
		}
		id := e.ID
		row := materialRow{CaseID: r.ID, Material: m.Key, FileName: e.FileName, BlobKey: e.BlobKey, SM3: e.SM3, Size: e.Size,
			UploadedAt: now, ReusedFrom: &id}
		if err := s.st.putMaterial(ctx, row); err != nil {
			return err
		}
		if err := s.append(ctx, EventMaterialReused, caseSubject(r.ID), actor, map[string]any{"material": m.Key,
			"libraryEntry": e.ID, "kind": e.Kind, "fileName": e.FileName, "sm3": e.SM3, "sourceCaseId": e.SourceCaseID}); err != nil {
			return err
		}
	}
	return nil
}
