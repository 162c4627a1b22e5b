package evaluation

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares v, as indented JSON, with testdata/name.golden.json
// (rewriting it under -update).
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n%s", name, got)
	}
}

func yuanFen(yuan int64) int64 { return yuan * 100 }

// TestPriceFormulas works the rulebooks' examples. The scores checked by
// hand are written out; the whole computation, steps included, is the
// golden file.
func TestPriceFormulas(t *testing.T) {
	cases := []struct {
		name    string
		formula Formula
		full    Points
		prices  []int64 // yuan
		want    []Points
	}{
		// Three bids: the plain mean 1,000,000 is the base; ±2% costs 2 × 1 and 2 × 0.5 points.
		{"average-3-bids", AverageDeviation, 4000, []int64{1000000, 1020000, 980000}, []Points{4000, 3800, 3900}},
		// Four bids with a tie at the lowest price: one 950,000 and the 1,050,000 are dropped,
		// the base is 975,000; both tied bids score alike.
		{"average-4-bids-ties", AverageDeviation, 4000, []int64{950000, 950000, 1000000, 1050000}, []Points{3872, 3872, 3744, 3231}},
		// Five bids, one exactly at the base 1,000,000: full marks.
		{"average-bid-at-base", AverageDeviation, 4000, []int64{900000, 980000, 1000000, 1020000, 1200000}, []Points{3500, 3900, 4000, 3800, 2000}},
		// Far above the base the score stops at zero.
		{"average-floor-at-zero", AverageDeviation, 4000, []int64{1000000, 1000000, 3000000}, []Points{2000, 2000, 0}},
		// Government procurement: base / price × 30, no price dropped.
		{"lowest-base-3-bids", LowestBase, 3000, []int64{1000000, 1250000, 800000}, []Points{2400, 1920, 3000}},
		// Ties at the lowest price both take full marks; 30 × 3/7 = 12.857… rounds to 12.86.
		{"lowest-base-ties-rounding", LowestBase, 3000, []int64{300000, 300000, 700000}, []Points{3000, 3000, 1286}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bids := make([]PriceBid, len(c.prices))
			for i, p := range c.prices {
				bids[i] = PriceBid{BidID: int64(i + 1), PriceFen: yuanFen(p)}
			}
			pc, err := ComputePrice(c.formula, bids, c.full, 100, 50)
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range pc.Scores {
				if s.Score != c.want[i] {
					t.Errorf("bid %d scored %v, want %v", s.BidID, s.Score, c.want[i])
				}
			}
			golden(t, "price-"+c.name, pc)
		})
	}
}

func TestPriceRefusesBadInput(t *testing.T) {
	if _, err := ComputePrice(AverageDeviation, nil, 4000, 100, 50); err == nil {
		t.Error("no bids accepted")
	}
	if _, err := ComputePrice(LowestBase, []PriceBid{{1, 0}}, 3000, 0, 0); err == nil {
		t.Error("a zero price accepted")
	}
	if _, err := ComputePrice("median", []PriceBid{{1, 100}}, 3000, 0, 0); err == nil {
		t.Error("an unknown formula accepted")
	}
}

// TestSubjectiveAggregation: the mean of five; of seven with the highest
// and lowest dropped; of seven without dropping (rulebook off); half-up
// rounding of a third.
func TestSubjectiveAggregation(t *testing.T) {
	p := func(vs ...string) []Points {
		out := make([]Points, len(vs))
		for i, v := range vs {
			out[i], _ = ParsePoints(v)
		}
		return out
	}
	cases := []struct {
		name   string
		scores []Points
		drop   bool
		mean   Points
	}{
		{"five-no-drop", p("20", "22.5", "18", "25", "19.5"), true, 2100},
		{"seven-drop-extremes", p("20", "22.5", "18", "25", "19.5", "24", "16"), true, 2080},
		{"seven-rulebook-keeps-all", p("20", "22.5", "18", "25", "19.5", "24", "16"), false, 2071},
		{"seven-tied-extremes", p("20", "20", "18", "20", "18", "19", "21"), true, 1940},
		{"half-up-of-a-third", p("0.01", "0.01", "0"), true, 1},
	}
	out := map[string]SubjectiveResult{}
	for _, c := range cases {
		r := AggregateSubjective(c.scores, c.drop)
		if r.Mean != c.mean {
			t.Errorf("%s: mean %v, want %v", c.name, r.Mean, c.mean)
		}
		out[c.name] = r
	}
	golden(t, "subjective", out)
}

func TestDeviationFlags(t *testing.T) {
	scores := []Points{2000, 2250, 1800, 2500, 800} // mean 18.70; 30% of 25 is 7.50
	got := Deviating(scores, 2500, 30)
	want := []bool{false, false, false, false, true}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("flags %v, want %v", got, want)
		}
	}
	if Deviating([]Points{0, 2500}, 2500, 50)[0] {
		t.Fatal("exactly at the limit is not beyond it")
	}
}

func TestRankBreaksTies(t *testing.T) {
	s := []Standing{
		{BidID: 1, PriceFen: 100, Technical: 3000, Total: 9000},
		{BidID: 2, PriceFen: 90, Technical: 2000, Total: 9000}, // same total, lower price: ahead of 1
		{BidID: 3, PriceFen: 90, Technical: 2500, Total: 9000}, // same total and price, higher technical: ahead of 2
		{BidID: 4, PriceFen: 80, Technical: 2500, Total: 9100},
	}
	got := Rank(s, Comprehensive)
	order := []int64{4, 3, 2, 1}
	for i, id := range order {
		if got[i].BidID != id || got[i].Rank != i+1 {
			t.Fatalf("ranking %+v", got)
		}
	}
	if low := Rank(s, LowestPrice); low[0].BidID != 4 || low[1].BidID != 3 {
		t.Fatalf("lowest price ranking %+v", low)
	}
}
