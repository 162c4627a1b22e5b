package spool

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Headers of the ingest route (api.CameraTokenHeader, api.CameraClockHeader).
const (
	tokenHeader = "X-Camera-Token"
	clockHeader = "X-Camera-Clock"
)

// drain uploads every seen segment, then logs every uploaded one, in
// sequence order.
func (u *Uploader) drain(ctx context.Context, j *journal) error {
	for _, e := range j.entries {
		if e.state != seen {
			continue
		}
		st, why, err := u.uploadSegment(ctx, e)
		if err != nil {
			return err
		}
		if err := j.write(record{Seq: e.Seq, State: st, Why: why}); err != nil {
			return err
		}
		u.count(j)
	}
	for _, run := range u.runs(j) {
		if !u.due(run) {
			continue
		}
		if err := u.logRun(ctx, j, run); err != nil {
			return err
		}
	}
	return nil
}

// due says whether run is logged now: the platform logs segments in
// batches (one event each), a batch once it is full, once its first
// segment is Every old by the platform's clock (a backlog after an
// outage at once), or when the encoder has ended.
func (u *Uploader) due(run []*entry) bool {
	return len(run) >= u.Batch || u.rep.Ended || !run[0].Start.Add(u.Every).After(u.Now().Add(u.offset()))
}

// runs cuts the uploaded, unlogged entries into runs of consecutive
// sequence numbers of at most Batch entries: a playlist's entries are
// numbered from its media sequence on.
func (u *Uploader) runs(j *journal) [][]*entry {
	var out [][]*entry
	var cur []*entry
	for _, e := range j.entries {
		if e.state != uploaded {
			continue
		}
		if len(cur) > 0 && (e.Seq != cur[len(cur)-1].Seq+1 || len(cur) == u.Batch) {
			out, cur = append(out, cur), nil
		}
		cur = append(cur, e)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// logRun sends one playlist for run. When the platform refuses part of
// it, each entry is sent alone so that the refusal is pinned on the entry
// it concerns.
func (u *Uploader) logRun(ctx context.Context, j *journal, run []*entry) error {
	status, msg, err := u.send(ctx, http.MethodPut, u.Playlist, nil, run)
	if err != nil {
		return err
	}
	if status != 0 && len(run) > 1 {
		for _, e := range run {
			if err := u.logRun(ctx, j, []*entry{e}); err != nil {
				return err
			}
		}
		return nil
	}
	recs := make([]record, 0, len(run))
	for _, e := range run {
		if status == 0 {
			recs = append(recs, record{Seq: e.Seq, State: logged})
		} else {
			recs = append(recs, record{Seq: e.Seq, State: refused, Why: msg})
			u.problem(false, "segment %d (%s) refused: %s", e.Seq, e.File, msg)
		}
	}
	if err := j.write(recs...); err != nil {
		return err
	}
	u.count(j)
	if !u.Keep && status == 0 {
		for _, e := range run {
			os.Remove(filepath.Join(u.Dir, e.File)) // logged under the platform's log: the spool's copy has done its work
		}
	}
	// A refused segment stays in the spool: it is the hall's only copy the
	// log does not vouch for, kept for whoever looks into the refusal.
	return nil
}

// uploadSegment puts e's file until the platform has it, answering the
// state to journal and, when refused, why.
func (u *Uploader) uploadSegment(ctx context.Context, e *entry) (int, string, error) {
	path := filepath.Join(u.Dir, e.File)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		u.problem(false, "segment %d (%s) is missing from the spool", e.Seq, e.File)
		return refused, "missing from the spool", nil
	}
	status, msg, err := u.send(ctx, http.MethodPut, e.File, func() (io.Reader, int64, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, 0, err
		}
		info, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, 0, err
		}
		return f, info.Size(), nil
	}, nil)
	if err != nil {
		return 0, "", err
	}
	if status != 0 {
		u.problem(false, "segment %d (%s) refused: %s", e.Seq, e.File, msg)
		return refused, msg, nil
	}
	return uploaded, "", nil
}

// send PUTs one file (body) or a playlist of run to the ingest route,
// retrying what may pass later. It answers 0 when the platform took it,
// or the status and message of a refusal that retrying cannot change.
// Errors: ErrRejectedToken, ctx's error, the body's I/O errors.
func (u *Uploader) send(ctx context.Context, method, file string, body func() (io.Reader, int64, error), run []*entry) (int, string, error) {
	wait := u.Backoff
	for {
		status, msg, err := u.once(ctx, method, file, body, run)
		switch {
		case err == nil && status/100 == 2:
			return 0, "", nil
		case err == nil && (status == http.StatusUnauthorized || status == http.StatusForbidden):
			return 0, "", fmt.Errorf("%w: %s", ErrRejectedToken, msg)
		case err == nil && status/100 == 4 && status != http.StatusTooManyRequests && status != http.StatusRequestTimeout:
			return status, msg, nil
		case ctx.Err() != nil:
			return 0, "", ctx.Err()
		case err != nil && errors.Is(err, errLocal):
			return 0, "", err
		}
		if err != nil {
			u.problem(true, "%s: %v (retrying)", file, err)
		} else {
			u.problem(true, "%s: HTTP %d %s (retrying)", file, status, msg)
		}
		select {
		case <-ctx.Done():
			return 0, "", ctx.Err()
		case <-time.After(wait):
		}
		// Keep reading the encoder's playlist through an outage: an entry
		// may leave its window before the platform is back.
		if _, err := u.scan(u.j); err != nil {
			return 0, "", err
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// errLocal marks a failure on this machine (reading the spool), which
// retrying the request does not cure.
var errLocal = errors.New("spool")

func (u *Uploader) once(ctx context.Context, method, file string, body func() (io.Reader, int64, error), run []*entry) (int, string, error) {
	var r io.Reader
	var size int64
	if body != nil {
		b, n, err := body()
		if err != nil {
			return 0, "", fmt.Errorf("%w: %v", errLocal, err)
		}
		if c, ok := b.(io.Closer); ok {
			defer c.Close()
		}
		r, size = b, n
	} else {
		pl := playlist(run)
		r, size = bytes.NewReader(pl), int64(len(pl))
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(u.Server, "/")+"/api/v1/video/ingest/"+url.PathEscape(file), r)
	if err != nil {
		return 0, "", fmt.Errorf("%w: %v", errLocal, err)
	}
	req.ContentLength = size
	req.Header.Set(tokenHeader, u.Token)
	if body == nil {
		req.Header.Set(clockHeader, strconv.FormatInt(u.Now().Add(u.offset()).UnixMilli(), 10))
		req.Header.Set("Content-Type", "application/vnd.apple.mpegurl")
	}
	resp, err := u.Client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, strings.TrimSpace(string(msg)), nil
}

// playlist writes run as an HLS media playlist with a program date time
// on every entry.
func playlist(run []*entry) []byte {
	var b bytes.Buffer
	target := 1.0
	for _, e := range run {
		target = math.Max(target, math.Ceil(float64(e.Duration)/1000))
	}
	fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:%d\n", int(target), run[0].Seq)
	for _, e := range run {
		fmt.Fprintf(&b, "#EXT-X-PROGRAM-DATE-TIME:%s\n#EXTINF:%.3f,\n%s\n", e.Start.Format("2006-01-02T15:04:05.000Z07:00"), float64(e.Duration)/1000, e.File)
	}
	return b.Bytes()
}
