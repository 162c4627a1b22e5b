package bidding

import (
	"fmt"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// State is where a section is in its lifecycle. A paused section (an
// objection unanswered) stays in its state with PausedSince set.
type State string

// The section states. Those after StateClosed are driven by later parts
// (opening, evaluation, award) and exist here so the table is complete.
const (
	StateDraft      State = "draft"      // being prepared
	StateAnnounced  State = "announced"  // announcement published, bidding open
	StateClosed     State = "closed"     // bidding closed at the deadline
	StateOpening    State = "opening"    // bidders decrypting
	StateOpened     State = "opened"     // names and prices published
	StateFailed     State = "failed"     // 流标: fewer than 3 bids
	StateEvaluating State = "evaluating" // the committee at work
	StateCandidates State = "candidates" // candidates published
	StateAwarded    State = "awarded"    // award notice issued
	StateContracted State = "contracted" // contract signed
	StateCancelled  State = "cancelled"  // cancelled with a reason
)

// Final reports whether a section in this state has its result final
// (awarded or contracted): from then on the committee may be named.
func (st State) Final() bool { return st == StateAwarded || st == StateContracted }

var stateNames = map[State]string{
	StateDraft: "草稿", StateAnnounced: "已发布公告", StateClosed: "投标已截止", StateOpening: "开标中",
	StateOpened: "已开标", StateFailed: "流标", StateEvaluating: "评标中", StateCandidates: "候选人公示",
	StateAwarded: "已定标", StateContracted: "已签合同", StateCancelled: "已终止",
}

// transitions is the whole state machine: from → allowed targets.
// Cancellation is allowed from every state before the award.
var transitions = map[State][]State{
	StateDraft:      {StateAnnounced, StateCancelled},
	StateAnnounced:  {StateClosed, StateCancelled},
	StateClosed:     {StateOpening, StateFailed, StateCancelled},
	StateOpening:    {StateOpened, StateFailed, StateCancelled},
	StateOpened:     {StateEvaluating, StateFailed, StateCancelled},
	StateEvaluating: {StateCandidates, StateFailed, StateCancelled},
	StateCandidates: {StateAwarded, StateCancelled},
	StateAwarded:    {StateContracted},
}

// CanTransition reports whether the state machine allows from → to.
func CanTransition(from, to State) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// checkTransition returns apperr.Conflict naming the current state when
// from → to is not allowed.
func checkTransition(from, to State) error {
	if CanTransition(from, to) {
		return nil
	}
	return apperr.New(apperr.Conflict, fmt.Sprintf("标段当前状态为「%s」，不能变为「%s」", stateNames[from], stateNames[to]),
		fmt.Sprintf("the section is %s and cannot become %s", from, to)).WithCode("invalid_transition")
}
