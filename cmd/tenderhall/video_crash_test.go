package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/video"
)

// TestCrashKillDuringVideoIngest: a simulated camera (real ffmpeg into a
// spool, `video ingest --test-pattern`) records 20 s while the server is
// killed with SIGKILL and restarted. The uploader retries through the
// outage; afterwards every segment the encoder wrote is logged exactly
// once, in order, and verify video passes on all of them.
func TestCrashKillDuringVideoIngest(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts and kills a server process; not in -short")
	}
	crashVideoIngest(t, nil)
}

// TestCrashKillDuringVideoIngestOnRealServers is the same on MariaDB and MinIO.
func TestCrashKillDuringVideoIngestOnRealServers(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts and kills a server process; not in -short")
	}
	crashVideoIngest(t, realServerConf(t, "th-vcrash-"))
}

func crashVideoIngest(t *testing.T, conf map[string]string) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ffmpeg is not on PATH but CI=true")
		}
		t.Skip("ffmpeg not on PATH")
	}
	dataDir, work := t.TempDir(), t.TempDir()
	addr, logs := freeLoopbackAddr(t), filepath.Join(work, "server.log")
	base := "http://" + addr
	admin, cam, pub := seedVideoCrash(t, dataDir, work, conf)
	camToken := cam.Token
	child := startCrashChildWith(t, dataDir, addr, logs, conf)

	proxy, via := newSegmentStaller(t, base)
	spoolDir := filepath.Join(work, "spool")
	progress := &syncBuffer{}
	ingestDone := make(chan error, 1)
	go func() {
		root := newRoot(func(k string) string { return map[string]string{"TENDERHALL_CAMERA_TOKEN": camToken}[k] }, io.Discard, progress)
		root.SetArgs([]string{"video", "ingest", "--server", via, "--spool", spoolDir, "--test-pattern", "--seconds", "20", "--keep"})
		ingestDone <- root.ExecuteContext(context.Background())
	}()
	// Once two segments are logged, the next one is held half-way into the
	// server, and the server is killed with it in flight; it restarts once
	// the uploader has failed against the dead server twice.
	waitProgress(t, progress, ingestDone, `(\d+) logged`, 2)
	proxy.arm()
	select {
	case <-proxy.stalled:
	case <-time.After(time.Minute):
		t.Fatal("no segment upload reached the staller")
	}
	child.kill(t)
	proxy.cut()
	waitProgress(t, progress, ingestDone, `(\d+) retries`, 2)
	child = startCrashChildWith(t, dataDir, addr, logs, conf)
	select {
	case err := <-ingestDone:
		if err != nil {
			t.Fatalf("video ingest: %v\n%s", err, progress.String())
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("video ingest did not finish:\n%s", progress.String())
	}

	// What the encoder wrote: its playlist's entries.
	raw, err := os.ReadFile(filepath.Join(spoolDir, "index.m3u8"))
	must(t, err)
	pl, err := video.ParsePlaylist(raw)
	must(t, err)
	if !pl.Ended || len(pl.Entries) < 9 {
		t.Fatalf("the encoder wrote %d entries (ended %v)", len(pl.Entries), pl.Ended)
	}
	// What the platform logged, each exactly once (verify video names a
	// segment logged twice), with the encoder's bytes.
	from := pl.Entries[0].Start.Add(-time.Minute).UTC().Truncate(time.Second)
	to := pl.Entries[len(pl.Entries)-1].Start.Add(time.Minute).UTC().Truncate(time.Second)
	out, errOut, err := execute(t, map[string]string{"TENDERHALL_TOKEN": admin}, "verify", "video", "--server", base, "--platform-pub", pub,
		"--room", "开标一室", "--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339))
	if err != nil {
		t.Fatalf("verify video after the crash: %v\n%s%s\nuploader:\n%s", err, out, errOut, progress.String())
	}
	if want := fmt.Sprintf("OK: %d segments match the log", len(pl.Entries)); !strings.Contains(out, want) {
		t.Fatalf("verify video: want %q:\n%s\nuploader:\n%s", want, out, progress.String())
	}
	var w video.Window
	apiCall(t, base, "GET", fmt.Sprintf("/api/v1/video/cameras/%d/window?at=%d&before=120&after=120", cam.Camera.ID, pl.Entries[0].Start.UnixMilli()), admin, nil, 200, &w)
	if len(w.Segments) != len(pl.Entries) {
		t.Fatalf("the index holds %d segments, the encoder wrote %d", len(w.Segments), len(pl.Entries))
	}
	for i, sg := range w.Segments {
		body, err := os.ReadFile(filepath.Join(spoolDir, pl.Entries[i].URI))
		must(t, err)
		if *sg.Seq != pl.Entries[i].Seq || sg.SM3 != notary.SM3Hex(body) {
			t.Errorf("segment %d: indexed seq %d sm3 %s, the encoder's %s is %s", i, *sg.Seq, sg.SM3, pl.Entries[i].URI, notary.SM3Hex(body))
		}
	}
	child.stop(t)
}

// segmentStaller is a proxy to the server that, once armed, forwards half
// of the next segment upload and holds the rest until cut: the kill then
// finds a segment in flight.
type segmentStaller struct {
	rp      *httputil.ReverseProxy
	mu      sync.Mutex
	armed   bool
	stalled chan struct{}
	cutCh   chan struct{}
}

func newSegmentStaller(t *testing.T, target string) (*segmentStaller, string) {
	u, err := url.Parse(target)
	must(t, err)
	s := &segmentStaller{rp: httputil.NewSingleHostReverseProxy(u), stalled: make(chan struct{}), cutCh: make(chan struct{})}
	s.rp.ErrorLog = log.New(io.Discard, "", 0) // the dead server's refusals are the point, not noise for the test log
	srv := httptest.NewServer(s)
	t.Cleanup(func() { s.cut(); srv.Close() })
	return s, srv.URL
}

func (s *segmentStaller) arm() { s.mu.Lock(); s.armed = true; s.mu.Unlock() }

func (s *segmentStaller) cut() {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.cutCh:
	default:
		close(s.cutCh)
	}
}

