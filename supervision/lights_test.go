package supervision

import (
	"context"
	"strings"
	"testing"
	"time"
)

// A case accepted on Tuesday 29 September 2026, promised in 5 working
// days: the National Day holiday (1–7 October) does not count and the
// adjusted Saturday 10 October does, so it is due at the end of Monday 12
// October; yellow from the start of 10 October (one working day left),
// red from 13 October. Each change raises one warning and one event.
func TestLightsAcrossTheNationalDayHoliday(t *testing.T) {
	forEachBackend(t, beijing("2026-09-29 10:00"), func(t *testing.T, e *env) {
		due := e.acceptCase(t, 1, 5)
		if want := beijing("2026-10-12 23:59").Add(59*time.Second + 999*time.Millisecond); !due.Equal(want) {
			t.Fatalf("due %v, want %v", due, want)
		}
		e.consume(t)
		steps := []struct {
			at       string
			light    Light
			warnings int
		}{
			{"2026-09-30 17:00", Green, 0},
			{"2026-10-05 12:00", Green, 0}, // mid-holiday: no working day used
			{"2026-10-09 23:59", Green, 0}, // two working days left (10 and 12 October)
			{"2026-10-10 00:00", Yellow, 1},
			{"2026-10-11 12:00", Yellow, 1}, // Sunday
			{"2026-10-12 23:59", Yellow, 1},
			{"2026-10-13 00:00", Red, 2},
			{"2026-10-14 09:00", Red, 2},
		}
		for _, st := range steps {
			e.sweepAt(t, beijing(st.at))
			if got := e.subject(t, "case:1").Light; got != st.light {
				t.Fatalf("at %s: light %s, want %s", st.at, got, st.light)
			}
			ws, err := e.svc.Warnings(context.Background(), platformSupervisor, WarningFilter{Subject: "case:1"})
			if err != nil {
				t.Fatal(err)
			}
			if len(ws) != st.warnings {
				t.Fatalf("at %s: %d warnings, want %d", st.at, len(ws), st.warnings)
			}
		}
		ws := e.warnings(t)
		if !strings.Contains(ws[0].Detail, "已超期 1 个工作日") || !strings.Contains(ws[1].Detail, "剩余 1 个工作日") {
			t.Fatalf("details %q, %q", ws[0].Detail, ws[1].Detail)
		}
		if n := e.countEvents(t, EventLightChanged); n != 2 {
			t.Fatalf("%d light changes logged, want 2 (green→yellow→red)", n)
		}
		if n := e.countEvents(t, EventWarningRaised); n != 2 {
			t.Fatalf("%d warnings logged, want 2", n)
		}
	})
}

// A suspension holds the light: the sweep leaves a suspended case alone,
// and on resumption the moved due date decides.
func TestSuspensionMovesTheLimit(t *testing.T) {
	forEachBackend(t, beijing("2026-11-02 09:00"), func(t *testing.T, e *env) {
		e.acceptCase(t, 7, 3) // due end of Thursday 5 November
		e.clock.Set(beijing("2026-11-03 10:00"))
		e.appendEvent(t, "approval.case_suspended", "case:7", map[string]any{"kind": "hearing"})
		e.consume(t)
		e.sweepAt(t, beijing("2026-11-09 10:00")) // past the old due date, but suspended
		if got := e.subject(t, "case:7").Light; got != Green {
			t.Fatalf("suspended case went %s", got)
		}
		due := beijing("2026-11-11 23:59").Add(59*time.Second + 999*time.Millisecond)
		e.appendEvent(t, "approval.case_resumed", "case:7", map[string]any{"workdays": 4, "dueAt": due})
		e.consume(t)
		if got := e.subject(t, "case:7").Light; got != Green {
			t.Fatalf("resumed with 2 working days left: %s", got)
		}
		e.sweepAt(t, beijing("2026-11-11 08:00"))
		if got := e.subject(t, "case:7").Light; got != Yellow {
			t.Fatalf("on the due day: %s, want yellow", got)
		}
		e.appendEvent(t, "approval.case_decided", "case:7", map[string]any{"decision": "approve"})
		e.consume(t)
		e.sweepAt(t, beijing("2026-11-20 08:00"))
		if got := e.subject(t, "case:7").Light; got != Yellow {
			t.Fatalf("decided case: light %s, want yellow until its warning is accepted", got)
		}
	})
}

func TestWorkdayWindowThresholds(t *testing.T) {
	r := DefaultRules()
	e := newEnv(t, "sqlite", beijing("2026-11-02 09:00"))
	start := beijing("2026-11-02 09:00") // Monday
	cases := []struct {
		n      int
		yellow string
	}{
		{1, "2026-11-03 16:12"},  // one working day (due end of Tuesday): at 80 % of its 39 hours
		{5, "2026-11-06 00:00"},  // due Monday 9th; 20 % of 5 = 1 day left: from Friday
		{10, "2026-11-12 00:00"}, // due Monday 16th; 20 % of 10 = 2 days left (13 and 16): from Thursday
	}
	for _, c := range cases {
		due := e.svcDue(start, c.n)
		w := r.WorkdayWindow(e.cal, start, due, c.n)
		if !w.YellowAt.Round(time.Minute).Equal(beijing(c.yellow)) {
			t.Errorf("n=%d: yellow at %v, want %s", c.n, w.YellowAt.In(beijing("2026-01-01 00:00").Location()), c.yellow)
		}
	}
}

func (e *env) svcDue(start time.Time, n int) time.Time {
	return dueAfter(e.cal, start, n)
}
