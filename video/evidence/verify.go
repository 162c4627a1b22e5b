package evidence

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/notary"
)

// Report is the outcome of Verify. The package is sound when Findings is
// empty; Notes are facts a reader should know that are not failures.
type Report struct {
	Manifest Manifest
	Segments int // segments whose bytes match their logged hash
	Findings []string
	Notes    []string
}

// Verify checks the package in dir against the platform key pub alone:
// the head's signature; each batch's event against its inclusion proof
// under the head; each logged segment of the window against the file's
// SM3 hash (a missing file is "removed", another logged segment's bytes
// "reordered", any other bytes "replaced"); and each playlist against the
// one the logged segments give. It returns an error only when the manifest
// cannot be read (apperr.Invalid for a malformed one); every other problem
// is a finding, and all of them are reported.
func Verify(dir string, pub *notary.PublicKey) (Report, error) {
	m, err := readManifest(dir)
	if err != nil {
		return Report{}, err
	}
	r := &Report{Manifest: m}
	if err := m.Head.Verify(pub); err != nil {
		r.Findings = append(r.Findings, "head: "+err.Error())
		return *r, nil
	}
	for _, c := range m.Cameras {
		segs := r.provenSegments(m, c)
		r.checkFiles(dir, c, segs)
		r.checkPlaylist(dir, c, segs)
		r.noteBreaks(c, segs)
	}
	return *r, nil
}

func readManifest(dir string) (Manifest, error) {
	f, err := os.Open(filepath.Join(dir, ManifestFile))
	if err != nil {
		return Manifest{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxManifest+1))
	if err != nil {
		return Manifest{}, err
	}
	if len(data) > MaxManifest {
		return Manifest{}, invalid("清单超过 %d 字节", "the manifest is larger than %d bytes", MaxManifest)
	}
	return ParseManifest(data)
}

// provenSegments returns camera c's segments starting in the window, from
// the batches whose event is proved under the head, in sequence order.
func (r *Report) provenSegments(m Manifest, c Camera) []Segment {
	var out []Segment
	seen := map[int64]int64{} // segment seq → event seq
	events := map[int64]bool{}
	for _, b := range c.Batches {
		ev := b.Event.Seq
		if events[ev] {
			r.Findings = append(r.Findings, fmt.Sprintf("camera %d event %d: included twice", c.ID, ev))
			continue
		}
		events[ev] = true
		if err := prove(b, m.Head); err != nil {
			r.Findings = append(r.Findings, fmt.Sprintf("camera %d event %d: not proved under the signed head of size %d: %v", c.ID, ev, m.Head.TreeSize, err))
			continue
		}
		segs, err := b.Segments(c.ID)
		if err != nil {
			r.Findings = append(r.Findings, fmt.Sprintf("camera %d: %v", c.ID, err))
			continue
		}
		for _, s := range segs {
			if s.Start < m.From.UnixMilli() || s.Start >= m.To.UnixMilli() {
				continue
			}
			if at, dup := seen[s.Seq]; dup {
				r.Findings = append(r.Findings, fmt.Sprintf("camera %d segment %d: logged twice, in events %d and %d", c.ID, s.Seq, at, ev))
				continue
			}
			seen[s.Seq] = ev
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// prove checks that b's event, serialised as the log does, is the leaf its
// proof names, at its own position, under head.
func prove(b Batch, head notary.SignedTreeHead) error {
	p := b.Proof
	switch {
	case b.Event.Seq < 1 || p.LeafIndex != uint64(b.Event.Seq-1):
		return fmt.Errorf("the proof is for leaf %d, not this event", p.LeafIndex+1)
	case p.TreeSize != head.TreeSize:
		return fmt.Errorf("the proof is for a tree of size %d", p.TreeSize)
	case p.LeafHash != eventlog.LeafHash(b.Event):
		return errors.New("the event's contents do not hash to the proved leaf")
	}
	return p.Verify(head.RootHash)
}

func (r *Report) checkFiles(dir string, c Camera, segs []Segment) {
	bySM3 := map[string]int64{}
	for _, s := range segs {
		bySM3[s.SM3] = s.Seq
	}
	for _, s := range segs {
		got, err := fileSM3(filepath.Join(dir, CameraDir(c.ID), s.File))
		other, moved := bySM3[got]
		switch {
		case errors.Is(err, fs.ErrNotExist):
			r.Findings = append(r.Findings, fmt.Sprintf("camera %d segment %d (%s): removed: logged, not in the package", c.ID, s.Seq, s.File))
		case err != nil:
			r.Findings = append(r.Findings, fmt.Sprintf("camera %d segment %d (%s): %v", c.ID, s.Seq, s.File, err))
		case got == s.SM3:
			r.Segments++
		case moved:
			r.Findings = append(r.Findings, fmt.Sprintf("camera %d segment %d (%s): reordered: holds the bytes logged as segment %d", c.ID, s.Seq, s.File, other))
		default:
			r.Findings = append(r.Findings, fmt.Sprintf("camera %d segment %d (%s): replaced: SM3 %s, logged %s", c.ID, s.Seq, s.File, got, s.SM3))
		}
	}
}

func fileSM3(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := notary.NewSM3()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkPlaylist compares the package's playlist with the one the proved
// segments give: a player must show exactly what the log proves.
func (r *Report) checkPlaylist(dir string, c Camera, segs []Segment) {
	got, err := os.ReadFile(filepath.Join(dir, CameraDir(c.ID), c.Playlist))
	switch {
	case err != nil:
		r.Findings = append(r.Findings, fmt.Sprintf("camera %d playlist: %v", c.ID, err))
	case string(got) != string(Playlist(segs)):
		r.Findings = append(r.Findings, fmt.Sprintf("camera %d playlist %s: does not play the logged segments in their order", c.ID, c.Playlist))
	}
}

// noteBreaks names each jump in the sequence: an encoder restart numbers
// from the clock, so a jump is not itself a failure, but whatever happened
// in it is not in this package (the platform's coverage gaps say why).
func (r *Report) noteBreaks(c Camera, segs []Segment) {
	for i := 1; i < len(segs); i++ {
		if segs[i].Seq != segs[i-1].Seq+1 {
			r.Notes = append(r.Notes, fmt.Sprintf("camera %d: the sequence jumps from %d to %d (the encoder restarted, or segments were not logged)",
				c.ID, segs[i-1].Seq, segs[i].Seq))
		}
	}
}
