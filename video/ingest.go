package video

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/notary"
)

// MaxSegmentBytes is the largest segment a camera may upload: a minute at
// 4 Mbit/s, far above the 2 s segments the encoders are told to cut.
const MaxSegmentBytes = 32 << 20

// MaxSkew is how far a segment's end, by the camera's clock, may lie from
// the moment the platform received it.
const MaxSkew = 5 * time.Second

// ingestTimeout bounds one upload once the encoder stopped waiting for it.
const ingestTimeout = 2 * time.Minute

// SaveSegment streams one segment file of camera c into the blob store,
// hashing it with SM3 on the way, and records the upload; a playlist then
// gives it its place. Uploading a file again before a playlist names it
// replaces it; once indexed, the same bytes again are a no-op (an
// encoder's retry) and different bytes are refused.
// Errors: Invalid (bad name; r failed or was truncated), TooLarge (over
// MaxSegmentBytes), Conflict (the file is indexed with other bytes),
// those of the blob store and storage.
//
// size is the upload's declared length (Content-Length), -1 when unknown:
// known, the blob store writes it in one PUT instead of buffering parts.
func (s *Service) SaveSegment(ctx context.Context, c Camera, file string, r io.Reader, size int64) (Segment, error) {
	// Encoders hang up as soon as they sent the last byte, without waiting
	// for the answer: a complete upload is kept all the same (a truncated
	// one fails reading r).
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ingestTimeout)
	defer cancel()
	if err := CheckName(file); err != nil || !strings.HasSuffix(file, ".ts") && !strings.HasSuffix(file, ".m4s") {
		return Segment{}, apperr.New(apperr.Invalid, "分段文件名须为字母、数字、-、_、. 组成并以 .ts 或 .m4s 结尾",
			"a segment name is letters, digits, - _ . ending in .ts or .m4s").WithField("name", "bad segment name")
	}
	if size > MaxSegmentBytes {
		return Segment{}, apperr.Newf(apperr.TooLarge, "分段超过 %d 字节", "a segment exceeds %d bytes", MaxSegmentBytes)
	}
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	old, err := s.st.segmentFile(ctx, c.ID, file)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return Segment{}, err
	}
	h := notary.NewSM3()
	lr := &limited{r: r, h: h, left: MaxSegmentBytes}
	if err == nil && old.Seq != nil {
		return s.again(old, lr)
	}
	key := fmt.Sprintf("video/%d/%s/%s", c.ID, now.In(clock.Shanghai).Format("2006-01-02"), file)
	info, err := s.blobs.Save(ctx, key, lr, max(size, -1))
	if err != nil {
		return Segment{}, err
	}
	seg := Segment{CameraID: c.ID, File: file, BlobKey: key, SM3: hex.EncodeToString(h.Sum(nil)), Size: info.Size, ReceivedAt: now}
	if err := s.st.upsertUpload(ctx, seg); err != nil {
		return Segment{}, err
	}
	return seg, s.catchUp(ctx, c, file)
}

// catchUp logs file from the camera's latest playlist when the playlist
// came first: encoders send it without waiting for the segment's answer.
func (s *Service) catchUp(ctx context.Context, c Camera, file string) error {
	raw, err := s.st.lastPlaylist(ctx, c.ID)
	if err != nil || raw == nil || !bytes.Contains(raw, []byte("\n"+file)) {
		return err
	}
	if _, err := s.IndexPlaylist(ctx, c, raw, time.Time{}); err != nil && !apperr.Is(err, apperr.Invalid) {
		return err // the playlist's own problems were answered when it came
	}
	return nil
}

// again answers a segment uploaded once more after a playlist indexed it.
func (s *Service) again(old Segment, lr *limited) (Segment, error) {
	if _, err := io.Copy(io.Discard, lr); err != nil {
		return Segment{}, err
	}
	if hex.EncodeToString(lr.h.Sum(nil)) != old.SM3 {
		return Segment{}, apperr.Newf(apperr.Conflict, "分段 %s 已记入日志（序号 %d），不能以不同内容替换",
			"segment %s is logged already (sequence %d) and cannot be replaced with other bytes", old.File, *old.Seq).WithField("name", "logged")
	}
	return old, nil
}

