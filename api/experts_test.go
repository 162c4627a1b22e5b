package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/calendar"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/experts"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

// expertsEnv is testEnv with the expert service, plus the database (to move
// a section through states whose flows belong to other issues) and the
// platform key.
type expertsEnv struct {
	*testEnv
	db  *storage.DB
	key *notary.PrivateKey
}

// newExpertsEnv builds the server of newEnv with the expert service wired.
func newExpertsEnv(t *testing.T, b dbtest.Backend) *expertsEnv {
	t.Helper()
	db := storagetest.Open(t, b)
	fields, _ := notary.NewFieldCipher(bytes.Repeat([]byte{1}, notary.FieldKeySize))
	clk := clock.NewFake(time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC))
	events := eventlog.New(db, clk)
	opts := accounts.DefaultOptions()
	opts.Argon2 = accounts.Argon2Params{Memory: 8 * 1024, Iterations: 1, Parallelism: 1}
	acc := accounts.New(db, events, clk, fields, opts)
	key, err := notary.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	cal := calendar.New(db, events, clk)
	bid := bidding.New(db, events, clk, nil, cal.Calendar)
	tree := events.Tree(key)
	e := &testEnv{t: t, clock: clk, accounts: acc, events: events, password: testPassword,
		tokens: map[accounts.Role]string{}, ids: map[accounts.Role]int64{}}
	e.srv = New(Deps{Clock: clk, Accounts: acc, Events: events, Tree: tree, MaxBodyBytes: 64 << 10, Calendar: cal, Bidding: bid,
		Experts: experts.New(db, events, tree, clk, fields, []byte("pepper"), bid), Log: discardLogger(), Version: "test"})
	e.http = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.http.Close)
	e.makeUsers(context.Background())
	return &expertsEnv{testEnv: e, db: db, key: key}
}

func (x *expertsEnv) exec(q string, args ...any) {
	x.t.Helper()
	if err := x.db.Conn(context.Background()).Exec(q, args...).Error; err != nil {
		x.t.Fatalf("%s: %v", q, err)
	}
}

