package bidding

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// RoomObjection (开标异议) is a bidder's objection raised in the room and
// the host's answer; both go into the opening record.
type RoomObjection struct {
	ID          int64      `json:"id" gorm:"column:id;primaryKey"`
	SectionID   int64      `json:"sectionId" gorm:"column:section_id"`
	BidderOrgID int64      `json:"bidderOrgId" gorm:"column:bidder_org_id"`
	UserID      int64      `json:"-" gorm:"column:user_id"`
	Body        string     `json:"body" gorm:"column:body"`
	RaisedAt    time.Time  `json:"raisedAt" gorm:"column:raised_at"`
	Answer      *string    `json:"answer,omitempty" gorm:"column:answer"`
	AnsweredBy  *int64     `json:"-" gorm:"column:answered_by"`
	AnsweredAt  *time.Time `json:"answeredAt,omitempty" gorm:"column:answered_at"`
}

// TableName maps RoomObjection to its table.
func (RoomObjection) TableName() string { return "opening_objections" }

func checkText(field, s string, max int) error {
	if strings.TrimSpace(s) == "" || len([]rune(s)) > max {
		return apperr.Newf(apperr.Invalid, "%s 不能为空且不超过 %d 字", "%s must be 1 to %d characters", field, max).WithField(field, "required")
	}
	return nil
}

// hostRoom loads a section's room for its host. Errors: apperr.Forbidden
// (not the project's agent), apperr.NotFound.
func (s *Service) hostRoom(ctx context.Context, actor accounts.Principal, sectionID int64) (Room, error) {
	_, p, err := s.sectionAndProject(ctx, sectionID, false)
	if err != nil {
		return Room{}, err
	}
	if err := requireAgent(actor, p); err != nil {
		return Room{}, err
	}
	return s.room(ctx, sectionID)
}

// setPhase moves a room from one phase to the next, once.
func (s *Service) setPhase(ctx context.Context, actor accounts.Principal, r *Room, from, to Phase) error {
	res := s.db.Conn(ctx).Model(&Room{}).Where("section_id = ? AND phase = ?", r.SectionID, from).Update("phase", to)
	if res.Error != nil {
		return storage.Translate(res.Error)
	}
	if res.RowsAffected != 1 {
		return wrongPhase(r.Phase, from)
	}
	r.Phase = to
	return s.roomEvent(ctx, r.SectionID, "phase", "user:"+strconv.FormatInt(actor.UserID, 10), map[string]any{"phase": to})
}

// StartObjections opens the objection phase after the results. Errors:
// those of hostRoom, apperr.Conflict (wrong_phase).
func (s *Service) StartObjections(ctx context.Context, actor accounts.Principal, sectionID int64) (Room, error) {
	r, err := s.hostRoom(ctx, actor, sectionID)
	if err != nil {
		return r, err
	}
	return r, s.db.InTx(ctx, func(ctx context.Context) error { return s.setPhase(ctx, actor, &r, PhaseResults, PhaseObjections) })
}

// RaiseRoomObjection records a bidder's objection at the opening. Only a
// bidder of the section that checked in may object, during the objection
// phase. Errors: apperr.Forbidden, apperr.NotFound, apperr.Conflict
// (wrong_phase, not_checked_in), apperr.Invalid.
func (s *Service) RaiseRoomObjection(ctx context.Context, actor accounts.Principal, sectionID int64, body string) (RoomObjection, error) {
	if err := requireBidder(actor); err != nil {
		return RoomObjection{}, err
	}
	if err := checkText("body", body, 2000); err != nil {
		return RoomObjection{}, err
	}
	r, err := s.room(ctx, sectionID)
	if err != nil {
		return RoomObjection{}, err
	}
	if r.Phase != PhaseObjections {
		return RoomObjection{}, wrongPhase(r.Phase, PhaseObjections)
	}
	if ok, err := s.checkedIn(ctx, sectionID, actor.OrgID); err != nil || !ok {
		if err != nil {
			return RoomObjection{}, err
		}
		return RoomObjection{}, apperr.New(apperr.Conflict, "签到的投标人才能提出异议", "only a bidder that checked in may object").WithCode("not_checked_in")
	}
	o := RoomObjection{SectionID: sectionID, BidderOrgID: actor.OrgID, UserID: actor.UserID, Body: body, RaisedAt: s.now()}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.insert(ctx, &o); err != nil {
			return err
		}
		return s.roomEvent(ctx, sectionID, "objection", "user:"+strconv.FormatInt(actor.UserID, 10), map[string]any{"objectionId": o.ID, "body": body, "bidderOrgId": actor.OrgID})
	})
	return o, err
}

