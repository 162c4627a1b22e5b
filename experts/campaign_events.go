package experts

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/jobs"
	"github.com/tenderhall/tenderhall/internal/notify"
	"github.com/tenderhall/tenderhall/storage"
)

type callEvent struct {
	Carrier    string    `gorm:"column:carrier;primaryKey"`
	EventID    string    `gorm:"column:event_id;primaryKey"`
	AttemptID  string    `gorm:"column:attempt_id"`
	Type       string    `gorm:"column:type"`
	At         time.Time `gorm:"column:at"`
	ReceivedAt time.Time `gorm:"column:received_at"`
}

func (callEvent) TableName() string { return "expert_call_events" }

// HandleCallEvent applies one verified carrier callback. A callback
// delivered again (same carrier and event ID) changes nothing. Ring, key
// and prompt events are recorded on the attempt; the call's end decides:
// an accept confirms the expert (and sends the SMS), a decline moves on
// to the next candidate in draw order, a no-answer, busy or failed call is
// retried after the campaign's interval on the expert's next number until
// the retries are spent. Errors: apperr.NotFound (unknown_call) for an
// attempt this platform never made; those of storage (the carrier retries).
func (s *Service) HandleCallEvent(ctx context.Context, ev notify.Event) error {
	if ev.Type == notify.SMSReport {
		return s.recordOnly(ctx, ev)
	}
	var tasks []jobs.Task
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var as []callAttempt
		if err := s.st.conn(ctx).Where("id = ?", ev.AttemptID).Limit(1).Find(&as).Error; err != nil {
			return storage.Translate(err)
		}
		if len(as) == 0 {
			return apperr.New(apperr.NotFound, "回调对应的呼叫不存在", "the callback names a call this platform never made").WithCode("unknown_call")
		}
		fresh, err := s.storeEvent(ctx, ev)
		if err != nil || !fresh {
			return err
		}
		tasks, err = s.applyCallEvent(ctx, as[0], ev)
		return err
	})
	if err != nil {
		return err
	}
	s.enqueue(ctx, tasks)
	return nil
}

// storeEvent keeps the callback's id; false means it was seen before.
func (s *Service) storeEvent(ctx context.Context, ev notify.Event) (bool, error) {
	row := callEvent{Carrier: ev.Carrier, EventID: ev.ID, AttemptID: ev.AttemptID, Type: string(ev.Type), At: ev.At.UTC(), ReceivedAt: s.now()}
	err := s.st.insert(ctx, &row)
	if apperr.Is(err, apperr.Conflict) {
		return false, nil
	}
	return err == nil, err
}

func (s *Service) recordOnly(ctx context.Context, ev notify.Event) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		fresh, err := s.storeEvent(ctx, ev)
		if err != nil || !fresh {
			return err
		}
		_, err = s.events.Append(ctx, eventlog.Entry{Type: "experts.sms_report", Subject: "sms:" + ev.AttemptID, Actor: "carrier:" + ev.Carrier,
			Payload: map[string]any{"messageId": ev.AttemptID, "status": ev.Status, "detail": ev.Detail}})
		return err
	})
}

// applyCallEvent records ev on attempt a and, at the call's end, decides.
func (s *Service) applyCallEvent(ctx context.Context, a callAttempt, ev notify.Event) ([]jobs.Task, error) {
	conn := s.st.conn(ctx).Model(&callAttempt{}).Where("id = ?", a.ID)
	switch ev.Type {
	case notify.CallKeyPressed:
		return nil, storage.Translate(conn.Update("keys_pressed", a.KeysPressed+strconv.Itoa(int(ev.Key))).Error)
	case notify.CallPromptRepeated:
		return nil, storage.Translate(conn.Update("prompts", max(a.Prompts, ev.Prompt)).Error)
	case notify.CallCompleted:
	default:
		return nil, nil
	}
	if a.Status == attemptCompleted {
		return nil, nil
	}
	at := ev.At.UTC()
	if err := storage.Translate(conn.Updates(map[string]any{"status": attemptCompleted, "outcome": string(ev.Outcome),
		"ring_ms": ev.Ring.Milliseconds(), "completed_at": at}).Error); err != nil {
		return nil, err
	}
	var in invitation
	if err := s.st.lock(ctx).Where("id = ?", a.InvitationID).Take(&in).Error; err != nil {
		return nil, storage.Translate(err)
	}
	if _, err := s.events.Append(ctx, eventlog.Entry{Type: "experts.call_completed", Subject: drawRef(a.DrawID), Actor: "carrier:" + ev.Carrier,
		Payload: map[string]any{"drawId": a.DrawID, "attemptId": a.ID, "expertId": in.ExpertID, "outcome": ev.Outcome,
			"ringMs": ev.Ring.Milliseconds(), "keys": a.KeysPressed, "at": at}}); err != nil {
		return nil, err
	}
	if in.Status != InvCalling {
		return nil, nil
	}
	return s.decide(ctx, in, a, ev.Outcome)
}

