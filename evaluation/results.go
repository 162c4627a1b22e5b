package evaluation

import (
	"context"
)

// ItemResult is the committee's score of one criterion of one bid.
type ItemResult struct {
	BidID     int64    `json:"bidId"`
	Criterion string   `json:"criterion"`
	Part      Part     `json:"part"`
	Kind      Kind     `json:"kind"`
	Scores    []Points `json:"scores"`            // each member's, in seat order
	Dropped   []int    `json:"dropped,omitempty"` // indexes left out of a subjective mean
	Value     Points   `json:"value"`
}

// Results are the evaluation's outcome: per-item scores, the price
// computation and the ranking of the valid bids.
type Results struct {
	Seats   []int             `json:"seats"`
	Items   []ItemResult      `json:"items"`
	Price   *PriceComputation `json:"price,omitempty"`
	Ranking []Standing        `json:"ranking"`
}

// results computes the outcome from the stored scores and conclusions.
func (s *Service) results(ctx context.Context, sess Session) (Results, error) {
	ms, err := s.st.members(ctx, sess.ID)
	if err != nil {
		return Results{}, err
	}
	x, err := s.scoreMatrix(ctx, sess.ID, ms)
	if err != nil {
		return Results{}, err
	}
	valid, err := s.validBids(ctx, sess.ID)
	if err != nil {
		return Results{}, err
	}
	res := Results{Seats: x.seats, Items: []ItemResult{}}
	standing := map[int64]*Standing{}
	var prices []PriceBid
	for _, b := range sess.Bids {
		if !valid[b.BidID] {
			continue
		}
		standing[b.BidID] = &Standing{BidID: b.BidID, BidderOrgID: b.BidderOrgID, BidderName: b.BidderName, PriceFen: b.PriceFen}
		prices = append(prices, PriceBid{BidID: b.BidID, PriceFen: b.PriceFen})
		for _, c := range sess.Scheme.scored() {
			it := ItemResult{BidID: b.BidID, Criterion: c.Code, Part: c.Part, Kind: c.Kind, Scores: x.column(itemKey(b.BidID, c.Code))}
			if c.Kind == Subjective {
				agg := AggregateSubjective(it.Scores, sess.Scheme.DropExtremes)
				it.Dropped, it.Value = agg.Dropped, agg.Mean
			} else if len(it.Scores) > 0 {
				it.Value = it.Scores[0] // objective items agree by now
			}
			res.Items = append(res.Items, it)
			st := standing[b.BidID]
			if c.Part == Technical {
				st.Technical += it.Value
			} else {
				st.Commercial += it.Value
			}
		}
	}
	if sess.Scheme.Method == Comprehensive && len(prices) > 0 {
		pc, err := ComputePrice(sess.Scheme.PriceFormula, prices, sess.Scheme.PriceMarks, sess.Scheme.DeductAbove, sess.Scheme.DeductBelow)
		if err != nil {
			return Results{}, err
		}
		res.Price = &pc
		for _, ps := range pc.Scores {
			standing[ps.BidID].Price = ps.Score
		}
	}
	var all []Standing
	for _, b := range sess.Bids {
		if st := standing[b.BidID]; st != nil {
			st.Total = st.Technical + st.Commercial + st.Price
			all = append(all, *st)
		}
	}
	res.Ranking = Rank(all, sess.Scheme.Method)
	if res.Ranking == nil {
		res.Ranking = []Standing{}
	}
	return res, nil
}

// MaxCandidates is how many candidates the report ranks (at most 3).
const MaxCandidates = 3

func candidatesOf(r []Standing) []Standing {
	if len(r) > MaxCandidates {
		return r[:MaxCandidates]
	}
	return r
}