// limited hashes what it reads and fails past its limit, so that an
// oversized segment is never stored.
type limited struct {
	r    io.Reader
	h    hash.Hash
	left int64
}

func (l *limited) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.h.Write(p[:n])
	l.left -= int64(n)
	if l.left < 0 {
		return n, apperr.Newf(apperr.TooLarge, "分段超过 %d MiB", "a segment may not exceed %d MiB", MaxSegmentBytes>>20)
	}
	return n, err
}

// Pending is how long after its end, by the camera's clock, a segment a
// playlist names may still be on its way before it counts as missing.
const Pending = MaxSkew

// Problem is one playlist entry that was not indexed, and why.
type Problem struct {
	Seq    int64  `json:"seq"`
	File   string `json:"file"`
	Reason string `json:"reason"`
}

// IndexResult tells what a playlist added to the index.
type IndexResult struct {
	Logged   []Segment `json:"logged"`   // newly indexed, in sequence order, under one event
	Problems []Problem `json:"problems"` // entries refused
	Pending  []string  `json:"pending"`  // files named but still uploading: logged when they complete
}

// IndexPlaylist reads a camera's live playlist and indexes the segments it
// names for the first time: their sequence numbers, program date times and
// durations go, with their SM3 hashes, into one video.segments_logged
// event, in the same transaction. Entries indexed before are checked to
// agree. An entry whose upload has not arrived yet, within Pending of its
// end, waits with every entry after it: the playlist is kept and the
// upload, when it completes, logs them. An entry whose file never came
// (later than that), whose sequence number is
// not above everything indexed, or whose end by the camera's clock lies
// more than MaxSkew from its receipt is refused; the others are indexed
// all the same, and the refusals come back as an Invalid error listing
// them (with the result). Errors: those of ParsePlaylist; Invalid as said;
// those of storage.
//
// A recorder that spools to its own disk (tenderhall video ingest) uploads
// late after an outage, so receipt says nothing about its clock; it
// declares its clock at sending instead (cameraNow, zero when not given),
// and then that clock must lie within MaxSkew of the platform's and no
// entry may end after it, while lateness is allowed.
func (s *Service) IndexPlaylist(ctx context.Context, c Camera, raw []byte, cameraNow time.Time) (IndexResult, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ingestTimeout)
	defer cancel()
	pl, err := ParsePlaylist(raw)
	if err != nil {
		return IndexResult{}, err
	}
	var res IndexResult
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		res = IndexResult{Logged: []Segment{}, Problems: []Problem{}, Pending: []string{}}
		if _, err := s.st.camera(ctx, c.ID, true); err != nil { // one playlist of a camera at a time
			return err
		}
		todo, err := s.admit(ctx, c, pl, cameraNow, &res)
		if err != nil {
			return err
		}
		if err := s.st.keepPlaylist(ctx, c.ID, raw); err != nil {
			return err
		}
		if len(todo) == 0 {
			return nil
		}
		return s.log(ctx, c, todo, &res)
	})
	if err != nil {
		return IndexResult{}, err
	}
	if len(res.Problems) > 0 {
		return res, problemsError(res.Problems)
	}
	return res, nil
}

type admitted struct {
	seg   Segment
	entry Entry
}

