package storage

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// errBlobShort and errBlobLong report a reader that does not yield the size
// promised to Save.
var (
	errBlobShort = errors.New("the data ended before the declared size")
	errBlobLong  = errors.New("the data continues past the declared size")
)

// blobSource wraps the reader given to Save. Both backends read through it
// so that they fail alike: it stops at ctx's end, enforces the declared
// size in both directions, and remembers why it failed, so that Save can
// tell the uploader's fault from the store's.
type blobSource struct {
	ctx  context.Context
	r    io.Reader
	size int64 // declared length, negative when unknown
	n    int64 // bytes passed on so far
	err  error // sticky: the first failure, or io.EOF after a clean end
}

// newBlobSource wraps r, which must yield exactly size bytes (size >= 0) or
// any number of bytes (size < 0).
func newBlobSource(ctx context.Context, r io.Reader, size int64) *blobSource {
	return &blobSource{ctx: ctx, r: r, size: size}
}

// precheck settles a declared size of zero before the backend runs: minio-go
// then sends an empty body without ever reading, yet the reader must still
// prove empty. It returns the classified failure, or nil.
func (s *blobSource) precheck() error {
	if s.size == 0 {
		_ = s.end()
	}
	return s.failure()
}

// Read implements io.Reader.
func (s *blobSource) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if err := s.ctx.Err(); err != nil {
		return 0, s.fail(err)
	}
	if s.size >= 0 {
		rem := s.size - s.n
		if rem == 0 {
			return 0, s.end()
		}
		if int64(len(p)) > rem {
			p = p[:rem]
		}
	}
	n, err := s.r.Read(p)
	s.n += int64(n)
	switch {
	case err == io.EOF && s.size >= 0 && s.n < s.size:
		return n, s.fail(errBlobShort)
	case err == io.EOF:
		s.err = io.EOF
		return n, io.EOF
	case err != nil:
		return n, s.fail(err)
	case s.size >= 0 && s.n == s.size:
		// Check for excess data now, while the last bytes are still in
		// hand: a backend that reads exactly size bytes would otherwise
		// commit the object without ever asking again.
		return n, s.end()
	}
	return n, nil
}

// end probes r for data beyond the declared size; it returns io.EOF when
// there is none.
func (s *blobSource) end() error {
	var one [1]byte
	for range 100 { // readers may return (0, nil); don't spin forever
		n, err := s.r.Read(one[:])
		switch {
		case n > 0:
			return s.fail(errBlobLong)
		case err == io.EOF:
			s.err = io.EOF
			return io.EOF
		case err != nil:
			return s.fail(err)
		}
	}
	return s.fail(io.ErrNoProgress)
}

// fail records err as the reason the source stopped and returns it.
func (s *blobSource) fail(err error) error {
	s.err = err
	return err
}

// failure classifies why the source stopped, or returns nil when it did
// not fail (not started, still going, or a clean end).
func (s *blobSource) failure() error {
	err := s.err
	var mbe *http.MaxBytesError
	switch {
	case err == nil || err == io.EOF:
		return nil
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return blobCanceled(err)
	case errors.Is(err, errBlobShort) || errors.Is(err, errBlobLong):
		return apperr.Wrap(err, apperr.Invalid,
			"上传的数据长度与声明的大小不符", "the uploaded data does not match its declared size").
			WithField("size", err.Error())
	case errors.As(err, new(*apperr.Error)):
		return err
	case errors.As(err, &mbe):
		return apperr.Wrap(err, apperr.TooLarge,
			"上传的数据超过大小上限", "the upload is larger than allowed")
	}
	return apperr.Wrap(err, apperr.Invalid,
		"上传中断，数据未能完整读取，请重新上传", "the upload was interrupted before all data arrived; upload again")
}

// blobSaveError decides what a failed Save reports: the source's failure
// if it had one (the backend's error is then only a consequence), else
// the end of ctx, else the backend's own error as translate classifies it.
func blobSaveError(ctx context.Context, src *blobSource, err error, translate func(error) error) error {
	if f := src.failure(); f != nil {
		return f
	}
	if cerr := ctx.Err(); cerr != nil {
		return blobCanceled(cerr)
	}
	return translate(err)
}
