package supervision

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// The complaint stages: the objection a complaint follows (《招标投标法实施
// 条例》第六十条: documents 第二十二条, opening 第四十四条, evaluation
// result 第五十四条).
const (
	StageDocuments = "documents"
	StageOpening   = "opening"
	StageAward     = "award"
)

// The complaint states.
const (
	ComplaintFiled    = "filed"
	ComplaintAccepted = "accepted"
	ComplaintRefused  = "refused"
	ComplaintDecided  = "decided"
)

// Procedure suspends and resumes a section's procedure (bidding.Service's
// Suspend and Resume, registered in cmd), in the caller's transaction.
type Procedure struct {
	Suspend func(ctx context.Context, sectionID int64, ref, actor string) error
	Resume  func(ctx context.Context, sectionID int64, ref, actor string) error
}

// SetProcedure lets accepted complaints suspend the procedure.
func (s *Service) SetProcedure(p Procedure) { s.procedure = p }

// ComplaintRequest is a bidder's complaint: the objection it follows and
// what it says.
type ComplaintRequest struct {
	Stage       string `json:"stage"` // documents, opening, award
	ObjectionID int64  `json:"objectionId"`
	Body        string `json:"body"`
}

// ComplaintWindow is when a complaint may be filed after an objection:
// from its answer (or the lapse of its answer time) for the rule's days,
// to the end of the last day. open is false while the objection still
// awaits its answer in time.
func (s *Service) ComplaintWindow(cal *clock.Calendar, o Objection, now time.Time) (from, ends time.Time, open bool) {
	from = o.DueAt
	if o.AnsweredAt != nil {
		from = *o.AnsweredAt
	} else if !now.After(o.DueAt) {
		return from, time.Time{}, false
	}
	return from, clock.EndOfDay(cal.AddDays(from, s.rules.Rule[RuleComplaintFile].Limit)), true
}

// FileComplaint files a bidder's complaint to the section's supervising
// department, after its own objection at the same stage was answered or
// not answered in time, within the window that follows. Errors:
// apperr.Invalid (body); apperr.Forbidden (not_a_bidder,
// not_your_objection); apperr.NotFound (objection); apperr.Conflict
// (objection_pending naming its answer time, already_complained);
// apperr.TooLate (complaint_late naming the window's end);
// apperr.Unavailable while supervision has not yet read the section.
func (s *Service) FileComplaint(ctx context.Context, actor accounts.Principal, sectionID int64, in ComplaintRequest) (Complaint, error) {
	body := strings.TrimSpace(in.Body)
	if n := utf8.RuneCountInString(body); n == 0 || n > 10000 {
		return Complaint{}, apperr.New(apperr.Invalid, "请填写投诉内容（不超过 10000 字）", "write the complaint (at most 10000 characters)").WithField("body", "1 to 10000 characters")
	}
	if actor.UserID == 0 || !actor.Has(accounts.RoleBidder) {
		return Complaint{}, apperr.New(apperr.Forbidden, "只有投标人可以投诉", "only bidders may complain").WithCode("not_a_bidder")
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return Complaint{}, err
	}
	var c Complaint
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		o, err := s.st.objection(ctx, in.Stage, in.ObjectionID)
		if err != nil {
			return err
		}
		if o.Subject != sectionRef(sectionID) || o.BidderOrgID != actor.OrgID {
			return apperr.New(apperr.Forbidden, "只能就本单位在本标段提出的异议投诉", "a complaint follows your organisation's own objection on this section").WithCode("not_your_objection")
		}
		now := s.now()
		_, ends, open := s.ComplaintWindow(cal, o, now)
		switch {
		case !open:
			return apperr.Newf(apperr.Conflict, "异议答复期限至 %s，答复后或期满未答复方可投诉", "the objection may be answered until %s: complain after its answer or once that time has passed",
				beijingTime(o.DueAt)).WithCode("objection_pending")
		case now.After(ends):
			return apperr.Newf(apperr.TooLate, "投诉期限已于 %s 届满（异议答复或答复期满后 %d 日）", "the complaint window ended at %s (%d days after the objection's answer or its lapse)",
				beijingTime(ends), s.rules.Rule[RuleComplaintFile].Limit).WithCode("complaint_late")
		}
		if dup, err := s.st.complained(ctx, actor.OrgID, o.Stage, o.ObjectionID); err != nil || dup {
			if err != nil {
				return err
			}
			return apperr.New(apperr.Conflict, "已就该异议投诉", "a complaint about this objection is filed already").WithCode("already_complained")
		}
		subj, err := s.st.subject(ctx, o.Subject)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.New(apperr.Unavailable, "监察系统尚未同步该标段，请稍后再试", "supervision has not read this section yet; try again shortly")
		}
		if err != nil {
			return err
		}
		c = Complaint{SectionID: sectionID, DepartmentOrgID: subj.DepartmentOrgID, BidderOrgID: actor.OrgID, UserID: actor.UserID,
			Stage: o.Stage, ObjectionID: o.ObjectionID, Body: body, FiledAt: now, WindowEndsAt: ends, State: ComplaintFiled,
			AcceptDue: clock.EndOfDay(cal.AddWorkdays(now, s.rules.Rule[RuleComplaintAcc].Limit))}
		if err := s.st.insertComplaint(ctx, &c); err != nil {
			return err
		}
		return s.complaintEvent(ctx, "complaint.filed", c, actor)
	})
	return c, err
}

func (s *Service) complaintEvent(ctx context.Context, typ string, c Complaint, actor accounts.Principal) error {
	return s.append(ctx, typ, complaintRef(c.ID), actor.Actor(), map[string]any{"complaintId": c.ID, "sectionId": c.SectionID,
		"departmentOrgId": c.DepartmentOrgID, "stage": c.Stage, "state": c.State, "acceptDue": c.AcceptDue, "decideDue": c.DecideDue,
		"suspended": c.Suspended, "acceptedAt": c.AcceptedAt, "upheld": c.Upheld})
}

func complaintRef(id int64) string { return "complaint:" + itoa(id) }
