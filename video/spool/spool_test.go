package spool

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/storage/storagetest"
	"github.com/tenderhall/tenderhall/video"
)

// platform is the video service behind an ingest route that, while
// failing > 0, breaks that many requests: a dropped connection, then a
// 503, alternately, as a platform being restarted does.
type platform struct {
	svc    *video.Service
	events *eventlog.Service
	srv    *httptest.Server
	mu     sync.Mutex
	fail   int
	broken int
	puts   map[string]int // successful PUTs per file
}

func newPlatform(t *testing.T, b dbtest.Backend) (*platform, video.Credential) {
	db := storagetest.Open(t, b)
	events := eventlog.New(db, clock.System{})
	p := &platform{svc: video.New(db, events, storagetest.Blobs(t, b), clock.System{}), events: events, puts: map[string]int{}}
	cred, err := p.svc.RegisterCamera(context.Background(), accounts.Principal{UserID: 1, Roles: []accounts.Role{accounts.RoleAdmin}},
		video.CameraRequest{Room: "开标一室", Name: "cam-1", Kind: video.KindOpening})
	if err != nil {
		t.Fatal(err)
	}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p, cred
}

func (p *platform) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	if p.fail > 0 {
		p.fail--
		p.broken++
		n := p.broken
		p.mu.Unlock()
		if n%2 == 1 {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		http.Error(w, "restarting", http.StatusServiceUnavailable)
		return
	}
	p.mu.Unlock()
	file := strings.TrimPrefix(r.URL.Path, "/api/v1/video/ingest/")
	cam, err := p.svc.Authenticate(r.Context(), r.Header.Get(tokenHeader))
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if strings.HasSuffix(file, ".m3u8") {
		ms, _ := strconv.ParseInt(r.Header.Get(clockHeader), 10, 64)
		raw, _ := io.ReadAll(r.Body)
		_, err = p.svc.IndexPlaylist(r.Context(), cam, raw, time.UnixMilli(ms))
	} else {
		_, err = p.svc.SaveSegment(r.Context(), cam, file, r.Body, r.ContentLength)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	p.mu.Lock()
	p.puts[file]++
	p.mu.Unlock()
}

// base is the program date time of segment 0 of the fake encoder: segment
// seq starts 2·seq seconds later, the last of the tests (107) ending 14 s ago.
var base = time.Now().Add(-230 * time.Second)

// encoderWrites lays out what ffmpeg -f hls leaves in a spool: segments
// seq from..to (2 s each) and the playlist naming them.
func encoderWrites(t *testing.T, dir string, from, to int64, ended bool) {
	var pl bytes.Buffer
	fmt.Fprintf(&pl, "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:%d\n", from)
	for seq := from; seq <= to; seq++ {
		name := fmt.Sprintf("index%d.ts", seq)
		if err := os.WriteFile(filepath.Join(dir, name), []byte("segment "+name), 0o600); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&pl, "#EXT-X-PROGRAM-DATE-TIME:%s\n#EXTINF:2.000000,\n%s\n", base.Add(time.Duration(2*seq)*time.Second).Format(time.RFC3339Nano), name)
	}
	if ended {
		pl.WriteString("#EXT-X-ENDLIST\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "index.m3u8"), pl.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// loggedSeqs are the sequence numbers in the video.segments_logged events,
// in log order, each as often as logged.
func loggedSeqs(t *testing.T, events *eventlog.Service) []string {
	evs, err := events.ByType(context.Background(), "video.segments_logged", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		for _, part := range strings.Split(ev.Payload, `"seq":`)[1:] {
			out = append(out, part[:strings.IndexAny(part, ",}")])
		}
	}
	return out
}

func TestUploaderRetriesThroughOutagesAndResumes(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			p, cred := newPlatform(t, b)
			dir := t.TempDir()
			encoderWrites(t, dir, 100, 104, false)
			p.fail = 5
			var last Report
			u := &Uploader{Server: p.srv.URL, Token: cred.Token, Dir: dir, Poll: time.Millisecond, Backoff: time.Millisecond}
			ctx, cancel := context.WithCancel(context.Background())
			// The first run stops once it has logged all five (the
			// encoder is still going: no ENDLIST).
			u.Report = func(r Report) {
				last = r
				if r.Logged == 5 {
					cancel()
				}
			}
			if err := u.Run(ctx); !errors.Is(err, context.Canceled) {
				t.Fatalf("first run: %v", err)
			}
			if last.Retries != 5 || last.Seen != 5 || last.Refused != 0 {
				t.Fatalf("first run: %+v", last)
			}
			if got := strings.Join(loggedSeqs(t, p.events), ","); got != "100,101,102,103,104" {
				t.Fatalf("logged %s", got)
			}
			// A restarted uploader: the encoder wrote three more and ended;
			// nothing already logged is sent again.
			encoderWrites(t, dir, 100, 107, true)
			for seq := 100; seq <= 104; seq++ { // the fake encoder wrote them again; the first run had removed them

				os.Remove(filepath.Join(dir, fmt.Sprintf("index%d.ts", seq)))
			}
			p.puts = map[string]int{}
			u2 := &Uploader{Server: p.srv.URL, Token: cred.Token, Dir: dir, Poll: time.Millisecond, Backoff: time.Millisecond, Report: func(r Report) { last = r }}
			if err := u2.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(loggedSeqs(t, p.events), ","); got != "100,101,102,103,104,105,106,107" {
				t.Fatalf("after the restart logged %s", got)
			}
			if p.puts["index104.ts"] != 0 || p.puts["index105.ts"] != 1 || last.Logged != 8 || !last.Ended {
				t.Fatalf("puts %v, report %+v", p.puts, last)
			}
			if left, _ := filepath.Glob(filepath.Join(dir, "*.ts")); len(left) != 0 {
				t.Fatalf("logged segments left in the spool: %v", left)
			}
		})
	}
}

