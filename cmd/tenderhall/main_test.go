package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/dbtest"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func execute(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRoot(func(k string) string { return env[k] }, &out, &errOut)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func TestHelpListsTheCommands(t *testing.T) {
	out, _, err := execute(t, nil, "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"serve", "worker", "migrate", "version", "config", "demo"} {
		if !regexp.MustCompile(`(?m)^\s+` + c + `\s`).MatchString(out) {
			t.Errorf("--help does not list %q:\n%s", c, out)
		}
	}
}

func TestConfigMasksSecrets(t *testing.T) {
	env := map[string]string{
		"TENDERHALL_DATABASE_DSN":       "mysql:th:s3cret-db-pw@tcp(127.0.0.1:3306)/th",
		"TENDERHALL_SECURITY_FIELD_KEY": "0123456789abcdef0123456789abcdef",
		"TENDERHALL_MINIO_SECRET_KEY":   "minio-s3cret",
		"TENDERHALL_REDIS_PASSWORD":     "redis-s3cret",
	}
	out, _, err := execute(t, env, "config")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"s3cret-db-pw", "0123456789abcdef0123456789abcdef", "minio-s3cret", "redis-s3cret"} {
		if strings.Contains(out, s) {
			t.Errorf("config printed secret %q", s)
		}
	}
	if !strings.Contains(out, "mysql:th:****@tcp(127.0.0.1:3306)/th") {
		t.Errorf("DSN not shown masked:\n%s", out)
	}
}

func TestInvalidConfigurationExitsWithTwo(t *testing.T) {
	cases := [][]string{{"serve", "--addr", "nonsense"}, {"serve", "--no-such-flag"}, {"config", "--config", "/does/not/exist.yaml"}}
	for _, args := range cases {
		_, _, err := execute(t, map[string]string{}, args...)
		if code := exitCode(err); code != 2 {
			t.Errorf("%v: exit code %d (err %v), want 2", args, code, err)
		}
	}
	_, _, err := execute(t, map[string]string{"TENDERHALL_JOBS_KIND": "cron"}, "serve")
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "jobs.kind (TENDERHALL_JOBS_KIND)") {
		t.Errorf("err = %v, want it to name jobs.kind", err)
	}
}

func TestMigrateCommand(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			env := map[string]string{"TENDERHALL_DATABASE_DSN": dbtest.NewDSN(t, b),
				"TENDERHALL_SECURITY_FIELD_KEY": "0123456789abcdef0123456789abcdef", "TENDERHALL_DATA": t.TempDir()}
			out, _, err := execute(t, env, "migrate", "--status")
			if err != nil || !strings.Contains(out, "0001_event_log\tpending") {
				t.Fatalf("status before: %v\n%s", err, out)
			}
			out, _, err = execute(t, env, "migrate")
			if err != nil || !strings.Contains(out, "applied migration 0001") {
				t.Fatalf("migrate: %v\n%s", err, out)
			}
			out, _, err = execute(t, env, "migrate")
			if err != nil || !strings.Contains(out, "up to date") {
				t.Fatalf("second migrate: %v\n%s", err, out)
			}
		})
	}
}

// startServe runs `serve` in the background and returns its base URL.
func startServe(t *testing.T, env map[string]string, args ...string) (string, *syncBuffer, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	out, logs := &syncBuffer{}, &syncBuffer{}
	root := newRoot(func(k string) string { return env[k] }, io.MultiWriter(pw, out), logs)
	root.SetArgs(append([]string{"serve", "--addr", "127.0.0.1:0"}, args...))
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx); pw.Close() }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v after cancel", err)
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	go io.Copy(io.Discard, pr)
	m := regexp.MustCompile(`serving at (http://\S+)`).FindStringSubmatch(line)
	if err != nil || m == nil {
		t.Fatalf("no serving line: %q %v", line, err)
	}
	return m[1], out, logs
}

// waitStatus polls url until it answers want, for at most 20 seconds.
func waitStatus(t *testing.T, url string, want int) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			last = string(b)
			if resp.StatusCode == want {
				return last
			}
		}
		time.Sleep(50 * time.Millisecond) // polling an external process's readiness, not synchronising goroutines
	}
	t.Fatalf("%s never answered %d; last body %q", url, want, last)
	return ""
}

func TestServeRunsOnTheEmbeddedDefault(t *testing.T) {
	dir := t.TempDir()
	base, out, logs := startServe(t, map[string]string{}, "--data", dir)
	waitStatus(t, base+"/readyz", 200)
	waitStatus(t, base+"/api/v1/time", 200)
	for _, f := range []string{"tenderhall.db", "keys/field.key", "blobs"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("embedded default did not create %s: %v", f, err)
		}
	}
	if st, err := os.Stat(filepath.Join(dir, "keys/field.key")); err == nil && st.Mode().Perm() != 0o600 {
		t.Errorf("field key mode %v, want 0600", st.Mode().Perm())
	}
	m := regexp.MustCompile(`one-time token:\s+(\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no setup token printed:\n%s", out.String())
	}
	if strings.Contains(logs.String(), m[1]) {
		t.Fatal("the setup token reached the log")
	}
}

func TestServeWithDatabaseDownIsNotReady(t *testing.T) {
	env := map[string]string{
		"TENDERHALL_DATABASE_DSN":       "mysql:th:pw@tcp(127.0.0.1:1)/th",
		"TENDERHALL_SECURITY_FIELD_KEY": "0123456789abcdef0123456789abcdef",
	}
	base, _, logs := startServe(t, env, "--data", t.TempDir())
	body := waitStatus(t, base+"/readyz", 503)
	if !strings.Contains(body, `"database":"unavailable"`) {
		t.Fatalf("readyz body %s", body)
	}
	waitStatus(t, base+"/healthz", 200)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), `"step":"database"`) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "dependency unavailable, retrying") {
		t.Fatalf("log does not say which dependency it waits for:\n%s", logs.String())
	}
}

func TestServeWithRedisDownIsNotReady(t *testing.T) {
	env := map[string]string{"TENDERHALL_JOBS_KIND": "asynq", "TENDERHALL_REDIS_ADDR": "127.0.0.1:1"}
	base, _, logs := startServe(t, env, "--data", t.TempDir())
	body := waitStatus(t, base+"/readyz", 503)
	if !strings.Contains(body, `"queue":"unavailable"`) || !strings.Contains(body, `"database":"ok"`) {
		t.Fatalf("readyz body %s", body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), `"step":"job queue"`) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // waiting for the retry loop's first log line
	}
	if !strings.Contains(logs.String(), `"step":"job queue"`) {
		t.Fatalf("log does not name the job queue:\n%s", logs.String())
	}
}

func TestWorkerRunsAndStopsGracefully(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"TENDERHALL_DATA": dir}
	if _, _, err := execute(t, env, "migrate"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	root := newRoot(func(k string) string { return env[k] }, io.Discard, logs)
	root.SetArgs([]string{"worker"})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "worker running") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // waiting for the worker's start-up log line
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("worker after cancel: %v", err)
	}
	if !strings.Contains(logs.String(), "worker running") {
		t.Fatalf("worker never started:\n%s", logs.String())
	}
}