func (x *expertsEnv) body(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// drawnSection sets up an opened section with a bid, imports a pool over
// the API (with two employees of the bidder) and draws over the API. It
// returns the section, the draw and the names of the drawn experts.
func (x *expertsEnv) drawnSection(t *testing.T) (section, draw int64, names []string) {
	ctx := context.Background()
	admin, agent, bidder := x.principal(accounts.RoleAdmin), x.principal(accounts.RoleAgent), x.principal(accounts.RoleBidder)
	tenderer, err := x.accounts.CreateOrg(ctx, admin, accounts.NewOrg{Kind: accounts.OrgTenderer, Name: "招标人", USCC: usccFor(t, "9135010000000001T"), Region: "350100"})
	if err != nil {
		t.Fatal(err)
	}
	bid := x.srv.deps.Bidding
	p, err := bid.CreateProject(ctx, agent, bidding.NewProject{Name: "实训楼", TendererOrgID: tenderer.ID})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := bid.CreateSection(ctx, agent, p.ID, bidding.NewSection{Code: "A040303", Name: "施工", Kind: bidding.Engineering, BudgetFen: 1e8, Rulebook: bidding.RulebookEngineering})
	if err != nil {
		t.Fatal(err)
	}
	x.exec("UPDATE bid_sections SET state = 'opened' WHERE id = ?", sec.ID)
	x.exec("INSERT INTO bids (section_id, bidder_org_id, user_id, upload_id, blob_key, digest, size, status, received_at, log_index, receipt) VALUES (?, ?, ?, 'u', 'k', '00', 1, 'current', ?, 1, '{}')",
		sec.ID, bidder.OrgID, bidder.UserID, x.clock.Now())
	var csv strings.Builder
	csv.WriteString("name,id_number,phones,employer_uscc,employer_name,region,title,level,category,specialties\n")
	pool := experts.DemoPool(14, 14)
	for i, e := range pool {
		uscc := e.EmployerUSCC
		if i < 2 {
			uscc = "91350100M000100Y43" // the bidder's organisation
		} else {
			_, uscc = experts.DemoEmployer(i)
		}
		fmt.Fprintf(&csv, "%s,%s,%s,%s,%s,%s,%s,%s,technical,A040303\n", e.Name, e.IDNumber, e.Phones[0], uscc, e.EmployerName, e.Region, e.Title, e.Level)
	}
	resp := x.do("POST", "/api/v1/expert-imports?format=csv", x.tokens[accounts.RoleAdmin], csv.String())
	wantStatus(t, resp, http.StatusOK)
	var rep experts.ImportReport
	decode(t, resp, &rep)
	if rep.Created != 14 {
		t.Fatalf("import %+v", rep)
	}
	req := experts.Request{EvaluationAt: x.clock.Now().Add(24 * time.Hour), Place: "评标室 2",
		Groups: []experts.Group{{Specialty: "A04", Category: experts.Technical, Count: 5, Reserve: 2}}}
	resp = x.do("POST", fmt.Sprintf("/api/v1/sections/%d/draws", sec.ID), x.tokens[accounts.RoleAgent], req)
	wantStatus(t, resp, http.StatusCreated)
	var d experts.Draw
	decode(t, resp, &d)
	if d.ExcludedCount != 2 || d.CandidateCount != 12 {
		t.Fatalf("draw %+v: want the bidder's two employees excluded", d)
	}
	resp = x.do("POST", fmt.Sprintf("/api/v1/draws/%d/public-value", d.ID), x.tokens[accounts.RoleSupervisor], PublicValueRequest{Value: "042917"})
	wantStatus(t, resp, http.StatusOK)
	var res experts.DrawResult
	decode(t, resp, &res)
	for _, g := range res.Groups {
		for _, m := range append(g.Members, g.Reserves...) {
			names = append(names, m.Name)
		}
	}
	if len(names) != 7 {
		t.Fatalf("drew %v", names)
	}
	return sec.ID, d.ID, names
}

// TestDrawListSealedFromAgentsAndBidders calls every GET route of the table,
// with its parameters set to the section's and to the draw's ID, as each
// role but the supervisor of record and anonymously, after a draw and
// before the award: no answer names a drawn expert or carries an expert ID.
func TestDrawListSealedFromAgentsAndBidders(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			x := newExpertsEnv(t, b)
			section, draw, names := x.drawnSection(t)
			callers := map[string]string{"anonymous": ""}
			for _, r := range accounts.Roles() {
				if r != accounts.RoleSupervisor {
					callers[string(r)] = x.tokens[r]
				}
			}
			checked := 0
			for _, r := range x.srv.routes {
				if r.method != http.MethodGet {
					continue
				}
				for _, id := range []int64{section, draw} {
					path := strings.NewReplacer(":id", fmt.Sprint(id), ":bid", "1", ":role", "agent", "*key", "k", ":year", "2026").Replace(r.path)
					for who, token := range callers {
						body := x.body(x.do("GET", path, token, nil))
						checked++
						for _, n := range names {
							// The administrator keeps the pool, so sees every expert's
							// name there; what it must not see is who was drawn.
							if who != "admin" && strings.Contains(body, n) {
								t.Errorf("GET %s as %s names drawn expert %s: %.300s", path, who, n, body)
							}
						}
						if drawData.MatchString(body) {
							t.Errorf("GET %s as %s shows draw members: %.300s", path, who, body)
						}
					}
				}
			}
			if checked < 100 {
				t.Fatalf("only %d calls checked", checked)
			}
			for _, r := range []accounts.Role{accounts.RoleAgent, accounts.RoleBidder} {
				resp := x.do("GET", fmt.Sprintf("/api/v1/draws/%d/result", draw), x.tokens[r], nil)
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("%s reads the result: %d", r, resp.StatusCode)
				}
			}
		})
	}
}

// TestDrawProofExportAndReveal: the supervisor exports a proof that verifies
// against the log's key; the public route refuses until the section is
// awarded (set through the database: the award is a later issue), then
// serves the same proof.
func TestDrawProofExportAndReveal(t *testing.T) {
	forEachExpertsBackend(t, func(t *testing.T, x *expertsEnv) {
		section, draw, _ := x.drawnSection(t)
		resp := x.do("GET", fmt.Sprintf("/api/v1/draws/%d/proof", draw), x.tokens[accounts.RoleSupervisor], nil)
		wantStatus(t, resp, http.StatusOK)
		var p experts.DrawProof
		decode(t, resp, &p)
		if err := p.Verify(x.key.Public()); err != nil {
			t.Fatalf("exported proof: %v", err)
		}
		public := fmt.Sprintf("/api/v1/public/draws/%d/proof", draw)
		if resp := x.do("GET", public, "", nil); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("public proof before the award: %d", resp.StatusCode)
		}
		x.exec("UPDATE bid_sections SET state = 'awarded' WHERE id = ?", section)
		resp = x.do("GET", public, "", nil)
		wantStatus(t, resp, http.StatusOK)
		var q experts.DrawProof
		decode(t, resp, &q)
		a, _ := json.Marshal(p)
		b, _ := json.Marshal(q)
		if string(a) != string(b) {
			t.Fatal("public proof differs from the supervisor's export")
		}
	})
}

// drawData matches a draw result or candidate list in a JSON answer (the
// OpenAPI document describes these fields without values).
var drawData = regexp.MustCompile(`"(members|reserves|order|candidates)":\[|"expertId":[0-9]`)

func forEachExpertsBackend(t *testing.T, fn func(t *testing.T, x *expertsEnv)) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) { fn(t, newExpertsEnv(t, b)) })
	}
}