// admit sorts the playlist's entries into those to index now and problems.
func (s *Service) admit(ctx context.Context, c Camera, pl Playlist, cameraNow time.Time, res *IndexResult) ([]admitted, error) {
	files := make([]string, 0, len(pl.Entries))
	for _, e := range pl.Entries {
		files = append(files, e.URI)
	}
	up, err := s.st.segmentFiles(ctx, c.ID, files)
	if err != nil {
		return nil, err
	}
	top, err := s.st.maxSeq(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	var todo []admitted
	now := s.clock.Now()
	for _, e := range pl.Entries {
		seg, ok := up[e.URI]
		switch {
		case len(res.Pending) > 0 && seg.Seq == nil:
			res.Pending = append(res.Pending, e.URI) // keeps the order of the log
		case !ok && now.Sub(e.Start.Add(e.Duration)) <= Pending:
			res.Pending = append(res.Pending, e.URI)
		case !ok:
			res.Problems = append(res.Problems, Problem{e.Seq, e.URI, "not uploaded"})
		case seg.Seq != nil:
			if *seg.Seq != e.Seq {
				res.Problems = append(res.Problems, Problem{e.Seq, e.URI, fmt.Sprintf("logged before as sequence %d", *seg.Seq)})
			}
		case e.Seq <= top:
			res.Problems = append(res.Problems, Problem{e.Seq, e.URI, fmt.Sprintf("sequence not above %d, the last logged", top)})
		default:
			if why := skewed(e, seg, cameraNow, now); why != "" {
				res.Problems = append(res.Problems, Problem{e.Seq, e.URI, why})
				continue
			}
			todo = append(todo, admitted{seg, e})
			top = e.Seq
		}
	}
	return todo, nil
}

// log appends one event for the batch and marks its segments indexed.
func (s *Service) log(ctx context.Context, c Camera, todo []admitted, res *IndexResult) error {
	items := make([]map[string]any, 0, len(todo))
	for _, a := range todo {
		items = append(items, map[string]any{"seq": a.entry.Seq, "file": a.seg.File, "sm3": a.seg.SM3, "size": a.seg.Size,
			"start": a.entry.Start.UnixMilli(), "durationMs": a.entry.Duration.Milliseconds()})
	}
	ev, err := s.events.Append(ctx, eventlog.Entry{Type: "video.segments_logged", Subject: c.subject(), Actor: c.subject(),
		Payload: map[string]any{"room": c.Room, "camera": c.Name, "segments": items}})
	if err != nil {
		return err
	}
	for _, a := range todo {
		ok, err := s.st.index(ctx, a.seg.ID, a.entry.Seq, a.entry.Start, a.entry.Duration.Milliseconds(), ev.Seq)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.Conflict, "分段已被另一请求记入日志，请重试", "a segment was logged by another request; try again")
		}
		seq, start, dur, logged := a.entry.Seq, a.entry.Start, a.entry.Duration.Milliseconds(), ev.Seq
		a.seg.Seq, a.seg.StartAt, a.seg.DurationMS, a.seg.LoggedSeq = &seq, &start, &dur, &logged
		res.Logged = append(res.Logged, a.seg)
	}
	last := todo[len(todo)-1]
	return s.st.touchCamera(ctx, c.ID, last.entry.Start.Add(last.entry.Duration))
}

// skewed says why entry e's program date time cannot be right, or "".
// Without a declared camera clock the segment's receipt stands in for it.
func skewed(e Entry, seg Segment, cameraNow, now time.Time) string {
	end := e.Start.Add(e.Duration)
	if cameraNow.IsZero() {
		if d := end.Sub(seg.ReceivedAt); d > MaxSkew || d < -MaxSkew {
			return fmt.Sprintf("camera clock skewed by %.1f s", d.Seconds())
		}
		return ""
	}
	if d := cameraNow.Sub(now); d > MaxSkew || d < -MaxSkew {
		return fmt.Sprintf("camera clock skewed by %.1f s", d.Seconds())
	}
	if d := end.Sub(cameraNow); d > MaxSkew {
		return fmt.Sprintf("segment ends %.1f s after the camera's clock", d.Seconds())
	}
	return ""
}

func problemsError(ps []Problem) error {
	var zh, en []string
	for _, p := range ps {
		zh = append(zh, strconv.FormatInt(p.Seq, 10)+" "+p.File)
		en = append(en, fmt.Sprintf("%d %s: %s", p.Seq, p.File, p.Reason))
	}
	return apperr.New(apperr.Invalid, fmt.Sprintf("播放列表中有 %d 个分段未能记入日志：%s", len(ps), strings.Join(zh, "；")),
		fmt.Sprintf("%d playlist entries were not logged: %s", len(ps), strings.Join(en, "; "))).WithField("playlist", strings.Join(en, "; "))
}
