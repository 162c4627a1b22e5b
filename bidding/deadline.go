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

// Task types of the bidding scheduler.
const (
	TaskClose = "bidding:close" // close bidding on one section at its deadline
	TaskSweep = "bidding:sweep" // close every section whose deadline passed (catch-up)
)

// SweepInterval is how often Register schedules the catch-up sweep.
const SweepInterval = time.Minute

type closePayload struct {
	SectionID  int64 `json:"sectionId"`
	DeadlineMS int64 `json:"deadlineMs"`
}

// CloseTaskID is the fixed ID of the close task for a section and deadline:
// moving the deadline enqueues a new task; the old one then finds nothing to do.
func CloseTaskID(sectionID int64, deadline time.Time) string {
	return "close:" + strconv.FormatInt(sectionID, 10) + ":" + strconv.FormatInt(deadline.UnixMilli(), 10)
}

// Handlers returns the job handlers by task type, for cmd to register on
// the queue (or use Register).
func (s *Service) Handlers() map[string]jobs.Handler {
	return map[string]jobs.Handler{TaskClose: s.handleClose, TaskSweep: s.handleSweep, TaskWindow: s.handleWindow}
}

// Register installs the handlers on q, schedules the catch-up sweep and
// makes q the queue deadline tasks go to. Call before q.Run.
func (s *Service) Register(q jobs.Queue) {
	s.queue.Store(&q)
	for typ, h := range s.Handlers() {
		q.Handle(typ, h)
	}
	q.Every("bidding-sweep", SweepInterval, jobs.Task{Type: TaskSweep})
}

// setDeadline makes d the section's effective deadline (UTC, to the
// millisecond) and records the change in its history, in ctx's transaction.
// The caller saves the section (transition does) or it is saved here.
func (s *Service) setDeadline(ctx context.Context, sec *Section, d time.Time, reason string, ref int64) error {
	d = d.UTC().Truncate(time.Millisecond)
	ch := DeadlineChange{SectionID: sec.ID, OldDeadline: sec.Deadline, NewDeadline: d, Reason: reason, RefID: ref, ChangedAt: s.now()}
	sec.Deadline, sec.UpdatedAt = &d, s.now()
	if err := s.st.save(ctx, sec); err != nil {
		return err
	}
	if err := s.st.insert(ctx, &ch); err != nil {
		return err
	}
	if reason == "announcement" {
		return nil
	}
	_, err := s.events.Append(ctx, eventlog.Entry{Type: "section.deadline_moved", Subject: sectionRef(sec.ID), Actor: "system",
		Payload: map[string]any{"old": ch.OldDeadline, "new": d, "reason": reason, "refId": ref}})
	return err
}

// scheduleClose enqueues the close task for sec's current deadline. It runs
// after the commit, so it does not fail the caller: a task not enqueued
// (no queue yet, queue down) is caught up by the sweep within SweepInterval.
func (s *Service) scheduleClose(ctx context.Context, sec Section) {
	qp := s.queue.Load()
	if qp == nil || sec.Deadline == nil || sec.State != StateAnnounced || sec.Paused() {
		return
	}
	payload, _ := json.Marshal(closePayload{SectionID: sec.ID, DeadlineMS: sec.Deadline.UnixMilli()})
	_, _ = (*qp).Enqueue(ctx, jobs.Task{Type: TaskClose, ID: CloseTaskID(sec.ID, *sec.Deadline), Payload: payload, RunAt: *sec.Deadline})
}

// handleClose closes bidding if the section is still announced, not paused
// and its deadline has passed. A task for an older deadline does nothing; a
// task for the current deadline arriving early is retried; one that finds
// the close waiting for in-flight finalizes leaves it to the re-check
// CloseIfDue scheduled (and to the sweep).
func (s *Service) handleClose(ctx context.Context, t jobs.Task) error {
	var p closePayload
	if err := json.Unmarshal(t.Payload, &p); err != nil || p.SectionID == 0 {
		return apperr.Wrap(err, apperr.Invalid, "截止任务内容无效", "invalid close task payload")
	}
	closed, sec, err := s.CloseIfDue(ctx, p.SectionID)
	if err != nil || closed {
		return err
	}
	if sec.State == StateAnnounced && !sec.Paused() && sec.Deadline != nil && sec.Deadline.UnixMilli() == p.DeadlineMS &&
		s.clock.Now().Before(*sec.Deadline) {
		return apperr.New(apperr.Unavailable, "截止时间未到，稍后重试", "deadline not reached yet; retry")
	}
	return nil
}

