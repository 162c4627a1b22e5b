package video

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

func TestWindowFindsTheMoment(t *testing.T) {
	start := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	var clk *clock.Fake
	forEachBackend(t, func() clock.Clock { clk = clock.NewFake(start); return clk }, func(t *testing.T, e *env) {
		ctx := context.Background()
		cam := e.camera(t, "开标一室").Camera
		// Segments 1–3 (2 s each), then the camera stops for 10 s, then 4–5.
		var pl strings.Builder
		pl.WriteString("#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:1\n")
		at := start
		for seq := 1; seq <= 5; seq++ {
			if seq == 4 {
				at = at.Add(10 * time.Second)
				pl.WriteString("#EXT-X-DISCONTINUITY\n")
			}
			clk.Set(at.Add(2 * time.Second))
			if _, err := e.svc.SaveSegment(ctx, cam, fmt.Sprintf("s%d.ts", seq), strings.NewReader(fmt.Sprint(seq)), -1); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&pl, "#EXT-X-PROGRAM-DATE-TIME:%s\n#EXTINF:2.0,\ns%d.ts\n", at.Format(time.RFC3339Nano), seq)
			at = at.Add(2 * time.Second)
		}
		if _, err := e.svc.IndexPlaylist(ctx, cam, []byte(pl.String()), time.Time{}); err != nil {
			t.Fatal(err)
		}
		super := accounts.Principal{UserID: 3, Roles: []accounts.Role{accounts.RoleSupervisor}}
		cases := []struct {
			at     time.Duration // after start
			segs   int
			offset int64
		}{
			{3500 * time.Millisecond, 5, 3500}, // in segment 2
			{17 * time.Second, 5, 7000},        // in segment 4, after the gap: 6 s played before it
			{9 * time.Second, 5, -1},           // in the gap
			{-time.Hour, 0, -1},                // before the recording
		}
		for _, c := range cases {
			w, err := e.svc.WindowAround(ctx, super, cam.ID, start.Add(c.at), time.Minute, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if len(w.Segments) != c.segs || w.OffsetMS != c.offset {
				t.Errorf("at +%s: %d segments, offset %d ms; want %d, %d", c.at, len(w.Segments), w.OffsetMS, c.segs, c.offset)
			}
		}
		w, _ := e.svc.WindowAround(ctx, super, cam.ID, start.Add(3*time.Second), 1500*time.Millisecond, 0)
		got := string(w.Playlist(func(s Segment) string { return fmt.Sprintf("seg/%d", *s.Seq) }))
		want := "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:1\n" +
			"#EXT-X-PROGRAM-DATE-TIME:2026-12-07T01:00:00.000Z\n#EXTINF:2.000,\nseg/1\n" +
			"#EXT-X-PROGRAM-DATE-TIME:2026-12-07T01:00:02.000Z\n#EXTINF:2.000,\nseg/2\n#EXT-X-ENDLIST\n"
		if got != want {
			t.Errorf("playlist:\n%s\nwant:\n%s", got, want)
		}
		full, _ := e.svc.WindowAround(ctx, super, cam.ID, start, 0, time.Minute)
		if p := string(full.Playlist(func(s Segment) string { return "x" })); strings.Count(p, "#EXT-X-DISCONTINUITY") != 0 {
			t.Errorf("the gap's segments follow in sequence (3, 4), no discontinuity by sequence: %s", p)
		}
		if _, err := e.svc.WindowAround(ctx, accounts.Principal{UserID: 9, Roles: []accounts.Role{accounts.RoleBidder}}, cam.ID, start, 0, time.Minute); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a bidder watched the room: %v", err)
		}
		if _, rc, err := e.svc.OpenSegment(ctx, super, cam.ID, 4); err != nil {
			t.Fatal(err)
		} else {
			rc.Close()
		}
	})
}
