package video

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

type env struct {
	db     *storage.DB
	events *eventlog.Service
	blobs  storage.Blobs
	svc    *Service
}

var admin = accounts.Principal{UserID: 1, Roles: []accounts.Role{accounts.RoleAdmin}}

func newEnv(t testing.TB, b dbtest.Backend, c clock.Clock) *env {
	t.Helper()
	db := storagetest.Open(t, b)
	events := eventlog.New(db, c)
	blobs := storagetest.Blobs(t, b) // the filesystem beside SQLite, MinIO beside MySQL
	return &env{db: db, events: events, blobs: blobs, svc: New(db, events, blobs, c)}
}

func forEachBackend(t *testing.T, c func() clock.Clock, fn func(t *testing.T, e *env)) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) { fn(t, newEnv(t, b, c())) })
	}
}

func (e *env) camera(t testing.TB, room string) Credential {
	t.Helper()
	cred, err := e.svc.RegisterCamera(context.Background(), admin, CameraRequest{Room: room, Name: "cam-1", Kind: KindOpening})
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

// ingestServer serves PUT /ingest/<file> the way the API's ingest route
// does, for an encoder to push to.
func (e *env) ingestServer(t testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		file, ok := strings.CutPrefix(r.URL.Path, "/ingest/")
		if r.Method != http.MethodPut || !ok {
			http.Error(w, "PUT /ingest/<file>", http.StatusMethodNotAllowed)
			return
		}
		cam, err := e.svc.Authenticate(r.Context(), r.Header.Get("X-Camera-Token"))
		if err == nil && strings.HasSuffix(file, ".m3u8") {
			var raw []byte
			if raw, err = io.ReadAll(r.Body); err == nil {
				_, err = e.svc.IndexPlaylist(r.Context(), cam, raw, time.Time{})
			}
		} else if err == nil {
			_, err = e.svc.SaveSegment(r.Context(), cam, file, r.Body, r.ContentLength)
		}
		if err != nil {
			t.Logf("ingest %s: %v", file, err)
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// ffmpegPath finds Debian's ffmpeg; without it the test skips, or fails
// under CI=true (CI installs it).
func ffmpegPath(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("ffmpeg")
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("ffmpeg is not on PATH but CI=true: install Debian's ffmpeg (deploy/tools.sh)")
	}
	t.Skip("ffmpeg not on PATH; install Debian's ffmpeg to run the real-encoder test")
	return ""
}

// encoder is ffmpeg pushing a test pattern with a burnt-in clock as live
// HLS over HTTP PUT, as a room's recorder does.
func encoder(ffmpeg, url, token string, seconds int) *exec.Cmd {
	return exec.Command(ffmpeg, "-hide_banner", "-loglevel", "error", "-re",
		"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
		"-t", itoa(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-pix_fmt", "yuv420p",
		"-f", "hls", "-hls_time", "1", "-hls_list_size", "6", "-hls_flags", "program_date_time",
		"-hls_start_number_source", "epoch", "-method", "PUT", "-headers", "X-Camera-Token: "+token+"\r\n",
		url+"/ingest/index.m3u8")
}

func itoa(n int) string { return strconv.Itoa(n) }
