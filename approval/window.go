package approval

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Submit hands a draft, or a case whose missing materials were asked for,
// to the window, with an approval.case_submitted event; pre-review is due
// within PreReviewWorkdays. Errors: NotFound; Forbidden not_your_case;
// Conflict wrong_state; Invalid missing_materials naming every required
// material without a file.
func (s *Service) Submit(ctx context.Context, actor accounts.Principal, caseID int64) (Case, error) {
	var out caseRow
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		r, err := s.forApplicant(ctx, actor, caseID)
		if err != nil {
			return err
		}
		from := CaseState(r.State)
		if from != CaseDraft && from != CaseSupplementing {
			return stateError(r, "只有草稿或待补正的办件可以提交", "only a draft or a case waiting for missing materials can be submitted")
		}
		if r.ParentCaseID != nil && from == CaseDraft {
			return apperr.New(apperr.Conflict, "联办子件随联办件一并提交", "a joint file's sub-cases are submitted with the joint file").WithCode("joint_part")
		}
		if err := s.requireComplete(ctx, r); err != nil {
			return err
		}
		now := s.now()
		changes := map[string]any{"state": string(CaseSubmitted), "updated_at": now}
		if from == CaseDraft {
			changes["submitted_at"] = now
		}
		if err := s.st.moveCase(ctx, r.ID, from, changes); err != nil {
			return err
		}
		out, err = s.st.caseByID(ctx, r.ID, false)
		if err != nil {
			return err
		}
		if err := s.append(ctx, EventCaseSubmitted, caseSubject(r.ID), actor, map[string]any{"from": from}); err != nil {
			return err
		}
		if r.Joint {
			return s.submitParts(ctx, actor, r, now)
		}
		return nil
	})
	if err != nil {
		return Case{}, err
	}
	return s.view(ctx, out)
}

// requireComplete fails with Invalid missing_materials while a required
// material has no file.
func (s *Service) requireComplete(ctx context.Context, r caseRow) error {
	missing, err := s.missingRequired(ctx, r)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return apperr.Newf(apperr.Invalid, "缺少必需材料：%s", "required materials are missing: %s",
			strings.Join(missing, ", ")).WithField("materials", strings.Join(missing, ",")).
			WithCode("missing_materials")
	}
	return nil
}

// Accept accepts a submitted case (受理) whose file is complete: the clock
// starts, and the promised completion date is set (DueAt), with an
// approval.case_accepted event carrying it. Errors: NotFound; Forbidden
// (officer_required, other_department); Conflict wrong_state; Invalid
// missing_materials.
func (s *Service) Accept(ctx context.Context, actor accounts.Principal, caseID int64) (Case, error) {
	return s.windowMove(ctx, actor, caseID, func(ctx context.Context, r caseRow, now time.Time) (map[string]any, string, map[string]any, error) {
		if err := s.requireComplete(ctx, r); err != nil {
			return nil, "", nil, err
		}
		cal, err := s.cal(ctx)
		if err != nil {
			return nil, "", nil, err
		}
		due := DueAt(cal, now, r.PromisedDays, 0)
		return map[string]any{"state": string(CaseAccepted), "accepted_at": now, "due_at": due},
			EventCaseAccepted, map[string]any{"promisedDays": r.PromisedDays, "dueAt": due}, nil
	})
}

// Refuse refuses a submitted case (不予受理) with a reason the applicant
// reads. Errors: as Accept, and Invalid reason_required.
func (s *Service) Refuse(ctx context.Context, actor accounts.Principal, caseID int64, reason string) (Case, error) {
	reason = strings.TrimSpace(reason)
	if err := needReason(reason); err != nil {
		return Case{}, err
	}
	return s.windowMove(ctx, actor, caseID, func(ctx context.Context, r caseRow, now time.Time) (map[string]any, string, map[string]any, error) {
		return map[string]any{"state": string(CaseRefused), "reason": reason, "finished_at": now},
			EventCaseRefused, map[string]any{"reason": reason}, nil
	})
}

// RequestMaterials sends the one notice of every missing material
// (一次性告知) for a submitted case; the case waits for the applicant.
// A case gets at most one such notice, and only within
// MissingNoticeWorkdays of its submission (after that the law treats the
// file as accepted: accept it). Errors: as Accept; Invalid
// (materials_required, unknown_material); Conflict already_requested;
// TooLate notice_too_late.
func (s *Service) RequestMaterials(ctx context.Context, actor accounts.Principal, caseID int64, missing []string, note string) (Case, error) {
	if len(missing) == 0 {
		return Case{}, apperr.New(apperr.Invalid, "请一次列明所有缺少的材料", "list every missing material at once").
			WithField("missing", "at least one material key").WithCode("materials_required")
	}
	return s.windowMove(ctx, actor, caseID, func(ctx context.Context, r caseRow, now time.Time) (map[string]any, string, map[string]any, error) {
		if r.MissingRequested {
			return nil, "", nil, apperr.New(apperr.Conflict, "已经一次性告知过补正材料，不能再次要求", "the missing materials were asked for once already; no second request").
				WithCode("already_requested")
		}
		cal, err := s.cal(ctx)
		if err != nil {
			return nil, "", nil, err
		}
		if r.SubmittedAt != nil && SuspendedWorkdays(cal, *r.SubmittedAt, now) > MissingNoticeWorkdays {
			return nil, "", nil, apperr.Newf(apperr.TooLate, "提交已超过%d个工作日，不能再要求补正，应予受理", "more than %d working days since submission: the case must be accepted, not sent back",
				MissingNoticeWorkdays).WithCode("notice_too_late")
		}
		if err := s.checkKeys(ctx, r, missing); err != nil {
			return nil, "", nil, err
		}
		list, _ := json.Marshal(missing)
		return map[string]any{"state": string(CaseSupplementing), "missing_requested": true, "missing": string(list), "reason": strings.TrimSpace(note)},
			EventMaterialsRequired, map[string]any{"missing": missing, "note": strings.TrimSpace(note)}, nil
	})
}

// windowMove runs a window action on a submitted case (officerMove),
// recording the officer who took it.
func (s *Service) windowMove(ctx context.Context, actor accounts.Principal, caseID int64, step moveStep) (Case, error) {
	return s.officerMove(ctx, actor, caseID, CaseSubmitted,
		"只有已提交待预审的办件可以受理、不予受理或要求补正", "only a submitted case can be accepted, refused or sent back for materials",
		func(ctx context.Context, r caseRow, now time.Time) (map[string]any, string, map[string]any, error) {
			changes, typ, payload, err := step(ctx, r, now)
			if err == nil {
				changes["officer_user_id"] = actor.UserID
			}
			return changes, typ, payload, err
		})
}

// checkKeys checks that every key names a material of the case's item.
func (s *Service) checkKeys(ctx context.Context, r caseRow, keys []string) error {
	it, err := s.st.itemByID(ctx, r.ItemID)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, m := range it.Materials {
		known[m.Key] = true
	}
	for _, k := range keys {
		if !known[k] {
			return apperr.Newf(apperr.Invalid, "事项 %s 没有名为 %q 的材料", "item %s lists no material %q", it.Code, k).
				WithField("missing", "not a material of the item: "+k).WithCode("unknown_material")
		}
	}
	return nil
}

func needReason(reason string) error {
	if reason == "" || len(reason) > 2000 {
		return apperr.New(apperr.Invalid, "请写明理由（不超过2000字节）", "give a reason (at most 2000 bytes)").
			WithField("reason", "required").WithCode("reason_required")
	}
	return nil
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Millisecond) }
