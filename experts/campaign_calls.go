package experts

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/jobs"
	"github.com/tenderhall/tenderhall/internal/notify"
	"github.com/tenderhall/tenderhall/storage"
)

// The campaign's task types.
const (
	TaskCall    = "experts:call"    // ID call:<attempt id>: place one call attempt
	TaskSMS     = "experts:sms"     // ID sms:<invitation id>: the confirmation SMS after an accept
	TaskConfirm = "experts:confirm" // ID confirm:<draw id>: the confirmation deadline
	TaskSweep   = "experts:sweep"   // periodic: re-enqueue lost tasks, pass deadlines
)

// SweepInterval is how often the campaign sweep runs.
const SweepInterval = time.Minute

// Register installs the campaign's handlers and sweep on q.
func (s *Service) Register(q jobs.Queue) {
	s.camp.queue.Store(&q)
	q.Handle(TaskCall, s.handleCall)
	q.Handle(TaskSMS, s.handleSMS)
	q.Handle(TaskConfirm, func(ctx context.Context, t jobs.Task) error {
		var p struct{ DrawID int64 }
		if err := json.Unmarshal(t.Payload, &p); err != nil {
			return nil // a malformed payload never becomes valid: drop it
		}
		return s.confirmDeadline(ctx, p.DrawID)
	})
	q.Handle(TaskSweep, func(ctx context.Context, _ jobs.Task) error { return s.Sweep(ctx) })
	q.Every("experts-sweep", SweepInterval, jobs.Task{Type: TaskSweep})
}

// handleCall places one attempt. It re-reads the attempt: one already
// dialed or cancelled is done. A crash after Dial and before the attempt
// is marked dialed makes the task run again; it dials again with the same
// attempt ID, which the carrier answers with the first call's ID instead
// of calling twice.
func (s *Service) handleCall(ctx context.Context, t jobs.Task) error {
	var p struct{ AttemptID string }
	if err := json.Unmarshal(t.Payload, &p); err != nil {
		return nil
	}
	var a callAttempt
	if err := s.st.conn(ctx).Where("id = ?", p.AttemptID).Take(&a).Error; err != nil {
		return notFound(err, "呼叫记录不存在", "call attempt not found")
	}
	if a.Status != attemptQueued {
		return nil
	}
	if s.camp.caller == nil {
		return apperr.New(apperr.Unavailable, "未配置语音网关", "no voice gateway is configured")
	}
	req, expertID, err := s.callRequest(ctx, a)
	if err != nil {
		return err
	}
	carrierID, err := s.camp.caller.Dial(ctx, req)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		now := s.now()
		res := s.st.conn(ctx).Model(&callAttempt{}).Where("id = ? AND status = ?", a.ID, attemptQueued).
			Updates(map[string]any{"status": attemptDialed, "carrier_call_id": carrierID, "dialed_at": now})
		if res.Error != nil || res.RowsAffected != 1 {
			return storage.Translate(res.Error)
		}
		_, err := s.events.Append(ctx, eventlog.Entry{Type: "experts.call_dialed", Subject: drawRef(a.DrawID), Actor: "system",
			Payload: map[string]any{"drawId": a.DrawID, "attemptId": a.ID, "expertId": expertID, "attempt": a.AttemptNo, "phoneIndex": a.PhoneIndex}})
		return err
	})
}

// callRequest renders the attempt's call: the expert's number for this
// attempt (the numbers in turn) and the script.
func (s *Service) callRequest(ctx context.Context, a callAttempt) (notify.CallRequest, int64, error) {
	var in invitation
	if err := s.st.conn(ctx).Where("id = ?", a.InvitationID).Take(&in).Error; err != nil {
		return notify.CallRequest{}, 0, storage.Translate(err)
	}
	d, err := s.st.draw(ctx, a.DrawID, false)
	if err != nil {
		return notify.CallRequest{}, 0, err
	}
	e, phones, err := s.expertPhones(ctx, in.ExpertID)
	if err != nil {
		return notify.CallRequest{}, 0, err
	}
	return notify.CallRequest{AttemptID: a.ID, Phone: phones[a.PhoneIndex%len(phones)],
		Script: CallScript(e.Name, d.Request.EvaluationAt, d.Request.Place)}, e.ID, nil
}

func (s *Service) expertPhones(ctx context.Context, id int64) (Expert, []string, error) {
	e, err := s.st.expert(ctx, id, false)
	if err != nil {
		return e, nil, err
	}
	raw, err := s.fields.Open(e.Phones, "experts.phones:"+strconv.FormatInt(e.ID, 10))
	if err != nil {
		return e, nil, err
	}
	var phones []string
	if err := json.Unmarshal(raw, &phones); err != nil || len(phones) == 0 {
		return e, nil, apperr.New(apperr.Internal, "专家电话数据损坏", "the expert's phone numbers are damaged")
	}
	return e, phones, nil
}

// CallScript is the text the voice gateway reads to an expert: the
// expert's name, the evaluation's time (Beijing time) and place, and the
// keypad menu — never a bidder or the project.
func CallScript(name string, at time.Time, place string) string {
	t := at.In(clock.Shanghai)
	return fmt.Sprintf("您好，这里是公共资源交易中心评标专家语音通知。%s专家，您已被随机抽取为评标专家，评标时间为%d年%d月%d日%d时%02d分，地点为%s。"+
		"参加请按1，不参加请按2，重听请按3。", name, t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute(), place)
}

// SMSText is the confirmation message after an accept, with the one-time
// code that opens the evaluation room (RoomCode).
func SMSText(name string, at time.Time, place, code string) string {
	t := at.In(clock.Shanghai)
	return fmt.Sprintf("【公共资源交易中心】%s专家，您已确认参加%d年%d月%d日%d时%02d分在%s举行的评标，请携带身份证件准时到达。评标室登录验证码：%s，请勿告诉他人。",
		name, t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute(), place, code)
}

// handleSMS sends the confirmation SMS of an accepted invitation, once:
// the message's attempt ID dedupes at the carrier.
func (s *Service) handleSMS(ctx context.Context, t jobs.Task) error {
	var p struct{ InvitationID int64 }
	if err := json.Unmarshal(t.Payload, &p); err != nil {
		return nil
	}
	var in invitation
	if err := s.st.conn(ctx).Where("id = ?", p.InvitationID).Take(&in).Error; err != nil {
		return notFound(err, "邀请记录不存在", "invitation not found")
	}
	if in.Status != InvAccepted || s.camp.sms == nil {
		return nil
	}
	d, err := s.st.draw(ctx, in.DrawID, false)
	if err != nil {
		return err
	}
	e, phones, err := s.expertPhones(ctx, in.ExpertID)
	if err != nil {
		return err
	}
	id := "sms-" + strconv.FormatInt(in.ID, 10)
	if _, err := s.camp.sms.Send(ctx, notify.SMSRequest{AttemptID: id, Phone: phones[0], Text: SMSText(e.Name, d.Request.EvaluationAt, d.Request.Place, s.RoomCode(in.DrawID, in.ExpertID))}); err != nil {
		return err
	}
	_, err = s.events.Append(ctx, eventlog.Entry{Type: "experts.sms_sent", Subject: drawRef(in.DrawID), Actor: "system",
		Payload: map[string]any{"drawId": in.DrawID, "expertId": in.ExpertID, "messageId": id}})
	return err
}