func TestUploaderRefusals(t *testing.T) {
	p, cred := newPlatform(t, dbtest.SQLite)
	dir := t.TempDir()
	encoderWrites(t, dir, 1, 1, false)
	u := &Uploader{Server: p.srv.URL, Token: cred.Token, Dir: dir, Keep: true, Poll: time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	u.Report = func(r Report) {
		if r.Logged == 1 {
			cancel()
		}
	}
	if err := u.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	// Another encoder's spool reusing the name with other bytes, and a torn
	// journal line: index1 is refused (the platform keeps what it logged),
	// index2 and index3 are logged.
	other := t.TempDir()
	encoderWrites(t, other, 1, 3, true)
	os.WriteFile(filepath.Join(other, "index1.ts"), []byte("forged"), 0o600)
	os.WriteFile(filepath.Join(other, JournalName), []byte(`{"seen":{"seq":`), 0o600)
	var last Report
	u2 := &Uploader{Server: p.srv.URL, Token: cred.Token, Dir: other, Poll: time.Millisecond, Report: func(r Report) { last = r }}
	if err := u2.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if last.Refused != 1 || last.Logged != 2 || !strings.Contains(last.LastProblem, "segment 1 (index1.ts) refused") {
		t.Fatalf("report %+v", last)
	}
	if got := strings.Join(loggedSeqs(t, p.events), ","); got != "1,2,3" {
		t.Fatalf("logged %s", got)
	}
	if _, err := os.Stat(filepath.Join(other, "index1.ts")); err != nil {
		t.Fatalf("the refused segment left the spool: %v", err)
	}
	if _, err := os.Stat(filepath.Join(other, "index2.ts")); err == nil {
		t.Fatal("a logged segment stayed in the spool")
	}
	// A revoked token stops the uploader with a clear error.
	u3 := &Uploader{Server: p.srv.URL, Token: "cam_1." + strings.Repeat("0", 64), Dir: other, Poll: time.Millisecond}
	encoderWrites(t, other, 1, 4, true)
	if err := u3.Run(context.Background()); !errors.Is(err, ErrRejectedToken) {
		t.Fatalf("a wrong token: %v", err)
	}
}

// TestUploaderBatches: segments are logged in batches — a full one at
// once, a partial one only when its first segment is Every old or the
// encoder has ended.
func TestUploaderBatches(t *testing.T) {
	p, cred := newPlatform(t, dbtest.SQLite)
	dir := t.TempDir()
	encoderWrites(t, dir, 100, 104, false)
	// Every is an hour: nothing is that old, only a full batch goes.
	u := &Uploader{Server: p.srv.URL, Token: cred.Token, Dir: dir, Poll: time.Millisecond, Batch: 3, Every: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	u.Report = func(r Report) {
		if r.Logged == 3 && r.Uploaded == 5 {
			cancel()
		}
	}
	if err := u.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if got := strings.Join(loggedSeqs(t, p.events), ","); got != "100,101,102" {
		t.Fatalf("logged %s: want the full batch only", got)
	}
	evs, _ := p.events.ByType(context.Background(), "video.segments_logged", 10)
	if len(evs) != 1 {
		t.Fatalf("%d events for one batch", len(evs))
	}
	encoderWrites(t, dir, 100, 104, true) // the encoder ends: the rest goes
	u.Report = nil
	if err := u.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(loggedSeqs(t, p.events), ","); got != "100,101,102,103,104" {
		t.Fatalf("logged %s", got)
	}
}
