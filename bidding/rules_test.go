package bidding

import (
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

func sh(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, clock.Shanghai)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func nationalDay(t *testing.T) *clock.Calendar {
	t.Helper()
	var e []clock.DayEntry
	for _, d := range []string{"01", "02", "03", "04", "05", "06", "07"} {
		e = append(e, clock.DayEntry{Date: "2026-10-" + d, Kind: clock.Holiday, Name: "国庆节"})
	}
	e = append(e, clock.DayEntry{Date: "2026-09-20", Kind: clock.Workday}, clock.DayEntry{Date: "2026-10-10", Kind: clock.Workday})
	c, err := clock.NewCalendar(e)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTransitionTable(t *testing.T) {
	for _, tc := range []struct {
		from, to State
		ok       bool
	}{
		{StateDraft, StateAnnounced, true},
		{StateDraft, StateClosed, false},
		{StateAnnounced, StateClosed, true},
		{StateAnnounced, StateAnnounced, false},
		{StateClosed, StateOpening, true},
		{StateOpening, StateFailed, true},
		{StateCandidates, StateCancelled, true},
		{StateAwarded, StateCancelled, false},
		{StateCancelled, StateDraft, false},
		{StateFailed, StateAnnounced, false},
	} {
		err := checkTransition(tc.from, tc.to)
		if (err == nil) != tc.ok {
			t.Errorf("%s → %s: err %v, want ok=%v", tc.from, tc.to, err, tc.ok)
		}
		if err != nil {
			e, _ := apperr.As(err)
			if e.Kind != apperr.Conflict || e.Zh == "" || e.En == "" || e.Code != "invalid_transition" {
				t.Errorf("%s → %s: %+v", tc.from, tc.to, e)
			}
		}
	}
	for s := range transitions {
		if stateNames[s] == "" {
			t.Errorf("state %s has no Chinese name", s)
		}
	}
}

func TestCheckSchedule(t *testing.T) {
	eng, _ := DefaultRulebook(RulebookEngineering)
	proc, _ := DefaultRulebook(RulebookProcurement)
	nd := nationalDay(t)
	for _, tc := range []struct {
		name                  string
		cal                   *clock.Calendar
		rb                    Rulebook
		from, until, deadline string
		bad                   []string
	}{
		{"exactly 20 and 5 days", nil, eng, "2026-11-02 09:00", "2026-11-09 17:00", "2026-11-23 09:30", nil}, // 11-07 Sat → 11-09; 11-22 Sun → 11-23
		{"deadline on the 20th day, a Sunday", nil, eng, "2026-11-02 09:00", "2026-11-09 17:00", "2026-11-22 09:30", []string{"deadline"}},
		{"documents 4 days", nil, proc, "2026-11-02 09:00", "2026-11-06 17:00", "2026-11-30 09:30", []string{"docsUntil"}},
		{"20th day in National Day", nd, eng, "2026-09-11 09:00", "2026-09-16 17:00", "2026-10-01 09:30", []string{"deadline"}},
		{"next working day after National Day", nd, eng, "2026-09-11 09:00", "2026-09-16 17:00", "2026-10-08 09:30", nil},
		{"both short", nil, eng, "2026-11-02 09:00", "2026-11-03 17:00", "2026-11-10 09:30", []string{"docsUntil", "deadline"}},
	} {
		err := CheckSchedule(tc.cal, tc.rb, sh(tc.from), sh(tc.until), sh(tc.deadline))
		if len(tc.bad) == 0 {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.Invalid || len(e.Fields) != len(tc.bad) {
			t.Errorf("%s: err %v, want fields %v", tc.name, err, tc.bad)
			continue
		}
		for _, f := range tc.bad {
			if e.Fields[f] == "" {
				t.Errorf("%s: no error on %s: %v", tc.name, f, e.Fields)
			}
		}
	}
}

func TestPushedDeadline(t *testing.T) {
	nd := nationalDay(t)
	for _, tc := range []struct {
		cal         *clock.Calendar
		issued, old string
		days        int
		want        string
	}{
		{nil, "2026-12-05 16:00", "2026-12-15 09:30", 15, "2026-12-21 09:30"}, // 12-20 Sunday
		{nil, "2026-12-09 11:00", "2026-12-10 09:30", 3, "2026-12-14 09:30"},  // prequalification: 12-12 Saturday
		{nd, "2026-09-20 10:00", "2026-09-28 09:30", 15, "2026-10-08 09:30"},  // lands in National Day
	} {
		if got := pushedDeadline(tc.cal, sh(tc.issued), sh(tc.old), tc.days); !got.Equal(sh(tc.want)) {
			t.Errorf("pushed(%s, %d) = %s, want %s", tc.issued, tc.days, got.In(clock.Shanghai), tc.want)
		}
	}
}

func TestDefaultRulebook(t *testing.T) {
	if _, err := DefaultRulebook("87"); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("unknown rulebook: %v", err)
	}
	for _, n := range []RulebookName{RulebookEngineering, RulebookProcurement} {
		r, err := DefaultRulebook(n)
		if err != nil || r.MinDocDays != 5 || r.MinDaysToDeadline != 20 || r.ClarificationDays != 15 || r.clarifyDays(true) != 3 ||
			r.ObjectionCutoffDays != 10 || r.ObjectionAnswerDays != 3 || r.DecryptWindowMinutes != 30 {
			t.Errorf("%s: %+v %v", n, r, err)
		}
	}
}

func TestAcceptsBidsAt(t *testing.T) {
	dl := sh("2026-12-01 09:30")
	paused := dl.Add(-time.Hour)
	for _, tc := range []struct {
		name string
		sec  Section
		at   time.Time
		want bool
	}{
		{"before", Section{State: StateAnnounced, Deadline: &dl}, dl.Add(-time.Millisecond), true},
		{"at the deadline", Section{State: StateAnnounced, Deadline: &dl}, dl, false},
		{"after, paused", Section{State: StateAnnounced, Deadline: &dl, PausedSince: &paused}, dl.Add(time.Hour), true},
		{"closed", Section{State: StateClosed, Deadline: &dl}, dl.Add(-time.Hour), false},
		{"draft", Section{State: StateDraft}, dl, false},
	} {
		if got := tc.sec.AcceptsBidsAt(tc.at); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
