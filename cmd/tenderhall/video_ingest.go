package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenderhall/tenderhall/video/spool"
)

// videoCmd groups the room recorder's commands.
func (e *env) videoCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "video", Short: "Room recordings: upload a camera's recording, export an evidence package"}
	cmd.AddCommand(e.videoIngestCmd(), e.videoEvidenceCmd())
	return cmd
}

// videoIngestCmd uploads an encoder's spool directory with retries.
func (e *env) videoIngestCmd() *cobra.Command {
	var server, tokenFile, dir, playlist string
	var keep, pattern bool
	var seconds int
	cmd := &cobra.Command{
		Use:   "ingest --server URL --spool DIR [--token-file F] [--test-pattern]",
		Short: "Upload a room camera's HLS spool to the platform, retrying until every segment is logged",
		Long: "The hall's encoder writes HLS to --spool (e.g. ffmpeg -f hls -hls_flags program_date_time+temp_file\n" +
			"-hls_list_size 900 -hls_start_number_source epoch DIR/index.m3u8); this command uploads each finished\n" +
			"segment and then a playlist naming it, retrying through network failures and platform restarts.\n" +
			"A journal in the spool lets it be restarted without losing or repeating anything. Program date\n" +
			"times are moved onto the platform's clock (GET /api/v1/time, measured every minute), the legal time.\n" +
			"The camera token comes from --token-file or TENDERHALL_CAMERA_TOKEN, never from the command line.\n" +
			"--test-pattern runs ffmpeg itself as a simulated camera (test pattern, the platform's clock burnt in).\n" +
			"It exits 0 when the encoder ended its playlist and everything was logged.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if server == "" || dir == "" {
				return fmt.Errorf("%w: --server and --spool are required", errUsage)
			}
			token, err := e.cameraToken(tokenFile)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return err
			}
			return e.videoIngest(cmd.Context(), server, token, dir, playlist, keep, pattern, seconds)
		},
	}
	cmd.Flags().StringVar(&server, "server", "", "base URL of the platform")
	cmd.Flags().StringVar(&tokenFile, "token-file", "", "file holding the camera's ingest token (or TENDERHALL_CAMERA_TOKEN)")
	cmd.Flags().StringVar(&dir, "spool", "", "the directory the encoder writes HLS to")
	cmd.Flags().StringVar(&playlist, "playlist", "index.m3u8", "the encoder's playlist in the spool")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep segment files in the spool once logged")
	cmd.Flags().BoolVar(&pattern, "test-pattern", false, "run ffmpeg as a simulated camera into the spool")
	cmd.Flags().IntVar(&seconds, "seconds", 0, "with --test-pattern: record this long (0: until interrupted)")
	return cmd
}

func (e *env) cameraToken(file string) (string, error) {
	if file == "" {
		if t := e.getenv("TENDERHALL_CAMERA_TOKEN"); t != "" {
			return t, nil
		}
		return "", fmt.Errorf("%w: give the camera token in --token-file or TENDERHALL_CAMERA_TOKEN", errUsage)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(raw)), nil
}

func (e *env) videoIngest(ctx context.Context, server, token, dir, playlist string, keep, pattern bool, seconds int) error {
	client := &http.Client{Timeout: 2 * time.Minute}
	var offset atomic.Int64
	off, err := e.firstOffset(ctx, client, server)
	if err != nil {
		return err
	}
	offset.Store(int64(off))
	// Interrupted, the simulated camera's encoder stops at once and ends
	// its playlist; the uploader gets 30 s more to deliver the last segments.
	upCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stopAfter := context.AfterFunc(ctx, func() { time.AfterFunc(30*time.Second, cancel) })
	defer stopAfter()
	go func() {
		for {
			select {
			case <-upCtx.Done():
				return
			case <-time.After(time.Minute):
			}
			if o, err := platformOffset(upCtx, client, server); err == nil {
				offset.Store(int64(o))
			}
		}
	}()
	encDone := make(chan error, 1)
	if pattern {
		ffmpeg, err := exec.LookPath("ffmpeg")
		if err != nil {
			return errors.New("--test-pattern needs ffmpeg on PATH (Debian: apt-get install ffmpeg)")
		}
		enc := spool.TestPattern(ctx, ffmpeg, dir, time.Now().Add(off), seconds)
		enc.Stderr = e.errOut
		if err := enc.Start(); err != nil {
			return err
		}
		fmt.Fprintf(e.errOut, "simulated camera: ffmpeg test pattern into %s\n", dir)
		go func() {
			encDone <- enc.Wait()
			time.AfterFunc(30*time.Second, cancel) // an encoder that died without ending its playlist must not hold the uploader forever
		}()
	}
	u := &spool.Uploader{Server: server, Token: token, Dir: dir, Playlist: playlist, Keep: keep, Client: client,
		Offset: func() time.Duration { return time.Duration(offset.Load()) }, Report: e.ingestReport()}
	if !pattern {
		upCtx = ctx
	}
	err = u.Run(upCtx)
	if pattern {
		cancel()
		if encErr := <-encDone; encErr != nil && ctx.Err() == nil {
			return errors.Join(fmt.Errorf("the simulated camera's ffmpeg: %w", encErr), err)
		}
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return nil // interrupted: the journal keeps the rest for the next run
	}
	return err
}

// firstOffset reads the platform's clock, retrying while it cannot be
// reached: a recorder may start before the platform does.
func (e *env) firstOffset(ctx context.Context, client *http.Client, server string) (time.Duration, error) {
	wait := 500 * time.Millisecond
	for {
		off, err := platformOffset(ctx, client, server)
		if err == nil {
			return off, nil
		}
		fmt.Fprintf(e.errOut, "problem (问题): reading the platform's clock: %v (retrying)\n", err)
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// ingestReport prints a line whenever the counts or the problem change.
func (e *env) ingestReport() func(spool.Report) {
	var last spool.Report
	return func(r spool.Report) {
		if r.Seen == last.Seen && r.Logged == last.Logged && r.Refused == last.Refused && r.LastProblem == last.LastProblem && r.Ended == last.Ended {
			return
		}
		if r.LastProblem != last.LastProblem && r.LastProblem != "" {
			fmt.Fprintf(e.errOut, "problem (问题): %s\n", r.LastProblem)
		}
		last = r
		fmt.Fprintf(e.errOut, "segments: %d seen, %d uploaded, %d logged, %d refused, %d retries (分段：已见 %d，已上传 %d，已记入日志 %d，拒收 %d，重试 %d)\n",
			r.Seen, r.Uploaded, r.Logged, r.Refused, r.Retries, r.Seen, r.Uploaded, r.Logged, r.Refused, r.Retries)
	}
}

// platformOffset is the platform's clock minus this machine's, from one
// GET /api/v1/time, taking the middle of the round trip.
func platformOffset(ctx context.Context, client *http.Client, server string) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(server, "/")+"/api/v1/time", nil)
	if err != nil {
		return 0, err
	}
	sent := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	got := time.Now()
	var t struct {
		UnixMillis int64 `json:"unixMillis"`
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&t); err != nil {
		return 0, err
	}
	mid := sent.Add(got.Sub(sent) / 2)
	return time.UnixMilli(t.UnixMillis).Sub(mid), nil
}
