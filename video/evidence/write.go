package evidence

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/video"
)

// PlaylistFile is the name of each camera's playlist in a written package.
const PlaylistFile = "index.m3u8"

// Playlist renders segs (in sequence order) as the platform's player gets
// them (video.VODPlaylist), with plain file names: ffplay or VLC play it
// from the package directory.
func Playlist(segs []Segment) []byte {
	es := make([]video.VODEntry, len(segs))
	for i, s := range segs {
		es[i] = video.VODEntry{Seq: s.Seq, Start: time.UnixMilli(s.Start), DurationMS: s.DurationMS, URI: s.File}
	}
	return video.VODPlaylist(es)
}

// Writer fills a package directory. The manifest is written last, through
// a temporary file, so a package whose writing was interrupted has none
// and is never mistaken for a whole one.
type Writer struct {
	dir string
}

// Create makes dir for a new package. A dir that exists and is not empty
// is apperr.Conflict: a package is never written over another.
func Create(dir string) (*Writer, error) {
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return nil, apperr.Newf(apperr.Conflict, "目录 %s 不为空", "the directory %s is not empty", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &Writer{dir: dir}, nil
}

// Segment writes one segment's bytes for camera id under its logged name
// (apperr.Invalid when the name is not a plain file name).
func (w *Writer) Segment(camera int64, file string, body []byte) error {
	if err := video.CheckName(file); err != nil {
		return err
	}
	d := filepath.Join(w.dir, CameraDir(camera))
	if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(d, file), body, 0o644)
}

// Finish writes every camera's playlist from its batches' segments in the
// window, then the manifest.
func (w *Writer) Finish(m Manifest) error {
	m.Format = Format
	for i, c := range m.Cameras {
		var segs []Segment
		for _, b := range c.Batches {
			ss, err := b.Segments(c.ID)
			if err != nil {
				return err
			}
			for _, s := range ss {
				if s.Start >= m.From.UnixMilli() && s.Start < m.To.UnixMilli() {
					segs = append(segs, s)
				}
			}
		}
		sort.Slice(segs, func(i, j int) bool { return segs[i].Seq < segs[j].Seq })
		m.Cameras[i].Playlist = PlaylistFile
		d := filepath.Join(w.dir, CameraDir(c.ID))
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(d, PlaylistFile), Playlist(segs), 0o644); err != nil {
			return err
		}
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(w.dir, ManifestFile+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(w.dir, ManifestFile))
}
