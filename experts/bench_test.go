package experts

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
)

// benchPool builds n pool entries with every avoidance rule having work:
// leaves, suspensions, blacklistings, past employers, recent draws.
func benchPool(n int) ([]poolEntry, *filterEnv) {
	at := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)
	demo := DemoPool(n, n/8)
	pool := make([]poolEntry, n)
	for i, d := range demo {
		e := Expert{ID: int64(i + 1), Name: d.Name, EmployerUSCC: d.EmployerUSCC, Region: d.Region, Category: d.Category, Specialties: d.Specialties, Status: Active}
		switch i % 97 {
		case 1:
			e.Status = Blacklisted
		case 2:
			until := at.Add(time.Hour)
			e.Status, e.SuspendedUntil = Suspended, &until
		}
		p := poolEntry{Expert: e, recentDraws: i % 5}
		if i%53 == 0 {
			p.leaves = []Leave{{From: at.Add(-time.Hour), Until: at.Add(time.Hour)}}
		}
		_, past := DemoEmployer((i * 7) % (n / 8))
		until := at.AddDate(-1, 0, 0)
		p.jobs = []Employment{{EmployerUSCC: e.EmployerUSCC}, {EmployerUSCC: past, Until: &until}}
		p.drawnOnProject = i%1009 == 0
		pool[i] = p
	}
	conflicts := map[string]string{}
	for k := 0; k < 8; k++ { // tenderer, agency, five bidders, a department
		_, c := DemoEmployer(k * 11)
		conflicts[c] = []string{ReasonTenderer, ReasonAgency, ReasonBidder, ReasonBidder, ReasonBidder, ReasonBidder, ReasonBidder, ReasonSupervising}[k]
	}
	return pool, &filterEnv{at: at, cutoff: at.AddDate(-3, 0, 0), conflicts: conflicts, exclude: []string{"3509"}, maxDraws: 4}
}

var benchGroups = []Group{{Specialty: "A04", Category: Technical, Count: 4, Reserve: 2},
	{Specialty: "A", Category: Technical, Count: 2, Reserve: 2}, {Specialty: "A08", Category: Economic, Count: 1, Reserve: 1}}

// drawCore is the whole draw computation after the pool is loaded: filters,
// candidate hash, the fill check, and ordering plus selection.
func drawCore(pool []poolEntry, env *filterEnv, seed notary.Hash) (Result, []notary.DrawCandidate, error) {
	cands, _ := filter(pool, benchGroups, env)
	_ = notary.DrawCandidatesHash(cands)
	if err := checkFillable(benchGroups, cands); err != nil {
		return Result{}, nil, err
	}
	res, err := Select(benchGroups, cands, seed)
	return res, cands, err
}

// BenchmarkDraw100k: a draw over 100,000 experts with all avoidance filters
// (experts/BENCHMARKS.md).
func BenchmarkDraw100k(b *testing.B) {
	pool, env := benchPool(100_000)
	seed := notary.DrawSeed(make([]byte, 32), "bench", notary.TreeHead{TreeSize: 1})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := drawCore(pool, env, seed); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify100k recomputes the 100,000-expert draw from its candidate
// list as `tenderhall verify draw` does, and checks it is identical.
func BenchmarkVerify100k(b *testing.B) {
	pool, env := benchPool(100_000)
	seed := notary.DrawSeed(make([]byte, 32), "bench", notary.TreeHead{TreeSize: 1})
	res, cands, err := drawCore(pool, env, seed)
	if err != nil {
		b.Fatal(err)
	}
	want := fmt.Sprint(res)
	b.ReportMetric(float64(len(cands)), "candidates")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = notary.DrawCandidatesHash(cands)
		again, err := Select(benchGroups, cands, seed)
		if err != nil || fmt.Sprint(again) != want {
			b.Fatalf("verification differs: %v", err)
		}
	}
}

// BenchmarkDrawDB100k is the end-to-end path on each database: a
// request (loading the pool, its employments, leaves and history from the
// database, filtering, committing) and the supervisor's value (signing a
// tree head, drawing, sealing). The 100,000 experts are inserted once.
func BenchmarkDrawDB100k(b *testing.B) {
	for _, backend := range dbtest.Backends() {
		b.Run(string(backend), func(b *testing.B) { benchDrawDB(b, backend) })
	}
}

func benchDrawDB(b *testing.B, backend dbtest.Backend) {
	f := newFixture(b, backend)
	ctx := context.Background()
	pool, _ := benchPool(100_000)
	rows := make([]Expert, len(pool))
	jobs := make([]Employment, 0, 2*len(pool))
	for i, p := range pool {
		rows[i] = p.Expert
		rows[i].IDHash, rows[i].IDNumber, rows[i].Phones = fmt.Sprintf("%064d", i), "sealed", "sealed"
		rows[i].CreatedAt, rows[i].UpdatedAt = f.clock.Now(), f.clock.Now()
		for _, j := range p.jobs {
			j.ExpertID, j.From = p.ID, unknownStart
			jobs = append(jobs, j)
		}
	}
	if err := f.db.Conn(ctx).CreateInBatches(rows, 500).Error; err != nil {
		b.Fatal(err)
	}
	if err := f.db.Conn(ctx).CreateInBatches(jobs, 500).Error; err != nil {
		b.Fatal(err)
	}
	type spec struct {
		ExpertID int64  `gorm:"column:expert_id"`
		Code     string `gorm:"column:code"`
	}
	var specs []spec
	for _, p := range pool {
		for _, c := range p.Specialties {
			specs = append(specs, spec{p.ID, c})
		}
	}
	if err := f.db.Conn(ctx).Table("expert_specialties").CreateInBatches(specs, 500).Error; err != nil {
		b.Fatal(err)
	}
	f.setState(b, bidding.StateOpened)
	req := f.request("A04", 5, 2)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := f.svc.RequestDraw(ctx, f.agent, f.section, req)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.svc.EnterPublicValue(ctx, f.supervisor, d.ID, fmt.Sprint(i)); err != nil {
			b.Fatal(err)
		}
	}
}
