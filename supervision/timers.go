package supervision

import (
	"context"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// Supervision's own events. The consumer skips them: it acts on the
// domains' events only.
const (
	EventLightChanged     = "supervision.light_changed"
	EventWarningRaised    = "supervision.warning_raised"
	EventWarningAnswered  = "supervision.warning_answered"
	EventWarningAccepted  = "supervision.warning_accepted"
	EventWarningRejected  = "supervision.warning_rejected"
	EventWarningEscalated = "supervision.warning_escalated"
)

// nextLook is when the sweep must look at a timer with light l again.
func nextLook(w Window, l Light) *time.Time {
	switch l {
	case Green:
		t := w.YellowAt
		return &t
	case Yellow:
		t := w.Due.Add(time.Millisecond)
		return &t
	}
	return nil
}

// startTimer (re)starts the subject's timer of rule over w, with its light
// as of at, the event's time: a consumer catching up on old events
// replays them as they happened (a pre-review stopped in time stays
// green), and the sweep then brings the running timers to today.
func (s *Service) startTimer(ctx context.Context, subj, rule string, w Window, n int, seq int64, at time.Time) error {
	now := at
	w = Window{Start: ms(w.Start), YellowAt: ms(w.YellowAt), Due: ms(w.Due)}
	l := w.LightAt(now)
	t := Timer{Subject: subj, RuleID: rule, StartedAt: w.Start, YellowAt: w.YellowAt, DueAt: w.Due, LimitN: n,
		Light: Green, NextAt: nextLook(w, Green)}
	if err := s.st.putTimer(ctx, t); err != nil {
		return err
	}
	if l != Green {
		return s.moveLight(ctx, t, l, seq, now)
	}
	return nil
}

// moveLight puts timer t at light l (yellow or red): the timer's next look,
// a warning to the office, the subject's light.
func (s *Service) moveLight(ctx context.Context, t Timer, l Light, seq int64, now time.Time) error {
	from := t.Light
	moved, err := s.st.moveTimer(ctx, t, &from, map[string]any{"light": l, "next_at": nextLook(t.window(), l)})
	if err != nil || !moved {
		return err
	}
	t.Light = l
	if err := s.raise(ctx, t, seq, now); err != nil {
		return err
	}
	return s.relight(ctx, t.Subject, "timer:"+t.RuleID, now)
}

func (s *Service) stopTimer(ctx context.Context, subj, rule string, at time.Time) error {
	t, err := s.st.timer(ctx, subj, rule)
	if apperr.Is(err, apperr.NotFound) || (err == nil && t.StoppedAt != nil) {
		return nil
	}
	if err != nil {
		return err
	}
	// A limit overrun before the stop is a breach even if no sweep saw
	// it running (the consumer catching up, a stop just after the due).
	if l := worse(t.Light, t.window().LightAt(at)); l != t.Light && !t.Paused {
		if err := s.moveLight(ctx, t, l, 0, at); err != nil {
			return err
		}
		t.Light = l
	}
	if _, err := s.st.moveTimer(ctx, t, nil, map[string]any{"stopped_at": at, "next_at": nil}); err != nil {
		return err
	}
	if t.Light == Green {
		return nil // a green timer leaving cannot change the worst light
	}
	return s.relight(ctx, subj, "stopped:"+rule, s.now())
}

// pauseTimer holds a timer while the case is suspended: its light stays,
// the sweep leaves it alone.
func (s *Service) pauseTimer(ctx context.Context, subj, rule string) error {
	t, err := s.st.timer(ctx, subj, rule)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = s.st.moveTimer(ctx, t, nil, map[string]any{"paused": true, "next_at": nil})
	return err
}

// resumeTimer restarts a paused timer toward its moved due date.
func (s *Service) resumeTimer(ctx context.Context, cal *clock.Calendar, subj, rule string, due time.Time, seq int64, at time.Time) error {
	t, err := s.st.timer(ctx, subj, rule)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.resumeOver(ctx, t, s.rules.WorkdayWindow(cal, t.StartedAt, due, t.LimitN), seq, at)
}

// resumeOver restarts paused timer t over window w, its light as of at.
func (s *Service) resumeOver(ctx context.Context, t Timer, w Window, seq int64, at time.Time) error {
	w = Window{Start: ms(w.Start), YellowAt: ms(w.YellowAt), Due: ms(w.Due)}
	// A light once yellow or red stays so: lights only worsen while the
	// time runs, and a suspension does not undo a warning already sent.
	l := worse(t.Light, w.LightAt(at))
	if _, err := s.st.moveTimer(ctx, t, nil, map[string]any{"paused": false, "yellow_at": w.YellowAt,
		"due_at": w.Due, "next_at": nextLook(w, t.Light)}); err != nil {
		return err
	}
	if l != t.Light {
		t.YellowAt, t.DueAt, t.NextAt = w.YellowAt, w.Due, nextLook(w, t.Light)
		return s.moveLight(ctx, t, l, seq, at)
	}
	return nil
}

func (s *Service) closeSubject(ctx context.Context, subj string) error {
	return s.st.updateSubject(ctx, subj, map[string]any{"closed": true, "updated_at": s.now()})
}

// relight recomputes the subject's light from its running timers and its
// open warnings, and records a change as an event (red→green included:
// it is never erased, only followed by the next change).
func (s *Service) relight(ctx context.Context, subj, cause string, now time.Time) error {
	cur, err := s.st.subject(ctx, subj)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	ts, err := s.st.timers(ctx, subj)
	if err != nil {
		return err
	}
	l := Green
	for _, t := range ts {
		if t.StoppedAt == nil {
			l = worse(l, t.Light)
		}
	}
	open, err := s.st.openWarningLight(ctx, subj)
	if err != nil {
		return err
	}
	l = worse(l, open)
	if l == cur.Light {
		return nil
	}
	if err := s.st.updateSubject(ctx, subj, map[string]any{"light": l, "updated_at": now}); err != nil {
		return err
	}
	return s.append(ctx, EventLightChanged, subj, "system", map[string]any{"from": cur.Light, "to": l, "cause": cause})
}

func ms(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }
