package video

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// loggedSegments reads every video.segments_logged event's segments by seq,
// failing on a seq logged twice.
func loggedSegments(t *testing.T, e *env) map[int64]map[string]any {
	t.Helper()
	evs, err := e.events.ByType(context.Background(), "video.segments_logged", 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]map[string]any{}
	for _, ev := range evs {
		var p struct{ Segments []map[string]any }
		if err := json.Unmarshal([]byte(ev.Payload), &p); err != nil {
			t.Fatal(err)
		}
		for _, s := range p.Segments {
			seq := int64(s["seq"].(float64))
			if _, dup := out[seq]; dup {
				t.Fatalf("segment %d logged twice", seq)
			}
			out[seq] = s
		}
	}
	return out
}

func TestFFmpegPushesLiveHLS(t *testing.T) {
	ffmpeg := ffmpegPath(t)
	forEachBackend(t, func() clock.Clock { return clock.System{} }, func(t *testing.T, e *env) {
		cred := e.camera(t, "开标一室")
		srv := e.ingestServer(t)
		if out, err := encoder(ffmpeg, srv.URL, cred.Token, 6).CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg: %v\n%s", err, out)
		}
		srv.Close() // waits for the uploads ffmpeg did not wait for
		ctx := context.Background()
		segs, err := e.svc.st.segmentsBetween(ctx, cred.Camera.ID, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(segs) < 5 {
			t.Fatalf("%d segments indexed from 6 s of video", len(segs))
		}
		var unlogged int64
		if err := e.db.Conn(ctx).Raw("SELECT COUNT(*) FROM video_segments WHERE seq IS NULL").Scan(&unlogged).Error; err != nil || unlogged != 0 {
			t.Fatalf("%d uploads never logged (%v): the last playlist came before its segment finished", unlogged, err)
		}
		logged := loggedSegments(t, e)
		if len(logged) != len(segs) {
			t.Fatalf("%d segments indexed, %d logged", len(segs), len(logged))
		}
		for i, s := range segs {
			if i > 0 && (*s.Seq != *segs[i-1].Seq+1 || !s.StartAt.After(*segs[i-1].StartAt)) {
				t.Errorf("segment %d (seq %d, %s) does not follow seq %d", i, *s.Seq, s.StartAt, *segs[i-1].Seq)
			}
			body, err := storage.ReadAll(ctx, e.blobs, s.BlobKey)
			if err != nil {
				t.Fatal(err)
			}
			if got := notary.SM3Hex(body); got != s.SM3 || logged[*s.Seq]["sm3"] != got || len(body) < 188 || body[0] != 0x47 {
				t.Errorf("segment %d: stored %s, indexed %s, logged %v (%d bytes, first byte %#x)", *s.Seq, got, s.SM3, logged[*s.Seq]["sm3"], len(body), body[0])
			}
		}
	})
}

