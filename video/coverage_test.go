package video

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/clock"
)

func TestCoverageGapWhileTheCameraIsStopped(t *testing.T) {
	start := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	var clk *clock.Fake
	forEachBackend(t, func() clock.Clock { clk = clock.NewFake(start); return clk }, func(t *testing.T, e *env) {
		ctx := context.Background()
		cam := e.camera(t, "评标一室").Camera
		super := accounts.Principal{UserID: 3, Roles: []accounts.Role{accounts.RoleSupervisor}}
		var pl strings.Builder
		pl.WriteString("#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:1\n")
		// record sends segment seq (2 s) starting at at, as an encoder does.
		record := func(seq int, at time.Time) {
			t.Helper()
			clk.Set(at.Add(2 * time.Second))
			if _, err := e.svc.SaveSegment(ctx, cam, fmt.Sprintf("s%d.ts", seq), strings.NewReader(fmt.Sprint(seq)), -1); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&pl, "#EXT-X-PROGRAM-DATE-TIME:%s\n#EXTINF:2.0,\ns%d.ts\n", at.Format(time.RFC3339Nano), seq)
			if _, err := e.svc.IndexPlaylist(ctx, cam, []byte(pl.String()), time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		sweep := func() {
			t.Helper()
			for range 2 { // twice: nothing may be recorded twice
				if err := e.svc.CheckCoverage(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
		count := func(typ string) int {
			evs, err := e.events.ByType(ctx, typ, 100)
			if err != nil {
				t.Fatal(err)
			}
			return len(evs)
		}
		for i := range 3 {
			record(i+1, start.Add(time.Duration(2*i)*time.Second))
		}
		sweep()
		if count("video.camera_offline")+count("video.coverage_gap") != 0 {
			t.Fatal("a gap while the camera records")
		}
		// The camera stops at +6 s; 11 s later it is offline.
		clk.Set(start.Add(17 * time.Second))
		sweep()
		gaps, err := e.svc.Gaps(ctx, super, cam.ID, start, start.Add(time.Hour))
		if err != nil || len(gaps) != 1 || !gaps[0].From.Equal(start.Add(6*time.Second)) || gaps[0].To != nil || count("video.camera_offline") != 1 {
			t.Fatalf("offline camera: %+v %v, %d offline events", gaps, err, count("video.camera_offline"))
		}
		// It resumes at +20 s: the gap is closed with its interval.
		record(4, start.Add(20*time.Second))
		record(5, start.Add(22*time.Second))
		sweep()
		gaps, _ = e.svc.Gaps(ctx, super, cam.ID, start, start.Add(time.Hour))
		if len(gaps) != 1 || gaps[0].To == nil || !gaps[0].To.Equal(start.Add(20*time.Second)) || count("video.coverage_gap") != 1 {
			t.Fatalf("closed gap: %+v, %d gap events", gaps, count("video.coverage_gap"))
		}
		evs, _ := e.events.ByType(ctx, "video.coverage_gap", 1)
		want := fmt.Sprintf(`"from":%d`, start.Add(6*time.Second).UnixMilli())
		if !strings.Contains(evs[0].Payload, want) || !strings.Contains(evs[0].Payload, `"seconds":14`) {
			t.Errorf("gap event %s, want %s and 14 s", evs[0].Payload, want)
		}
		// A short pause (8 s) is no gap.
		record(6, start.Add(32*time.Second))
		sweep()
		if gaps, _ := e.svc.Gaps(ctx, super, cam.ID, start, start.Add(time.Hour)); len(gaps) != 1 {
			t.Errorf("an 8 s pause became a gap: %+v", gaps)
		}
	})
}

// TestLateDeliveryIsNoGap: a spooling recorder silent for 15 s (the
// platform was down) then delivers the whole interval: the camera was
// offline live, and that is recorded, but no recording is missing.
func TestLateDeliveryIsNoGap(t *testing.T) {
	start := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	var clk *clock.Fake
	forEachBackend(t, func() clock.Clock { clk = clock.NewFake(start); return clk }, func(t *testing.T, e *env) {
		ctx := context.Background()
		cam := e.camera(t, "开标一室").Camera
		super := accounts.Principal{UserID: 3, Roles: []accounts.Role{accounts.RoleSupervisor}}
		send := func(from, to int) {
			t.Helper()
			var pl strings.Builder
			fmt.Fprintf(&pl, "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:%d\n", from)
			for seq := from; seq <= to; seq++ {
				if _, err := e.svc.SaveSegment(ctx, cam, fmt.Sprintf("s%d.ts", seq), strings.NewReader(fmt.Sprint(seq)), -1); err != nil {
					t.Fatal(err)
				}
				at := start.Add(time.Duration(2*(seq-1)) * time.Second)
				fmt.Fprintf(&pl, "#EXT-X-PROGRAM-DATE-TIME:%s\n#EXTINF:2.0,\ns%d.ts\n", at.Format(time.RFC3339Nano), seq)
			}
			if _, err := e.svc.IndexPlaylist(ctx, cam, []byte(pl.String()), clk.Now()); err != nil {
				t.Fatal(err)
			}
		}
		clk.Set(start.Add(2 * time.Second))
		send(1, 1)
		clk.Set(start.Add(15 * time.Second))
		if err := e.svc.CheckCoverage(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Set(start.Add(20 * time.Second))
		send(2, 10) // +2 s … +20 s, all of it
		for range 2 {
			if err := e.svc.CheckCoverage(ctx); err != nil {
				t.Fatal(err)
			}
		}
		n := func(typ string) int { evs, _ := e.events.ByType(ctx, typ, 10); return len(evs) }
		gaps, err := e.svc.Gaps(ctx, super, cam.ID, start, start.Add(time.Hour))
		if err != nil || n("video.camera_offline") != 1 || n("video.camera_resumed") != 1 || n("video.coverage_gap") != 0 {
			t.Fatalf("offline %d, resumed %d, gap %d (%v)", n("video.camera_offline"), n("video.camera_resumed"), n("video.coverage_gap"), err)
		}
		if len(gaps) != 1 || gaps[0].To == nil || !gaps[0].To.Equal(gaps[0].From) || !gaps[0].From.Equal(start.Add(2*time.Second)) {
			t.Fatalf("gaps %+v: want the offline interval closed as nothing missing", gaps)
		}
	})
}
