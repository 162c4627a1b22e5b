package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/glebarez/go-sqlite" // read-only look at the child's database

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/config"
	"github.com/tenderhall/tenderhall/notary"
)

// The crash test runs the server as a separate process (this test binary
// re-executed; TestMain then serves) so that SIGKILL is real.
const (
	crashChildEnv = "TENDERHALL_CRASH_TEST_CHILD"
	crashDataEnv  = "TENDERHALL_CRASH_TEST_DATA"
	crashAddrEnv  = "TENDERHALL_CRASH_TEST_ADDR"
	// crashConfEnv carries, as JSON, the TENDERHALL_* settings of a child
	// that runs on the real servers; without it the child runs embedded.
	crashConfEnv = "TENDERHALL_CRASH_TEST_CONF"
)

// TestMain runs the server instead of the tests when
// TestCrashKillDuringTwentyUploads starts this binary as its server process.
func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) == "1" {
		os.Exit(runCrashChild())
	}
	// A configuration directory of the tests' own: no saved login or log
	// state of the person running them is read or overwritten.
	dir, err := os.MkdirTemp("", "tenderhall-test-config-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CONFIG_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runCrashChild serves until SIGTERM (or dies by SIGKILL).
func runCrashChild() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	// No TENDERHALL_* variable of the parent's environment reaches the
	// server: it runs on the embedded default (SQLite, disk blobs, in-process
	// jobs) unless the test hands it the real servers' settings.
	conf := map[string]string{}
	if raw := os.Getenv(crashConfEnv); raw != "" {
		if err := json.Unmarshal([]byte(raw), &conf); err != nil {
			fmt.Fprintln(os.Stderr, "crash child config:", err)
			return 1
		}
	}
	root := newRoot(func(k string) string { return conf[k] }, os.Stdout, os.Stderr)
	root.SetArgs([]string{"serve", "--addr", os.Getenv(crashAddrEnv), "--data", os.Getenv(crashDataEnv)})
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		return 1
	}
	return 0
}

// crashChild is one run of the server process.
type crashChild struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	logs string
	done chan struct{}
	err  error // set before done closes
}

// freeLoopbackAddr returns a 127.0.0.1 port that was free a moment ago.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startCrashChild starts the server process on dataDir and addr and waits
// until /readyz answers 200. The process is killed at the end of the test
// if it still runs.
func startCrashChild(t *testing.T, dataDir, addr, logs string) *crashChild {
	t.Helper()
	return startCrashChildWith(t, dataDir, addr, logs, nil)
}

// startCrashChildWith is startCrashChild with the server's TENDERHALL_*
// settings (nil: the embedded default).
func startCrashChildWith(t *testing.T, dataDir, addr, logs string, conf map[string]string) *crashChild {
	t.Helper()
	confJSON, err := json.Marshal(conf)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	lf, err := os.OpenFile(logs, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	c := &crashChild{out: &syncBuffer{}, logs: logs, done: make(chan struct{})}
	c.cmd = exec.Command(exe)
	c.cmd.Env = append(os.Environ(), crashChildEnv+"=1", crashDataEnv+"="+dataDir, crashAddrEnv+"="+addr, crashConfEnv+"="+string(confJSON),
		"GOGC=400") // less collection work in the race-instrumented server; memory is not what this test measures
	c.cmd.Stdout, c.cmd.Stderr = c.out, lf
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.err = c.cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = c.cmd.Process.Kill() // the process this test started, by its PID
			<-c.done
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-c.done:
			t.Fatalf("server process exited at start: %v\nstdout:\n%s\nlog:\n%s", c.err, c.out.String(), c.tail())
		default:
		}
		resp, err := crashHTTP.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server process not ready after 30 s\nlog:\n%s", c.tail())
		}
		time.Sleep(25 * time.Millisecond) // polling another process's readiness
	}
}

// tail is the end of the server's log, for failure messages.
func (c *crashChild) tail() string {
	b, _ := os.ReadFile(c.logs)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *crashChild) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatalf("SIGKILL: %v", err)
	}
	<-c.done
	if ws, ok := c.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("server process did not die of SIGKILL: %v", c.cmd.ProcessState)
	}
}

// stop asks the server to shut down (SIGTERM) and waits for it, at most 30 s.
func (c *crashChild) stop(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not stop within 30 s of SIGTERM\nlog:\n%s", c.tail())
	}
	if c.err != nil {
		t.Fatalf("server exited with %v after SIGTERM\nlog:\n%s", c.err, c.tail())
	}
}

// crashHTTP is the test's own client of the server process, so that the
// connections a kill breaks can be dropped without touching other tests'.
var crashHTTP = &http.Client{Timeout: 2 * time.Minute, Transport: http.DefaultTransport.(*http.Transport).Clone()}

// apiCall sends a JSON request to base+path with the bearer token (if any),
// requires status want and decodes the answer into out (if not nil).
func apiCall(t *testing.T, base, method, path, token string, body any, want int, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := crashHTTP.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
}

// crashProxy stands between the bid clients and the server process. While
// holding, the first chunk of each client (told apart by its bearer token)
// at or beyond that client's threshold is forwarded only in part: the
// server receives stallBytes of its body, then nothing until cut() — so
// that at the kill every upload has a chunk half-way into the server. It
// also records, per client, the upload creations and the first chunk offset.
type crashProxy struct {
	rp         *httputil.ReverseProxy
	transport  *http.Transport
	stallBytes int64
	cutCh      chan struct{}
	stalledCh  chan string // a token, once its chunk is stalled

	mu         sync.Mutex
	holding    bool
	threshold  map[string]int64 // by token
	stalled    map[string]int64 // token → offset of the stalled chunk
	creates    map[string]int
	firstPut   map[string]int64 // token → offset of its first chunk since record()
	finalizes  map[string]int
	cutStarted bool
}

