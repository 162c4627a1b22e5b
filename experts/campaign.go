package experts

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/jobs"
	"github.com/tenderhall/tenderhall/internal/notify"
	"github.com/tenderhall/tenderhall/storage"
)

// CampaignState is where a call campaign is.
type CampaignState string

// The campaign states.
const (
	CampaignRunning  CampaignState = "running"  // calling
	CampaignFilled   CampaignState = "filled"   // every group has its members and reserves confirmed
	CampaignUnfilled CampaignState = "unfilled" // the confirmation deadline passed with a group short (alerted)
)

// Campaign is the automated call campaign (语音自动通知) of one draw.
type Campaign struct {
	DrawID       int64         `json:"drawId" gorm:"column:draw_id;primaryKey"`
	SectionID    int64         `json:"sectionId" gorm:"column:section_id"`
	State        CampaignState `json:"state" gorm:"column:state"`
	ConfirmBy    time.Time     `json:"confirmBy" gorm:"column:confirm_by"`
	Retries      int           `json:"retries" gorm:"column:retries"`            // attempts after the first, per expert, over the expert's numbers in turn
	RetrySeconds int           `json:"retrySeconds" gorm:"column:retry_seconds"` // between attempts
	CreatedBy    int64         `json:"-" gorm:"column:created_by"`
	CreatedAt    time.Time     `json:"createdAt" gorm:"column:created_at"`
	FinishedAt   *time.Time    `json:"finishedAt,omitempty" gorm:"column:finished_at"`
}

// TableName maps Campaign to its table.
func (Campaign) TableName() string { return "expert_campaigns" }

// InvitationStatus is where one drawn expert stands in a campaign.
type InvitationStatus string

// The invitation statuses.
const (
	InvCalling   InvitationStatus = "calling"   // an attempt is queued, ringing or waiting for its retry
	InvAccepted  InvitationStatus = "accepted"  // pressed 1
	InvDeclined  InvitationStatus = "declined"  // pressed 2
	InvNoAnswer  InvitationStatus = "no_answer" // no answer after every attempt
	InvCancelled InvitationStatus = "cancelled" // accepted, then cancelled
)

type invitation struct {
	ID           int64            `gorm:"column:id;primaryKey"`
	DrawID       int64            `gorm:"column:draw_id"`
	GroupIdx     int              `gorm:"column:group_idx"`
	Position     int              `gorm:"column:position"` // index in the group's draw order
	ExpertID     int64            `gorm:"column:expert_id"`
	EmployerUSCC string           `gorm:"column:employer_uscc"`
	Status       InvitationStatus `gorm:"column:status"`
	Attempts     int              `gorm:"column:attempts"`
	CreatedAt    time.Time        `gorm:"column:created_at"`
	UpdatedAt    time.Time        `gorm:"column:updated_at"`
}

func (invitation) TableName() string { return "expert_invitations" }

// The attempt statuses.
const (
	attemptQueued    = "queued"
	attemptDialed    = "dialed"
	attemptCompleted = "completed"
	attemptCancelled = "cancelled"
)

type callAttempt struct {
	ID            string     `gorm:"column:id;primaryKey"` // the carrier's idempotency key
	InvitationID  int64      `gorm:"column:invitation_id"`
	DrawID        int64      `gorm:"column:draw_id"`
	AttemptNo     int        `gorm:"column:attempt_no"`
	PhoneIndex    int        `gorm:"column:phone_index"`
	CarrierCallID string     `gorm:"column:carrier_call_id"`
	Status        string     `gorm:"column:status"`
	Outcome       string     `gorm:"column:outcome"`
	RingMS        int64      `gorm:"column:ring_ms"`
	Prompts       int        `gorm:"column:prompts"`
	KeysPressed   string     `gorm:"column:keys_pressed"`
	RunAt         time.Time  `gorm:"column:run_at"`
	DialedAt      *time.Time `gorm:"column:dialed_at"`
	CompletedAt   *time.Time `gorm:"column:completed_at"`
}

func (callAttempt) TableName() string { return "expert_call_attempts" }

func attemptID(drawID, expertID int64, n int) string {
	return "d" + strconv.FormatInt(drawID, 10) + "-e" + strconv.FormatInt(expertID, 10) + "-a" + strconv.Itoa(n)
}

// campaignDeps are what the campaign needs beyond the store: set by cmd.
type campaignDeps struct {
	queue  atomic.Pointer[jobs.Queue]
	caller notify.Caller
	sms    notify.SMSSender
	key    *notify.CallbackKey
}

// SetGateways gives the campaign its phone and SMS carrier and the key
// their callbacks are signed with.
func (s *Service) SetGateways(c notify.Caller, m notify.SMSSender, key *notify.CallbackKey) {
	s.camp.caller, s.camp.sms, s.camp.key = c, m, key
}

// CampaignRequest starts a campaign. Zero values take the defaults.
type CampaignRequest struct {
	ConfirmBy    time.Time `json:"confirmBy"`              // when every group must be confirmed; before the evaluation
	Retries      int       `json:"retries,omitempty"`      // attempts after the first per expert (default 2, at most 5)
	RetryMinutes int       `json:"retryMinutes,omitempty"` // between attempts (default 10, at most 120)
}

