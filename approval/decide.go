package approval

import (
	"context"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// The decisions.
const (
	DecisionApprove = "approve"
	DecisionDeny    = "deny"
)

// Decide records the decision on an accepted case: approve, or deny with
// the reasons the applicant reads, with an approval.case_decided event
// saying whether it came within the promised date. Errors: NotFound;
// Forbidden; Conflict wrong_state (suspended, or decided already);
// Invalid (bad_decision, reason_required for a denial).
func (s *Service) Decide(ctx context.Context, actor accounts.Principal, caseID int64, decision, reason string) (Case, error) {
	reason = strings.TrimSpace(reason)
	switch decision {
	case DecisionApprove:
	case DecisionDeny:
		if err := needReason(reason); err != nil {
			return Case{}, err
		}
	default:
		return Case{}, apperr.Newf(apperr.Invalid, "决定应为 approve（准予）或 deny（不予）", "the decision must be approve or deny, not %q", decision).
			WithField("decision", "approve or deny").WithCode("bad_decision")
	}
	return s.clockMove(ctx, actor, caseID, CaseAccepted, func(ctx context.Context, r caseRow, now time.Time) (map[string]any, string, map[string]any, error) {
		onTime := r.DueAt != nil && !now.After(*r.DueAt)
		return map[string]any{"state": string(CaseDecided), "decision": decision, "reason": reason, "decided_at": now},
			EventCaseDecided, map[string]any{"decision": decision, "reason": reason, "onTime": onTime}, nil
	})
}

// Finish closes a decided case (办结), with an approval.case_finished
// event. Errors: NotFound; Forbidden; Conflict wrong_state.
func (s *Service) Finish(ctx context.Context, actor accounts.Principal, caseID int64) (Case, error) {
	return s.clockMove(ctx, actor, caseID, CaseDecided, func(ctx context.Context, r caseRow, now time.Time) (map[string]any, string, map[string]any, error) {
		return map[string]any{"state": string(CaseFinished), "finished_at": now}, EventCaseFinished,
			map[string]any{"decision": r.Decision}, nil
	})
}

// Withdraw lets the applicant withdraw a case not yet decided (撤回), with
// an approval.case_withdrawn event; an open suspension ends with it.
// Errors: NotFound; Forbidden not_your_case; Conflict wrong_state.
func (s *Service) Withdraw(ctx context.Context, actor accounts.Principal, caseID int64) (Case, error) {
	var out caseRow
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		r, err := s.forApplicant(ctx, actor, caseID)
		if err != nil {
			return err
		}
		if r.ParentCaseID != nil {
			return apperr.New(apperr.Conflict, "联办子件不能单独撤回，请撤回联办件", "a sub-case cannot be withdrawn alone; withdraw the joint file").WithCode("joint_part")
		}
		now := s.now()
		if r.Joint {
			if err := s.withdrawParts(ctx, actor, r, now); err != nil {
				return err
			}
		}
		if err := s.withdrawOne(ctx, actor, r, now); err != nil {
			return err
		}
		out, err = s.st.caseByID(ctx, r.ID, false)
		return err
	})
	if err != nil {
		return Case{}, err
	}
	return s.view(ctx, out)
}

// withdrawOne withdraws locked case r, ending an open suspension.
func (s *Service) withdrawOne(ctx context.Context, actor accounts.Principal, r caseRow, now time.Time) error {
	from := CaseState(r.State)
	if from.Closed() || from == CaseDecided {
		return stateError(r, "已决定或已结束的办件不能撤回", "a decided or closed case cannot be withdrawn")
	}
	if from == CaseSuspended {
		if sp, err := s.st.openSuspension(ctx, r.ID); err == nil {
			if err := s.st.closeSuspension(ctx, sp.ID, now, actor.UserID, 0); err != nil {
				return err
			}
		}
	}
	if err := s.st.moveCase(ctx, r.ID, from, map[string]any{"state": string(CaseWithdrawn), "finished_at": now, "updated_at": now}); err != nil {
		return err
	}
	return s.append(ctx, EventCaseWithdrawn, caseSubject(r.ID), actor, map[string]any{"from": from})
}
