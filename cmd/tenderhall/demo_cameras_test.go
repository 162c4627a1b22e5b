package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/video"
	"github.com/tenderhall/tenderhall/video/spool"
)

// TestDemoCamerasFilmEveryRoomAndFollowTheSandboxClock: serve --sandbox
// --demo films the opening hall, the evaluation room and the service
// window with real ffmpeg through the platform's own ingest route. After
// the administrator moves the clock two hours forward, every camera films
// on the new time (a new take, its burnt-in clock and program date times
// from the moved clock). At shutdown the encoders end their playlists and
// the last segments are delivered: no spool is left behind.
func TestDemoCamerasFilmEveryRoomAndFollowTheSandboxClock(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ffmpeg is not on PATH but CI=true")
		}
		t.Skip("ffmpeg not on PATH")
	}
	dir := t.TempDir()
	// Registered before startServe's cleanup, so it runs after the server stopped.
	t.Cleanup(func() {
		left, _ := filepath.Glob(filepath.Join(dir, "video-spool", "*", "*"))
		if len(left) > 0 {
			t.Errorf("spools left undelivered after a graceful stop: %v", left)
		}
	})
	base, out, _ := startServe(t, map[string]string{}, "--data", dir, "--sandbox", "--demo")
	waitStatus(t, base+"/readyz", 200)
	m := regexp.MustCompile(`demo-admin\s+(\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no demo admin login printed:\n%s", out.String())
	}
	admin := bearer(t, base, "demo-admin", m[1])

	// Each camera logs its first batch (10 s of segments) on the real clock.
	start := time.Now()
	cams := waitCameras(t, base, admin, func(c video.Camera) bool { return c.LastSegmentAt != nil })
	kinds := map[string]int{}
	for _, c := range cams {
		kinds[c.Kind]++
	}
	if kinds[video.KindOpening] != 1 || kinds[video.KindEvaluation] < 1 || kinds[video.KindWindow] != 1 || !strings.Contains(out.String(), "demo cameras: ") {
		t.Fatalf("cameras %+v\n%s", cams, out.String())
	}
	for _, c := range cams {
		if d := c.LastSegmentAt.Sub(start); d < -5*time.Second || d > time.Minute {
			t.Errorf("camera %d's last segment ends %v from the test's start", c.ID, d)
		}
	}

	req, _ := http.NewRequest("POST", base+"/api/v1/sandbox/clock", strings.NewReader(`{"advance":"2h"}`))
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application/json")
	r, err := http.DefaultClient.Do(req)
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("advance: %v %v", r.Status, err)
	}
	var moved struct {
		NowMS int64 `json:"nowMs"`
	}
	json.NewDecoder(r.Body).Decode(&moved)
	r.Body.Close()
	jumped := time.UnixMilli(moved.NowMS)
	waitCameras(t, base, admin, func(c video.Camera) bool { return c.LastSegmentAt != nil && c.LastSegmentAt.After(jumped) })

	// The segments after the jump carry the moved clock's program date times.
	for _, c := range cams {
		var w struct {
			Segments []video.Segment `json:"segments"`
		}
		getJSON(t, base+"/api/v1/video/cameras/"+strconv.FormatInt(c.ID, 10)+"/window?at="+strconv.FormatInt(jumped.Add(10*time.Second).UnixMilli(), 10),
			admin, &w)
		after := 0
		for _, s := range w.Segments {
			if s.StartAt != nil && !s.StartAt.Before(jumped.Add(-2*time.Second)) {
				after++
			}
		}
		if after == 0 {
			t.Errorf("camera %d: no segment filmed on the moved clock among %d", c.ID, len(w.Segments))
		}
	}
}

// waitCameras polls the camera list until every camera satisfies ok, for
// at most 90 s (the encoders are external processes filming in real time).
func waitCameras(t *testing.T, base, token string, ok func(video.Camera) bool) []video.Camera {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var cams []video.Camera
		getJSON(t, base+"/api/v1/video/cameras", token, &cams)
		all := len(cams) > 0
		for _, c := range cams {
			all = all && ok(c)
		}
		if all {
			return cams
		}
		if time.Now().After(deadline) {
			t.Fatalf("cameras never got there: %+v", cams)
		}
		time.Sleep(250 * time.Millisecond) // polling external encoders, not synchronising goroutines
	}
}

// TestDemoCamerasDeliverASpoolLeftBehind: a take the server did not
// deliver before it went down (here a finished ffmpeg recording put in the
// opening camera's spool while the server is stopped) is uploaded by the
// next start before that camera films again, and its spool removed.
func TestDemoCamerasDeliverASpoolLeftBehind(t *testing.T) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ffmpeg is not on PATH but CI=true")
		}
		t.Skip("ffmpeg not on PATH")
	}
	dir := t.TempDir()
	var password string
	var opening video.Camera
	t.Run("first run", func(t *testing.T) {
		base, out, _ := startServe(t, map[string]string{}, "--data", dir, "--demo")
		waitStatus(t, base+"/readyz", 200)
		m := regexp.MustCompile(`demo-admin\s+(\S+)`).FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("no demo admin login printed:\n%s", out.String())
		}
		password = m[1]
		for _, c := range waitCameras(t, base, bearer(t, base, "demo-admin", password), func(c video.Camera) bool { return c.LastSegmentAt != nil }) {
			if c.Kind == video.KindOpening {
				opening = c
			}
		}
	})
	if opening.ID == 0 {
		t.Fatal("no opening camera")
	}
	left := filepath.Join(dir, "video-spool", strconv.FormatInt(opening.ID, 10), "1")
	must(t, os.MkdirAll(left, 0o700))
	enc := spool.TestPattern(context.Background(), ffmpeg, left, time.Now(), 4)
	if b, err := enc.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, b)
	}
	files, _ := filepath.Glob(filepath.Join(left, "*.ts"))
	if len(files) < 2 {
		t.Fatalf("the left-behind take holds %d segments", len(files))
	}
	recorded := time.Now()
	t.Run("restart", func(t *testing.T) {
		base, _, _ := startServe(t, map[string]string{}, "--data", dir, "--demo")
		waitStatus(t, base+"/readyz", 200)
		admin := bearer(t, base, "demo-admin", password)
		waitCameras(t, base, admin, func(c video.Camera) bool { return c.LastSegmentAt != nil && c.LastSegmentAt.After(recorded) })
		var w struct {
			Segments []video.Segment `json:"segments"`
		}
		getJSON(t, base+"/api/v1/video/cameras/"+strconv.FormatInt(opening.ID, 10)+"/window?at="+strconv.FormatInt(recorded.Add(-2*time.Second).UnixMilli(), 10),
			admin, &w)
		logged := map[string]bool{}
		for _, s := range w.Segments {
			logged[s.File] = true
		}
		for _, f := range files {
			if !logged[filepath.Base(f)] {
				t.Errorf("left-behind segment %s not logged; the window holds %d segments", filepath.Base(f), len(w.Segments))
			}
		}
		if _, err := os.Stat(left); !os.IsNotExist(err) {
			t.Errorf("the delivered spool is still there: %v", err)
		}
	})
}
