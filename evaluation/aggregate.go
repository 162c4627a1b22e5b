package evaluation

import (
	"math/big"
	"sort"
)

// SubjectiveResult is the committee's score for one subjective item of one
// bid.
type SubjectiveResult struct {
	Scores  []Points `json:"scores"`            // each expert's, in seat order
	Dropped []int    `json:"dropped,omitempty"` // indexes into Scores left out of the mean
	Mean    Points   `json:"mean"`              // rounded half-up to two places
}

// AggregateSubjective averages the experts' scores of one subjective item. With
// drop set and more than five scores, one highest and one lowest are left
// out first (the first of equal scores in seat order).
func AggregateSubjective(scores []Points, drop bool) SubjectiveResult {
	res := SubjectiveResult{Scores: append([]Points(nil), scores...)}
	if len(scores) == 0 {
		return res
	}
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	if drop && len(scores) > 5 {
		sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
		res.Dropped = []int{idx[len(idx)-1], idx[0]}
		idx = idx[1 : len(idx)-1]
		sort.Ints(res.Dropped)
	}
	sum := int64(0)
	for _, i := range idx {
		sum += int64(scores[i])
	}
	res.Mean = RoundHalfUp(big.NewRat(sum, int64(len(idx))*100))
	return res
}

// Agree reports whether every expert gave the same objective score.
func Agree(scores []Points) bool {
	for _, s := range scores {
		if s != scores[0] {
			return false
		}
	}
	return true
}

// Deviating reports, for each score, whether it lies further from the mean
// of all the scores than pct percent of the item's full marks (畸高畸低).
func Deviating(scores []Points, full Points, pct int) []bool {
	out := make([]bool, len(scores))
	if len(scores) < 2 || pct <= 0 {
		return out
	}
	sum := int64(0)
	for _, s := range scores {
		sum += int64(s)
	}
	n := int64(len(scores))
	// |s − sum/n| > full·pct/100  ⇔  |s·n − sum|·100 > full·pct·n
	limit := int64(full) * int64(pct) * n
	for i, s := range scores {
		d := int64(s)*n - sum
		if d < 0 {
			d = -d
		}
		out[i] = d*100 > limit
	}
	return out
}

// Standing is one valid bid's result.
type Standing struct {
	BidID       int64  `json:"bidId"`
	BidderOrgID int64  `json:"bidderOrgId"`
	BidderName  string `json:"bidderName"`
	PriceFen    int64  `json:"priceFen"`
	Technical   Points `json:"technical"`
	Commercial  Points `json:"commercial"`
	Price       Points `json:"price"`
	Total       Points `json:"total"`
	Rank        int    `json:"rank"`
}

// Rank orders standings and numbers them from 1. Comprehensive scoring:
// higher total first, ties broken by lower price, then higher technical
// score. Lowest evaluated price: lower price first, ties broken by higher
// technical score. The bid ID decides what the rules leave equal, so the
// order is always the same.
func Rank(s []Standing, m Method) []Standing {
	out := append([]Standing(nil), s...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if m == Comprehensive && a.Total != b.Total {
			return a.Total > b.Total
		}
		if a.PriceFen != b.PriceFen {
			return a.PriceFen < b.PriceFen
		}
		if a.Technical != b.Technical {
			return a.Technical > b.Technical
		}
		return a.BidID < b.BidID
	})
	for i := range out {
		out[i].Rank = i + 1
	}
	return out
}
