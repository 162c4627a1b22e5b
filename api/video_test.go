package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/video"
)

// TestCameraStreamsThroughTheIngestRoute has Debian's ffmpeg push live HLS
// to the real route with the camera's token, then a supervisor reads the
// recording's playlist and segments back.
func TestCameraStreamsThroughTheIngestRoute(t *testing.T) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ffmpeg is not on PATH but CI=true")
		}
		t.Skip("ffmpeg not on PATH")
	}
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		// The encoder stamps segments with the real time, so the index runs on it.
		e.rebuild(t, func(d *Deps) { d.Video = video.New(e.db, e.events, e.blobs, clock.System{}) })
		admin, super := e.tokens[accounts.RoleAdmin], e.tokens[accounts.RoleSupervisor]
		resp := e.do("POST", "/api/v1/video/cameras", e.tokens[accounts.RoleAgent], video.CameraRequest{Room: "开标一室", Name: "cam-1", Kind: "opening"})
		wantStatus(t, resp, http.StatusForbidden)
		resp = e.do("POST", "/api/v1/video/cameras", admin, video.CameraRequest{Room: "开标一室", Name: "cam-1", Kind: "opening"})
		wantStatus(t, resp, http.StatusCreated)
		var cred video.Credential
		decode(t, resp, &cred)

		began := time.Now()
		cmd := exec.Command(ffmpeg, "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
			"-t", "4", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p",
			"-f", "hls", "-hls_time", "1", "-hls_list_size", "5", "-hls_flags", "program_date_time", "-hls_start_number_source", "epoch",
			"-method", "PUT", "-headers", CameraTokenHeader+": "+cred.Token+"\r\n", e.http.URL+"/api/v1/video/ingest/index.m3u8")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg: %v\n%s", err, out)
		}
		// A wrong token is refused before anything is read.
		resp = e.do("PUT", "/api/v1/video/ingest/x.ts", "", nil, CameraTokenHeader, "cam_1."+strings.Repeat("0", 64))
		wantStatus(t, resp, http.StatusUnauthorized)

		at := began.Add(1500 * time.Millisecond).UnixMilli()
		path := fmt.Sprintf("/api/v1/video/cameras/%d/window?at=%d&before=10&after=10", cred.Camera.ID, at)
		wantStatus(t, e.do("GET", path, e.tokens[accounts.RoleBidder], nil), http.StatusForbidden)
		resp = e.do("GET", path, super, nil)
		wantStatus(t, resp, http.StatusOK)
		var w video.Window
		decode(t, resp, &w)
		if len(w.Segments) < 3 || w.OffsetMS < 0 {
			var n int64
			e.db.Conn(context.Background()).Raw("SELECT COUNT(*) FROM video_segments").Scan(&n)
			t.Logf("%d uploads; began %s", n, began)
			t.Fatalf("window around +1.5 s: %d segments, offset %d", len(w.Segments), w.OffsetMS)
		}
		resp = e.do("GET", path+"&format=m3u8", super, nil)
		wantStatus(t, resp, http.StatusOK)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		first := fmt.Sprintf("segments/%d\n", *w.Segments[0].Seq)
		if !strings.Contains(string(body), "#EXT-X-PLAYLIST-TYPE:VOD") || !strings.Contains(string(body), first) {
			t.Fatalf("playlist:\n%s", body)
		}
		resp = e.do("GET", fmt.Sprintf("/api/v1/video/cameras/%d/segments/%d", cred.Camera.ID, *w.Segments[0].Seq), super, nil)
		wantStatus(t, resp, http.StatusOK)
		ts, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := notary.SM3Hex(ts); got != w.Segments[0].SM3 || resp.Header.Get("X-Content-SM3") != got {
			t.Fatalf("segment digest %s, indexed %s, header %s", got, w.Segments[0].SM3, resp.Header.Get("X-Content-SM3"))
		}
		var gaps []video.Gap
		resp = e.do("GET", fmt.Sprintf("/api/v1/video/cameras/%d/gaps?from=%d", cred.Camera.ID, began.UnixMilli()), super, nil)
		wantStatus(t, resp, http.StatusOK)
		decode(t, resp, &gaps)
		if len(gaps) != 0 {
			t.Errorf("gaps in a continuous recording: %+v", gaps)
		}
		evs, _ := e.events.ByType(context.Background(), "video.segments_logged", 100)
		if len(evs) == 0 {
			t.Fatal("no segments logged")
		}
	})
}
