package supervision

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/docmeta"
	"github.com/tenderhall/tenderhall/notary"
)

// BidReader reads decrypted bids for the scans: bidding's read methods,
// registered in cmd (supervision reads the domains; no domain imports it).
type BidReader struct {
	// Open writes the plaintext package of a decrypted bid to w
	// (bidding.Service.OpenBid).
	Open func(ctx context.Context, bidID int64, w io.Writer) error
	// Fingerprint returns the sealing machine's fingerprint from the bid's
	// envelope, "" when none (bidding.Service.OpenedBidFingerprint).
	Fingerprint func(ctx context.Context, bidID int64) (string, error)
}

// SetBidReader lets the scans read decrypted bids, sealing what they find
// about people with fields; key names shared values in the signals'
// deduplication keys without revealing them. Without it scans wait.
func (s *Service) SetBidReader(r BidReader, fields *notary.FieldCipher, key []byte) {
	s.bids, s.fields, s.valueKey = r, fields, key
}

// Scan limits.
const (
	scanAttempts = 5                // attempts before a bid that cannot be read is recorded as such
	scanClaim    = 10 * time.Minute // how long one worker holds a scan
	scansPerRun  = 4                // scans one sweep does, so the consumer is not held up long
)

// scanBids does the pending scans. A scan whose bids cannot be read for a
// passing reason (the store unreachable) is retried by later sweeps; one
// that keeps failing records each unreadable bid with the reason. Errors:
// those of storage.
func (s *Service) scanBids(ctx context.Context) error {
	if s.bids.Open == nil || s.bids.Fingerprint == nil || s.fields == nil {
		return nil
	}
	scans, err := s.st.pendingScans(ctx, scansPerRun)
	if err != nil {
		return err
	}
	for _, sc := range scans {
		now := s.now()
		won, err := s.st.claimScan(ctx, sc.Subject, now, now.Add(scanClaim))
		if err != nil || !won {
			if err != nil {
				return err
			}
			continue
		}
		if err := s.scanOne(ctx, sc); err != nil {
			slog.WarnContext(ctx, "supervision scan failed; retried later", "subject", sc.Subject, "attempt", sc.Attempts+1, "err", err)
			if ferr := s.st.failScan(context.WithoutCancel(ctx), sc.Subject, err.Error()); ferr != nil {
				return ferr
			}
		}
	}
	return nil
}

// bidContents is what one bid package holds for the signals.
type bidContents struct {
	bid    openedBid
	device string // the sealing machine's fingerprint
	form   bidding.BidForm
	docs   []Document
	meta   map[int]docmeta.Meta // by entry
}

// scanOne reads every bid of sc, then records documents and signals in
// one transaction. An error leaves the scan pending.
func (s *Service) scanOne(ctx context.Context, sc Scan) error {
	var all []bidContents
	for _, b := range sc.Bids {
		c, err := s.readBidContents(ctx, b)
		if err != nil {
			if apperr.Is(err, apperr.Unavailable) && sc.Attempts+1 < scanAttempts {
				return err
			}
			c = bidContents{bid: b, docs: []Document{{BidID: b.BidID, BidderOrgID: b.BidderOrgID, Entry: -1,
				Skipped: "投标文件无法读取 / the bid could not be read: " + err.Error()}}}
		}
		all = append(all, c)
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		for _, c := range all {
			for i := range c.docs {
				d := c.docs[i]
				d.Subject = sc.Subject
				if m, ok := c.meta[d.Entry]; ok {
					d.MetaSealed = s.seal(m, metaLabel(d.BidID, d.Entry))
				}
				if err := s.st.insertDocument(ctx, &d); err != nil {
					return err
				}
			}
		}
		for _, sig := range contentSignals(all, s.valueKey) {
			if err := s.saveSignal(ctx, sc.Subject, sc.SourceSeq, s.now(), sig); err != nil {
				return err
			}
		}
		return s.st.finishScan(ctx, sc.Subject, s.now())
	})
}

