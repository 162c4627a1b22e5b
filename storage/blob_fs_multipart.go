package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// An FS multipart upload is the folder root/multipart/<id>, holding "key"
// (the object it becomes), "data" (every part's bytes, appended in the
// order they arrive) and "index" (where each part lies in data). A part is
// appended under the folder's lock and becomes visible in the index only
// once it is synced, so a crash leaves a part whole or absent (bytes after
// the index's end are cut off by the next part). When the parts completed
// are the ones appended, in order and without gaps — as a bid uploaded in
// order always is — CompleteMultipart renames data into place: no byte is
// copied. Otherwise it concatenates the listed parts into a new file.

// fsPart is one index entry: a part and where its bytes lie in data.
type fsPart struct {
	Part
	Off int64 `json:"off"`
}

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

// lockUpload takes the upload folder's lock; the caller calls the result
// to release it. NotFound when the folder went away (aborted, completed).
func (s *FS) lockUpload(key, uploadID string) (string, func(), error) {
	dir, err := s.uploadDir(key, uploadID)
	if err != nil {
		return "", nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "key"), os.O_RDONLY, 0)
	if err != nil {
		return "", nil, errNoUpload(uploadID)
	}
	lockFile(f)
	if _, err := os.Stat(filepath.Join(dir, "key")); err != nil { // completed while we waited
		f.Close()
		return "", nil, errNoUpload(uploadID)
	}
	return dir, func() { f.Close() }, nil
}

func readIndex(dir string) ([]fsPart, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "index"))
	if fsMissing(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var idx []fsPart
	return idx, json.Unmarshal(raw, &idx)
}

// writeIndex replaces the index atomically.
func writeIndex(dir string, idx []fsPart) error {
	raw, err := json.Marshal(idx)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, "index.tmp")
	if err := os.WriteFile(tmp, raw, 0o640); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, "index"))
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

// PutPart implements Multipart.PutPart: the part is appended to the
// upload's data file after the last indexed part.
func (s *FS) PutPart(ctx context.Context, key, uploadID string, number int, r io.Reader, size int64) (Part, error) {
	if err := ValidateBlobKey(key); err != nil {
		return Part{}, err
	}
	if err := checkPartNumber(number, size); err != nil {
		return Part{}, err
	}
	src := newBlobSource(ctx, r, size)
	if err := src.precheck(); err != nil {
		return Part{}, err
	}
	dir, unlock, err := s.lockUpload(key, uploadID)
	if err != nil {
		return Part{}, err
	}
	defer unlock()
	idx, err := readIndex(dir)
	if err != nil {
		return Part{}, fsUnavailable(err)
	}
	var end int64
	for _, p := range idx {
		end = max(end, p.Off+p.Size)
	}
	p := fsPart{Part: Part{Number: number, ETag: fsRandomID(), Size: size}, Off: end}
	if err := appendPart(filepath.Join(dir, "data"), end, src); err != nil {
		return Part{}, blobSaveError(ctx, src, err, fsUnavailable)
	}
	if err := blobCtxErr(ctx); err != nil {
		return Part{}, err
	}
	if err := writeIndex(dir, append(idx, p)); err != nil {
		return Part{}, fsUnavailable(err)
	}
	return p.Part, nil
}

// appendPart writes src at offset end of the data file, cutting off
// whatever a crashed append left there, and syncs it.
func appendPart(path string, end int64, src io.Reader) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Truncate(end); err != nil {
		return err
	}
	_, err = f.Seek(end, io.SeekStart)
	if err == nil {
		_, err = io.Copy(f, src)
	}
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		_ = f.Truncate(end)
	}
	return err
}

// CompleteMultipart implements Multipart.CompleteMultipart.
func (s *FS) CompleteMultipart(ctx context.Context, key, uploadID string, parts []Part) (BlobInfo, error) {
	if err := ValidateBlobKey(key); err != nil {
		return BlobInfo{}, err
	}
	if err := checkPartList(parts); err != nil {
		return BlobInfo{}, err
	}
	dir, unlock, err := s.lockUpload(key, uploadID)
	if err != nil {
		return BlobInfo{}, err
	}
	defer unlock()
	idx, err := readIndex(dir)
	if err != nil {
		return BlobInfo{}, fsUnavailable(err)
	}
	listed, inPlace, err := locateParts(idx, parts)
	if err != nil {
		return BlobInfo{}, err
	}
	data := filepath.Join(dir, "data")
	var src string
	if inPlace {
		src, err = s.trimInPlace(data, listed)
	} else {
		src, err = s.concatParts(ctx, data, listed)
	}
	if err != nil {
		return BlobInfo{}, err
	}
	if err := blobCtxErr(ctx); err != nil {
		return BlobInfo{}, err
	}
	fi, err := os.Stat(src)
	if err == nil {
		err = s.commit(src, key)
	}
	if err != nil {
		_ = os.Remove(src)
		return BlobInfo{}, fsSaveError(err, key)
	}
	_ = os.Remove(filepath.Join(dir, "key")) // waiting lockers see the upload gone
	_ = os.RemoveAll(dir)
	return BlobInfo{Key: key, Size: fi.Size(), ModTime: fi.ModTime().UTC()}, nil
}

// locateParts finds the listed parts in the index and reports whether
// they lie in the data file in order from its start, without gaps.
func locateParts(idx []fsPart, parts []Part) ([]fsPart, bool, error) {
	listed := make([]fsPart, len(parts))
	inPlace := true
	var next int64
	for i, want := range parts {
		found := false
		for _, p := range idx {
			if p.Part == want {
				listed[i], found = p, true
			}
		}
		if !found {
			return nil, false, errPartMismatch(want)
		}
		inPlace = inPlace && listed[i].Off == next
		next = listed[i].Off + listed[i].Size
	}
	return listed, inPlace, nil
}

// trimInPlace cuts the data file after the last listed part.
func (s *FS) trimInPlace(data string, listed []fsPart) (string, error) {
	last := listed[len(listed)-1]
	if err := os.Truncate(data, last.Off+last.Size); err != nil {
		return "", fsUnavailable(err)
	}
	return data, nil
}

// concatParts copies the listed parts, in order, into a new temporary file.
func (s *FS) concatParts(ctx context.Context, data string, listed []fsPart) (string, error) {
	f, err := os.Open(data)
	if err != nil {
		return "", fsUnavailable(err)
	}
	defer f.Close()
	readers := make([]io.Reader, len(listed))
	var total int64
	for i, p := range listed {
		readers[i] = io.NewSectionReader(f, p.Off, p.Size)
		total += p.Size
	}
	tmp, _, err := s.writeTemp(newBlobSource(ctx, io.MultiReader(readers...), total))
	if err != nil {
		if cerr := blobCtxErr(ctx); cerr != nil {
			return "", cerr
		}
		return "", fsUnavailable(err)
	}
	tmp.Close() // its name is committed next, under the upload's lock
	return tmp.Name(), nil
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