func TestIngestRefusesBadInput(t *testing.T) {
	start := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var clk *clock.Fake
	forEachBackend(t, func() clock.Clock { clk = clock.NewFake(start); return clk }, func(t *testing.T, e *env) {
		ctx := context.Background()
		cred := e.camera(t, "评标二室")
		cam := cred.Camera
		put := func(file, body string) error {
			_, err := e.svc.SaveSegment(ctx, cam, file, strings.NewReader(body), -1)
			return err
		}
		playlist := func(seq int64, at time.Time, files ...string) string {
			var b strings.Builder
			fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:%d\n#EXT-X-PROGRAM-DATE-TIME:%s\n", seq, at.Format(time.RFC3339Nano))
			for _, f := range files {
				b.WriteString("#EXTINF:2.000,\n" + f + "\n")
			}
			return b.String()
		}
		index := func(raw string) (IndexResult, error) { return e.svc.IndexPlaylist(ctx, cam, []byte(raw), time.Time{}) }

		// Tokens: a made-up one, and the first one after rotation.
		if _, err := e.svc.Authenticate(ctx, "cam_1."+strings.Repeat("0", 64)); !apperr.Is(err, apperr.Unauthenticated) {
			t.Fatalf("a made-up token: %v", err)
		}
		if _, err := e.svc.Authenticate(ctx, cred.Token); err != nil {
			t.Fatal(err)
		}
		rotated, err := e.svc.RotateToken(ctx, admin, cam.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authenticate(ctx, cred.Token); !apperr.Is(err, apperr.Unauthenticated) {
			t.Fatalf("the rotated-away token: %v", err)
		}
		if c, err := e.svc.Authenticate(ctx, rotated.Token); err != nil || c.ID != cam.ID || c.TokenVersion != 2 {
			t.Fatalf("the new token: %+v %v", c, err)
		}

		// An oversize segment: refused, nothing stored.
		big := &limitedZero{n: MaxSegmentBytes + 1}
		if _, err := e.svc.SaveSegment(ctx, cam, "big.ts", big, -1); !apperr.Is(err, apperr.TooLarge) {
			t.Fatalf("oversize segment: %v", err)
		}
		if _, err := e.svc.SaveSegment(ctx, cam, "declared.ts", strings.NewReader("x"), MaxSegmentBytes+1); !apperr.Is(err, apperr.TooLarge) {
			t.Fatalf("a declared oversize segment: %v", err)
		}
		// Declared longer than sent: truncated, refused, nothing kept.
		if _, err := e.svc.SaveSegment(ctx, cam, "short.ts", strings.NewReader("only this"), 1000); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("a truncated segment: %v", err)
		}
		if list, _ := e.blobs.List(ctx, "video/"); len(list) != 0 {
			t.Fatalf("an oversize segment left %v", list)
		}
		if _, err := e.svc.st.segmentFile(ctx, cam.ID, "big.ts"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("an oversize segment was recorded: %v", err)
		}

		// Two segments, received as they end; a playlist naming a third
		// that never came logs the two and names the missing one.
		clk.Advance(2 * time.Second)
		if err := put("s10.ts", "ten"); err != nil {
			t.Fatal(err)
		}
		clk.Advance(2 * time.Second)
		if err := put("s11.ts", "eleven"); err != nil {
			t.Fatal(err)
		}
		res, err := index(playlist(10, start, "s10.ts", "s11.ts", "s12.ts"))
		if err != nil || len(res.Logged) != 2 || len(res.Pending) != 1 {
			t.Fatalf("s12 still on its way: %v, %+v", err, res)
		}
		clk.Advance(Pending + 3*time.Second)
		res, err = index(playlist(10, start, "s10.ts", "s11.ts", "s12.ts"))
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "12 s12.ts: not uploaded") || len(res.Logged) != 0 {
			t.Fatalf("missing segment: %v, logged %d", err, len(res.Logged))
		}
		// The same playlist again: nothing logged twice.
		if res, err := index(playlist(10, start, "s10.ts", "s11.ts")); err != nil || len(res.Logged) != 0 {
			t.Fatalf("the playlist again: %v, logged %d", err, len(res.Logged))
		}
		// The encoder's retry of a logged segment: same bytes are fine,
		// other bytes are refused and the stored ones stay.
		if err := put("s10.ts", "ten"); err != nil {
			t.Fatalf("retrying a logged segment: %v", err)
		}
		if err := put("s10.ts", "forged"); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("replacing a logged segment: %v", err)
		}
		seg, _ := e.svc.st.segmentFile(ctx, cam.ID, "s10.ts")
		if b, _ := storage.ReadAll(ctx, e.blobs, seg.BlobKey); string(b) != "ten" {
			t.Fatalf("a logged segment now holds %q", b)
		}
		// Reordered: s11 named as seq 10; a new file under a used seq.
		clk.Advance(2 * time.Second)
		if err := put("s13.ts", "thirteen"); err != nil {
			t.Fatal(err)
		}
		if _, err := index(playlist(10, start, "s11.ts", "s10.ts")); !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "logged before as sequence 11") {
			t.Fatalf("reordered: %v", err)
		}
		if _, err := index(playlist(11, start.Add(2*time.Second), "s13.ts")); !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "not above 11") {
			t.Fatalf("a used sequence number: %v", err)
		}
		// A camera clock 8 s fast.
		if _, err := index(playlist(13, start.Add(20*time.Second), "s13.ts")); !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "skewed by 8.0 s") {
			t.Fatalf("skewed clock: %v", err)
		}
		if res, err := index(playlist(13, start.Add(12*time.Second), "s13.ts")); err != nil || len(res.Logged) != 1 {
			t.Fatalf("s13 on time: %v %+v", err, res)
		}
		logged := loggedSegments(t, e)
		if len(logged) != 3 || logged[10]["sm3"] != notary.SM3Hex([]byte("ten")) || logged[13]["start"].(float64) != float64(start.Add(12*time.Second).UnixMilli()) {
			t.Fatalf("logged %v", logged)
		}
	})
}

// limitedZero yields n zero bytes.
type limitedZero struct{ n int64 }

func (z *limitedZero) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.n {
		p = p[:z.n]
	}
	clear(p)
	z.n -= int64(len(p))
	return len(p), nil
}

// TestSpooledSegmentsWithTheCameraClock: a recorder that spooled through an
// outage uploads a minute late and declares its clock; that is no skew.
// A declared clock off by more than MaxSkew, or an entry ending after the
// declared clock, is refused.
func TestSpooledSegmentsWithTheCameraClock(t *testing.T) {
	start := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var clk *clock.Fake
	forEachBackend(t, func() clock.Clock { clk = clock.NewFake(start); return clk }, func(t *testing.T, e *env) {
		ctx := context.Background()
		cam := e.camera(t, "开标一室").Camera
		entry := func(seq int64, at time.Time, file string) []byte {
			return []byte(fmt.Sprintf("#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:%d\n#EXT-X-PROGRAM-DATE-TIME:%s\n#EXTINF:2.000,\n%s\n", seq, at.Format(time.RFC3339Nano), file))
		}
		clk.Advance(time.Minute) // the outage
		for _, f := range []string{"a1.ts", "a2.ts", "a3.ts"} {
			if _, err := e.svc.SaveSegment(ctx, cam, f, strings.NewReader(f), -1); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.svc.IndexPlaylist(ctx, cam, entry(1, start, "a1.ts"), time.Time{}); !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "skewed by -58.0 s") {
			t.Fatalf("a late segment without the camera's clock: %v", err)
		}
		res, err := e.svc.IndexPlaylist(ctx, cam, entry(1, start, "a1.ts"), clk.Now().Add(-time.Second))
		if err != nil || len(res.Logged) != 1 {
			t.Fatalf("a spooled segment, clock declared: %v %+v", err, res)
		}
		if _, err := e.svc.IndexPlaylist(ctx, cam, entry(2, start.Add(2*time.Second), "a2.ts"), clk.Now().Add(6*time.Second)); !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "skewed by 6.0 s") {
			t.Fatalf("a declared clock 6 s fast: %v", err)
		}
		if _, err := e.svc.IndexPlaylist(ctx, cam, entry(3, clk.Now().Add(8*time.Second), "a3.ts"), clk.Now()); !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "ends 10.0 s after the camera's clock") {
			t.Fatalf("a segment from the future: %v", err)
		}
		if logged := loggedSegments(t, e); len(logged) != 1 {
			t.Fatalf("logged %v", logged)
		}
	})
}