// StartCampaign starts calling a drawn draw's experts: every group's
// members and reserves at once, then further candidates in draw order as
// calls end in a decline or no answer. The agent who runs the project
// starts it. Errors: apperr.Forbidden; apperr.NotFound; apperr.Conflict
// (draw_not_drawn, campaign_exists); apperr.Invalid (confirmBy not between
// now and the evaluation, retries or interval out of range).
func (s *Service) StartCampaign(ctx context.Context, actor accounts.Principal, drawID int64, req CampaignRequest) (Progress, error) {
	var tasks []jobs.Task
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		d, err := s.st.draw(ctx, drawID, true)
		if err != nil {
			return err
		}
		f, err := s.sectionFacts(ctx, actor, d.SectionID)
		if err != nil {
			return err
		}
		if !f.RunsProject {
			return apperr.New(apperr.Forbidden, "只有项目代理人可以发起语音通知", "only the project's agent may start the call campaign")
		}
		if d.State != DrawDone {
			return apperr.New(apperr.Conflict, "尚未抽取，不能通知", "the draw has not been made; nobody to call").WithCode("draw_not_drawn")
		}
		c, err := s.newCampaign(d, actor, req)
		if err != nil {
			return err
		}
		if err := s.st.insert(ctx, &c); apperr.Is(err, apperr.Conflict) {
			return apperr.New(apperr.Conflict, "该次抽取已发起语音通知", "this draw's campaign has started already").WithCode("campaign_exists")
		} else if err != nil {
			return err
		}
		if tasks, err = s.advance(ctx, d, c); err != nil {
			return err
		}
		tasks = append(tasks, jobs.Task{Type: TaskConfirm, ID: "confirm:" + strconv.FormatInt(drawID, 10), Payload: idPayload(drawID), RunAt: c.ConfirmBy})
		_, err = s.events.Append(ctx, eventlog.Entry{Type: "experts.campaign_started", Subject: drawRef(drawID), Actor: actor.Actor(),
			Payload: map[string]any{"drawId": drawID, "sectionId": d.SectionID, "confirmBy": c.ConfirmBy, "retries": c.Retries, "retrySeconds": c.RetrySeconds}})
		return err
	})
	if err != nil {
		return Progress{}, err
	}
	s.enqueue(ctx, tasks)
	return s.CampaignProgress(ctx, actor, drawID)
}

// newCampaign validates req against the draw.
func (s *Service) newCampaign(d drawRow, actor accounts.Principal, req CampaignRequest) (Campaign, error) {
	if req.Retries == 0 {
		req.Retries = 2
	}
	if req.RetryMinutes == 0 {
		req.RetryMinutes = 10
	}
	now := s.now()
	bad := apperr.New(apperr.Invalid, "语音通知参数有误", "the call campaign's settings are wrong")
	if !req.ConfirmBy.After(now) || !req.ConfirmBy.Before(d.Request.EvaluationAt) {
		bad.WithField("confirmBy", "after now and before the evaluation time")
	}
	if req.Retries < 0 || req.Retries > 5 {
		bad.WithField("retries", "0 to 5")
	}
	if req.RetryMinutes < 1 || req.RetryMinutes > 120 {
		bad.WithField("retryMinutes", "1 to 120")
	}
	if len(bad.Fields) > 0 {
		return Campaign{}, bad
	}
	return Campaign{DrawID: d.ID, SectionID: d.SectionID, State: CampaignRunning, ConfirmBy: req.ConfirmBy.UTC().Truncate(time.Millisecond),
		Retries: req.Retries, RetrySeconds: req.RetryMinutes * 60, CreatedBy: actor.UserID, CreatedAt: now}, nil
}

// enqueue hands tasks to the queue after their transaction committed; a
// task lost here (a crash) is enqueued again by the sweep under its
// fixed ID.
func (s *Service) enqueue(ctx context.Context, tasks []jobs.Task) {
	qp := s.camp.queue.Load()
	if qp == nil {
		return
	}
	for _, t := range tasks {
		_, _ = (*qp).Enqueue(context.WithoutCancel(ctx), t)
	}
}

// checkSupplement allows a supplementary draw only for a draw of the same
// section whose campaign ended unfilled. Errors: apperr.NotFound;
// apperr.Conflict (not_unfilled).
func (s *Service) checkSupplement(ctx context.Context, sectionID, of int64) error {
	if of == 0 {
		return nil
	}
	var cs []Campaign
	if err := s.st.conn(ctx).Where("draw_id = ? AND section_id = ?", of, sectionID).Limit(1).Find(&cs).Error; err != nil {
		return storage.Translate(err)
	}
	if len(cs) == 0 || cs[0].State != CampaignUnfilled {
		return apperr.New(apperr.Conflict, "只有语音通知确认截止仍未满员的抽取才能补充抽取",
			"a supplementary draw is only for a draw whose call campaign ended unfilled").WithCode("not_unfilled").WithField("supplementOf", "no unfilled campaign")
	}
	return nil
}
