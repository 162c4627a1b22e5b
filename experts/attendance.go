package experts

import (
	"context"
	"crypto/hmac"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/jobs"
	"github.com/tenderhall/tenderhall/internal/notify"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// Attendee is an expert who accepted a draw's call (or a supplementary
// draw's): what the evaluation committee is formed from.
type Attendee struct {
	DrawID   int64            `json:"drawId"`
	GroupIdx int              `json:"group"`    // the group of the draw it was called for
	Position int              `json:"position"` // its place in that group's draw order
	ExpertID int64            `json:"expertId"`
	UserID   *int64           `json:"userId,omitempty"`
	Name     string           `json:"name"`
	Employer string           `json:"employer"`
	Category Category         `json:"category"`
	Status   InvitationStatus `json:"status"`
}

// Attendees lists the experts who accepted draw drawID's calls, then those
// of its supplementary draws, each in group and draw order. Cancelled
// acceptances are included with their status. It checks no access: the
// evaluation, which calls it, shows names only to the committee and the
// supervisor. Errors: apperr.NotFound for an unknown draw.
func (s *Service) Attendees(ctx context.Context, drawID int64) ([]Attendee, error) {
	d, err := s.st.draw(ctx, drawID, false)
	if err != nil {
		return nil, err
	}
	draws := []int64{d.ID}
	rows, err := s.st.drawsOf(ctx, d.SectionID)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if r.Request.SupplementOf == d.ID {
			draws = append(draws, r.ID)
		}
	}
	var out []Attendee
	for _, id := range draws {
		var invs []invitation
		if err := s.st.conn(ctx).Where("draw_id = ? AND status IN ?", id, []InvitationStatus{InvAccepted, InvCancelled}).
			Order("group_idx, position, id").Find(&invs).Error; err != nil {
			return nil, storage.Translate(err)
		}
		for _, in := range invs {
			e, err := s.st.expert(ctx, in.ExpertID, false)
			if err != nil {
				return nil, err
			}
			out = append(out, Attendee{DrawID: id, GroupIdx: in.GroupIdx, Position: in.Position, ExpertID: e.ID, UserID: e.UserID,
				Name: e.Name, Employer: e.EmployerName, Category: e.Category, Status: in.Status})
		}
	}
	return out, nil
}

// RoomCode is the one-time code an expert confirmed for draw drawID types
// when entering the evaluation room. It is sent in the confirmation SMS
// and derived from the platform's secret, so nothing is stored to leak.
func (s *Service) RoomCode(drawID, expertID int64) string {
	m := hmac.New(notary.NewSM3, s.pepper)
	fmt.Fprintf(m, "room-code\x00%d\x00%d", drawID, expertID)
	return fmt.Sprintf("%06d", binary.BigEndian.Uint32(m.Sum(nil)[:4])%1000000)
}

// CheckRoomCode reports whether code is expert expertID's room code for
// drawID, in constant time.
func (s *Service) CheckRoomCode(drawID, expertID int64, code string) bool {
	return hmac.Equal([]byte(s.RoomCode(drawID, expertID)), []byte(strings.TrimSpace(code)))
}

// WithdrawAttendance records, in ctx's transaction, that an accepted
// expert leaves the committee (a relationship declared in the evaluation
// room) and calls the next candidate in draw order. The returned function
// hands the new calls to the queue; call it after the transaction commits.
// Errors: apperr.NotFound; apperr.Conflict (not_accepted).
func (s *Service) WithdrawAttendance(ctx context.Context, drawID, expertID int64, reason string) (func(context.Context), error) {
	var tasks []jobs.Task
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		tasks, err = s.release(ctx, drawID, expertID, "experts.attendance_withdrawn", "system", reason)
		return err
	})
	return func(ctx context.Context) { s.enqueue(ctx, tasks) }, err
}

// LinkAccount gives a pool expert the platform account userID (which
// should hold the expert role) for the evaluation room, or removes the link
// with userID 0. Errors: apperr.Forbidden unless an administrator;
// apperr.NotFound; apperr.Conflict (account_linked) when the account
// belongs to another expert.
func (s *Service) LinkAccount(ctx context.Context, actor accounts.Principal, expertID, userID int64) (Expert, error) {
	if err := requireAdmin(actor); err != nil {
		return Expert{}, err
	}
	var e Expert
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if e, err = s.st.expert(ctx, expertID, true); err != nil {
			return err
		}
		var link *int64
		if userID != 0 {
			link = &userID
		}
		err = storage.Translate(s.st.conn(ctx).Model(&Expert{}).Where("id = ?", expertID).Update("user_id", link).Error)
		if apperr.Is(err, apperr.Conflict) {
			return apperr.New(apperr.Conflict, "该账号已关联其他专家", "this account belongs to another expert").WithCode("account_linked")
		}
		if err != nil {
			return err
		}
		e.UserID = link
		_, err = s.events.Append(ctx, eventlog.Entry{Type: "experts.account_linked", Subject: expertRef(expertID), Actor: actor.Actor(),
			Payload: map[string]any{"expertId": expertID, "userId": userID}})
		return err
	})
	return e, err
}

// ExpertOfUser returns the pool expert linked to account userID. Errors:
// apperr.NotFound (not_an_expert).
func (s *Service) ExpertOfUser(ctx context.Context, userID int64) (Expert, error) {
	var es []Expert
	if err := s.st.conn(ctx).Where("user_id = ?", userID).Limit(1).Find(&es).Error; err != nil {
		return Expert{}, storage.Translate(err)
	}
	if len(es) == 0 {
		return Expert{}, apperr.New(apperr.NotFound, "该账号未关联专家库中的专家", "this account is not linked to an expert of the pool").WithCode("not_an_expert")
	}
	return es[0], nil
}

// InboxMessage is a simulated SMS, as the sandbox shows it.
type InboxMessage struct {
	Phone string `json:"phone"`
	Text  string `json:"text"`
	At    string `json:"at"`
}

// SimulatedInbox returns the SMS the simulated carrier sent to the phones
// of the expert linked to userID, newest last. Only a sandbox should serve
// it (api checks); with a real carrier there is nothing to show. Errors:
// apperr.NotFound (not_an_expert).
func (s *Service) SimulatedInbox(ctx context.Context, userID int64) ([]InboxMessage, error) {
	e, err := s.ExpertOfUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	_, phones, err := s.expertPhones(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	out := []InboxMessage{}
	sim, ok := s.camp.sms.(interface{ Messages() []notify.SentMessage })
	if !ok {
		return out, nil
	}
	for _, m := range sim.Messages() {
		if slices.Contains(phones, m.Phone) {
			out = append(out, InboxMessage{Phone: maskPhone(m.Phone), Text: m.Text, At: clock.Stamp(m.SentAt)})
		}
	}
	return out, nil
}
