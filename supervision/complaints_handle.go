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

// AcceptRequest accepts (受理) a complaint, optionally suspending the
// procedure (暂停) until the decision.
type AcceptRequest struct {
	Reply   string `json:"reply"`
	Suspend bool   `json:"suspend,omitempty"`
}

// AcceptComplaint accepts a filed complaint; the decision is due within
// the rule's working days. With Suspend the section's procedure holds
// (bidding's deadline or award) and its time-limit clocks stop. A late
// acceptance is still taken: the lateness shows as the complaint's red
// light and its warning to the department. Errors: apperr.Forbidden
// (not_supervising); apperr.NotFound; apperr.Conflict (not_filed, and
// bidding's already_suspended, section_closed); apperr.Invalid (reply).
func (s *Service) AcceptComplaint(ctx context.Context, actor accounts.Principal, id int64, in AcceptRequest) (Complaint, error) {
	cal, err := s.calendar(ctx)
	if err != nil {
		return Complaint{}, err
	}
	return s.changeComplaint(ctx, actor, id, in.Reply, ComplaintFiled, "complaint.accepted", func(ctx context.Context, c *Complaint, now time.Time) error {
		due := clock.EndOfDay(cal.AddWorkdays(now, s.rules.Rule[RuleComplaintDec].Limit))
		c.State, c.Reply, c.AcceptedAt, c.DecideDue, c.Suspended = ComplaintAccepted, strings.TrimSpace(in.Reply), &now, &due, in.Suspend
		if !in.Suspend {
			return nil
		}
		if s.procedure.Suspend == nil {
			return apperr.New(apperr.Unavailable, "暂停程序不可用", "suspending the procedure is not available")
		}
		return s.procedure.Suspend(ctx, c.SectionID, complaintRef(c.ID), actor.Actor())
	})
}

// RefuseComplaint refuses (不予受理) a filed complaint with the reason.
// Errors: as AcceptComplaint.
func (s *Service) RefuseComplaint(ctx context.Context, actor accounts.Principal, id int64, reason string) (Complaint, error) {
	return s.changeComplaint(ctx, actor, id, reason, ComplaintFiled, "complaint.refused", func(_ context.Context, c *Complaint, _ time.Time) error {
		c.State, c.Reply = ComplaintRefused, strings.TrimSpace(reason)
		return nil
	})
}

// DecideRequest is the decision on an accepted complaint: its text and
// whether the complaint is upheld.
type DecideRequest struct {
	Decision string `json:"decision"`
	Upheld   bool   `json:"upheld"`
}

// DecideComplaint records the decision (published on the portal) and
// lifts a suspension it ordered. Errors: as AcceptComplaint (not_accepted).
func (s *Service) DecideComplaint(ctx context.Context, actor accounts.Principal, id int64, in DecideRequest) (Complaint, error) {
	return s.changeComplaint(ctx, actor, id, in.Decision, ComplaintAccepted, "complaint.decided", func(ctx context.Context, c *Complaint, now time.Time) error {
		c.State, c.Decision, c.Upheld, c.DecidedAt = ComplaintDecided, strings.TrimSpace(in.Decision), in.Upheld, &now
		if !c.Suspended || s.procedure.Resume == nil {
			return nil
		}
		return s.procedure.Resume(ctx, c.SectionID, complaintRef(c.ID), actor.Actor())
	})
}

