package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/storagetest"
	"github.com/tenderhall/tenderhall/video"
)

// TestVerifyVideoFindsTampering records a few seconds of real ffmpeg
// output, then replaces, removes and swaps stored segments behind the
// platform's back: verify video passes before and names each one after.
func TestVerifyVideoFindsTampering(t *testing.T) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ffmpeg is not on PATH but CI=true")
		}
		t.Skip("ffmpeg not on PATH")
	}
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			ctx := context.Background()
			db := storagetest.Open(t, b)
			blobs := storagetest.Blobs(t, b)
			key, _ := notary.GenerateKey()
			events := eventlog.New(db, clock.System{})
			vids := video.New(db, events, blobs, clock.System{})
			fields, _ := notary.NewFieldCipher(make([]byte, notary.FieldKeySize))
			opts := accounts.DefaultOptions()
			opts.Argon2 = accounts.Argon2Params{Memory: 8 * 1024, Iterations: 1, Parallelism: 1}
			accDB := storagetest.Open(t, dbtest.SQLite)
			acc := accounts.New(accDB, eventlog.New(accDB, clock.System{}), clock.System{}, fields, opts)
			handler := api.New(api.Deps{Events: events, Tree: events.Tree(key), Accounts: acc, Blobs: blobs, Video: vids,
				Version: "test", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler()
			ingest := httptest.NewServer(handler)
			admin, _ := auditorTokens(t, ctx, acc)
			pub := filepath.Join(t.TempDir(), "platform.pub")
			os.WriteFile(pub, []byte(key.Public().PEM), 0o600)

			cred, err := vids.RegisterCamera(ctx, accounts.Principal{UserID: 1, Roles: []accounts.Role{accounts.RoleAdmin}},
				video.CameraRequest{Room: "开标一室", Name: "cam-1", Kind: video.KindOpening})
			if err != nil {
				t.Fatal(err)
			}
			from := time.Now().Add(-time.Second).UTC().Truncate(time.Second)
			enc := exec.Command(ffmpeg, "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
				"-t", "6", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p",
				"-f", "hls", "-hls_time", "1", "-hls_list_size", "5", "-hls_flags", "program_date_time", "-hls_start_number_source", "epoch",
				"-method", "PUT", "-headers", api.CameraTokenHeader+": "+cred.Token+"\r\n", ingest.URL+"/api/v1/video/ingest/index.m3u8")
			if out, err := enc.CombinedOutput(); err != nil {
				t.Fatalf("ffmpeg: %v\n%s", err, out)
			}
			// ffmpeg does not wait for the last answers; Close does, so
			// every upload is logged before the auditor looks.
			ingest.Close()
			srv := httptest.NewServer(handler)
			t.Cleanup(srv.Close)
			to := time.Now().Add(2 * time.Second).UTC().Truncate(time.Second)
			args := []string{"verify", "video", "--server", srv.URL, "--platform-pub", pub, "--room", "开标一室",
				"--from", from.Format(time.RFC3339), "--to", to.Format(time.RFC3339)}
			env := map[string]string{"TENDERHALL_TOKEN": admin}
			out, _, err := execute(t, env, args...)
			if err != nil || !strings.Contains(out, "OK:") {
				t.Fatalf("untouched recording: %v\n%s", err, out)
			}
			checkEvidence(t, env, append([]string{"video", "evidence"}, args[2:]...), pub)
			w, err := vids.WindowAround(ctx, accounts.Principal{UserID: 1, Roles: []accounts.Role{accounts.RoleAdmin}}, cred.Camera.ID, from, 0, to.Sub(from))
			if err != nil || len(w.Segments) < 5 {
				t.Fatalf("%d segments, %v", len(w.Segments), err)
			}
			segs := w.Segments
			read := func(s video.Segment) []byte {
				b, err := storage.ReadAll(ctx, blobs, keyOf(t, db, s))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			write := func(s video.Segment, b []byte) {
				if _, err := blobs.Save(ctx, keyOf(t, db, s), bytes.NewReader(b), int64(len(b))); err != nil {
					t.Fatal(err)
				}
			}
			// Replace segment 0's bytes, remove segment 1, swap 2 and 3.
			write(segs[0], append(read(segs[0])[:100], make([]byte, 1000)...))
			if err := blobs.Delete(ctx, keyOf(t, db, segs[1])); err != nil {
				t.Fatal(err)
			}
			b2, b3 := read(segs[2]), read(segs[3])
			write(segs[2], b3)
			write(segs[3], b2)

			out, _, err = execute(t, env, args...)
			if exitCode(err) == 0 {
				t.Fatalf("tampered recording passed:\n%s", out)
			}
			for _, want := range []string{
				seqLine(segs[0], "replaced"), seqLine(segs[1], "removed"),
				seqLine(segs[2], "reordered: served the bytes logged as segment "+itoaSeq(segs[3])),
				seqLine(segs[3], "reordered: served the bytes logged as segment "+itoaSeq(segs[2])),
			} {
				if !strings.Contains(out, want) {
					t.Errorf("missing %q in:\n%s", want, out)
				}
			}
			if n := strings.Count(out, "PROBLEM"); n != 4 {
				t.Errorf("%d problems reported, want 4:\n%s", n, out)
			}
			// No package is made of a recording that fails verification.
			dir := filepath.Join(t.TempDir(), "tampered")
			if _, _, err := execute(t, env, append([]string{"video", "evidence", "--out", dir}, args[2:]...)...); exitCode(err) == 0 {
				t.Fatal("an evidence package was made of a tampered recording")
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Fatalf("the failed export left %s behind: %v", dir, err)
			}
		})
	}
}

