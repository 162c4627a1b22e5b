package bidding

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/jobs"
	"github.com/tenderhall/tenderhall/storage"
)

// TaskWindow closes a section's decryption window.
const TaskWindow = "bidding:window"

// WindowTaskID is the fixed ID of the window task of a section.
func WindowTaskID(sectionID int64) string { return "window:" + strconv.FormatInt(sectionID, 10) }

// openRoom runs in the deadline job's transaction, right after bidding
// closed: with fewer than MinBids current bids the section fails (流标);
// otherwise it moves to opening and its room opens for decryption, and the
// event records how many bids there are and their ciphertext digests —
// not yet whose they are.
func (s *Service) openRoom(ctx context.Context, sec *Section) error {
	var bids []Bid
	if err := s.db.Conn(ctx).Where("section_id = ? AND status = ?", sec.ID, BidCurrent).Order("id").Find(&bids).Error; err != nil {
		return storage.Translate(err)
	}
	if len(bids) < MinBids {
		return s.failSection(ctx, sec, "bids_below_minimum",
			"投标截止时投标人少于 3 个", "fewer than 3 bids at the deadline", map[string]any{"bidCount": len(bids)})
	}
	now := s.now()
	room := Room{SectionID: sec.ID, Phase: PhaseDecrypting, BidCount: len(bids), OpenedAt: now,
		WindowEndsAt: sec.Deadline.Add(decryptWindow(*sec))}
	if err := s.st.insert(ctx, &room); err != nil {
		return err
	}
	digests := make([]string, len(bids))
	for i, b := range bids {
		digests[i] = b.Digest
		if err := s.st.insert(ctx, &OpenedBid{BidID: b.ID, SectionID: sec.ID, BidderOrgID: b.BidderOrgID,
			Status: OpeningPending, Digest: b.Digest}); err != nil {
			return err
		}
	}
	return s.transition(ctx, sec, StateOpening, "system", map[string]any{"bidCount": len(bids), "digests": digests,
		"windowEndsAt": room.WindowEndsAt})
}

// failSection ends a section as failed (流标) with a reason code and text.
func (s *Service) failSection(ctx context.Context, sec *Section, code, zh, en string, payload map[string]any) error {
	reason := zh + " / " + en
	sec.FailReason = &reason
	if payload == nil {
		payload = map[string]any{}
	}
	payload["reason"], payload["reasonCode"] = reason, code
	return s.transition(ctx, sec, StateFailed, "system", payload)
}

type windowPayload struct {
	SectionID int64 `json:"sectionId"`
}

// scheduleWindow enqueues the window task; the sweep catches up on one
// that was not enqueued.
func (s *Service) scheduleWindow(ctx context.Context, sectionID int64, at time.Time) {
	qp := s.queue.Load()
	if qp == nil {
		return
	}
	payload, _ := json.Marshal(windowPayload{SectionID: sectionID})
	_, _ = (*qp).Enqueue(context.WithoutCancel(ctx), jobs.Task{Type: TaskWindow, ID: WindowTaskID(sectionID), Payload: payload, RunAt: at})
}

// handleWindow closes the window when due; early, it is retried.
func (s *Service) handleWindow(ctx context.Context, t jobs.Task) error {
	var p windowPayload
	if err := json.Unmarshal(t.Payload, &p); err != nil || p.SectionID == 0 {
		return apperr.Wrap(err, apperr.Invalid, "解密窗口任务内容无效", "invalid window task payload")
	}
	done, err := s.CloseWindowIfDue(ctx, p.SectionID)
	if err != nil || done {
		return err
	}
	r, err := s.room(ctx, p.SectionID)
	if err == nil && r.Phase == PhaseDecrypting {
		return apperr.New(apperr.Unavailable, "解密窗口未结束，稍后重试", "the decryption window has not ended; retry")
	}
	return nil
}

// sweepWindows closes every decryption window that is due.
func (s *Service) sweepWindows(ctx context.Context) error {
	var ids []int64
	if err := s.db.Conn(ctx).Model(&Room{}).Where("phase = ? AND window_ends_at <= ?", PhaseDecrypting, s.now()).
		Pluck("section_id", &ids).Error; err != nil {
		return storage.Translate(err)
	}
	for _, id := range ids {
		if _, err := s.CloseWindowIfDue(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// roomEvent appends an opening event about a section.
func (s *Service) roomEvent(ctx context.Context, sectionID int64, typ, actor string, payload map[string]any) error {
	_, err := s.events.Append(ctx, eventlog.Entry{Type: "opening." + typ, Subject: sectionRef(sectionID), Actor: actor, Payload: payload})
	return err
}