// readBidContents streams one bid package: the form's contact fields,
// each document's SM3 and size, and the metadata of those not too large.
func (s *Service) readBidContents(ctx context.Context, b openedBid) (bidContents, error) {
	c := bidContents{bid: b, meta: map[int]docmeta.Meta{}}
	var err error
	if c.device, err = s.bids.Fingerprint(ctx, b.BidID); err != nil {
		return c, err
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := s.bids.Open(ctx, b.BidID, pw)
		pw.CloseWithError(err)
		done <- err
	}()
	rerr := s.readPackage(tar.NewReader(pr), &c)
	pr.CloseWithError(io.ErrClosedPipe) // stop the writer if reading stopped early
	if werr := <-done; werr != nil && !errors.Is(werr, io.ErrClosedPipe) {
		return c, werr
	}
	return c, rerr
}

func (s *Service) readPackage(tr *tar.Reader, c *bidContents) error {
	for entry := 0; ; entry++ {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return apperr.Wrap(err, apperr.Invalid, "投标文件包损坏", "the bid package is damaged")
		}
		if entry == 0 && h.Name == bidding.BidFormName {
			raw, _ := io.ReadAll(io.LimitReader(tr, 64<<10))
			_ = json.Unmarshal(raw, &c.form) // bidding validated it at opening
			continue
		}
		d, m, err := readDocument(tr, h)
		if err != nil {
			return err
		}
		d.BidID, d.BidderOrgID, d.Entry = c.bid.BidID, c.bid.BidderOrgID, entry
		c.docs = append(c.docs, d)
		if m != nil {
			c.meta[entry] = *m
		}
	}
}

// readDocument hashes one document and reads its metadata, or says why not.
func readDocument(r io.Reader, h *tar.Header) (Document, *docmeta.Meta, error) {
	d := Document{Name: truncate(h.Name, 255), Size: h.Size}
	hash := notary.NewSM3()
	var buf bytes.Buffer
	keep := h.Size <= docmeta.MaxSize
	if keep {
		buf.Grow(int(h.Size))
	}
	w := io.Writer(hash)
	if keep {
		w = io.MultiWriter(hash, &buf)
	}
	if _, err := io.Copy(w, r); err != nil {
		return d, nil, apperr.Wrap(err, apperr.Internal, "读取投标文件失败", "reading the bid failed")
	}
	d.SM3 = hex.EncodeToString(hash.Sum(nil))
	if !keep {
		d.Skipped = fmt.Sprintf("文件超过 %d MiB，未读取元数据 / larger than %d MiB: metadata not read", docmeta.MaxSize>>20, docmeta.MaxSize>>20)
		return d, nil, nil
	}
	m, err := docmeta.Read(buf.Bytes())
	var bad *docmeta.Error
	switch {
	case errors.Is(err, docmeta.ErrUnsupported):
		d.Skipped = "不是 PDF、DOCX、XLSX 或 PPTX 文件 / not a PDF, DOCX, XLSX or PPTX file"
		return d, nil, nil
	case errors.As(err, &bad):
		d.Format = bad.Format
		d.Skipped = "文件无法解析 / unparseable: " + bad.Reason
		return d, nil, nil
	case err != nil:
		d.Skipped = err.Error()
		return d, nil, nil
	}
	d.Format = m.Format
	return d, &m, nil
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func metaLabel(bidID int64, entry int) string { return fmt.Sprintf("docmeta:%d:%d", bidID, entry) }

// ScanView is a section's scan as the supervisor sees it: its state and
// every document read, with the reason where metadata was not read.
type ScanView struct {
	State     string     `json:"state"`
	Attempts  int        `json:"attempts"`
	LastError string     `json:"lastError,omitempty"`
	DoneAt    *time.Time `json:"doneAt,omitempty"`
	Documents []Document `json:"documents"`
}
