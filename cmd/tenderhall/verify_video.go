package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/video"
	"github.com/tenderhall/tenderhall/video/evidence"
)

// verifyVideoCmd checks a room's recording against the transparency log:
// every segment logged in the window must be served with the bytes whose
// SM3 hash the log holds, under a signed head of the platform key.
func (e *env) verifyVideoCmd() *cobra.Command {
	var f videoFlags
	var pkg string
	cmd := &cobra.Command{
		Use:   "video (--server URL --room R --from T --to T [--token T] | --evidence DIR) --platform-pub platform.pub",
		Short: "Verify a room's recording: every logged segment's hash, under a signed head",
		Long: "Downloads the transparency log and checks it against its signed heads (as verify log does), then\n" +
			"for every camera of the room downloads each segment logged between --from and --to (RFC 3339)\n" +
			"and compares its SM3 hash with the one in the log. A replaced, removed or reordered segment is\n" +
			"reported by sequence number; any problem exits non-zero.\n" +
			"With --evidence it checks an evidence package (from tenderhall video evidence) offline instead:\n" +
			"the signed head, each batch's inclusion proof, each segment's hash and the playlist.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if pkg != "" {
				if f.pubFile == "" {
					return fmt.Errorf("%w: --platform-pub is required", errUsage)
				}
				return e.verifyEvidence(pkg, f.pubFile)
			}
			c, pub, start, end, err := f.prepare(e)
			if err != nil {
				return err
			}
			return e.verifyVideo(cmd.Context(), c, pub, f.room, start, end, nil)
		},
	}
	f.bind(cmd)
	cmd.Flags().StringVar(&pkg, "evidence", "", "check this evidence package directory offline instead of a server")
	return cmd
}

// videoFlags are the flags naming a room's recording on a platform, shared
// by verify video and video evidence.
type videoFlags struct {
	server, pubFile, token, room, from, to string
}

func (f *videoFlags) bind(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.server, "server", "", "base URL of the platform")
	cmd.Flags().StringVar(&f.pubFile, "platform-pub", "", "the platform's SM2 public key (PEM), obtained out of band")
	cmd.Flags().StringVar(&f.token, "token", "", "bearer token of a supervisor or admin (or TENDERHALL_TOKEN)")
	cmd.Flags().StringVar(&f.room, "room", "", "the room, as its cameras are registered")
	cmd.Flags().StringVar(&f.from, "from", "", "start of the window, RFC 3339")
	cmd.Flags().StringVar(&f.to, "to", "", "end of the window, RFC 3339")
}

// prepare checks the flags and returns the platform's client, its key and
// the window.
func (f *videoFlags) prepare(e *env) (*logClient, *notary.PublicKey, time.Time, time.Time, error) {
	fail := func(err error) (*logClient, *notary.PublicKey, time.Time, time.Time, error) {
		return nil, nil, time.Time{}, time.Time{}, err
	}
	e.credentials(&f.server, &f.token)
	if f.server == "" || f.pubFile == "" || f.room == "" || f.from == "" || f.to == "" {
		return fail(fmt.Errorf("%w: --server, --platform-pub, --room, --from and --to are required", errUsage))
	}
	start, err1 := time.Parse(time.RFC3339, f.from)
	end, err2 := time.Parse(time.RFC3339, f.to)
	if err := errors.Join(err1, err2); err != nil || !end.After(start) || end.Sub(start) > video.MaxWindow {
		return fail(fmt.Errorf("%w: --from and --to are RFC 3339 times, --to after --from, at most %s apart", errUsage, video.MaxWindow))
	}
	pub, err := loadPublicKey(f.pubFile)
	if err != nil {
		return fail(err)
	}
	c := &logClient{base: strings.TrimRight(f.server, "/"), token: f.token, http: &http.Client{Timeout: time.Minute}}
	return c, pub, start, end, nil
}

// loggedSegment is a segment as the log holds it.
type loggedSegment struct {
	Seq   int64  `json:"seq"`
	File  string `json:"file"`
	SM3   string `json:"sm3"`
	Start int64  `json:"start"`
	event int64
}

