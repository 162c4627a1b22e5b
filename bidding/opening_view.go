package bidding

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// RoomView is the opening room as a participant sees it. Before the
// results, bids are counts only: no name, no figure, no bidder's status
// but the caller's own.
type RoomView struct {
	SectionID    int64           `json:"sectionId"`
	State        State           `json:"state"`
	Phase        Phase           `json:"phase"`
	ServerTimeMs int64           `json:"serverTimeMs"`
	Deadline     *time.Time      `json:"deadline,omitempty"`
	SignInFrom   *time.Time      `json:"signInFrom,omitempty"`
	WindowEndsAt *time.Time      `json:"windowEndsAt,omitempty"`
	BidCount     int             `json:"bidCount"`
	Decrypted    int             `json:"decrypted"`
	Checkins     map[string]int  `json:"checkins"`
	Mine         *OpenedBid      `json:"mine,omitempty"`
	CheckedIn    bool            `json:"checkedIn"`
	Results      []ResultRow     `json:"results,omitempty"`
	Objections   []RoomObjection `json:"objections,omitempty"`
	FailReason   string          `json:"failReason,omitempty"`
	RecordDigest string          `json:"recordDigest,omitempty"`
}

// Room returns the room of a section as the actor sees it. Any signed-in
// user may watch. Errors: apperr.NotFound (no section).
func (s *Service) Room(ctx context.Context, actor accounts.Principal, sectionID int64) (RoomView, error) {
	sec, err := s.st.section(ctx, sectionID, false)
	if err != nil {
		return RoomView{}, err
	}
	now := s.now()
	v := RoomView{SectionID: sec.ID, State: sec.State, ServerTimeMs: now.UnixMilli(), Deadline: sec.Deadline, Checkins: map[string]int{}}
	if sec.Deadline != nil {
		from := sec.Deadline.Add(-SignInBefore)
		v.SignInFrom = &from
	}
	if sec.FailReason != nil {
		v.FailReason = *sec.FailReason
	}
	var r *Room
	if got, err := s.room(ctx, sectionID); err == nil {
		r = &got
		v.BidCount, v.WindowEndsAt, v.RecordDigest = got.BidCount, &got.WindowEndsAt, got.RecordDigest
	} else if !apperr.Is(err, apperr.NotFound) {
		return v, err
	} else if s.downloadersRevealed(sec) {
		// No room: the section ended at its deadline (流标 with fewer than
		// MinBids, or cancelled after it); its bids are counted as the
		// count route counts them.
		n, err := s.currentBids(ctx, sectionID)
		if err != nil {
			return v, err
		}
		v.BidCount = int(n)
	}
	v.Phase = phaseOf(sec, r, now)
	if err := s.fillCounts(ctx, actor, &v); err != nil {
		return v, err
	}
	if r != nil && r.ResultsAt != nil {
		if v.Results, err = s.results(ctx, sectionID); err != nil {
			return v, err
		}
		if v.Objections, err = s.roomObjections(ctx, sectionID); err != nil {
			return v, err
		}
	}
	return v, nil
}

// fillCounts adds the check-in and decryption counts and the caller's own bid.
func (s *Service) fillCounts(ctx context.Context, actor accounts.Principal, v *RoomView) error {
	var cs []Checkin
	if err := s.db.Conn(ctx).Where("section_id = ?", v.SectionID).Find(&cs).Error; err != nil {
		return storage.Translate(err)
	}
	for _, c := range cs {
		v.Checkins[c.Role]++
		if c.UserID == actor.UserID || (c.Role == "bidder" && actor.OrgID != 0 && c.OrgID == actor.OrgID && actor.Has(accounts.RoleBidder)) {
			v.CheckedIn = true
		}
	}
	var obs []OpenedBid
	if err := s.db.Conn(ctx).Where("section_id = ?", v.SectionID).Find(&obs).Error; err != nil {
		return storage.Translate(err)
	}
	for i, b := range obs {
		if b.Status == OpeningDecrypted {
			v.Decrypted++
		}
		if actor.Has(accounts.RoleBidder) && actor.OrgID != 0 && b.BidderOrgID == actor.OrgID {
			mine := obs[i]
			mine.PriceFen, mine.DurationDays = nil, nil
			v.Mine = &mine
		}
	}
	return nil
}

