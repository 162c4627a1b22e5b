package evaluation

import (
	"context"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// The complaint limits (DESIGN.md §5 "Award").
const (
	ComplaintDays       = 10 // to file, from knowing; objection periods do not count
	ComplaintAcceptDays = 3  // working days to accept or refuse
	ComplaintDecideDays = 30 // working days to decide an accepted complaint
)

// The complaint statuses.
const (
	ComplaintFiled    = "filed"
	ComplaintAccepted = "accepted"
	ComplaintRefused  = "refused"
	ComplaintDecided  = "decided"
)

// Complaint is a bidder's complaint (投诉) to the supervising department.
type Complaint struct {
	ID           int64      `json:"id" gorm:"column:id;primaryKey"`
	SectionID    int64      `json:"sectionId" gorm:"column:section_id"`
	BidderOrgID  int64      `json:"bidderOrgId" gorm:"column:bidder_org_id"`
	UserID       int64      `json:"-" gorm:"column:user_id"`
	Body         string     `json:"body" gorm:"column:body"`
	KnownAt      time.Time  `json:"knownAt" gorm:"column:known_at"`
	FiledAt      time.Time  `json:"filedAt" gorm:"column:filed_at"`
	Status       string     `json:"status" gorm:"column:status"`
	AcceptDue    time.Time  `json:"acceptDue" gorm:"column:accept_due"`
	DecideDue    *time.Time `json:"decideDue,omitempty" gorm:"column:decide_due"`
	PauseAward   bool       `json:"pauseAward" gorm:"column:pause_award"`
	HandledBy    *int64     `json:"-" gorm:"column:handled_by"`
	Reply        *string    `json:"reply,omitempty" gorm:"column:reply"`
	Decision     *string    `json:"decision,omitempty" gorm:"column:decision"`
	AcceptedAt   *time.Time `json:"acceptedAt,omitempty" gorm:"column:accepted_at"`
	DecidedAt    *time.Time `json:"decidedAt,omitempty" gorm:"column:decided_at"`
	AcceptWarned bool       `json:"-" gorm:"column:accept_warned"`
	DecideWarned bool       `json:"-" gorm:"column:decide_warned"`
}

// TableName maps Complaint to its table.
func (Complaint) TableName() string { return "complaints" }

// FileRequest files a complaint.
type FileRequest struct {
	Body    string    `json:"body"`
	KnownAt time.Time `json:"knownAt"` // when the bidder knew, or should have known, of the matter
}

// FileComplaint lets a bidder of the section complain to the supervising
// department within ComplaintDays of knowing, the time its own objections
// to the section waited for an answer not counted. Errors:
// apperr.Forbidden (not_a_bidder); apperr.TooLate (complaint_late);
// apperr.Invalid.
func (s *Service) FileComplaint(ctx context.Context, actor accounts.Principal, sectionID int64, in FileRequest) (Complaint, error) {
	body := strings.TrimSpace(in.Body)
	now := s.now()
	if n := len([]rune(body)); n == 0 || n > 10000 || in.KnownAt.IsZero() || in.KnownAt.After(now) {
		return Complaint{}, apperr.New(apperr.Invalid, "请填写投诉内容，并给出知道或应当知道之日（不晚于今天）", "write the complaint and the day you knew of the matter (not in the future)").
			WithField("body", "1 to 10000 characters").WithField("knownAt", "a time not in the future")
	}
	var c Complaint
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.requireBidderOf(ctx, actor, sectionID); err != nil {
			return err
		}
		paused, err := s.objectionTime(ctx, sectionID, actor.OrgID)
		if err != nil {
			return err
		}
		cal, err := s.calendar(ctx)
		if err != nil {
			return err
		}
		last := cal.AddDays(in.KnownAt, ComplaintDays).Add(paused)
		if now.After(clock.EndOfDay(last)) {
			return apperr.Newf(apperr.TooLate, "投诉期限已过（知道之日起 10 日，截至 %s）", "the complaint period (10 days from knowing, until %s) is over",
				clock.EndOfDay(last).In(shanghai).Format("2006-01-02")).WithCode("complaint_late")
		}
		c = Complaint{SectionID: sectionID, BidderOrgID: actor.OrgID, UserID: actor.UserID, Body: body, KnownAt: in.KnownAt.UTC(), FiledAt: now,
			Status: ComplaintFiled, AcceptDue: cal.AddWorkdays(now, ComplaintAcceptDays)}
		if err := s.st.insert(ctx, &c); err != nil {
			return err
		}
		return s.log(ctx, "complaint.filed", sectionRef(sectionID), actor.Actor(), map[string]any{"complaintId": c.ID, "acceptDue": c.AcceptDue})
	})
	return c, err
}

