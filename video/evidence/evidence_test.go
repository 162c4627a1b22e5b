package evidence

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

// fixture is a package of camera 7's five segments (seq 100–104) in two
// logged batches, among other events, under a head of the whole log.
type fixture struct {
	dir  string
	key  *notary.PrivateKey
	segs map[int64][]byte // seq → bytes
	m    Manifest
}

var t0 = time.Date(2026, 12, 7, 1, 30, 0, 0, time.UTC)

func newFixture(t *testing.T, second ...int64) *fixture {
	t.Helper()
	if len(second) == 0 {
		second = []int64{103, 104}
	}
	key, err := notary.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{dir: filepath.Join(t.TempDir(), "pkg"), key: key, segs: map[int64][]byte{}}
	batch := func(seqs ...int64) string {
		var items []Segment
		for _, s := range seqs {
			b := make([]byte, 2000+int(s))
			rand.Read(b)
			f.segs[s] = b
			items = append(items, Segment{Seq: s, File: fmt.Sprintf("index%d.ts", s), SM3: notary.SM3Hex(b), Size: int64(len(b)),
				Start: t0.Add(time.Duration(s-100) * time.Second).UnixMilli(), DurationMS: 1000})
		}
		p, _ := json.Marshal(map[string]any{"room": "开标一室", "camera": "cam-1", "segments": items})
		return string(p)
	}
	evs := []eventlog.Event{
		{Seq: 1, OccurredAt: t0, Type: "opening.started", Subject: "section:1", Actor: "system", Payload: "{}"},
		{Seq: 2, OccurredAt: t0.Add(3 * time.Second), Type: "video.segments_logged", Subject: "camera:7", Actor: "camera:7", Payload: batch(100, 101, 102)},
		{Seq: 3, OccurredAt: t0.Add(5 * time.Second), Type: "video.segments_logged", Subject: "camera:7", Actor: "camera:7", Payload: batch(second...)},
		{Seq: 4, OccurredAt: t0.Add(6 * time.Second), Type: "opening.bid_decrypted", Subject: "section:1", Actor: "user:3", Payload: "{}"},
	}
	var tree notary.MemTree
	for _, ev := range evs {
		tree.Append(eventlog.LeafHash(ev))
	}
	root, _ := tree.Root(4)
	head, err := notary.SignTreeHead(key, notary.TreeHead{TreeSize: 4, RootHash: root, Timestamp: t0.Add(time.Minute).UnixMilli()})
	if err != nil {
		t.Fatal(err)
	}
	w, err := Create(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	cam := Camera{ID: 7, Name: "cam-1", Kind: "opening"}
	for _, ev := range evs[1:3] {
		p, _ := tree.InclusionProof(uint64(ev.Seq-1), 4)
		cam.Batches = append(cam.Batches, Batch{Event: ev, Proof: p})
	}
	for s, b := range f.segs {
		if err := w.Segment(7, fmt.Sprintf("index%d.ts", s), b); err != nil {
			t.Fatal(err)
		}
	}
	f.m = Manifest{Server: "https://ggzy.example", Room: "开标一室", From: t0, To: t0.Add(time.Minute), Head: head, Cameras: []Camera{cam}, Made: t0}
	if err := w.Finish(f.m); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) path(seq int64) string {
	return filepath.Join(f.dir, CameraDir(7), fmt.Sprintf("index%d.ts", seq))
}

// rewrite edits the written manifest.
func (f *fixture) rewrite(t *testing.T, edit func(m *Manifest)) {
	raw, _ := os.ReadFile(filepath.Join(f.dir, ManifestFile))
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	edit(&m)
	raw, _ = json.Marshal(m)
	os.WriteFile(filepath.Join(f.dir, ManifestFile), raw, 0o644)
}

func TestVerify(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, f *fixture)
		key    func(f *fixture) *notary.PublicKey
		want   []string // each must appear among the findings
		ok     int      // segments that still verify
	}{
		{name: "untouched", ok: 5},
		{name: "replaced", ok: 4, want: []string{"segment 101 (index101.ts): replaced"},
			tamper: func(t *testing.T, f *fixture) { os.WriteFile(f.path(101), []byte("not the recording"), 0o644) }},
		{name: "removed", ok: 4, want: []string{"segment 103 (index103.ts): removed"},
			tamper: func(t *testing.T, f *fixture) { os.Remove(f.path(103)) }},
		{name: "reordered pair", ok: 3, want: []string{"segment 100 (index100.ts): reordered: holds the bytes logged as segment 104",
			"segment 104 (index104.ts): reordered: holds the bytes logged as segment 100"},
			tamper: func(t *testing.T, f *fixture) {
				os.WriteFile(f.path(100), f.segs[104], 0o644)
				os.WriteFile(f.path(104), f.segs[100], 0o644)
			}},
		{name: "hash in the event rewritten to match a replaced file", ok: 2,
			want: []string{"camera 7 event 2: not proved under the signed head of size 4: the event's contents do not hash"},
			tamper: func(t *testing.T, f *fixture) {
				os.WriteFile(f.path(101), []byte("forged"), 0o644)
				f.rewrite(t, func(m *Manifest) {
					b := &m.Cameras[0].Batches[0]
					b.Event.Payload = strings.Replace(b.Event.Payload, notary.SM3Hex(f.segs[101]), notary.SM3Hex([]byte("forged")), 1)
				})
			}},
		{name: "proof of another leaf", ok: 2, want: []string{"camera 7 event 2: not proved", "the proof is for leaf 3"},
			tamper: func(t *testing.T, f *fixture) {
				f.rewrite(t, func(m *Manifest) { m.Cameras[0].Batches[0].Proof = m.Cameras[0].Batches[1].Proof })
			}},
		{name: "batch included twice", ok: 5, want: []string{"camera 7 event 3: included twice"},
			tamper: func(t *testing.T, f *fixture) {
				f.rewrite(t, func(m *Manifest) { m.Cameras[0].Batches = append(m.Cameras[0].Batches, m.Cameras[0].Batches[1]) })
			}},
		{name: "playlist edited", ok: 5, want: []string{"camera 7 playlist index.m3u8: does not play the logged segments"},
			tamper: func(t *testing.T, f *fixture) {
				p := filepath.Join(f.dir, CameraDir(7), PlaylistFile)
				raw, _ := os.ReadFile(p)
				os.WriteFile(p, []byte(strings.Replace(string(raw), "index102.ts", "index104.ts", 1)), 0o644)
			}},
		{name: "head signed by another key", want: []string{"head: "},
			key: func(*fixture) *notary.PublicKey { k, _ := notary.GenerateKey(); return k.Public() }},
		{name: "head re-signed over another root", want: []string{"head: "},
			tamper: func(t *testing.T, f *fixture) { f.rewrite(t, func(m *Manifest) { m.Head.RootHash[0] ^= 1 }) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			if c.tamper != nil {
				c.tamper(t, f)
			}
			pub := f.key.Public()
			if c.key != nil {
				pub = c.key(f)
			}
			r, err := Verify(f.dir, pub)
			if err != nil {
				t.Fatal(err)
			}
			all := strings.Join(r.Findings, "\n")
			if len(c.want) == 0 && len(r.Findings) > 0 {
				t.Fatalf("findings on a sound package:\n%s", all)
			}
			for _, w := range c.want {
				if !strings.Contains(all, w) {
					t.Errorf("missing %q in:\n%s", w, all)
				}
			}
			if r.Segments != c.ok {
				t.Errorf("%d segments verified, want %d", r.Segments, c.ok)
			}
		})
	}
}

