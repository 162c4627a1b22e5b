package evaluation

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/notary"
)

// NoticeType names the notices' format.
const NoticeType = "tenderhall.award-notice.v1"

// NoticeLabel prefixes the bytes the platform signs for a notice.
const NoticeLabel = "TenderHall award notice v1\n"

// NoticePDFLabel prefixes what the platform signs for a notice's PDF:
// NoticePDFLabel ‖ the PDF's SM3 digest in hex.
const NoticePDFLabel = "TenderHall award notice PDF v1\n"

// The notice kinds.
const (
	NoticeAward  = "award"  // 中标通知书, to the winner
	NoticeResult = "result" // 中标结果通知书, to every other bidder
)

// Notice is the content of an award or result notice.
type Notice struct {
	Type           string `json:"type"`
	Kind           string `json:"kind"`
	SectionID      int64  `json:"sectionId"`
	ProjectName    string `json:"projectName"`
	SectionCode    string `json:"sectionCode"`
	SectionName    string `json:"sectionName"`
	BidderOrgID    int64  `json:"bidderOrgId"`
	BidderName     string `json:"bidderName"`
	WinnerName     string `json:"winnerName"`
	WinnerPriceFen int64  `json:"winnerPriceFen"`
	WinnerDuration int    `json:"winnerDurationDays"`
	IssuedAt       string `json:"issuedAt"`
	ContractDue    string `json:"contractDue"`
	Sandbox        bool   `json:"sandbox,omitempty"`
}

// SignedNotice is a notice as stored and served: its exact bytes and the
// platform's SM2 signature over NoticeLabel ‖ those bytes.
type SignedNotice struct {
	ID          int64           `json:"id" gorm:"column:id;primaryKey"`
	SectionID   int64           `json:"sectionId" gorm:"column:section_id"`
	BidderOrgID int64           `json:"bidderOrgId" gorm:"column:bidder_org_id"`
	Kind        string          `json:"kind" gorm:"column:kind"`
	Body        json.RawMessage `json:"notice" gorm:"column:body"`
	KeyID       string          `json:"keyId" gorm:"column:key_id"`
	Signature   string          `json:"signature" gorm:"column:signature"`
	PDFKey      string          `json:"-" gorm:"column:pdf_key"`
	PDFDigest   string          `json:"pdfDigest" gorm:"column:pdf_digest"`       // SM3 of the PDF
	PDFSig      string          `json:"pdfSignature" gorm:"column:pdf_signature"` // over NoticePDFLabel ‖ pdfDigest
	CreatedAt   time.Time       `json:"createdAt" gorm:"column:created_at"`
}

// TableName maps SignedNotice to its table.
func (SignedNotice) TableName() string { return "award_notices" }

// Verify checks the notice's signature, and that of its PDF's digest, with
// the platform key and returns its content. Errors: apperr.Invalid
// (signature_invalid, bad_notice).
func (n SignedNotice) Verify(pub *notary.PublicKey) (Notice, error) {
	if n.KeyID != pub.ID || !verifyB64(pub, append([]byte(NoticeLabel), n.Body...), n.Signature) ||
		!verifyB64(pub, []byte(NoticePDFLabel+n.PDFDigest), n.PDFSig) {
		return Notice{}, apperr.New(apperr.Invalid, "通知书签名无效", "the notice's signature is invalid").WithCode("signature_invalid")
	}
	var out Notice
	if err := json.Unmarshal(n.Body, &out); err != nil || out.Type != NoticeType {
		return Notice{}, apperr.New(apperr.Invalid, "通知书格式无效", "the notice is malformed").WithCode("bad_notice")
	}
	return out, nil
}

type noticeDraft = SignedNotice

