package video

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Window is one camera's recording around a moment: the segments covering
// [At−Before, At+After) and where At falls in them.
type Window struct {
	Camera   Camera    `json:"camera"`
	At       time.Time `json:"at"`
	Segments []Segment `json:"segments"`
	// OffsetMS is At's position in the playlist of Segments: where the
	// player seeks. Negative when no segment covers At (a gap).
	OffsetMS int64 `json:"offsetMs"`
}

// MaxWindow is the longest recording one window may span.
const MaxWindow = 2 * time.Hour

// WindowAround returns camera id's segments from at−before to at+after.
// Supervisors and administrators see every camera. Errors: Forbidden,
// Invalid (a negative span or one longer than MaxWindow), NotFound (no
// such camera), those of storage.
func (s *Service) WindowAround(ctx context.Context, p accounts.Principal, id int64, at time.Time, before, after time.Duration) (Window, error) {
	if !p.Has(accounts.RoleSupervisor) && !p.Has(accounts.RoleAdmin) {
		return Window{}, apperr.New(apperr.Forbidden, "只有监督人员和管理员可以查看录像", "only supervisors and administrators watch recordings")
	}
	if before < 0 || after < 0 || before+after > MaxWindow {
		return Window{}, apperr.Newf(apperr.Invalid, "录像时段须在 0 到 %s 之间", "a recording window spans 0 to %s", MaxWindow).WithField("window", "out of range")
	}
	c, err := s.st.camera(ctx, id, false)
	if err != nil {
		return Window{}, err
	}
	segs, err := s.st.segmentsBetween(ctx, id, at.Add(-before), at.Add(after))
	if err != nil {
		return Window{}, err
	}
	w := Window{Camera: c, At: at.UTC(), Segments: segs, OffsetMS: -1}
	var played time.Duration
	for _, sg := range segs {
		d := time.Duration(*sg.DurationMS) * time.Millisecond
		if !at.Before(*sg.StartAt) && at.Before(sg.StartAt.Add(d)) {
			w.OffsetMS = (played + at.Sub(*sg.StartAt)).Milliseconds()
		}
		played += d
	}
	return w, nil
}

// Playlist renders w as an HLS VOD playlist whose segment URIs uri gives
// (see VODPlaylist).
func (w Window) Playlist(uri func(Segment) string) []byte {
	es := make([]VODEntry, len(w.Segments))
	for i, s := range w.Segments {
		es[i] = VODEntry{Seq: *s.Seq, Start: *s.StartAt, DurationMS: *s.DurationMS, URI: uri(s)}
	}
	return VODPlaylist(es)
}

// VODEntry is one segment of a VOD playlist.
type VODEntry struct {
	Seq        int64
	Start      time.Time // program date time
	DurationMS int64
	URI        string
}

// VODPlaylist renders es, in sequence order, as an HLS VOD playlist: every
// segment carries its program date time, and a discontinuity marks each
// break in the sequence, so the player's clock stays the camera's.
func VODPlaylist(es []VODEntry) []byte {
	var b strings.Builder
	target := int64(1)
	for _, e := range es {
		target = max(target, (e.DurationMS+999)/1000)
	}
	fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-TARGETDURATION:%d\n", target)
	if len(es) > 0 {
		fmt.Fprintf(&b, "#EXT-X-MEDIA-SEQUENCE:%d\n", es[0].Seq)
	}
	for i, e := range es {
		if i > 0 && e.Seq != es[i-1].Seq+1 {
			b.WriteString("#EXT-X-DISCONTINUITY\n")
		}
		fmt.Fprintf(&b, "#EXT-X-PROGRAM-DATE-TIME:%s\n#EXTINF:%.3f,\n%s\n",
			e.Start.UTC().Format("2006-01-02T15:04:05.000Z"), float64(e.DurationMS)/1000, e.URI)
	}
	b.WriteString("#EXT-X-ENDLIST\n")
	return []byte(b.String())
}

// OpenSegment reads the indexed segment seq of camera id for a supervisor
// or administrator; the caller closes the reader. Errors: Forbidden,
// NotFound, those of the blob store.
func (s *Service) OpenSegment(ctx context.Context, p accounts.Principal, id, seq int64) (Segment, io.ReadCloser, error) {
	if !p.Has(accounts.RoleSupervisor) && !p.Has(accounts.RoleAdmin) {
		return Segment{}, nil, apperr.New(apperr.Forbidden, "只有监督人员和管理员可以查看录像", "only supervisors and administrators watch recordings")
	}
	sg, err := s.st.segmentSeq(ctx, id, seq)
	if err != nil {
		return Segment{}, nil, err
	}
	rc, err := s.blobs.Open(ctx, sg.BlobKey, 0, -1)
	return sg, rc, err
}