// An encoder restart numbers its segments from the clock again: the jump
// is noted, not failed, since nothing logged is missing from the package.
func TestSequenceBreakIsANoteNotAFinding(t *testing.T) {
	f := newFixture(t, 140, 141)
	r, err := Verify(f.dir, f.key.Public())
	if err != nil {
		t.Fatal(err)
	}
	if r.Segments != 5 || len(r.Findings) != 0 {
		t.Fatalf("segments %d, findings %q", r.Segments, r.Findings)
	}
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "jumps from 102 to 140") {
		t.Fatalf("notes %q", r.Notes)
	}
	raw, _ := os.ReadFile(filepath.Join(f.dir, CameraDir(7), PlaylistFile))
	if !strings.Contains(string(raw), "index102.ts\n#EXT-X-DISCONTINUITY\n") {
		t.Fatalf("no discontinuity in the playlist:\n%s", raw)
	}
}

func TestParseManifestRefusals(t *testing.T) {
	good, _ := json.Marshal(Manifest{Format: Format, From: t0, To: t0.Add(time.Second),
		Head: notary.SignedTreeHead{TreeHead: notary.TreeHead{TreeSize: 1}, Signature: []byte{1}}, Cameras: []Camera{{ID: 1, Playlist: "index.m3u8"}}})
	if _, err := ParseManifest(good); err != nil {
		t.Fatalf("good manifest: %v", err)
	}
	for name, raw := range map[string]string{
		"not json":        "{",
		"other format":    strings.Replace(string(good), Format, "v0", 1),
		"no head":         strings.Replace(string(good), `"treeSize":1`, `"treeSize":0`, 1),
		"window reversed": strings.Replace(string(good), `"to":"2026-12-07T01:30:01Z"`, `"to":"2026-12-07T01:29:00Z"`, 1),
		"playlist path":   strings.Replace(string(good), `"index.m3u8"`, `"../../etc/passwd"`, 1),
	} {
		if _, err := ParseManifest([]byte(raw)); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%s: %v, want Invalid", name, err)
		}
	}
	b := Batch{Event: eventlog.Event{Seq: 2, Type: "video.segments_logged", Subject: "camera:1",
		Payload: `{"segments":[{"seq":1,"file":"../../../home/x/.ssh/id_rsa","sm3":"00"}]}`}}
	if _, err := b.Segments(1); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("segment outside the package: %v, want Invalid", err)
	}
	if _, err := (Batch{Event: eventlog.Event{Type: "video.segments_logged", Subject: "camera:2"}}).Segments(1); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("another camera's batch: %v, want Invalid", err)
	}
}

func TestCreateRefusesAFullDirectory(t *testing.T) {
	f := newFixture(t)
	if _, err := Create(f.dir); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("Create over a package: %v, want Conflict", err)
	}
}

func FuzzParseManifest(f *testing.F) {
	good, _ := json.Marshal(Manifest{Format: Format, From: t0, To: t0.Add(time.Second),
		Head: notary.SignedTreeHead{TreeHead: notary.TreeHead{TreeSize: 1}, Signature: []byte{1}}, Cameras: []Camera{{ID: 1, Playlist: "index.m3u8"}}})
	f.Add(good)
	f.Add([]byte(`{"format":"` + Format + `"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("error of kind other than Invalid: %v", err)
			}
			return
		}
		for _, c := range m.Cameras {
			if strings.ContainsAny(c.Playlist, "/\\") || strings.HasPrefix(c.Playlist, ".") {
				t.Fatalf("accepted playlist name %q", c.Playlist)
			}
		}
	})
}