// issueNotices signs and stores, in ctx's transaction, one notice per
// bidder whose bid was opened; their PDFs follow after the commit.
func (s *Service) issueNotices(ctx context.Context, f bidding.EvaluationFacts, a Award, w Candidate) ([]noticeDraft, error) {
	key, err := s.platformKey()
	if err != nil {
		return nil, err
	}
	sess, err := s.st.sessionOfSection(ctx, f.SectionID, false)
	if err != nil {
		return nil, err
	}
	var out []noticeDraft
	for _, b := range sess.Bids {
		n := Notice{Type: NoticeType, Kind: NoticeResult, SectionID: f.SectionID, ProjectName: f.ProjectName, SectionCode: f.SectionCode,
			SectionName: f.SectionName, BidderOrgID: b.BidderOrgID, BidderName: b.BidderName, WinnerName: w.BidderName,
			WinnerPriceFen: w.PriceFen, WinnerDuration: w.DurationDays, IssuedAt: clock.Stamp(a.IssuedAt), ContractDue: clock.Stamp(a.ContractDue), Sandbox: f.Sandbox}
		if b.BidderOrgID == w.BidderOrgID {
			n.Kind = NoticeAward
		}
		body, err := json.Marshal(n)
		if err != nil {
			return nil, err
		}
		sig, err := key.Sign(append([]byte(NoticeLabel), body...))
		if err != nil {
			return nil, err
		}
		row := SignedNotice{SectionID: f.SectionID, BidderOrgID: b.BidderOrgID, Kind: n.Kind, Body: body, KeyID: key.Public().ID,
			Signature: base64.StdEncoding.EncodeToString(sig), PDFKey: fmt.Sprintf("records/%d/notice-%d.pdf", f.SectionID, b.BidderOrgID), CreatedAt: a.IssuedAt}
		doc, err := noticePDF(row)
		if err != nil {
			return nil, err
		}
		row.PDFDigest = notary.SM3Hex(doc)
		psig, err := key.Sign([]byte(NoticePDFLabel + row.PDFDigest))
		if err != nil {
			return nil, err
		}
		row.PDFSig = base64.StdEncoding.EncodeToString(psig)
		if err := s.st.insert(ctx, &row); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, nil
}

// storeNoticePDFs stores every notice PDF of a section that the blob
// store lacks (storeNoticePDF).
func (s *Service) storeNoticePDFs(ctx context.Context, sectionID int64) error {
	var ns []SignedNotice
	if err := s.st.find(ctx, &ns, "id", "section_id = ?", sectionID); err != nil {
		return err
	}
	for _, n := range ns {
		if err := s.storeNoticePDF(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

// storeNoticePDF renders and stores a notice's PDF if the blob store lacks
// it; it is safe to repeat, and a download repeats it, so a failure after
// the award's commit is repaired when the PDF is first asked for.
func (s *Service) storeNoticePDF(ctx context.Context, n SignedNotice) error {
	blobs, err := s.storeBlobs()
	if err != nil {
		return err
	}
	if _, err := blobs.Stat(ctx, n.PDFKey); err == nil {
		return nil
	} else if !apperr.Is(err, apperr.NotFound) {
		return err
	}
	doc, err := noticePDF(n)
	if err != nil {
		return err
	}
	if notary.SM3Hex(doc) != n.PDFDigest {
		return apperr.New(apperr.Internal, "通知书 PDF 与签名的摘要不符", "the notice's PDF does not match its signed digest")
	}
	_, err = blobs.Save(ctx, n.PDFKey, bytes.NewReader(doc), int64(len(doc)))
	return err
}

// Notices lists a section's notices: the agent and supervisors see all,
// a bidder its own organisation's. Errors: apperr.NotFound;
// apperr.Forbidden.
func (s *Service) Notices(ctx context.Context, actor accounts.Principal, sectionID int64) ([]SignedNotice, error) {
	out := []SignedNotice{}
	if err := s.sectionRows(ctx, actor, sectionID, &out, "无权查看通知书", "you may not see these notices"); err != nil {
		return nil, err
	}
	return out, nil
}

// NoticePDF returns notice id's PDF to those who may list it. Errors:
// apperr.NotFound; apperr.Forbidden.
func (s *Service) NoticePDF(ctx context.Context, actor accounts.Principal, noticeID int64) ([]byte, error) {
	var n SignedNotice
	if err := s.st.take(ctx, false, &n, "通知书不存在", "notice not found", "id = ?", noticeID); err != nil {
		return nil, err
	}
	all, err := s.seesAllOf(ctx, actor, n.SectionID, "无权查看通知书", "you may not see these notices")
	if err != nil {
		return nil, err
	}
	if !all && n.BidderOrgID != actor.OrgID {
		return nil, apperr.New(apperr.NotFound, "通知书不存在", "notice not found")
	}
	if err := s.storeNoticePDF(ctx, n); err != nil {
		return nil, err
	}
	return s.readBlob(ctx, n.PDFKey)
}

// noticePDF renders a notice's PDF; the rendering is deterministic, so the
// bytes stored after the commit are the ones whose digest was signed.
func noticePDF(n SignedNotice) ([]byte, error) {
	var content Notice
	if err := jsonUnmarshal(n.Body, &content); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err := renderNoticePDF(&buf, content, n.KeyID, notary.SM3Hex(n.Body), n.CreatedAt)
	return buf.Bytes(), err
}
