package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/experts"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

// drawServer is a platform with one completed draw, served over HTTP.
type drawServer struct {
	url     string
	db      *storage.DB
	svc     *experts.Service
	key     *notary.PrivateKey
	section int64
	draw    int64
	sup     accounts.Principal
}

func newDrawServer(t *testing.T, b dbtest.Backend) *drawServer {
	t.Helper()
	ctx := context.Background()
	db := storagetest.Open(t, b)
	clk := clock.NewFake(time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC))
	events := eventlog.New(db, clk)
	key, err := notary.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	fields, _ := notary.NewFieldCipher(bytes.Repeat([]byte{5}, notary.FieldKeySize))
	bid := bidding.New(db, events, clk, nil, nil)
	tree := events.Tree(key)
	svc := experts.New(db, events, tree, clk, fields, []byte("pepper"), bid)
	for i, kind := range []string{"tenderer", "agency"} {
		if err := db.Conn(ctx).Exec("INSERT INTO organizations (id, kind, name, region, created_at, updated_at) VALUES (?, ?, ?, '350100', ?, ?)",
			i+1, kind, kind, clk.Now(), clk.Now()).Error; err != nil {
			t.Fatal(err)
		}
	}
	agent := accounts.Principal{UserID: 10, OrgID: 2, OrgKind: accounts.OrgAgency, Roles: []accounts.Role{accounts.RoleAgent}}
	admin := accounts.Principal{UserID: 1, Roles: []accounts.Role{accounts.RoleAdmin}}
	sup := accounts.Principal{UserID: 20, Roles: []accounts.Role{accounts.RoleSupervisor}}
	p, err := bid.CreateProject(ctx, agent, bidding.NewProject{Name: "道路", TendererOrgID: 1})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := bid.CreateSection(ctx, agent, p.ID, bidding.NewSection{Code: "A020101", Name: "施工", Kind: bidding.Engineering, BudgetFen: 1e9, Rulebook: bidding.RulebookEngineering})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Conn(ctx).Exec("UPDATE bid_sections SET state = 'opened' WHERE id = ?", sec.ID).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SeedDemo(ctx, admin, 300); err != nil {
		t.Fatal(err)
	}
	d, err := svc.RequestDraw(ctx, agent, sec.ID, experts.Request{EvaluationAt: clk.Now().Add(24 * time.Hour), Place: "评标室 1",
		Groups: []experts.Group{{Specialty: "A", Category: experts.Technical, Count: 4, Reserve: 2}, {Specialty: "A", Category: experts.Economic, Count: 1, Reserve: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.EnterPublicValue(ctx, sup, d.ID, "58213"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Deps{Clock: clk, Events: events, Tree: tree, Bidding: bid, Experts: svc, Version: "test"}).Handler())
	t.Cleanup(srv.Close)
	return &drawServer{url: srv.URL, db: db, svc: svc, key: key, section: sec.ID, draw: d.ID, sup: sup}
}

// TestVerifyDraw reproduces a completed draw from the supervisor's export
// and, once the section is awarded (set through the database: the award is
// a later issue), from the server; a proof with one candidate changed fails.
func TestVerifyDraw(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			s := newDrawServer(t, b)
			dir := t.TempDir()
			proof, err := s.svc.Proof(context.Background(), s.sup, s.draw)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := json.Marshal(proof)
			file := filepath.Join(dir, "proof.json")
			pub := filepath.Join(dir, "platform.pub")
			os.WriteFile(file, raw, 0o644)
			os.WriteFile(pub, []byte(s.key.Public().PEM), 0o644)
			out, _, err := execute(t, nil, "verify", "draw", "--file", file, "--platform-pub", pub)
			if err != nil || !strings.Contains(out, "reproduces") {
				t.Fatalf("export: %v\n%s", err, out)
			}
			if _, _, err := execute(t, nil, "verify", "draw", "--server", s.url, "--draw", fmt.Sprint(s.draw)); err == nil {
				t.Fatal("the server served the proof before the award")
			}
			if err := s.db.Conn(context.Background()).Exec("UPDATE bid_sections SET state = 'awarded' WHERE id = ?", s.section).Error; err != nil {
				t.Fatal(err)
			}
			out, _, err = execute(t, nil, "verify", "draw", "--server", s.url, "--draw", fmt.Sprint(s.draw), "--platform-pub", pub)
			if err != nil || !strings.Contains(out, "reproduces") {
				t.Fatalf("server: %v\n%s", err, out)
			}
			for name, change := range map[string]func(p *experts.DrawProof){
				"one candidate": func(p *experts.DrawProof) {
					p.Candidates[3].ExpertID = p.Candidates[len(p.Candidates)-1].ExpertID + 1000
				},
				"candidate's employer": func(p *experts.DrawProof) { p.Candidates[0].Employer = "91350100MA00000000" },
				"public value":         func(p *experts.DrawProof) { p.PublicValue = "58214" },
				"result": func(p *experts.DrawProof) {
					p.Result.Groups[0].Members[0], p.Result.Groups[0].Members[1] = p.Result.Groups[0].Members[1], p.Result.Groups[0].Members[0]
				},
				"secret": func(p *experts.DrawProof) { p.SecretHex = strings.Repeat("00", 32) },
			} {
				var bad experts.DrawProof
				json.Unmarshal(raw, &bad)
				change(&bad)
				experts.SortCandidates(bad.Candidates)
				b, _ := json.Marshal(bad)
				f := filepath.Join(dir, "bad.json")
				os.WriteFile(f, b, 0o644)
				out, _, err := execute(t, nil, "verify", "draw", "--file", f, "--platform-pub", pub)
				if err == nil {
					t.Errorf("%s changed, still verified:\n%s", name, out)
				} else if name == "one candidate" && !strings.Contains(err.Error(), "does not match the hash logged before the draw") {
					t.Errorf("one candidate changed: %v, want the candidate hash mismatch", err)
				}
			}
		})
	}
}
