package storage

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// FS is the Blobs store of the embedded default: one directory on the local
// disk. Objects live under root/objects/<key>; uploads are written under
// root/tmp and renamed into place, so the objects tree only ever holds
// complete files and no key is reserved for temporary files. Several FS
// values (or processes) may share a root.
type FS struct {
	objects string        // root/objects: one file per key
	tmp     string        // root/tmp: uploads in progress, same file system
	parts   string        // root/multipart: one folder per multipart upload
	presign PresignConfig // how PresignGet signs URLs
}

// NewFS opens (creating it if needed) a blob store rooted at root and
// removes temporary files that crashed uploads left there. presign
// configures PresignGet; see PresignConfig. Errors: Invalid (empty root,
// or a secret shorter than 32 bytes), Unavailable (the directory cannot be
// created or used).
func NewFS(root string, presign PresignConfig) (*FS, error) {
	if root == "" {
		return nil, apperr.New(apperr.Invalid, "未配置对象存储目录", "no blob directory is configured")
	}
	pc, err := presign.normalize()
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fsUnavailable(err)
	}
	s := &FS{objects: filepath.Join(abs, "objects"), tmp: filepath.Join(abs, "tmp"),
		parts: filepath.Join(abs, "multipart"), presign: pc}
	for _, dir := range []string{s.objects, s.tmp, s.parts} {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fsUnavailable(err)
		}
	}
	if err := s.sweepTemp(); err != nil {
		return nil, fsUnavailable(err)
	}
	return s, nil
}

// path returns the file that holds key; key must be valid.
func (s *FS) path(key string) string {
	return filepath.Join(s.objects, filepath.FromSlash(key))
}

// Save implements Blobs.Save: the data goes to a synced temporary file that
// is then renamed over key, and the directory is synced, so that a crash at
// any point leaves the old object or the new one under key, never a part.
func (s *FS) Save(ctx context.Context, key string, r io.Reader, size int64) (BlobInfo, error) {
	if err := ValidateBlobKey(key); err != nil {
		return BlobInfo{}, err
	}
	if err := blobCtxErr(ctx); err != nil {
		return BlobInfo{}, err
	}
	src := newBlobSource(ctx, r, size)
	if err := src.precheck(); err != nil {
		return BlobInfo{}, err
	}
	tmpf, fi, err := s.writeTemp(src)
	if err != nil {
		return BlobInfo{}, blobSaveError(ctx, src, err, fsUnavailable)
	}
	tmp := tmpf.Name()
	committed := false
	defer func() {
		if !committed {
			_ = os.Remove(tmp)
		}
		_ = tmpf.Close()
	}()
	// A Save cancelled after its last byte must still leave nothing behind.
	if err := blobCtxErr(ctx); err != nil {
		return BlobInfo{}, err
	}
	if err := s.commit(tmp, key); err != nil {
		return BlobInfo{}, fsSaveError(err, key)
	}
	committed = true
	// rename keeps the file's mtime, so fi describes the object as stored.
	return BlobInfo{Key: key, Size: fi.Size(), ModTime: fi.ModTime().UTC()}, nil
}

// Open implements Blobs.Open. The open file keeps the bytes it had even if
// key is overwritten or deleted meanwhile.
func (s *FS) Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if err := ValidateBlobKey(key); err != nil {
		return nil, err
	}
	if err := blobCtxErr(ctx); err != nil {
		return nil, err
	}
	f, err := os.Open(s.path(key))
	if err != nil {
		return nil, fsReadError(err, key)
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fs.ErrNotExist // a folder of other keys is not an object
	}
	var n int64
	if err == nil {
		n, err = blobRange(key, fi.Size(), offset, length)
	}
	if err != nil {
		_ = f.Close()
		return nil, fsReadError(err, key)
	}
	return &fsReader{ctx: ctx, r: io.NewSectionReader(f, offset, n), f: f}, nil
}

// Stat implements Blobs.Stat.
func (s *FS) Stat(ctx context.Context, key string) (BlobInfo, error) {
	if err := ValidateBlobKey(key); err != nil {
		return BlobInfo{}, err
	}
	if err := blobCtxErr(ctx); err != nil {
		return BlobInfo{}, err
	}
	fi, err := os.Stat(s.path(key))
	if err == nil && !fi.Mode().IsRegular() {
		err = fs.ErrNotExist
	}
	if err != nil {
		return BlobInfo{}, fsReadError(err, key)
	}
	return BlobInfo{Key: key, Size: fi.Size(), ModTime: fi.ModTime().UTC()}, nil
}

// Delete implements Blobs.Delete. It also removes the folders the object
// leaves empty, so that the tree does not fill with empty directories and
// a deleted "a/b" does not block a later key "a".
func (s *FS) Delete(ctx context.Context, key string) error {
	if err := ValidateBlobKey(key); err != nil {
		return err
	}
	if err := blobCtxErr(ctx); err != nil {
		return err
	}
	p := s.path(key)
	fi, err := os.Lstat(p)
	if fsMissing(err) || (err == nil && fi.IsDir()) {
		return nil
	}
	if err == nil {
		err = os.Remove(p)
	}
	if err == nil {
		err = fsSyncDir(filepath.Dir(p))
	}
	if err != nil && !fsMissing(err) {
		return fsUnavailable(err)
	}
	s.prune(path.Dir(key))
	return nil
}

// List implements Blobs.List. It walks only the deepest folder the prefix
// names completely, and skips sub-folders the prefix rules out.
func (s *FS) List(ctx context.Context, prefix string) ([]BlobInfo, error) {
	if err := validateBlobPrefix(prefix); err != nil {
		return nil, err
	}
	if err := blobCtxErr(ctx); err != nil {
		return nil, err
	}
	start := s.objects
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		start = s.path(prefix[:i])
	}
	out := []BlobInfo{}
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if fsMissing(err) { // absent folder, or removed while walking
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(s.objects, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if d.IsDir() {
			if p != start && !strings.HasPrefix(key+"/", prefix) && !strings.HasPrefix(prefix, key+"/") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasPrefix(key, prefix) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			if fsMissing(err) { // deleted while walking
				return nil
			}
			return err
		}
		out = append(out, BlobInfo{Key: key, Size: fi.Size(), ModTime: fi.ModTime().UTC()})
		return nil
	})
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, blobCanceled(err)
		}
		return nil, fsUnavailable(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Ping implements Blobs.Ping by creating and removing a temporary file: it
// catches a missing, full or read-only disk, not just a missing directory.
func (s *FS) Ping(ctx context.Context) error {
	if err := blobCtxErr(ctx); err != nil {
		return err
	}
	f, err := os.CreateTemp(s.tmp, "ping-*")
	if err != nil {
		return fsUnavailable(err)
	}
	name := f.Name()
	err = f.Close()
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	if err != nil {
		return fsUnavailable(err)
	}
	return nil
}

// fsReader reads a range of an open object and stops when ctx ends.
type fsReader struct {
	ctx context.Context
	r   io.Reader
	f   *os.File
}

// Read implements io.Reader.
func (r *fsReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, blobCanceled(err)
	}
	return r.r.Read(p)
}

// Close implements io.Closer.
func (r *fsReader) Close() error { return r.f.Close() }