func (s *Service) changeComplaint(ctx context.Context, actor accounts.Principal, id int64, text, from, event string,
	change func(context.Context, *Complaint, time.Time) error) (Complaint, error) {
	if n := utf8.RuneCountInString(strings.TrimSpace(text)); n == 0 || n > 10000 {
		return Complaint{}, apperr.New(apperr.Invalid, "请填写答复或决定（不超过 10000 字）", "write the reply or decision (at most 10000 characters)").WithField("reply", "1 to 10000 characters")
	}
	var c Complaint
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = s.st.complaint(ctx, id); err != nil {
			return err
		}
		if !supervises(actor, Subject{DepartmentOrgID: c.DepartmentOrgID}) {
			return errNotSupervising()
		}
		if c.State != from {
			return apperr.Newf(apperr.Conflict, "投诉状态为「%s」，不能进行此操作", "the complaint is %s: not possible now", c.State).WithCode("not_" + from)
		}
		now := s.now()
		c.HandledBy = actor.UserID
		if err := change(ctx, &c, now); err != nil {
			return err
		}
		if err := s.st.saveComplaint(ctx, &c); err != nil {
			return err
		}
		return s.complaintEvent(ctx, event, c, actor)
	})
	return c, err
}

// Complaints lists complaints: a supervisor's department's (all for the
// platform), a bidder's own. Errors: apperr.Forbidden for anyone else.
func (s *Service) Complaints(ctx context.Context, actor accounts.Principal, f ComplaintFilter) ([]Complaint, error) {
	switch {
	case actor.UserID != 0 && actor.Has(accounts.RoleSupervisor):
		if !platformWide(actor) {
			f.Dept = actor.OrgID
		}
	case actor.UserID != 0 && actor.Has(accounts.RoleBidder):
		f.Bidder = actor.OrgID
	default:
		return nil, apperr.New(apperr.Forbidden, "无权查看投诉", "you may not see complaints")
	}
	if f.Limit == 0 {
		f.Limit = 500
	}
	return s.st.complaints(ctx, f)
}

// PublicDecision is a decided complaint as the portal publishes it.
type PublicDecision struct {
	ID        int64     `json:"id"`
	SectionID int64     `json:"sectionId"`
	Stage     string    `json:"stage"`
	Decision  string    `json:"decision"`
	Upheld    bool      `json:"upheld"`
	DecidedAt time.Time `json:"decidedAt"`
}

// PublicDecisions lists decided complaints for the portal, newest first.
// Errors: those of storage.
func (s *Service) PublicDecisions(ctx context.Context) ([]PublicDecision, error) {
	cs, err := s.st.complaints(ctx, ComplaintFilter{State: ComplaintDecided, Limit: 500})
	out := make([]PublicDecision, 0, len(cs))
	for _, c := range cs {
		out = append(out, PublicDecision{ID: c.ID, SectionID: c.SectionID, Stage: c.Stage, Decision: c.Decision, Upheld: c.Upheld, DecidedAt: *c.DecidedAt})
	}
	return out, err
}

// ComplaintOption is one of a bidder's objections on a section with its
// complaint window, for the complaint form.
type ComplaintOption struct {
	Objection
	Open         bool       `json:"open"`                   // a complaint may be filed now
	WindowEndsAt *time.Time `json:"windowEndsAt,omitempty"` // when the window closes (none while the answer is awaited)
	Complained   bool       `json:"complained"`
}

// ComplaintOptions lists the actor organisation's objections on a section
// and whether each may be complained about now. Errors: apperr.Forbidden
// (not_a_bidder).
func (s *Service) ComplaintOptions(ctx context.Context, actor accounts.Principal, sectionID int64) ([]ComplaintOption, error) {
	if actor.UserID == 0 || !actor.Has(accounts.RoleBidder) {
		return nil, apperr.New(apperr.Forbidden, "只有投标人可以投诉", "only bidders may complain").WithCode("not_a_bidder")
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	os, err := s.st.objectionsOf(ctx, sectionRef(sectionID), actor.OrgID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]ComplaintOption, 0, len(os))
	for _, o := range os {
		opt := ComplaintOption{Objection: o}
		if _, ends, open := s.ComplaintWindow(cal, o, now); open {
			opt.WindowEndsAt, opt.Open = &ends, !now.After(ends)
		}
		if opt.Complained, err = s.st.complained(ctx, actor.OrgID, o.Stage, o.ObjectionID); err != nil {
			return nil, err
		}
		opt.Open = opt.Open && !opt.Complained
		out = append(out, opt)
	}
	return out, nil
}
