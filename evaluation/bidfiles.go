package evaluation

import (
	"archive/tar"
	"context"
	"errors"
	"io"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// BidFile is one document of a decrypted bid package.
type BidFile struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
}

// BidFiles lists the documents of a bid of the session, to the
// committee in the room: the platform decrypts the stored envelope again
// with the data key kept at opening and verifies it while reading.
// Errors: apperr.Forbidden; apperr.NotFound.
func (s *Service) BidFiles(ctx context.Context, actor accounts.Principal, sessionID, bidID int64, ip string) ([]BidFile, error) {
	out := []BidFile{}
	err := s.readBid(ctx, actor, sessionID, bidID, ip, func(tr *tar.Reader) error {
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return apperr.Wrap(err, apperr.Internal, "投标文件包损坏", "the bid package is damaged")
			}
			out = append(out, BidFile{Name: h.Name, Size: h.Size})
		}
	})
	return out, err
}

// OpenBidFile streams document name of a bid of the session (see
// BidFiles): when it reaches the document it calls open with its size and
// copies the document to the writer open returns. Errors:
// apperr.Forbidden; apperr.NotFound (no such document).
func (s *Service) OpenBidFile(ctx context.Context, actor accounts.Principal, sessionID, bidID int64, name, ip string,
	open func(size int64) io.Writer) error {
	return s.readBid(ctx, actor, sessionID, bidID, ip, func(tr *tar.Reader) error {
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				return apperr.New(apperr.NotFound, "投标文件中没有该文档", "the bid has no such document").WithField("name", "unknown")
			}
			if err != nil {
				return apperr.Wrap(err, apperr.Internal, "投标文件包损坏", "the bid package is damaged")
			}
			if h.Name == name {
				_, err := io.Copy(open(h.Size), tr)
				return err
			}
		}
	})
}

// readBid streams a bid's plaintext package through fn.
func (s *Service) readBid(ctx context.Context, actor accounts.Principal, sessionID, bidID int64, ip string, fn func(*tar.Reader) error) error {
	sess, _, err := s.enter(ctx, actor, sessionID, ip)
	if err != nil {
		return err
	}
	if !hasBid(sess, bidID) {
		return apperr.New(apperr.NotFound, "不是本次评标的投标", "not a bid of this evaluation")
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := s.bidding.OpenBid(ctx, bidID, pw)
		pw.CloseWithError(err)
		done <- err
	}()
	ferr := fn(tar.NewReader(pr))
	if ferr == nil {
		// Read to the end, so the whole envelope's digest and signature are
		// checked even when fn stopped at the document it wanted.
		_, ferr = io.Copy(io.Discard, pr)
	}
	pr.CloseWithError(errStopped)
	oerr := <-done
	if ferr != nil && !errors.Is(ferr, errStopped) {
		return ferr
	}
	return oerr
}

var errStopped = errors.New("reader stopped")