func (s *Service) handleSweep(ctx context.Context, _ jobs.Task) error {
	_, err := s.Sweep(ctx)
	return err
}

// CloseIfDue closes bidding on a section (event "section.closed") when it
// is announced, not paused, the clock has passed its effective deadline by
// ArrivalGrace (every finalize that arrived before the deadline has
// registered by then) and no registered finalize that arrived before the
// deadline is still in flight — or MaxFinalizeWait has passed. Otherwise
// it changes nothing; while it waits it schedules a re-check. The close
// records how long it waited and how many finalizes it gave up on, and
// the room opens in the same transaction, after them. It is idempotent
// and locks the section row, so it serialises with every finalize's
// registration and commit. It returns whether it closed the section and
// the section as it left it. Errors: apperr.NotFound, or those of storage.
func (s *Service) CloseIfDue(ctx context.Context, sectionID int64) (bool, Section, error) {
	ctx = storage.WithUrgency(ctx)
	var sec Section
	var recheck time.Time
	closed := false
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if sec, err = s.st.section(ctx, sectionID, true); err != nil {
			return err
		}
		now := s.clock.Now()
		if sec.State != StateAnnounced || sec.Paused() || sec.Deadline == nil || now.Before(*sec.Deadline) {
			return nil
		}
		inFlight, err := s.inFlight(ctx, sec)
		if err != nil {
			return err
		}
		waited := now.Sub(*sec.Deadline)
		switch {
		case waited < ArrivalGrace:
			recheck = sec.Deadline.Add(ArrivalGrace)
			return nil
		case inFlight > 0 && waited < MaxFinalizeWait:
			recheck = now.Add(time.Second)
			return nil
		}
		closed = true
		if err := s.transition(ctx, &sec, StateClosed, "system", map[string]any{"deadline": sec.Deadline,
			"waitedMs": waited.Milliseconds(), "abandonedFinalizes": inFlight}); err != nil {
			return err
		}
		return s.openRoom(ctx, &sec)
	})
	switch {
	case err != nil:
	case closed && sec.State == StateOpening:
		s.scheduleWindow(ctx, sec.ID, sec.Deadline.Add(decryptWindow(sec)))
	case !recheck.IsZero():
		s.scheduleRecheck(ctx, sec, recheck)
	}
	return closed, sec, err
}

// inFlight counts the section's finalizes registered as having arrived
// before its deadline that have not ended yet.
func (s *Service) inFlight(ctx context.Context, sec Section) (int64, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&Upload{}).Where("section_id = ? AND status = ? AND arrived_at < ?", sec.ID, UploadFinalizing, *sec.Deadline).
		Count(&n).Error
	return n, storage.Translate(err)
}

// scheduleRecheck enqueues another close task for a close that waits, at
// at (its fixed ID names that moment, so replicas enqueue it once).
func (s *Service) scheduleRecheck(ctx context.Context, sec Section, at time.Time) {
	qp := s.queue.Load()
	if qp == nil {
		return
	}
	payload, _ := json.Marshal(closePayload{SectionID: sec.ID, DeadlineMS: sec.Deadline.UnixMilli()})
	id := CloseTaskID(sec.ID, *sec.Deadline) + ":" + strconv.FormatInt(at.UnixMilli(), 10)
	_, _ = (*qp).Enqueue(context.WithoutCancel(ctx), jobs.Task{Type: TaskClose, ID: id, Payload: payload, RunAt: at})
}

// Sweep closes every announced, unpaused section whose deadline has passed,
// catching up on close tasks lost or not yet run; it returns how many it
// closed. Errors are those of storage.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	secs, err := s.st.sectionsIn(ctx, StateAnnounced)
	if err != nil {
		return 0, err
	}
	n := 0
	now := s.clock.Now()
	for _, sec := range secs {
		if sec.Paused() || sec.Deadline == nil || now.Before(*sec.Deadline) {
			continue
		}
		closed, _, err := s.CloseIfDue(ctx, sec.ID)
		if err != nil {
			return n, err
		}
		if closed {
			n++
		}
	}
	return n, s.sweepWindows(ctx)
}

func itoa(n int) string { return strconv.Itoa(n) }