// decide moves the invitation on after a call ended with outcome.
func (s *Service) decide(ctx context.Context, in invitation, a callAttempt, outcome notify.Outcome) ([]jobs.Task, error) {
	c, d, err := s.campaignAndDraw(ctx, in.DrawID)
	if err != nil {
		return nil, err
	}
	var tasks []jobs.Task
	switch {
	case outcome == notify.OutcomeAccept:
		in.Status = InvAccepted
		tasks = append(tasks, smsTask(in))
	case outcome == notify.OutcomeDecline:
		in.Status = InvDeclined
	case in.Attempts <= c.Retries && c.State == CampaignRunning:
		in.Attempts++
		t, err := s.queueAttempt(ctx, in, in.Attempts, s.now().Add(time.Duration(c.RetrySeconds)*time.Second))
		if err != nil {
			return nil, err
		}
		tasks = append(tasks, t)
	default:
		in.Status = InvNoAnswer
	}
	in.UpdatedAt = s.now()
	if err := s.st.save(ctx, &in); err != nil {
		return nil, err
	}
	more, err := s.advance(ctx, d, c)
	return append(tasks, more...), err
}

func smsTask(in invitation) jobs.Task {
	payload, _ := json.Marshal(map[string]int64{"invitationId": in.ID})
	return jobs.Task{Type: TaskSMS, ID: "sms:" + strconv.FormatInt(in.ID, 10), Payload: payload}
}

func (s *Service) campaignAndDraw(ctx context.Context, drawID int64) (Campaign, drawRow, error) {
	var c Campaign
	if err := s.st.lock(ctx).Where("draw_id = ?", drawID).Take(&c).Error; err != nil {
		return c, drawRow{}, notFound(err, "语音通知不存在", "call campaign not found")
	}
	d, err := s.st.draw(ctx, drawID, false)
	return c, d, err
}

// CancelAttendance records that an expert who accepted will not come
// after all; the draw's supervisor of record, who alone sees the list,
// enters it, and the next candidate in draw order is called at once.
// Errors: apperr.Forbidden unless the actor is the supervisor of record; apperr.NotFound; apperr.Conflict (not_accepted);
// apperr.Invalid (reason_required).
func (s *Service) CancelAttendance(ctx context.Context, actor accounts.Principal, drawID, expertID int64, reason string) (Progress, error) {
	if strings.TrimSpace(reason) == "" {
		return Progress{}, apperr.New(apperr.Invalid, "请说明取消原因", "give the reason for the cancellation").WithField("reason", "required")
	}
	var tasks []jobs.Task
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		d, err := s.st.draw(ctx, drawID, false)
		if err != nil {
			return err
		}
		if d.SupervisorUserID == nil || *d.SupervisorUserID != actor.UserID || !actor.Has(accounts.RoleSupervisor) {
			return apperr.New(apperr.Forbidden, "只有本次抽取的监督人员可以登记专家取消（代理人看不到专家名单）",
				"only the draw's supervisor of record may record a cancellation (the agent cannot see the list)")
		}
		tasks, err = s.release(ctx, drawID, expertID, "experts.attendance_cancelled", actor.Actor(), reason)
		return err
	})
	if err != nil {
		return Progress{}, err
	}
	s.enqueue(ctx, tasks)
	return s.CampaignProgress(ctx, actor, drawID)
}

// release ends an accepted expert's attendance, in ctx's transaction: the
// invitation becomes cancelled, event typ is logged, a filled campaign
// runs again and the next candidate in draw order is invited. It returns
// the call tasks to enqueue after the commit. Errors: apperr.NotFound;
// apperr.Conflict (not_accepted).
func (s *Service) release(ctx context.Context, drawID, expertID int64, typ, actor, reason string) ([]jobs.Task, error) {
	c, d, err := s.campaignAndDraw(ctx, drawID)
	if err != nil {
		return nil, err
	}
	res := s.st.conn(ctx).Model(&invitation{}).Where("draw_id = ? AND expert_id = ? AND status = ?", drawID, expertID, InvAccepted).
		Updates(map[string]any{"status": InvCancelled, "updated_at": s.now()})
	if res.Error != nil {
		return nil, storage.Translate(res.Error)
	}
	if res.RowsAffected != 1 {
		return nil, apperr.New(apperr.Conflict, "该专家未确认参加", "this expert has not accepted").WithCode("not_accepted")
	}
	if _, err := s.events.Append(ctx, eventlog.Entry{Type: typ, Subject: drawRef(drawID), Actor: actor,
		Payload: map[string]any{"drawId": drawID, "expertId": expertID, "reason": reason}}); err != nil {
		return nil, err
	}
	if c.State == CampaignFilled { // a filled campaign calls again for the missing place
		if err := s.st.conn(ctx).Model(&Campaign{}).Where("draw_id = ?", drawID).
			Updates(map[string]any{"state": CampaignRunning, "finished_at": nil}).Error; err != nil {
			return nil, storage.Translate(err)
		}
		c.State = CampaignRunning
	}
	return s.advance(ctx, d, c)
}
