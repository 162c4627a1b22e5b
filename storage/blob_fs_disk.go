package storage

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// fsStaleTemp is how long a temporary file may go unmodified before NewFS
// deletes it as the remains of a crashed upload. An upload in progress
// writes continually and so keeps its file fresh; an hour leaves room for
// a stalled client without letting litter pile up.
const fsStaleTemp = time.Hour

// errFSKeyConflict reports a key that is a folder of other keys, or whose
// folder is another key: one path cannot be a file and a directory at once.
var errFSKeyConflict = errors.New("the key collides with a folder of other keys")

// writeTemp copies src into a new synced temporary file and returns it
// still open and locked, so that no other process's sweep takes it for the
// remains of a crash before it is renamed into place; the caller closes it
// (and removes it unless it was renamed). On error it removes the file.
func (s *FS) writeTemp(src io.Reader) (*os.File, fs.FileInfo, error) {
	f, err := os.CreateTemp(s.tmp, "save-*")
	if err != nil {
		return nil, nil, err
	}
	lockTemp(f)
	_, err = io.Copy(f, src)
	if err == nil {
		err = f.Sync() // the data must be on disk before its name is
	}
	var fi fs.FileInfo
	if err == nil {
		fi, err = f.Stat()
	}
	if err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return nil, nil, err
	}
	return f, fi, nil
}

// commit renames the finished temporary file tmp to key's path and syncs
// the directory so that the new name survives a crash.
func (s *FS) commit(tmp, key string) error {
	final := s.path(key)
	for attempt := 0; ; attempt++ {
		err := s.mkdirs(path.Dir(key))
		if err == nil {
			err = os.Rename(tmp, final)
		}
		if err == nil {
			return fsSyncDir(filepath.Dir(final))
		}
		// A concurrent Delete may prune a folder that just became empty
		// between mkdirs and the rename; build it again.
		if !errors.Is(err, fs.ErrNotExist) || attempt == 3 {
			return err
		}
	}
}

// mkdirs creates the folder rel (a slash path relative to the objects
// tree) and its missing parents, syncing each parent that gains an entry.
func (s *FS) mkdirs(rel string) error {
	if rel == "." {
		return nil
	}
	if fi, err := os.Stat(s.path(rel)); err == nil && fi.IsDir() {
		return nil // the common case: the folder exists
	}
	dir := s.objects
	for seg := range strings.SplitSeq(rel, "/") {
		parent := dir
		dir = filepath.Join(dir, seg)
		err := os.Mkdir(dir, 0o750)
		switch {
		case err == nil:
			if err := fsSyncDir(parent); err != nil {
				return err
			}
		case errors.Is(err, fs.ErrExist):
			fi, serr := os.Stat(dir)
			if serr != nil {
				return serr
			}
			if !fi.IsDir() {
				return errFSKeyConflict
			}
		default:
			return err
		}
	}
	return nil
}

// prune removes rel and its parents while they are empty, stopping at the
// first folder that still holds something (rmdir fails on it).
func (s *FS) prune(rel string) {
	for ; rel != "." && rel != "/"; rel = path.Dir(rel) {
		if os.Remove(s.path(rel)) != nil {
			return
		}
	}
}

// sweepTemp deletes temporary files that crashed writes left behind: a
// file that no live process holds locked (see lockTemp), or, where locks
// are not available, one untouched for fsStaleTemp.
func (s *FS) sweepTemp() error {
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		return err
	}
	cutoff := time.Now().Add(-fsStaleTemp)
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		name := filepath.Join(s.tmp, e.Name())
		if !tempAbandoned(name) && fi.ModTime().After(cutoff) {
			continue
		}
		if err := os.Remove(name); err != nil && !fsMissing(err) {
			return err
		}
	}
	return nil
}

// fsSyncDir flushes a directory's entries (a new or removed name) to disk.
func fsSyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	// Some file systems cannot sync a directory and say EINVAL; they order
	// metadata themselves, and nothing better can be done there.
	if errors.Is(err, syscall.EINVAL) {
		return nil
	}
	return err
}

// fsMissing reports an error meaning "no such object": the path does not
// exist, or one of its folders is a file.
func fsMissing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// fsReadError classifies an error of Open or Stat.
func fsReadError(err error, key string) error {
	if fsMissing(err) {
		return apperr.Wrap(err, apperr.NotFound,
			"对象 "+key+" 不存在", "blob "+key+" does not exist")
	}
	if _, ok := apperr.As(err); ok {
		return err
	}
	return fsUnavailable(err)
}

// fsSaveError classifies an error of moving a finished upload into place.
func fsSaveError(err error, key string) error {
	if errors.Is(err, errFSKeyConflict) || errors.Is(err, syscall.EISDIR) ||
		errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EEXIST) || errors.Is(err, syscall.ENOTEMPTY) {
		return apperr.Wrap(err, apperr.Conflict,
			"对象键 "+key+" 与其他对象的目录冲突", "blob key "+key+" collides with the folder of other blobs")
	}
	return fsUnavailable(err)
}

// fsUnavailable classifies a disk failure: the store cannot serve.
func fsUnavailable(err error) error {
	return apperr.Wrap(err, apperr.Unavailable,
		"本地对象存储不可用", "the local blob store is unavailable")
}
