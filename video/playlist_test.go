package video

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// What ffmpeg 5.1's HLS muxer writes with -hls_flags program_date_time.
const ffmpegPlaylist = `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:1
#EXT-X-MEDIA-SEQUENCE:7
#EXTINF:1.000000,
#EXT-X-PROGRAM-DATE-TIME:2026-12-07T15:03:39.049+0800
index7.ts
#EXTINF:0.960000,
#EXT-X-PROGRAM-DATE-TIME:2026-12-07T15:03:40.049+0800
index8.ts
#EXTINF:1.000000,
index9.ts
#EXT-X-ENDLIST
`

func TestParsePlaylist(t *testing.T) {
	p, err := ParsePlaylist([]byte(ffmpegPlaylist))
	if err != nil {
		t.Fatal(err)
	}
	if p.MediaSequence != 7 || len(p.Entries) != 3 || !p.Ended {
		t.Fatalf("got %+v", p)
	}
	start := time.Date(2026, 12, 7, 7, 3, 39, 49e6, time.UTC)
	want := []Entry{
		{7, "index7.ts", time.Second, start},
		{8, "index8.ts", 960 * time.Millisecond, start.Add(time.Second)},
		{9, "index9.ts", time.Second, start.Add(1960 * time.Millisecond)}, // follows from the one before
	}
	for i, e := range p.Entries {
		if e != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, e, want[i])
		}
	}
}

func TestParsePlaylistRefuses(t *testing.T) {
	head := "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:1\n"
	pdt := "#EXT-X-PROGRAM-DATE-TIME:2026-12-07T15:03:39.049Z\n"
	var many strings.Builder
	many.WriteString(head + pdt)
	for i := 0; i <= MaxPlaylistEntries; i++ {
		fmt.Fprintf(&many, "#EXTINF:1,\ns%d.ts\n", i)
	}
	cases := []struct {
		name, in string
		kind     apperr.Kind
		says     string
	}{
		{"not a playlist", "hello\n", apperr.Invalid, "missing #EXTM3U"},
		{"empty", "", apperr.Invalid, "empty"},
		{"no duration", head + pdt + "a.ts\n", apperr.Invalid, "without EXTINF"},
		{"no time", head + "#EXTINF:1,\na.ts\n", apperr.Invalid, "without EXT-X-PROGRAM-DATE-TIME"},
		{"path", head + pdt + "#EXTINF:1,\n../a.ts\n", apperr.Invalid, "plain file name"},
		{"url", head + pdt + "#EXTINF:1,\nhttp://x/a.ts\n", apperr.Invalid, "plain file name"},
		{"negative duration", head + pdt + "#EXTINF:-1,\na.ts\n", apperr.Invalid, "EXTINF"},
		{"hour-long segment", head + pdt + "#EXTINF:3600,\na.ts\n", apperr.Invalid, "EXTINF"},
		{"bad time", head + "#EXT-X-PROGRAM-DATE-TIME:yesterday\n", apperr.Invalid, "PROGRAM-DATE-TIME"},
		{"sequence twice", head + "#EXT-X-MEDIA-SEQUENCE:2\n", apperr.Invalid, "MEDIA-SEQUENCE"},
		{"too many", many.String(), apperr.TooLarge, "more than"},
		{"too big", "#EXTM3U\n" + strings.Repeat("#", MaxPlaylistBytes), apperr.TooLarge, "exceeds"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParsePlaylist([]byte(c.in))
			if !apperr.Is(err, c.kind) || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("got %v, want %v saying %q", err, c.kind, c.says)
			}
		})
	}
}

func FuzzParsePlaylist(f *testing.F) {
	f.Add([]byte(ffmpegPlaylist))
	f.Add([]byte("#EXTM3U\n#EXTINF:1,\na.ts\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := ParsePlaylist(raw)
		if err != nil {
			if _, ok := apperr.As(err); !ok {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		for i, e := range p.Entries {
			if e.Seq != p.MediaSequence+int64(i) || CheckName(e.URI) != nil || e.Duration <= 0 || e.Start.IsZero() {
				t.Fatalf("entry %d accepted as %+v", i, e)
			}
		}
	})
}