func (s *segmentStaller) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.armed && r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, ".ts") && r.ContentLength > 1 {
		s.armed = false
		r.Body = &stallReader{r: r.Body, n: r.ContentLength / 2, cut: s.cutCh, reached: func() { close(s.stalled) }}
	}
	s.mu.Unlock()
	s.rp.ServeHTTP(w, r)
}

// waitProgress waits until the uploader's progress lines show at least n
// for the count re captures, failing if the uploader ends first.
func waitProgress(t *testing.T, progress *syncBuffer, done chan error, re string, n int) {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		for _, m := range rx.FindAllStringSubmatch(progress.String(), -1) {
			if v, _ := strconv.Atoi(m[1]); v >= n {
				return
			}
		}
		select {
		case err := <-done:
			t.Fatalf("video ingest ended early (%v):\n%s", err, progress.String())
		case <-time.After(50 * time.Millisecond): // polling another process's output
		}
	}
	t.Fatalf("no %q ≥ %d in the uploader's output:\n%s", re, n, progress.String())
}

// seedVideoCrash creates the administrator and the camera before the
// server first starts, answering the admin's bearer token, the camera
// with its ingest token and the path of the platform's public key.
func seedVideoCrash(t *testing.T, dataDir, work string, conf map[string]string) (string, video.Credential, string) {
	t.Helper()
	seed := openCrashSeed(t, dataDir, conf)
	defer seed.app.close()
	a, admin := seed.app, seed.admin
	cred, err := a.video.RegisterCamera(context.Background(), admin.Principal, video.CameraRequest{Room: "开标一室", Name: "cam-1", Kind: video.KindOpening})
	must(t, err)
	pk, err := notary.LoadOrCreatePlatformKey(seed.cfg.PlatformKey, nil)
	must(t, err)
	pub := filepath.Join(work, "platform.pub")
	must(t, os.WriteFile(pub, []byte(pk.Public().PEM), 0o600))
	return admin.Token, cred, pub
}