// RoomMessage is one thing that happened in a room, as the live stream
// carries it: redacted so that before the results nobody learns who
// checked in or decrypted, only that someone did.
type RoomMessage struct {
	Seq  int64          `json:"seq"`
	Type string         `json:"type"`
	At   time.Time      `json:"at"`
	Data map[string]any `json:"data"`
}

// roomFields lists, per event type, the payload fields a room message keeps.
var roomFields = map[string][]string{
	"section.closed": {"deadline"}, "section.opening": {"bidCount", "digests", "windowEndsAt"},
	"section.opened": {"decrypted", "results"}, "section.failed": {"reason", "reasonCode", "results"},
	"section.deadline_moved": {"new"}, "opening.checkin": {"role", "at"}, "opening.decrypted": {"at"},
	"opening.revoked": {}, "opening.decrypt_error": {}, "opening.phase": {"phase"},
	"opening.objection": {"objectionId", "body"}, "opening.objection_answered": {"objectionId", "answer"},
	"opening.record": {"digest"}, "opening.announcement": {"text"},
}

// RoomMessages returns the room's messages after seq, oldest first, at
// most limit. It reads the event log, so every replica serves the same
// stream. Errors: apperr.NotFound (no section), those of storage.
func (s *Service) RoomMessages(ctx context.Context, sectionID, after int64, limit int) ([]RoomMessage, error) {
	ms, _, _, err := s.RoomPage(ctx, sectionID, after, limit)
	return ms, err
}

// RoomPage reads one page (up to limit events) of the section's log after
// seq after and returns its room messages, the position read up to — past
// events that are not room messages too (downloads, questions), so a
// follower always moves on — and whether more may follow. Errors as
// RoomMessages.
func (s *Service) RoomPage(ctx context.Context, sectionID, after int64, limit int) ([]RoomMessage, int64, bool, error) {
	if _, err := s.st.section(ctx, sectionID, false); err != nil {
		return nil, after, false, err
	}
	evs, err := s.events.SubjectAfter(ctx, sectionRef(sectionID), after, limit)
	if err != nil {
		return nil, after, false, err
	}
	out := make([]RoomMessage, 0, len(evs))
	for _, e := range evs {
		after = e.Seq
		keep, ok := roomFields[e.Type]
		if !ok && !strings.HasPrefix(e.Type, "opening.") {
			continue
		}
		var payload map[string]any
		_ = json.Unmarshal([]byte(e.Payload), &payload)
		data := map[string]any{}
		for _, k := range keep {
			if v, ok := payload[k]; ok {
				data[k] = v
			}
		}
		out = append(out, RoomMessage{Seq: e.Seq, Type: e.Type, At: e.OccurredAt, Data: data})
	}
	return out, after, limit > 0 && len(evs) == limit, nil
}

// Announce posts the host's announcement to the room. Errors: those of
// hostRoom, apperr.Conflict (wrong_phase: the room is closed), apperr.Invalid.
func (s *Service) Announce(ctx context.Context, actor accounts.Principal, sectionID int64, text string) error {
	if err := checkText("text", text, 500); err != nil {
		return err
	}
	r, err := s.hostRoom(ctx, actor, sectionID)
	if err != nil {
		return err
	}
	if r.Phase == PhaseClosed {
		return wrongPhase(r.Phase, PhaseDecrypting, PhaseResults, PhaseObjections)
	}
	return s.roomEvent(ctx, sectionID, "announcement", "user:"+strconv.FormatInt(actor.UserID, 10), map[string]any{"text": text})
}
