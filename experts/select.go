package experts

import (
	"fmt"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

// GroupResult is what one group drew: its members and reserves in draw
// order, and its whole candidate order (for the call campaign).
type GroupResult struct {
	Members  []int64 `json:"members"`
	Reserves []int64 `json:"reserves"`
	Order    []int64 `json:"order"`
}

// Result is a draw's outcome, group by group.
type Result struct {
	Groups []GroupResult `json:"groups"`
}

// Select orders each group's candidates with the generator seeded by seed
// and picks members, then reserves (DRAW.md §4). candidates must be sorted
// (SortCandidates). Groups are shuffled in order with one stream; members
// are picked for every group before any reserve; an expert is picked at
// most once and at most one expert per employer. It returns apperr.Conflict
// (code "group_unfilled") when a group runs out of candidates.
func Select(groups []Group, candidates []notary.DrawCandidate, seed notary.Hash) (Result, error) {
	byGroup := make([][]int64, len(groups))
	employer := map[int64]string{}
	for _, c := range candidates {
		if c.Group < 0 || c.Group >= len(groups) {
			return Result{}, apperr.Newf(apperr.Invalid, "候选人分组 %d 不存在", "candidate group %d does not exist", c.Group).WithCode("bad_candidate")
		}
		byGroup[c.Group] = append(byGroup[c.Group], c.ExpertID)
		employer[c.ExpertID] = c.Employer
	}
	stream := notary.NewDrawStream(seed)
	res := Result{Groups: make([]GroupResult, len(groups))}
	for gi := range groups {
		order := append([]int64(nil), byGroup[gi]...)
		stream.Shuffle(order)
		res.Groups[gi].Order = order
	}
	taken := map[int64]bool{}
	usedEmployer := map[string]bool{}
	pick := func(gi, want int) []int64 {
		var got []int64
		for _, id := range res.Groups[gi].Order {
			if len(got) == want {
				break
			}
			if emp := employer[id]; !taken[id] && (emp == "" || !usedEmployer[emp]) {
				taken[id], usedEmployer[emp] = true, true
				got = append(got, id)
			}
		}
		return got
	}
	for pass := 0; pass < 2; pass++ {
		for gi, g := range groups {
			want := g.Count
			if pass == 1 {
				want = g.Reserve
			}
			got := pick(gi, want)
			if len(got) < want {
				return Result{}, apperr.Newf(apperr.Conflict, "第 %d 组候选专家不足：需要 %d 名，只抽到 %d 名",
					"group %d ran out of candidates: needs %d, drew %d", gi+1, want, len(got)).WithCode("group_unfilled").
					WithField(fmt.Sprintf("groups[%d]", gi), "not enough candidates")
			}
			if pass == 0 {
				res.Groups[gi].Members = got
			} else {
				res.Groups[gi].Reserves = got
			}
		}
	}
	return res, nil
}

// checkFillable refuses a request whose groups cannot be filled from the
// candidates before anything is drawn: each group needs Count+Reserve
// candidates from distinct employers, and all groups together need that
// many distinct employers overall. It returns apperr.Conflict (code
// "group_unfillable") naming each short group.
func checkFillable(groups []Group, candidates []notary.DrawCandidate) error {
	per := make([]map[string]bool, len(groups))
	all := map[string]bool{}
	for i := range per {
		per[i] = map[string]bool{}
	}
	for _, c := range candidates {
		per[c.Group][c.Employer] = true
		all[c.Employer] = true
	}
	err := apperr.New(apperr.Conflict, "专家库中符合条件的专家不足，无法组成所需各组；未进行抽取",
		"the filtered pool cannot fill the groups asked for; nothing was drawn").WithCode("group_unfillable")
	need := 0
	for i, g := range groups {
		need += g.Count + g.Reserve
		if len(per[i]) < g.Count+g.Reserve {
			err.WithField(fmt.Sprintf("groups[%d]", i), fmt.Sprintf("needs %d, the filtered pool holds %d (one per employer)", g.Count+g.Reserve, len(per[i])))
		}
	}
	if len(all) < need {
		err.WithField("groups", fmt.Sprintf("needs %d experts from distinct employers, the filtered pool holds %d", need, len(all)))
	}
	if len(err.Fields) > 0 {
		return err
	}
	return nil
}
