package evaluation

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// SignedReport is the final report as stored: its exact bytes and every
// member's answer.
type SignedReport struct {
	Report     json.RawMessage `json:"report"`
	Digest     string          `json:"digest"`
	Signatures []Signature     `json:"signatures"`
}

func verifyB64(pub *notary.PublicKey, msg []byte, signatureB64 string) bool {
	sig, err := base64.StdEncoding.DecodeString(signatureB64)
	return err == nil && pub.Verify(msg, sig)
}

// publishReport stores a final report as JSON and PDF, once; it is safe to
// repeat (the sweep repeats it after a failure).
func (s *Service) publishReport(ctx context.Context, sessionID int64) error {
	var row reportRow
	if err := s.st.take(ctx, false, &row, "评标报告不存在", "report not found", "session_id = ?", sessionID); err != nil {
		return err
	}
	if row.FinalAt == nil || row.JSONKey != "" {
		return nil
	}
	blobs, err := s.storeBlobs()
	if err != nil {
		return err
	}
	var sigs []Signature
	if err := s.st.find(ctx, &sigs, "seat", "session_id = ?", sessionID); err != nil {
		return err
	}
	doc, err := json.Marshal(SignedReport{Report: row.Body, Digest: row.Digest, Signatures: sigs})
	if err != nil {
		return err
	}
	var rep Report
	if err := json.Unmarshal(row.Body, &rep); err != nil {
		return apperr.Wrap(err, apperr.Internal, "评标报告数据损坏", "the stored report is damaged")
	}
	var pdfBuf bytes.Buffer
	if err := renderReportPDF(&pdfBuf, rep, row.Digest, sigs, *row.FinalAt); err != nil {
		return err
	}
	base := "records/" + strconv.FormatInt(rep.SectionID, 10) + "/evaluation-report"
	if _, err := blobs.Save(ctx, base+".json", bytes.NewReader(doc), int64(len(doc))); err != nil {
		return err
	}
	if _, err := blobs.Save(ctx, base+".pdf", bytes.NewReader(pdfBuf.Bytes()), int64(pdfBuf.Len())); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		n, err := s.st.update(ctx, &reportRow{}, map[string]any{"json_key": base + ".json", "pdf_key": base + ".pdf"}, "session_id = ? AND json_key = ?", sessionID, "")
		if err != nil || n != 1 {
			return err
		}
		return s.log(ctx, "evaluation.report_stored", sessionRef(sessionID), "system",
			map[string]any{"digest": row.Digest, "json": base + ".json", "pdf": base + ".pdf", "sectionId": rep.SectionID})
	})
}

// ReportFile returns the final report as JSON (pdf false) or PDF, to those
// who may read the report. Errors: apperr.NotFound (report_not_final);
// apperr.Forbidden.
func (s *Service) ReportFile(ctx context.Context, actor accounts.Principal, sessionID int64, pdf bool, ip string) ([]byte, error) {
	if _, _, _, err := s.readable(ctx, actor, sessionID, ip); err != nil {
		return nil, err
	}
	var row reportRow
	if err := s.st.take(ctx, false, &row, "评标报告不存在", "report not found", "session_id = ?", sessionID); err != nil {
		return nil, err
	}
	if row.JSONKey == "" {
		return nil, apperr.New(apperr.NotFound, "评标报告尚未签署完成", "the report is not final yet").WithCode("report_not_final")
	}
	key := row.JSONKey
	if pdf {
		key = row.PDFKey
	}
	return s.readBlob(ctx, key)
}

func (s *Service) readBlob(ctx context.Context, key string) ([]byte, error) {
	blobs, err := s.storeBlobs()
	if err != nil {
		return nil, err
	}
	return storage.ReadAll(ctx, blobs, key)
}
