package bidding

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// RecordType names the opening record's format.
const RecordType = "tenderhall.opening-record.v1"

// recordLabel prefixes the signed bytes, so a record signature serves
// nowhere else.
const recordLabel = "TenderHall opening record v1\n"

// OpeningRecord (开标记录表) is what the opening produced, as published.
type OpeningRecord struct {
	Type         string          `json:"type"`
	ProjectID    int64           `json:"projectId"`
	ProjectName  string          `json:"projectName"`
	SectionID    int64           `json:"sectionId"`
	SectionCode  string          `json:"sectionCode"`
	SectionName  string          `json:"sectionName"`
	Outcome      State           `json:"outcome"` // opened or failed
	FailReason   string          `json:"failReason,omitempty"`
	Deadline     string          `json:"deadline"`
	OpenedAt     string          `json:"openedAt"`
	WindowEndsAt string          `json:"windowEndsAt"`
	ResultsAt    string          `json:"resultsAt,omitempty"`
	ClosedAt     string          `json:"closedAt,omitempty"`
	BidCount     int             `json:"bidCount"`
	Bids         []ResultRow     `json:"bids"`
	Objections   []RoomObjection `json:"objections"`
	Participants map[string]int  `json:"participants"`      // check-ins by role
	Sandbox      bool            `json:"sandbox,omitempty"` // made by a sandbox: a test, without legal effect
}

// SignedRecord is the record as stored and served: the record's exact
// bytes, and the platform's SM2 signature over recordLabel ‖ those bytes.
type SignedRecord struct {
	Record    json.RawMessage `json:"record"`
	KeyID     string          `json:"keyId"`
	Signature string          `json:"signature"`
}

// Verify checks the signature with the platform's public key and returns
// the record. Errors: apperr.Invalid (code signature_invalid, or a record
// that does not parse).
func (r SignedRecord) Verify(pub *notary.PublicKey) (OpeningRecord, error) {
	sig, err := base64.StdEncoding.DecodeString(r.Signature)
	if err != nil || r.KeyID != pub.ID || !pub.Verify(append([]byte(recordLabel), r.Record...), sig) {
		return OpeningRecord{}, apperr.New(apperr.Invalid, "开标记录表签名无效", "the opening record's signature is invalid").WithCode("signature_invalid")
	}
	var rec OpeningRecord
	if err := json.Unmarshal(r.Record, &rec); err != nil || rec.Type != RecordType {
		return OpeningRecord{}, apperr.New(apperr.Invalid, "开标记录表格式无效", "the opening record is malformed").WithCode("bad_record")
	}
	return rec, nil
}

func stamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return clock.Stamp(*t)
}

// buildRecord gathers a closed room's record.
func (s *Service) buildRecord(ctx context.Context, sectionID int64) (OpeningRecord, error) {
	sec, p, err := s.sectionAndProject(ctx, sectionID, false)
	if err != nil {
		return OpeningRecord{}, err
	}
	r, err := s.room(ctx, sectionID)
	if err != nil {
		return OpeningRecord{}, err
	}
	rows, err := s.results(ctx, sectionID)
	if err != nil {
		return OpeningRecord{}, err
	}
	objs, err := s.roomObjections(ctx, sectionID)
	if err != nil {
		return OpeningRecord{}, err
	}
	var checkins []Checkin
	if err := s.db.Conn(ctx).Where("section_id = ?", sectionID).Find(&checkins).Error; err != nil {
		return OpeningRecord{}, storage.Translate(err)
	}
	who := map[string]int{"bidder": 0, "host": 0, "supervisor": 0}
	for _, c := range checkins {
		who[c.Role]++
	}
	rec := OpeningRecord{Type: RecordType, ProjectID: p.ID, ProjectName: p.Name, SectionID: sec.ID, SectionCode: sec.Code,
		SectionName: sec.Name, Outcome: sec.State, Deadline: stamp(sec.Deadline), OpenedAt: stamp(&r.OpenedAt),
		WindowEndsAt: stamp(&r.WindowEndsAt), ResultsAt: stamp(r.ResultsAt), ClosedAt: stamp(r.ClosedAt),
		BidCount: r.BidCount, Bids: rows, Objections: objs, Participants: who, Sandbox: s.sandbox}
	if sec.FailReason != nil {
		rec.FailReason = *sec.FailReason
	}
	return rec, nil
}

// publishRecord signs and stores a closed room's record, as JSON and PDF,
// once; it is safe to repeat.
func (s *Service) publishRecord(ctx context.Context, sectionID int64) error {
	r, err := s.room(ctx, sectionID)
	if err != nil || r.RecordKey != "" {
		return err
	}
	priv := s.up.key.Load()
	if priv == nil {
		return apperr.New(apperr.Unavailable, "平台签名密钥未配置", "the platform key is not configured").WithCode("no_platform_key")
	}
	blobs, err := s.blobs()
	if err != nil {
		return err
	}
	rec, err := s.buildRecord(ctx, sectionID)
	if err != nil {
		return err
	}
	body, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	sig, err := priv.Sign(append([]byte(recordLabel), body...))
	if err != nil {
		return err
	}
	doc, err := json.Marshal(SignedRecord{Record: body, KeyID: priv.Public().ID, Signature: base64.StdEncoding.EncodeToString(sig)})
	if err != nil {
		return err
	}
	digest := notary.SM3Hex(doc)
	var pdfBuf bytes.Buffer
	if err := renderRecordPDF(&pdfBuf, rec, priv.Public().ID, digest, s.now()); err != nil {
		return err
	}
	base := "records/" + strconv.FormatInt(sectionID, 10) + "/opening-record"
	if _, err := blobs.Save(ctx, base+".json", bytes.NewReader(doc), int64(len(doc))); err != nil {
		return err
	}
	if _, err := blobs.Save(ctx, base+".pdf", bytes.NewReader(pdfBuf.Bytes()), int64(pdfBuf.Len())); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		res := s.db.Conn(ctx).Model(&Room{}).Where("section_id = ? AND record_key = ?", sectionID, "").
			Updates(map[string]any{"record_key": base + ".json", "record_pdf_key": base + ".pdf", "record_digest": digest})
		if res.Error != nil || res.RowsAffected != 1 {
			return storage.Translate(res.Error)
		}
		return s.roomEvent(ctx, sectionID, "record", "system", map[string]any{"digest": digest, "json": base + ".json", "pdf": base + ".pdf"})
	})
}

// OpeningRecordFile returns the signed record of a closed room as JSON
// (pdf false) or PDF, for anyone: it is public. Errors: apperr.NotFound
// (code record_not_ready) before the room closed.
func (s *Service) OpeningRecordFile(ctx context.Context, sectionID int64, pdf bool) ([]byte, error) {
	r, err := s.room(ctx, sectionID)
	if err != nil {
		return nil, err
	}
	if r.RecordKey == "" {
		return nil, apperr.New(apperr.NotFound, "开标记录表尚未生成", "the opening record is not ready").WithCode("record_not_ready")
	}
	blobs, err := s.blobs()
	if err != nil {
		return nil, err
	}
	key := r.RecordKey
	if pdf {
		key = r.RecordPDFKey
	}
	return storage.ReadAll(ctx, blobs, key)
}

// yuan formats fen as yuan with two decimals and thousands separators.
func yuan(fen int64) string {
	s := strconv.FormatInt(fen/100, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return fmt.Sprintf("%s.%02d", s, fen%100)
}