var errProxyCut = errors.New("crash proxy: the connection to the server was cut")

func newCrashProxy(t *testing.T, target string, stallBytes int64) (*crashProxy, string) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &crashProxy{stallBytes: stallBytes, cutCh: make(chan struct{}), stalledCh: make(chan string, 64),
		threshold: map[string]int64{}, stalled: map[string]int64{}}
	p.transport = http.DefaultTransport.(*http.Transport).Clone()
	p.rp = httputil.NewSingleHostReverseProxy(u)
	p.rp.Transport = p.transport
	p.rp.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, err error) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprintf(w, `{"error":{"code":"bad_gateway","message":%q}}`, err.Error())
	}
	p.record()
	srv := &http.Server{Handler: p}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		p.cut()
		srv.Close()
		p.transport.CloseIdleConnections()
	})
	return p, "http://" + ln.Addr().String()
}

// hold sets each token's threshold and starts stalling.
func (p *crashProxy) hold(thresholds map[string]int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.holding, p.threshold = true, thresholds
}

// cut ends every stalled chunk with an error and stops holding.
func (p *crashProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.holding = false
	if !p.cutStarted {
		p.cutStarted = true
		close(p.cutCh)
	}
}

// record starts a new record of creations, first chunks and finalizes.
func (p *crashProxy) record() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.creates, p.firstPut, p.finalizes = map[string]int{}, map[string]int64{}, map[string]int{}
}

func (p *crashProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/uploads"):
		p.creates[token]++
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/finalize"):
		p.finalizes[token]++
	case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/api/v1/uploads/"):
		off, err := strconv.ParseInt(r.URL.Query().Get("offset"), 10, 64)
		if _, seen := p.firstPut[token]; !seen && err == nil {
			p.firstPut[token] = off
		}
		th, ok := p.threshold[token]
		if _, done := p.stalled[token]; p.holding && ok && !done && err == nil && off >= th && r.ContentLength > p.stallBytes {
			p.stalled[token] = off
			r.Body = &stallReader{r: r.Body, n: p.stallBytes, cut: p.cutCh, reached: func() { p.stalledCh <- token }}
		}
	}
	p.mu.Unlock()
	p.rp.ServeHTTP(w, r)
}

// stallReader passes n bytes, reports it, then blocks until cut and fails.
type stallReader struct {
	r         io.ReadCloser
	n         int64
	cut       <-chan struct{}
	reached   func()
	reportedN bool
}

func (s *stallReader) Read(b []byte) (int, error) {
	if s.n > 0 {
		if int64(len(b)) > s.n {
			b = b[:s.n]
		}
		n, err := s.r.Read(b)
		s.n -= int64(n)
		return n, err
	}
	if !s.reportedN {
		s.reportedN = true
		s.reached()
	}
	<-s.cut
	return 0, errProxyCut
}

func (s *stallReader) Close() error { return s.r.Close() }

// dataFiles lists the regular files under dir (relative slash paths →
// size), leaving out the database and the key files, which are not blobs.
func dataFiles(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	files := map[string]int64{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while walking
			}
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "keys" {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(rel, "tenderhall.db") && !strings.Contains(rel, "/") {
			return nil // tenderhall.db, -wal, -shm, -journal
		}
		fi, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		files[rel] = fi.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// openReadOnlyDB opens the server's SQLite database for reading only.
func openReadOnlyDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Ping(); err != nil {
		t.Fatalf("open %s read-only: %v", path, err)
	}
	return db
}

// tableExists reports whether the SQLite database has the table.
func tableExists(t *testing.T, db *sql.DB, name string) bool {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// crashSeed is the server's own wiring opened on a data directory before
// the server first starts, with accounts on cheap password hashes and the
// first administrator signed in.
type crashSeed struct {
	app   *app
	cfg   config.Config
	acc   *accounts.Service
	admin accounts.LoginResult
}

// crashSeedPassword is every seeded account's password.
const crashSeedPassword = "Crash-test-pass-2026"

// openCrashSeed migrates dataDir (on the real servers of conf, nil: the
// embedded default), makes the bucket and the administrator crash-admin.
// The caller closes app.
func openCrashSeed(t *testing.T, dataDir string, conf map[string]string) crashSeed {
	t.Helper()
	ctx := context.Background()
	e := &env{getenv: func(k string) string { return conf[k] }, out: io.Discard, errOut: io.Discard}
	cfg, _, err := config.Load(e.getenv, map[string]string{"data": dataDir})
	must(t, err)
	a, err := e.openApp(ctx, cfg)
	must(t, err)
	must(t, a.ensureBlobs(ctx)) // serve makes the bucket at start; seeding runs before
	_, err = a.db.Migrate(ctx)
	must(t, err)
	fields, err := notary.NewFieldCipher(a.fieldKey)
	must(t, err)
	opts := accounts.DefaultOptions()
	opts.Argon2 = accounts.Argon2Params{Memory: 8 * 1024, Iterations: 1, Parallelism: 1}
	acc := accounts.New(a.db, a.events, a.clock, fields, opts)
	setup, err := acc.CreateSetupToken(ctx, time.Hour)
	must(t, err)
	_, err = acc.CompleteSetup(ctx, setup, "crash-admin", "管理员", crashSeedPassword)
	must(t, err)
	admin, err := acc.Login(ctx, accounts.LoginRequest{Username: "crash-admin", Password: crashSeedPassword, Kind: accounts.KindBearer})
	must(t, err)
	return crashSeed{app: a, cfg: cfg, acc: acc, admin: admin}
}
