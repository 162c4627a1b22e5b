package approval

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// The case events, one per transition.
const (
	EventCaseApplied       = "approval.case_applied"
	EventMaterialAdded     = "approval.material_added"
	EventCaseSubmitted     = "approval.case_submitted"
	EventCaseAccepted      = "approval.case_accepted"
	EventCaseRefused       = "approval.case_refused"
	EventMaterialsRequired = "approval.materials_requested"
	EventCaseSuspended     = "approval.case_suspended"
	EventCaseResumed       = "approval.case_resumed"
	EventCaseDecided       = "approval.case_decided"
	EventCaseFinished      = "approval.case_finished"
	EventCaseWithdrawn     = "approval.case_withdrawn"
)

// Application is what an applicant files.
type Application struct {
	ItemCode      string        `json:"itemCode"`
	ApplicantKind ApplicantKind `json:"applicantKind"` // person (ID number) or org (USCC)
	ApplicantName string        `json:"applicantName"`
	ApplicantID   string        `json:"applicantId"`             // 18-character ID number or USCC
	InvestmentFen int64         `json:"investmentFen,omitempty"` // for the fast lane (直通车)
}

// Apply opens a draft case of the item's newest version for actor, with an
// approval.case_applied event, and returns it with its case number. A
// fast-lane item halves the promised limit (at least 1 working day) for an
// investment of FastLaneFen or more. Errors: Forbidden unless actor is an
// applicant; NotFound (unknown item); Conflict item_retired; Invalid with
// a field error (applicantKind, applicantName, applicantId — an ID number
// or USCC whose check character is wrong —, investmentFen, or itemCode
// for an item applied for at the window only).
func (s *Service) Apply(ctx context.Context, actor accounts.Principal, a Application) (Case, error) {
	if actor.UserID == 0 || !actor.Has(accounts.RoleApplicant) {
		return Case{}, apperr.New(apperr.Forbidden, "只有申请人账号可以提交办件", "only an applicant account may apply").WithCode("applicant_required")
	}
	id, err := checkApplicant(&a)
	if err != nil {
		return Case{}, err
	}
	it, err := s.st.latestItem(ctx, strings.TrimSpace(a.ItemCode), false)
	if err != nil {
		return Case{}, err
	}
	if it.State != ItemActive {
		return Case{}, retiredError(it.Code)
	}
	if !it.Online {
		return Case{}, apperr.Newf(apperr.Invalid, "事项 %s 只能到窗口办理：%s（%s）", "item %s is applied for at the window only: %s (%s)",
			it.Code, it.WindowName, it.WindowLocation).WithField("itemCode", "at the window only").WithCode("window_only")
	}
	promised, fast := it.PromisedDays, it.FastLane && a.InvestmentFen >= FastLaneFen
	if fast {
		promised = max(1, promised/2)
	}
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	r := caseRow{ItemID: it.ID, ItemCode: it.Code, ItemVersion: it.Version, DepartmentOrgID: it.DepartmentOrgID,
		ApplicantUserID: actor.UserID, ApplicantKind: string(a.ApplicantKind), ApplicantName: strings.TrimSpace(a.ApplicantName),
		ApplicantID: s.fields.Seal([]byte(id), applicantLabel(actor.UserID)), InvestmentFen: a.InvestmentFen, FastLane: fast,
		PromisedDays: promised, State: string(CaseDraft), Missing: "[]", CreatedAt: now, UpdatedAt: now, Joint: len(it.Parts) > 0}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		r.ID, r.CaseNo = 0, nil
		if err := s.st.insertCase(ctx, &r); err != nil {
			return err
		}
		no := fmt.Sprintf("SP%s%06d", now.In(clock.Shanghai).Format("20060102"), r.ID)
		r.CaseNo = &no
		if err := s.st.moveCase(ctx, r.ID, CaseDraft, map[string]any{"case_no": no}); err != nil {
			return err
		}
		if err := s.append(ctx, EventCaseApplied, caseSubject(r.ID), actor, map[string]any{"caseNo": no, "item": it.Code,
			"itemVersion": it.Version, "departmentOrgId": it.DepartmentOrgID, "fastLane": fast, "promisedDays": promised,
			"joint": r.Joint}); err != nil {
			return err
		}
		if err := s.applyParts(ctx, actor, r, it); err != nil {
			return err
		}
		return s.reuseLibrary(ctx, actor, r, it, now)
	})
	if err != nil {
		return Case{}, err
	}
	return s.view(ctx, r)
}

func applicantLabel(userID int64) string {
	return "approval_cases.applicant_id:user:" + strconv.FormatInt(userID, 10)
}

func caseSubject(id int64) string { return "case:" + strconv.FormatInt(id, 10) }

// checkApplicant validates the applicant's identity and returns the
// normalised ID number or USCC.
func checkApplicant(a *Application) (string, error) {
	bad := func(field, zh, en string) error {
		return apperr.New(apperr.Invalid, zh, en).WithField(field, en).WithCode("invalid_applicant")
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(a.ApplicantName)); n == 0 || n > 200 {
		return "", bad("applicantName", "请填写申请人名称（不超过200字）", "the applicant's name is required (at most 200 characters)")
	}
	if a.InvestmentFen < 0 {
		return "", bad("investmentFen", "投资额不能为负数", "the investment must not be negative")
	}
	switch a.ApplicantKind {
	case ApplicantPerson:
		id := strings.ToUpper(strings.TrimSpace(a.ApplicantID))
		if !accounts.ValidIDNumber(id) {
			return "", bad("applicantId", "身份证号码无效：应为18位且校验位正确", "the ID number is invalid: 18 characters with a correct check character")
		}
		return id, nil
	case ApplicantOrg:
		id := accounts.NormalizeUSCC(a.ApplicantID)
		if err := accounts.ValidUSCC(id); err != nil {
			if ae, ok := apperr.As(err); ok {
				return "", bad("applicantId", "统一社会信用代码无效："+ae.Zh, "the USCC is invalid: "+ae.Error())
			}
			return "", err
		}
		return id, nil
	}
	return "", bad("applicantKind", `申请人类型应为 person（个人）或 org（单位）`, `the applicant kind must be "person" or "org"`)
}

// maskID shows the first 4 and last 2 characters of an ID number or USCC.
func maskID(id string) string {
	if len(id) < 8 {
		return strings.Repeat("*", len(id))
	}
	return id[:4] + strings.Repeat("*", len(id)-6) + id[len(id)-2:]
}

// view turns a row into what callers see, with the masked applicant ID and
// the working days left.
func (s *Service) view(ctx context.Context, r caseRow) (Case, error) {
	id, err := s.fields.Open(r.ApplicantID, applicantLabel(r.ApplicantUserID))
	if err != nil {
		return Case{}, err
	}
	c := r.view(maskID(string(id)))
	if c.DueAt != nil && !c.State.Closed() && c.State != CaseDecided {
		cal, err := s.cal(ctx)
		if err != nil {
			return Case{}, err
		}
		at := s.clock.Now()
		if c.State == CaseSuspended {
			// A stopped clock: count from the suspension, which the due date
			// does not yet include.
			if sp, err := s.st.openSuspension(ctx, c.ID); err == nil {
				at = sp.SuspendedAt
			}
		}
		left := RemainingWorkdays(cal, at, *c.DueAt)
		c.RemainingWorkdays = &left
	}
	return c, nil
}
