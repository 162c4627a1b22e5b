package bidding

import (
	"context"
	"io"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Who downloaded a section's tender documents, and how many did, is secret
// until the deadline (DESIGN.md §5): until then the downloads table is read
// by nothing but Downloaders, which refuses, and each download is otherwise
// only an event in the audit log. Document, the document list and every
// section, project and announcement view carry no download data.

// ListDocuments returns a section's current tender documents (name, size,
// SM3 digest, time). Anyone may list those of a published section (any
// state but draft); those of a draft only the project's agents. actor may
// be nil for an anonymous caller. Errors: apperr.NotFound for an unknown
// section, or a draft one the actor does not run.
func (s *Service) ListDocuments(ctx context.Context, actor *accounts.Principal, sectionID int64) ([]Document, error) {
	if _, err := s.readableSection(ctx, actor, sectionID); err != nil {
		return nil, err
	}
	return s.st.currentDocuments(ctx, sectionID)
}

// readableSection returns the section when its documents are visible to
// actor (nil: anonymous): published, or a draft of a project actor runs.
func (s *Service) readableSection(ctx context.Context, actor *accounts.Principal, sectionID int64) (Section, error) {
	sec, p, err := s.sectionAndProject(ctx, sectionID, false)
	if err != nil {
		return sec, err
	}
	if sec.State == StateDraft && (actor == nil || !runsProject(*actor, p)) {
		return sec, apperr.New(apperr.NotFound, "标段不存在或尚未发布", "section not found or not published yet")
	}
	return sec, nil
}

// DocumentDownload is an open tender document: the caller streams Body and
// closes it.
type DocumentDownload struct {
	Document
	Body io.ReadCloser
}

// DownloadDocument opens a tender document for a signed-in user and records
// the download (who, organisation, when, ip) in the downloads table and the
// event log ("document.downloaded"), in one transaction, before any byte
// is sent. No precondition beyond being signed in applies; a replaced
// document stays downloadable. Errors: apperr.NotFound for an unknown
// document or one of an unpublished section the actor does not run;
// apperr.Unavailable without a blob store; those of the blob store.
func (s *Service) DownloadDocument(ctx context.Context, actor accounts.Principal, documentID int64, ip string) (DocumentDownload, error) {
	blobs, err := s.blobStore()
	if err != nil {
		return DocumentDownload{}, err
	}
	doc, err := s.st.document(ctx, documentID)
	if err != nil {
		return DocumentDownload{}, err
	}
	if _, err := s.readableSection(ctx, &actor, doc.SectionID); err != nil {
		return DocumentDownload{}, apperr.New(apperr.NotFound, "招标文件不存在", "document not found")
	}
	body, err := blobs.Open(ctx, doc.BlobKey, 0, -1)
	if err != nil {
		return DocumentDownload{}, err
	}
	if len(ip) > 64 {
		ip = ip[:64]
	}
	asBidder := actor.Has(accounts.RoleBidder) && actor.OrgID != 0
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		row := downloadRow{DocumentID: doc.ID, SectionID: doc.SectionID, UserID: actor.UserID, OrgID: actor.OrgID,
			AsBidder: asBidder, IP: ip, DownloadedAt: s.now()}
		if err := s.st.insert(ctx, &row); err != nil {
			return err
		}
		_, err := s.events.Append(ctx, eventlog.Entry{Type: "document.downloaded", Subject: sectionRef(doc.SectionID), Actor: actor.Actor(),
			Payload: map[string]any{"documentId": doc.ID, "orgId": actor.OrgID, "asBidder": asBidder}})
		return err
	})
	if err != nil {
		body.Close()
		return DocumentDownload{}, err
	}
	return DocumentDownload{Document: doc, Body: body}, nil
}

// Download is one recorded download of a section's tender documents.
type Download struct {
	DocumentID   int64     `json:"documentId" gorm:"column:document_id"`
	UserID       int64     `json:"userId" gorm:"column:user_id"`
	Username     string    `json:"username" gorm:"column:username"`
	DisplayName  string    `json:"displayName" gorm:"column:display_name"`
	OrgID        int64     `json:"orgId" gorm:"column:org_id"`
	OrgName      string    `json:"orgName" gorm:"column:org_name"`
	AsBidder     bool      `json:"asBidder" gorm:"column:as_bidder"`
	IP           string    `json:"ip" gorm:"column:ip"`
	DownloadedAt time.Time `json:"downloadedAt" gorm:"column:downloaded_at"`
}

// Downloaders is the record of a section's downloads, revealed after the
// deadline. Count is the number of distinct organisations that downloaded
// as bidders.
type Downloaders struct {
	SectionID int64      `json:"sectionId"`
	Count     int        `json:"count"`
	Downloads []Download `json:"downloads"`
}

// Downloaders returns who downloaded a section's tender documents and how
// many organisations did, to the project's agents (and administrators) and
// supervisors, once bidding has closed: the section is past announced (a
// cancelled one only once its deadline has passed). Errors:
// apperr.NotFound; apperr.Forbidden for anyone else; apperr.Conflict
// (code "downloaders_secret") before the deadline, for everyone.
func (s *Service) Downloaders(ctx context.Context, actor accounts.Principal, sectionID int64) (Downloaders, error) {
	sec, p, err := s.sectionAndProject(ctx, sectionID, false)
	if err != nil {
		return Downloaders{}, err
	}
	if !runsProject(actor, p) && !actor.Has(accounts.RoleSupervisor) {
		return Downloaders{}, apperr.New(apperr.Forbidden, "只有该项目的代理人或监督人员可以查看下载记录",
			"only the project's agents or a supervisor may see the downloads").WithCode("project_forbidden")
	}
	if !s.downloadersRevealed(sec) {
		return Downloaders{}, apperr.New(apperr.Conflict, "投标截止前，下载招标文件的单位名称和数量保密",
			"the names and number of downloaders are secret until the bid deadline").WithCode("downloaders_secret")
	}
	out := Downloaders{SectionID: sectionID}
	if out.Downloads, err = s.st.downloads(ctx, sectionID); err != nil {
		return Downloaders{}, err
	}
	orgs, err := s.st.downloaderOrgs(ctx, sectionID)
	out.Count = len(orgs)
	return out, err
}

// downloadersRevealed reports whether the section's deadline has passed
// for the purpose of revealing its downloaders.
func (s *Service) downloadersRevealed(sec Section) bool {
	switch sec.State {
	case StateDraft, StateAnnounced:
		return false
	case StateCancelled:
		return sec.Deadline != nil && !s.clock.Now().Before(*sec.Deadline)
	}
	return true
}

// DownloaderOrgs returns the organisations that downloaded the section's
// documents as bidders, for notices sent to every downloader (a
// clarification). It is for the platform's own use: never expose its
// result before the deadline. Errors are those of storage.
func (s *Service) DownloaderOrgs(ctx context.Context, sectionID int64) ([]int64, error) {
	return s.st.downloaderOrgs(ctx, sectionID)
}