// objectionTime sums how long the organisation's publicity objections on
// the section waited for their answers.
func (s *Service) objectionTime(ctx context.Context, sectionID, orgID int64) (time.Duration, error) {
	var os []AwardObjection
	if err := s.st.find(ctx, &os, "", "section_id = ? AND bidder_org_id = ?", sectionID, orgID); err != nil {
		return 0, err
	}
	var d time.Duration
	for _, o := range os {
		end := s.now()
		if o.AnsweredAt != nil {
			end = *o.AnsweredAt
		}
		d += end.Sub(o.RaisedAt)
	}
	return d, nil
}

// HandleRequest is the supervisor's first answer to a complaint.
type HandleRequest struct {
	Accept     bool   `json:"accept"`
	Reply      string `json:"reply"`
	PauseAward bool   `json:"pauseAward,omitempty"` // order the award paused until the decision
}

// HandleComplaint accepts (受理) or refuses (不予受理) a filed complaint,
// optionally ordering the award paused. Errors: apperr.Forbidden
// (supervisor_required); apperr.NotFound; apperr.Conflict (not_filed);
// apperr.Invalid.
func (s *Service) HandleComplaint(ctx context.Context, actor accounts.Principal, id int64, in HandleRequest) (Complaint, error) {
	return s.changeComplaint(ctx, actor, id, in.Reply, ComplaintFiled, func(ctx context.Context, c *Complaint, now time.Time) (string, error) {
		c.Reply, c.HandledBy = &in.Reply, &actor.UserID
		if !in.Accept {
			c.Status = ComplaintRefused
			return "complaint.refused", nil
		}
		cal, err := s.calendar(ctx)
		if err != nil {
			return "", err
		}
		due := cal.AddWorkdays(now, ComplaintDecideDays)
		c.Status, c.AcceptedAt, c.DecideDue, c.PauseAward = ComplaintAccepted, &now, &due, in.PauseAward
		return "complaint.accepted", nil
	})
}

// DecideComplaint records the decision on an accepted complaint; a
// paused award may then go on. Errors: as HandleComplaint (not_accepted).
func (s *Service) DecideComplaint(ctx context.Context, actor accounts.Principal, id int64, decision string) (Complaint, error) {
	return s.changeComplaint(ctx, actor, id, decision, ComplaintAccepted, func(_ context.Context, c *Complaint, now time.Time) (string, error) {
		c.Decision, c.DecidedAt, c.Status, c.PauseAward = &decision, &now, ComplaintDecided, false
		return "complaint.decided", nil
	})
}

func (s *Service) changeComplaint(ctx context.Context, actor accounts.Principal, id int64, text, from string,
	change func(context.Context, *Complaint, time.Time) (string, error)) (Complaint, error) {
	if !isSupervisor(actor) {
		return Complaint{}, apperr.New(apperr.Forbidden, "只有监督部门处理投诉", "only the supervising department handles complaints").WithCode("supervisor_required")
	}
	if n := len([]rune(strings.TrimSpace(text))); n == 0 || n > 10000 {
		return Complaint{}, apperr.New(apperr.Invalid, "请填写答复或决定（不超过10000字）", "write the reply or decision, at most 10000 characters").WithField("reply", "1 to 10000 characters")
	}
	var c Complaint
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.take(ctx, true, &c, "投诉不存在", "complaint not found", "id = ?", id); err != nil {
			return err
		}
		if c.Status != from {
			return apperr.Newf(apperr.Conflict, "投诉状态为 %s，不能执行此操作", "the complaint is %s; not possible now", c.Status).WithCode("not_" + from)
		}
		now := s.now()
		event, err := change(ctx, &c, now)
		if err != nil {
			return err
		}
		if err := s.st.save(ctx, &c); err != nil {
			return err
		}
		return s.log(ctx, event, sectionRef(c.SectionID), actor.Actor(), map[string]any{"complaintId": c.ID, "status": c.Status,
			"pauseAward": c.PauseAward, "decideDue": c.DecideDue})
	})
	return c, err
}

// Complaints lists a section's complaints: all to supervisors and the
// project's agent, its own to a bidder.
func (s *Service) Complaints(ctx context.Context, actor accounts.Principal, sectionID int64) ([]Complaint, error) {
	out := []Complaint{}
	if err := s.sectionRows(ctx, actor, sectionID, &out, "无权查看投诉", "you may not see these complaints"); err != nil {
		return nil, err
	}
	return out, nil
}