func (e *env) verifyVideo(ctx context.Context, c *logClient, pub *notary.PublicKey, room string, from, to time.Time, w *evidence.Writer) error {
	c.askForHead(ctx)
	heads, problems, err := c.heads(ctx)
	if err != nil {
		return err
	}
	events, err := c.events(ctx)
	if err != nil {
		return err
	}
	rep := eventlog.Audit{Events: events, Heads: heads, Key: pub, Prover: c}.Run(ctx)
	var findings []string
	for _, f := range append(problems, rep.Findings...) {
		findings = append(findings, "log: "+f.String())
	}
	var cams []video.Camera
	if err := c.get(ctx, "/api/v1/video/cameras", &cams); err != nil {
		return err
	}
	m := evidence.Manifest{Server: c.base, Room: room, From: from, To: to, Head: rep.Latest, Made: time.Now().UTC()}
	checked := 0
	for _, cam := range cams {
		if cam.Room != room {
			continue
		}
		logged := segmentsInLog(events, cam.ID, from, to, rep.Latest.TreeSize, &findings)
		n, fs := c.checkSegments(ctx, cam, logged, w)
		checked += n
		findings = append(findings, fs...)
		fmt.Fprintf(e.out, "camera %d (%s, %s): %d segments logged between %s and %s\n", cam.ID, cam.Room, cam.Name, len(logged),
			from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
		if w != nil {
			ec, err := c.batches(ctx, cam, events, logged, rep.Latest.TreeSize)
			if err != nil {
				return err
			}
			m.Cameras = append(m.Cameras, ec)
		}
	}
	for _, f := range findings {
		fmt.Fprintln(e.out, "PROBLEM", f)
	}
	if len(findings) > 0 {
		return fmt.Errorf("the recording failed verification: %d problem(s)", len(findings))
	}
	fmt.Fprintf(e.out, "OK: %d segments match the log under the signed head of size %d\n", checked, rep.Latest.TreeSize)
	if w == nil {
		return nil
	}
	return w.Finish(m)
}

// batches gathers, for the evidence package, every event that logged one
// of camera's segments in the window, each with its inclusion proof under
// the verified head of size.
func (c *logClient) batches(ctx context.Context, cam video.Camera, events []eventlog.Event, logged []loggedSegment, size uint64) (evidence.Camera, error) {
	want := map[int64]bool{}
	for _, s := range logged {
		want[s.event] = true
	}
	out := evidence.Camera{ID: cam.ID, Name: cam.Name, Kind: cam.Kind}
	for _, ev := range events {
		if !want[ev.Seq] {
			continue
		}
		p, err := c.InclusionProof(ctx, uint64(ev.Seq), size)
		if err != nil {
			return evidence.Camera{}, fmt.Errorf("inclusion proof of event %d: %w", ev.Seq, err)
		}
		out.Batches = append(out.Batches, evidence.Batch{Event: ev, Proof: p})
	}
	return out, nil
}

// segmentsInLog collects camera's logged segments starting in [from, to),
// from events the audit verified; events not under the signed head yet
// are problems, since nothing proves them.
func segmentsInLog(events []eventlog.Event, camera int64, from, to time.Time, size uint64, findings *[]string) []loggedSegment {
	var out []loggedSegment
	first := map[int64]int64{} // sequence number → the event that logged it
	subject := fmt.Sprintf("camera:%d", camera)
	for _, ev := range events {
		if ev.Withheld || ev.Type != "video.segments_logged" || ev.Subject != subject {
			continue
		}
		var p struct{ Segments []loggedSegment }
		if err := json.Unmarshal([]byte(ev.Payload), &p); err != nil {
			*findings = append(*findings, fmt.Sprintf("event %d: unreadable segment batch: %v", ev.Seq, err))
			continue
		}
		for _, s := range p.Segments {
			if s.Start < from.UnixMilli() || s.Start >= to.UnixMilli() {
				continue
			}
			if uint64(ev.Seq) > size {
				*findings = append(*findings, fmt.Sprintf("segment %d: logged in event %d, not under a signed head yet", s.Seq, ev.Seq))
				continue
			}
			if at, dup := first[s.Seq]; dup {
				*findings = append(*findings, fmt.Sprintf("segment %d: logged twice, in events %d and %d", s.Seq, at, ev.Seq))
				continue
			}
			first[s.Seq] = ev.Seq
			s.event = ev.Seq
			out = append(out, s)
		}
	}
	return out
}

// checkSegments downloads every logged segment and names each one whose
// bytes are missing, replaced, or another logged segment's (reordered).
func (c *logClient) checkSegments(ctx context.Context, cam video.Camera, logged []loggedSegment, w *evidence.Writer) (int, []string) {
	bySM3 := map[string]int64{}
	for _, s := range logged {
		bySM3[s.SM3] = s.Seq
	}
	var out []string
	okCount := 0
	for _, s := range logged {
		var body []byte
		err := c.get(ctx, fmt.Sprintf("/api/v1/video/cameras/%d/segments/%d", cam.ID, s.Seq), &body)
		var he *httpError
		switch {
		case errors.As(err, &he) && he.status == http.StatusNotFound:
			out = append(out, fmt.Sprintf("camera %d segment %d (%s): removed: logged in event %d, not served", cam.ID, s.Seq, s.File, s.event))
		case err != nil:
			out = append(out, fmt.Sprintf("camera %d segment %d: %v", cam.ID, s.Seq, err))
		default:
			got := notary.SM3Hex(body)
			other, moved := bySM3[got]
			switch {
			case got == s.SM3:
				okCount++
				if w != nil {
					if err := w.Segment(cam.ID, s.File, body); err != nil {
						out = append(out, fmt.Sprintf("camera %d segment %d: writing the evidence package: %v", cam.ID, s.Seq, err))
					}
				}
			case moved:
				out = append(out, fmt.Sprintf("camera %d segment %d (%s): reordered: served the bytes logged as segment %d", cam.ID, s.Seq, s.File, other))
			default:
				out = append(out, fmt.Sprintf("camera %d segment %d (%s): replaced: SM3 %s, logged %s in event %d", cam.ID, s.Seq, s.File, got, s.SM3, s.event))
			}
		}
	}
	return okCount, out
}
