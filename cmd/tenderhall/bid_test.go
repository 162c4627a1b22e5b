package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/notary"
)

// fakePlatform serves the upload routes from memory, with failures on demand.
type fakePlatform struct {
	t        *testing.T
	key      *notary.PrivateKey
	mu       sync.Mutex
	data     []byte
	creates  int
	puts     []int64 // offsets of the PUTs received
	dropPut  int     // the PUT with this index (1-based) loses its connection
	failFrom int     // PUTs from this index on answer 503 (0: never)
}

func (p *fakePlatform) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer tok" {
		writeErr(w, 401, "unauthenticated")
		return
	}
	view := func(status int) {
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(api.UploadView{UploadID: "u1", SectionID: 7, Offset: int64(len(p.data)), Status: "open", MaxChunkBytes: 1 << 20})
	}
	switch {
	case r.Method == "POST" && r.URL.Path == "/api/v1/sections/7/uploads":
		p.creates++
		p.data = nil
		view(201)
	case r.Method == "GET" && r.URL.Path == "/api/v1/uploads/u1":
		view(200)
	case r.Method == "PUT" && r.URL.Path == "/api/v1/uploads/u1":
		off, _ := strconv.ParseInt(r.URL.Query().Get("offset"), 10, 64)
		p.puts = append(p.puts, off)
		n := len(p.puts)
		body, err := io.ReadAll(r.Body)
		switch {
		case n == p.dropPut:
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		case p.failFrom > 0 && n >= p.failFrom:
			writeErr(w, 503, "unavailable")
		case off != int64(len(p.data)):
			writeErr(w, 409, "wrong_offset")
		case err != nil:
			writeErr(w, 400, "bad_body")
		default:
			p.data = append(p.data, body...)
			view(200)
		}
	case r.Method == "POST" && r.URL.Path == "/api/v1/uploads/u1/finalize":
		if size, _ := strconv.Atoi(r.URL.Query().Get("size")); size > len(p.data) {
			writeErr(w, 409, "upload_incomplete")
			return
		}
		_, d, err := notary.VerifyEnvelope(context.Background(), bytes.NewReader(p.data), notary.Expect{Section: "7"})
		if err != nil {
			writeErr(w, 400, "bad_envelope")
			return
		}
		rc, _ := notary.SignReceipt(p.key, notary.Receipt{BidID: "1", ProjectID: "1", SectionID: "7", BidderID: "4",
			CiphertextDigest: d.String(), CiphertextSize: int64(len(p.data)), ReceivedAtMs: 1, LogIndex: 9})
		raw, _ := rc.Marshal()
		w.WriteHeader(201)
		w.Write(raw)
	default:
		writeErr(w, 404, "not_found")
	}
}

func writeErr(w http.ResponseWriter, status int, code string) {
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(api.ErrorBody{Error: api.ErrorDetail{Code: code, Message: code}})
}

// bidFiles writes a sealed envelope for section 7 and the platform key.
func bidFiles(t *testing.T, p *fakePlatform) (dir, env, pub string) {
	t.Helper()
	dir = t.TempDir()
	bidder, err := notary.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := notary.Seal(context.Background(), &out, strings.NewReader(strings.Repeat("报价", 20000)), notary.SealOptions{Signer: bidder,
		Recipients: []*notary.PublicKey{bidder.Public()}, ChunkSize: 4096,
		Meta: notary.Metadata{Project: "1", Section: "7", Bidder: "4", SealedAt: time.Unix(1, 0)}}); err != nil {
		t.Fatal(err)
	}
	env, pub = filepath.Join(dir, "bid.the"), filepath.Join(dir, "platform.pub")
	if err := os.WriteFile(env, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pub, []byte(p.key.Public().PEM), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, env, pub
}

func newFakePlatform(t *testing.T) (*fakePlatform, string) {
	k, err := notary.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	p := &fakePlatform{t: t, key: k}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv.URL
}

func TestBidSubmitResumesAfterDroppedConnection(t *testing.T) {
	t.Parallel() // see TestBidSubmitAgainstThePlatform
	p, url := newFakePlatform(t)
	p.dropPut = 2
	dir, env, pub := bidFiles(t, p)
	receipt := filepath.Join(dir, "r.json")
	out, _, err := executeBid(t, map[string]string{"TENDERHALL_TOKEN": "tok"}, "bid", "submit", "--server", url, "--section", "7",
		"--in", env, "--chunk-size", "8192", "--receipt", receipt, "--platform-pub", pub)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(env)
	if !bytes.Equal(p.data, want) || p.creates != 1 {
		t.Fatalf("server holds %d of %d bytes after %d creates", len(p.data), len(want), p.creates)
	}
	saved, err := os.ReadFile(receipt)
	if err != nil || !strings.Contains(out, `"logIndex"`) || strings.TrimSpace(string(saved)) != strings.TrimSpace(out) {
		t.Fatalf("receipt %q, printed %q: %v", saved, out, err)
	}
	if _, err := os.Stat(env + ".upload"); !os.IsNotExist(err) {
		t.Fatalf("state left behind: %v", err)
	}
}

func TestBidSubmitResumesInALaterRun(t *testing.T) {
	t.Parallel() // see TestBidSubmitAgainstThePlatform
	p, url := newFakePlatform(t)
	p.failFrom = 3
	_, env, _ := bidFiles(t, p)
	args := []string{"bid", "submit", "--server", url, "--token", "tok", "--section", "7", "--in", env, "--chunk-size", "8192", "--retries", "0"}
	if _, _, err := executeBid(t, nil, args...); err == nil {
		t.Fatal("first run succeeded against a failing server")
	}
	p.mu.Lock()
	p.failFrom, p.puts = 0, nil
	p.mu.Unlock()
	if _, _, err := executeBid(t, nil, args...); err != nil {
		t.Fatal(err)
	}
	if p.creates != 1 || len(p.puts) == 0 || p.puts[0] != 16384 {
		t.Fatalf("second run: %d creates, PUTs at %v; want resume at 16384", p.creates, p.puts)
	}
	if _, err := os.Stat(env + ".receipt.json"); err != nil {
		t.Fatal(err)
	}
}

func TestBidSubmitUsage(t *testing.T) {
	t.Parallel() // see TestBidSubmitAgainstThePlatform
	for name, args := range map[string][]string{
		"no token":   {"bid", "submit", "--server", "http://x", "--section", "7", "--in", "f"},
		"no section": {"bid", "submit", "--server", "http://x", "--token", "t", "--in", "f"},
		"tiny chunk": {"bid", "submit", "--server", "http://x", "--token", "t", "--section", "7", "--in", "f", "--chunk-size", "10"},
	} {
		if _, _, err := executeBid(t, nil, args...); exitCode(err) != 2 {
			t.Errorf("%s: %v (exit %d), want a usage error", name, err, exitCode(err))
		}
	}
}

// executeBid runs the CLI with the bid command attached when root.go does
// not add it yet.
func executeBid(t *testing.T, vars map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return vars[k] }
	root := newRoot(getenv, &out, &errOut)
	if c, _, err := root.Find([]string{"bid", "submit"}); err != nil || c == root {
		e := &env{getenv: getenv, out: &out, errOut: &errOut}
		root.AddCommand(e.bidCmd())
	}
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}
