package api

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
)

// withLog rebuilds e's server with a transparency log signing with a fresh
// platform key, over the same database and users.
func withLog(t *testing.T, e *testEnv) *notary.PrivateKey {
	t.Helper()
	key, err := notary.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	d := e.srv.deps
	d.Tree = e.events.Tree(key)
	e.srv = New(d)
	e.http = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.http.Close)
	return key
}

func body(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLogRoutesServeVerifiableAnswers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		withLog(t, e)
		wantStatus(t, e.do("GET", "/api/v1/log/head", "", nil), http.StatusNotFound)
		resp := e.do("POST", "/api/v1/log/heads", e.tokens[accounts.RoleSupervisor], nil)
		wantStatus(t, resp, http.StatusCreated)
		posted := body(t, resp)

		// The key comes from the route; a verifier would have it out of band.
		var key LogKey
		decode(t, e.do("GET", "/api/v1/log/key", "", nil), &key)
		pub, err := notary.ParsePublicKeyPEM(key.PublicKey)
		if err != nil || pub.ID != key.KeyID {
			t.Fatalf("key: %v", err)
		}
		resp = e.do("GET", "/api/v1/log/head", "", nil)
		wantStatus(t, resp, http.StatusOK)
		latest := body(t, resp)
		head, err := notary.ParseSignedTreeHead(latest)
		if err != nil || head.Verify(pub) != nil || string(latest) != string(posted) || head.TreeSize == 0 {
			t.Fatalf("head %s: %v", latest, err)
		}

		// Recompute the tree from the paginated events.
		tree := &notary.MemTree{}
		for from := uint64(1); ; {
			var page LogEventPage
			decode(t, e.do("GET", fmt.Sprintf("/api/v1/log/events?from=%d&limit=2", from), e.tokens[accounts.RoleAdmin], nil), &page)
			if len(page.Events) == 0 {
				break
			}
			for _, ev := range page.Events {
				if ev.LeafHash != eventlog.LeafHash(ev).String() || uint64(ev.Seq) != tree.Size()+1 {
					t.Fatalf("event %d does not hash to its leaf", ev.Seq)
				}
				tree.Append(eventlog.LeafHash(ev))
			}
			from = page.Next
		}
		n := head.TreeSize
		if root, _ := tree.Root(n); tree.Size() != n || root != head.RootHash {
			t.Fatalf("recomputed %d events, head says %d", tree.Size(), n)
		}
		for seq := uint64(1); seq <= n; seq++ {
			p, err := notary.ParseInclusionProof(body(t, e.do("GET", fmt.Sprintf("/api/v1/log/proof/inclusion?seq=%d&size=%d", seq, n), "", nil)))
			if err != nil || p.LeafHash != tree.Leaf(seq-1) || p.Verify(head.RootHash) != nil {
				t.Fatalf("inclusion of %d: %v", seq, err)
			}
			c, err := notary.ParseConsistencyProof(body(t, e.do("GET", fmt.Sprintf("/api/v1/log/proof/consistency?first=%d", seq), "", nil)))
			rs, _ := tree.Root(seq)
			if err != nil || c.Second != n || c.Verify(rs, head.RootHash) != nil {
				t.Fatalf("consistency %d→%d: %v", seq, n, err)
			}
		}

		e.login("user-bidder") // one more event, then a second head
		wantStatus(t, e.do("POST", "/api/v1/log/heads", e.tokens[accounts.RoleAdmin], nil), http.StatusCreated)
		var heads LogHeadPage
		decode(t, e.do("GET", "/api/v1/log/heads?from=1&limit=1", "", nil), &heads)
		if len(heads.Heads) != 1 || heads.Heads[0].TreeSize != n || heads.Next != heads.Heads[0].ID+1 {
			t.Fatalf("heads page %+v", heads)
		}
		decode(t, e.do("GET", fmt.Sprintf("/api/v1/log/heads?from=%d", heads.Next), "", nil), &heads)
		if len(heads.Heads) != 1 || heads.Heads[0].TreeSize != n+1 {
			t.Fatalf("second heads page %+v", heads)
		}
	})
}

func TestLogRoutesRefuseBadParameters(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		withLog(t, e)
		cases := []struct {
			path, field, code string
		}{
			{"/api/v1/log/events?limit=0", "limit", ""},
			{"/api/v1/log/events?from=-1", "from", ""},
			{"/api/v1/log/heads?limit=5000", "limit", ""},
			{"/api/v1/log/heads?from=x", "from", ""},
			{"/api/v1/log/proof/inclusion", "seq", ""},
			{"/api/v1/log/proof/inclusion?seq=abc&size=-2", "size", ""},
			{"/api/v1/log/proof/inclusion?seq=0", "seq", ""},
			{"/api/v1/log/proof/inclusion?seq=3&size=2", "seq", ""},
			{"/api/v1/log/proof/inclusion?seq=1&size=99999", "size", "beyond_tree"},
			{"/api/v1/log/proof/consistency", "first", ""},
			{"/api/v1/log/proof/consistency?first=3&second=2", "first", ""},
			{"/api/v1/log/proof/consistency?first=1&second=99999", "second", "beyond_tree"},
			// A mistyped parameter is refused, not ignored (it used to answer page 1 again).
			{"/api/v1/log/events?after=5", "after", "unknown_parameter"},
			{"/api/v1/audit/events?after=5", "after", "unknown_parameter"},
			{"/api/v1/audit/events?from=x", "from", ""},
			{"/api/v1/audit/events?limit=5000", "limit", ""},
			{"/api/v1/log/heads?from=1&size=3", "size", "unknown_parameter"},
		}
		for _, c := range cases {
			resp := e.do("GET", c.path, e.tokens[accounts.RoleSupervisor], nil, "Accept-Language", "en")
			wantStatus(t, resp, http.StatusBadRequest)
			d := errorOf(t, resp)
			if d.Fields[c.field] == "" || (c.code != "" && d.Code != c.code) {
				t.Errorf("%s: %+v, want a field error on %s", c.path, d, c.field)
			}
			if c.code == "beyond_tree" && !strings.Contains(d.Message, "beyond the current log size") {
				t.Errorf("%s: message %q", c.path, d.Message)
			}
		}
	})
}

func TestLogRoutesWithoutALogOrKey(t *testing.T) {
	e := newEnv(t, dbtest.SQLite)
	d := e.srv.deps
	d.Tree = nil
	e.srv = New(d)
	e.http = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.http.Close)
	resp := e.do("GET", "/api/v1/log/head", "", nil)
	wantStatus(t, resp, http.StatusServiceUnavailable)
	if errorOf(t, resp).Code != "no_log" {
		t.Error("no log: wrong code")
	}
	d.Tree = e.events.Tree(nil)
	e.srv = New(d)
	e.http = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.http.Close)
	wantStatus(t, e.do("GET", "/api/v1/log/key", "", nil), http.StatusServiceUnavailable)
	wantStatus(t, e.do("POST", "/api/v1/log/heads", e.tokens[accounts.RoleAdmin], nil), http.StatusServiceUnavailable)
	wantStatus(t, e.do("GET", "/api/v1/log/proof/consistency?first=1", "", nil), http.StatusOK)
	rules := map[string]string{}
	for _, r := range e.srv.routes {
		if strings.HasPrefix(r.path, "/api/v1/log/") {
			rules[r.method+" "+r.path] = r.access.String()
		}
	}
	if len(rules) != 7 || rules["POST /api/v1/log/heads"] != "roles: admin, supervisor" || rules["GET /api/v1/log/proof/inclusion"] != "public" {
		t.Fatalf("log route rules %v", rules)
	}
}