// AnswerRoomObjection records the host's answer to an objection, once.
// Errors: those of hostRoom, apperr.NotFound (no such objection),
// apperr.Conflict (wrong_phase, already_answered), apperr.Invalid.
func (s *Service) AnswerRoomObjection(ctx context.Context, actor accounts.Principal, objectionID int64, answer string) (RoomObjection, error) {
	var o RoomObjection
	if err := s.db.Conn(ctx).Where("id = ?", objectionID).First(&o).Error; err != nil {
		return o, storage.Translate(err)
	}
	if err := checkText("answer", answer, 2000); err != nil {
		return o, err
	}
	r, err := s.hostRoom(ctx, actor, o.SectionID)
	if err != nil {
		return o, err
	}
	if r.Phase != PhaseObjections {
		return o, wrongPhase(r.Phase, PhaseObjections)
	}
	now := s.now()
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		res := s.db.Conn(ctx).Model(&RoomObjection{}).Where("id = ? AND answer IS NULL", o.ID).
			Updates(map[string]any{"answer": answer, "answered_by": actor.UserID, "answered_at": now})
		if res.Error != nil {
			return storage.Translate(res.Error)
		}
		if res.RowsAffected != 1 {
			return apperr.New(apperr.Conflict, "该异议已答复", "the objection is already answered").WithCode("already_answered")
		}
		return s.roomEvent(ctx, o.SectionID, "objection_answered", "user:"+strconv.FormatInt(actor.UserID, 10),
			map[string]any{"objectionId": o.ID, "answer": answer})
	})
	o.Answer, o.AnsweredBy, o.AnsweredAt = &answer, &actor.UserID, &now
	return o, err
}

// CloseRoom ends the opening once every objection is answered, and
// publishes the signed opening record. Errors: those of hostRoom,
// apperr.Conflict (wrong_phase, objections_unanswered), and those of the
// record's storage.
func (s *Service) CloseRoom(ctx context.Context, actor accounts.Principal, sectionID int64) (Room, error) {
	r, err := s.hostRoom(ctx, actor, sectionID)
	if err != nil {
		return r, err
	}
	if r.Phase != PhaseObjections && r.Phase != PhaseResults {
		return r, wrongPhase(r.Phase, PhaseResults, PhaseObjections)
	}
	var open int64
	if err := s.db.Conn(ctx).Model(&RoomObjection{}).Where("section_id = ? AND answer IS NULL", sectionID).Count(&open).Error; err != nil {
		return r, storage.Translate(err)
	}
	if open > 0 {
		return r, apperr.Newf(apperr.Conflict, "还有 %d 个异议未答复", "%d objections are unanswered", open).WithCode("objections_unanswered")
	}
	now := s.now()
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		from := r.Phase
		if err := s.setPhase(ctx, actor, &r, from, PhaseClosed); err != nil {
			return err
		}
		return storage.Translate(s.db.Conn(ctx).Model(&Room{}).Where("section_id = ?", sectionID).Update("closed_at", now).Error)
	})
	if err != nil {
		return r, err
	}
	r.ClosedAt = &now
	if err := s.publishRecord(context.WithoutCancel(ctx), sectionID); err != nil {
		return r, err
	}
	return s.room(ctx, sectionID)
}

// roomObjections lists a section's objections in order.
func (s *Service) roomObjections(ctx context.Context, sectionID int64) ([]RoomObjection, error) {
	out := []RoomObjection{}
	err := s.db.Conn(ctx).Where("section_id = ?", sectionID).Order("id").Find(&out).Error
	return out, storage.Translate(err)
}
