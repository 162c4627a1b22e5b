// Package spool is the hall side of video ingest (tenderhall video
// ingest): the encoder writes HLS to a local directory (ffmpeg -f hls to
// files, never over the network, so it never loses a segment to a failed
// PUT), and the Uploader sends each finished segment, then a playlist
// naming it, to the platform's ingest route, retrying until the platform
// has logged it. A journal in the directory makes a restart of either side
// lose nothing and send nothing twice; the platform takes a repeated
// identical segment or playlist as a no-op.
package spool

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/tenderhall/tenderhall/video"
)

// Uploader uploads one encoder's spool directory as one camera.
type Uploader struct {
	Server   string               // the platform's base URL
	Token    string               // the camera's ingest token
	Dir      string               // the directory the encoder writes to
	Playlist string               // the encoder's playlist in Dir; default "index.m3u8"
	Offset   func() time.Duration // the platform's clock minus this machine's, added to program date times and the declared clock; nil: 0
	Keep     bool                 // keep segment files once logged (default: remove them)
	Client   *http.Client         // default: one with a 2-minute timeout per request
	Poll     time.Duration        // how often the playlist is read; default 250 ms
	Batch    int                  // at most this many entries per uploaded playlist; default 10
	Every    time.Duration        // how long an uploaded segment may wait to be logged with later ones; default 10 s
	Backoff  time.Duration        // the first wait before a retry, doubling to 5 s; default 250 ms
	Report   func(Report)         // progress, after every step that changed it
	Now      func() time.Time

	rep Report
	j   *journal
}

// Report is the uploader's progress.
type Report struct {
	Seen, Uploaded, Logged, Refused int
	Retries                         int    // failed attempts retried so far
	LastProblem                     string // the latest failure, retried or refused
	Ended                           bool   // the encoder ended its playlist
}

// ErrRejectedToken is returned when the platform refuses the camera's token
// (unknown, or revoked by a rotation): retrying cannot help.
var ErrRejectedToken = errors.New("the platform refused the camera token (摄像机令牌无效或已被更换)")

// Run uploads until ctx ends (returning its error) or the encoder has ended
// its playlist and every segment it named is logged or refused (nil).
// Network failures and 5xx answers are retried with backoff; a segment the
// platform refuses for good (409 different bytes under a logged name, 413,
// 4xx on its playlist entry) is journalled as refused with the reason and
// reported. Errors: ErrRejectedToken; the spool directory's I/O errors.
func (u *Uploader) Run(ctx context.Context) error {
	u.defaults()
	j, err := openJournal(u.Dir)
	if err != nil {
		return err
	}
	defer j.close()
	u.j = j
	u.count(j)
	tick := time.NewTicker(u.Poll)
	defer tick.Stop()
	for {
		ended, err := u.scan(j)
		if err != nil {
			return err
		}
		if err := u.drain(ctx, j); err != nil {
			return err
		}
		if ended && u.rep.Seen == u.rep.Logged+u.rep.Refused {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

func (u *Uploader) defaults() {
	if u.Playlist == "" {
		u.Playlist = "index.m3u8"
	}
	if u.Client == nil {
		u.Client = &http.Client{Timeout: 2 * time.Minute}
	}
	if u.Poll <= 0 {
		u.Poll = 250 * time.Millisecond
	}
	if u.Backoff <= 0 {
		u.Backoff = 250 * time.Millisecond
	}
	if u.Every <= 0 {
		u.Every = 10 * time.Second
	}
	if u.Batch <= 0 {
		u.Batch = 10
	}
	if u.Now == nil {
		u.Now = time.Now
	}
}

// scan journals the entries of the encoder's playlist not seen before.
// A playlist missing or half-written (an encoder without temp_file) is
// read again at the next poll.
func (u *Uploader) scan(j *journal) (bool, error) {
	raw, err := os.ReadFile(filepath.Join(u.Dir, u.Playlist))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	pl, err := video.ParsePlaylist(raw)
	if err != nil {
		return false, nil
	}
	var recs []record
	last := j.last()
	for _, e := range pl.Entries {
		if e.Seq > last {
			recs = append(recs, record{Seen: &entry{Seq: e.Seq, File: e.URI, Duration: e.Duration.Milliseconds(), Start: e.Start.Add(u.offset()).UTC()}})
			last = e.Seq
		}
	}
	if len(recs) > 0 {
		if err := j.write(recs...); err != nil {
			return false, err
		}
		u.count(j)
	}
	if pl.Ended != u.rep.Ended {
		u.rep.Ended = pl.Ended
		u.report()
	}
	return pl.Ended, nil
}

// count recomputes the report from the journal.
func (u *Uploader) count(j *journal) {
	r := Report{Retries: u.rep.Retries, LastProblem: u.rep.LastProblem, Ended: u.rep.Ended, Seen: len(j.entries)}
	for _, e := range j.entries {
		switch e.state {
		case uploaded:
			r.Uploaded++
		case logged:
			r.Uploaded++
			r.Logged++
		case refused:
			r.Refused++
		}
	}
	if r != u.rep {
		u.rep = r
		u.report()
	}
}

func (u *Uploader) offset() time.Duration {
	if u.Offset == nil {
		return 0
	}
	return u.Offset()
}

func (u *Uploader) report() {
	if u.Report != nil {
		u.Report(u.rep)
	}
}

// problem records a failure in the report.
func (u *Uploader) problem(retried bool, format string, args ...any) {
	u.rep.LastProblem = fmt.Sprintf(format, args...)
	if retried {
		u.rep.Retries++
	}
	u.report()
}
