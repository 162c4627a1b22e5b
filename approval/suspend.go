package approval

import (
	"context"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

var suspensionKinds = map[SuspensionKind]string{SuspendHearing: "听证", SuspendInspection: "现场勘查",
	SuspendExperts: "专家评审", SuspendCorrection: "补正"}

// Suspend stops an accepted case's clock (听证, 现场勘查, 专家评审, 补正)
// with a reason, with an approval.case_suspended event. Errors: NotFound;
// Forbidden (officer_required, other_department); Conflict wrong_state
// (not accepted, e.g. suspended already); Invalid (bad_kind,
// reason_required).
func (s *Service) Suspend(ctx context.Context, actor accounts.Principal, caseID int64, kind SuspensionKind, reason string) (Case, error) {
	if _, ok := suspensionKinds[kind]; !ok {
		return Case{}, apperr.Newf(apperr.Invalid, "中止类型应为 hearing（听证）、inspection（现场勘查）、experts（专家评审）或 correction（补正），而不是 %q",
			"the suspension kind must be hearing, inspection, experts or correction, not %q", kind).WithField("kind", "unknown").WithCode("bad_kind")
	}
	reason = strings.TrimSpace(reason)
	if err := needReason(reason); err != nil {
		return Case{}, err
	}
	return s.clockMove(ctx, actor, caseID, CaseAccepted, func(ctx context.Context, r caseRow, now time.Time) (map[string]any, string, map[string]any, error) {
		sp := suspensionRow{CaseID: r.ID, Kind: string(kind), Reason: reason, SuspendedAt: now, SuspendedBy: actor.UserID}
		if err := s.st.insertSuspension(ctx, &sp); err != nil {
			return nil, "", nil, err
		}
		return map[string]any{"state": string(CaseSuspended)}, EventCaseSuspended,
			map[string]any{"suspension": sp.ID, "kind": kind, "reason": reason}, nil
	})
}

// Resume restarts a suspended case's clock: the suspension's working days
// (SuspendedWorkdays) move the due date, with an approval.case_resumed
// event carrying both. Errors: NotFound; Forbidden; Conflict wrong_state
// (the case is not suspended: resuming twice).
func (s *Service) Resume(ctx context.Context, actor accounts.Principal, caseID int64) (Case, error) {
	return s.clockMove(ctx, actor, caseID, CaseSuspended, func(ctx context.Context, r caseRow, now time.Time) (map[string]any, string, map[string]any, error) {
		sp, err := s.st.openSuspension(ctx, r.ID)
		if err != nil {
			return nil, "", nil, err
		}
		cal, err := s.cal(ctx)
		if err != nil {
			return nil, "", nil, err
		}
		days := SuspendedWorkdays(cal, sp.SuspendedAt, now)
		if err := s.st.closeSuspension(ctx, sp.ID, now, actor.UserID, days); err != nil {
			return nil, "", nil, err
		}
		total := r.SuspendedWorkdays + days
		due := DueAt(cal, *r.AcceptedAt, r.PromisedDays, total)
		return map[string]any{"state": string(CaseAccepted), "suspended_workdays": total, "due_at": due}, EventCaseResumed,
			map[string]any{"suspension": sp.ID, "workdays": days, "dueAt": due}, nil
	})
}

// Suspensions lists a case's suspensions, oldest first. Errors: NotFound
// (also for a case actor may not read).
func (s *Service) Suspensions(ctx context.Context, actor accounts.Principal, caseID int64) ([]Suspension, error) {
	if _, err := s.readable(ctx, actor, caseID, false); err != nil {
		return nil, err
	}
	rows, err := s.st.suspensions(ctx, caseID)
	if err != nil {
		return nil, err
	}
	out := make([]Suspension, len(rows))
	for i, r := range rows {
		out[i] = Suspension{ID: r.ID, Kind: SuspensionKind(r.Kind), Reason: r.Reason, SuspendedAt: r.SuspendedAt.UTC(),
			ResumedAt: utcPtr(r.ResumedAt), Workdays: r.Workdays}
	}
	return out, nil
}

// afterMove does what a transition entails beyond the case itself, in its
// transaction: an accepted case's materials enter the library; a closed
// sub-case may finish its joint file.
func (s *Service) afterMove(ctx context.Context, actor accounts.Principal, r caseRow, typ string, now time.Time) error {
	if typ == EventCaseAccepted {
		if err := s.keepInLibrary(ctx, actor, r, now); err != nil {
			return err
		}
	}
	if r.ParentCaseID != nil && CaseState(r.State).Closed() {
		return s.settleJoint(ctx, actor, *r.ParentCaseID, now)
	}
	return nil
}

// moveStep computes, for a locked case at now, the column changes, the
// event type and its payload of one transition.
type moveStep func(ctx context.Context, r caseRow, now time.Time) (map[string]any, string, map[string]any, error)

// clockMove runs an officer's action on a case in state from (officerMove).
func (s *Service) clockMove(ctx context.Context, actor accounts.Principal, caseID int64, from CaseState, step moveStep) (Case, error) {
	return s.officerMove(ctx, actor, caseID, from, "办件当前状态不允许此操作", "the case's state does not allow this", step)
}

// officerMove locks the case, checks the officer and that the case is in
// state from (else wrong_state with zh/en), lets step compute the changes
// and the event, and writes both in one transaction.
func (s *Service) officerMove(ctx context.Context, actor accounts.Principal, caseID int64, from CaseState,
	zh, en string, step moveStep) (Case, error) {
	var out caseRow
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		r, err := s.forOfficer(ctx, actor, caseID)
		if err != nil {
			return err
		}
		if CaseState(r.State) != from {
			return stateError(r, zh, en)
		}
		now := s.now()
		changes, typ, payload, err := step(ctx, r, now)
		if err != nil {
			return err
		}
		changes["updated_at"] = now
		if err := s.st.moveCase(ctx, r.ID, from, changes); err != nil {
			return err
		}
		if out, err = s.st.caseByID(ctx, r.ID, false); err != nil {
			return err
		}
		if err := s.append(ctx, typ, caseSubject(r.ID), actor, payload); err != nil {
			return err
		}
		return s.afterMove(ctx, actor, out, typ, now)
	})
	if err != nil {
		return Case{}, err
	}
	return s.view(ctx, out)
}
