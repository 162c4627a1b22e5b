package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// An FS multipart upload is the folder root/multipart/<id>, holding the
// file "key" (the object it becomes) and one file "<number>.<etag>" per
// part. Parts are written like Save's temporary files and renamed in, so a
// crash leaves a part whole or absent.

func fsRandomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// uploadDir returns the folder of uploadID, or NotFound when the upload
// does not exist or belongs to another key.
func (s *FS) uploadDir(key, uploadID string) (string, error) {
	if len(uploadID) != 32 || strings.Trim(uploadID, "0123456789abcdef") != "" {
		return "", errNoUpload(uploadID)
	}
	dir := filepath.Join(s.parts, uploadID)
	k, err := os.ReadFile(filepath.Join(dir, "key"))
	if err != nil || string(k) != key {
		return "", errNoUpload(uploadID)
	}
	return dir, nil
}

// CreateMultipart implements Multipart.CreateMultipart.
func (s *FS) CreateMultipart(ctx context.Context, key string) (string, error) {
	if err := ValidateBlobKey(key); err != nil {
		return "", err
	}
	if err := blobCtxErr(ctx); err != nil {
		return "", err
	}
	id := fsRandomID()
	dir := filepath.Join(s.parts, id)
	if err := os.Mkdir(dir, 0o750); err != nil {
		return "", fsUnavailable(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key"), []byte(key), 0o640); err != nil {
		_ = os.RemoveAll(dir)
		return "", fsUnavailable(err)
	}
	return id, nil
}

// PutPart implements Multipart.PutPart.
func (s *FS) PutPart(ctx context.Context, key, uploadID string, number int, r io.Reader, size int64) (Part, error) {
	if err := ValidateBlobKey(key); err != nil {
		return Part{}, err
	}
	if err := checkPartNumber(number, size); err != nil {
		return Part{}, err
	}
	dir, err := s.uploadDir(key, uploadID)
	if err != nil {
		return Part{}, err
	}
	src := newBlobSource(ctx, r, size)
	if err := src.precheck(); err != nil {
		return Part{}, err
	}
	tmp, _, err := s.writeTemp(src)
	if err != nil {
		return Part{}, blobSaveError(ctx, src, err, fsUnavailable)
	}
	defer tmp.Close()
	if err := blobCtxErr(ctx); err != nil {
		_ = os.Remove(tmp.Name())
		return Part{}, err
	}
	old, _ := filepath.Glob(filepath.Join(dir, strconv.Itoa(number)+".*"))
	p := Part{Number: number, ETag: fsRandomID(), Size: size}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, partFile(p))); err != nil {
		_ = os.Remove(tmp.Name())
		if fsMissing(err) {
			return Part{}, errNoUpload(uploadID) // aborted meanwhile
		}
		return Part{}, fsUnavailable(err)
	}
	for _, o := range old {
		_ = os.Remove(o)
	}
	return p, nil
}

func partFile(p Part) string { return strconv.Itoa(p.Number) + "." + p.ETag }

// CompleteMultipart implements Multipart.CompleteMultipart: the parts are
// concatenated into a temporary file that is then renamed over key like
// Save's. This one local copy is the price of FS parts being plain files.
func (s *FS) CompleteMultipart(ctx context.Context, key, uploadID string, parts []Part) (BlobInfo, error) {
	if err := ValidateBlobKey(key); err != nil {
		return BlobInfo{}, err
	}
	if err := checkPartList(parts); err != nil {
		return BlobInfo{}, err
	}
	dir, err := s.uploadDir(key, uploadID)
	if err != nil {
		return BlobInfo{}, err
	}
	files := make([]*os.File, 0, len(parts))
	defer func() {
		for _, f := range files {
			_ = f.Close()
		}
	}()
	for _, p := range parts {
		f, err := os.Open(filepath.Join(dir, partFile(p)))
		if err != nil {
			return BlobInfo{}, errPartMismatch(p)
		}
		files = append(files, f)
		if fi, err := f.Stat(); err != nil || fi.Size() != p.Size {
			return BlobInfo{}, errPartMismatch(p)
		}
	}
	readers := make([]io.Reader, len(files))
	for i, f := range files {
		readers[i] = f
	}
	tmp, fi, err := s.writeTemp(ctxFiles{ctx: ctx, r: io.MultiReader(readers...)})
	if err != nil {
		if cerr := blobCtxErr(ctx); cerr != nil {
			return BlobInfo{}, cerr
		}
		return BlobInfo{}, fsUnavailable(err)
	}
	defer tmp.Close()
	if err := s.commit(tmp.Name(), key); err != nil {
		_ = os.Remove(tmp.Name())
		return BlobInfo{}, fsSaveError(err, key)
	}
	_ = os.RemoveAll(dir)
	return BlobInfo{Key: key, Size: fi.Size(), ModTime: fi.ModTime().UTC()}, nil
}

// ctxFiles stops the concatenation when ctx ends.
type ctxFiles struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxFiles) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// AbortMultipart implements Multipart.AbortMultipart.
func (s *FS) AbortMultipart(ctx context.Context, key, uploadID string) error {
	if err := ValidateBlobKey(key); err != nil {
		return err
	}
	if uploadID != "" {
		dir, err := s.uploadDir(key, uploadID)
		if err != nil {
			return nil // nothing to abort
		}
		return fsRemoveAll(dir)
	}
	entries, err := os.ReadDir(s.parts)
	if err != nil {
		return fsUnavailable(err)
	}
	for _, e := range entries {
		if dir, err := s.uploadDir(key, e.Name()); err == nil {
			if err := fsRemoveAll(dir); err != nil {
				return err
			}
		}
	}
	return blobCtxErr(ctx)
}

func fsRemoveAll(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "无法删除分片上传", "cannot remove the multipart upload")
	}
	return nil
}