func keyOf(t *testing.T, db *storage.DB, s video.Segment) string {
	t.Helper()
	var keys []string
	if err := db.Conn(context.Background()).Raw("SELECT blob_key FROM video_segments WHERE camera_id = ? AND seq = ?", s.CameraID, *s.Seq).Scan(&keys).Error; err != nil || len(keys) != 1 {
		t.Fatalf("blob key of segment %d: %v", *s.Seq, err)
	}
	return keys[0]
}

func itoaSeq(s video.Segment) string { return strconv.FormatInt(*s.Seq, 10) }

func seqLine(s video.Segment, what string) string {
	return "segment " + itoaSeq(s) + " (" + s.File + "): " + what
}

// checkEvidence exports the untouched recording as an evidence package,
// verifies it offline, then tampers with the package's copy: a replaced
// segment and a removed one are named, and the server plays no part.
func checkEvidence(t *testing.T, env map[string]string, args []string, pub string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "evidence")
	if out, _, err := execute(t, env, append(args, "--out", dir)...); err != nil || !strings.Contains(out, "evidence package written") {
		t.Fatalf("video evidence: %v\n%s", err, out)
	}
	offline := []string{"verify", "video", "--evidence", dir, "--platform-pub", pub}
	out, _, err := execute(t, nil, offline...)
	if err != nil || !strings.Contains(out, "OK:") {
		t.Fatalf("verify video --evidence on the untouched package: %v\n%s", err, out)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "camera-*", "*.ts"))
	if len(segs) < 5 {
		t.Fatalf("the package holds %d segments", len(segs))
	}
	os.WriteFile(segs[1], []byte("not the recording"), 0o644)
	os.Remove(segs[3])
	out, _, err = execute(t, nil, offline...)
	if exitCode(err) == 0 {
		t.Fatalf("a tampered package passed:\n%s", out)
	}
	for _, want := range []string{"(" + filepath.Base(segs[1]) + "): replaced", "(" + filepath.Base(segs[3]) + "): removed"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "PROBLEM"); n != 2 {
		t.Errorf("%d problems reported, want 2:\n%s", n, out)
	}
}
