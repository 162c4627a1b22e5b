package supervision

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/approval"
	"github.com/tenderhall/tenderhall/internal/dbtest"
)

// benchBackends is SQLite, and MariaDB when TENDERHALL_TEST_MYSQL_DSN is set.
func benchBackends(b *testing.B, fn func(b *testing.B, e *env)) {
	for _, be := range dbtest.Backends() {
		b.Run(string(be), func(b *testing.B) { fn(b, newEnv(b, be, beijing("2026-11-02 09:00"))) })
	}
}

// seedBench appends cases×3 case events (filed, submitted, accepted) and
// as many unrelated events again, as the log carries downloads and logins
// between them.
func seedBench(b *testing.B, e *env, cases int) int {
	n := 0
	for i := 1; i <= cases; i++ {
		subj := fmt.Sprintf("case:%d", i)
		e.appendEvent(b, approval.EventCaseApplied, subj, map[string]any{"caseNo": "SP" + itoa(int64(i)), "item": "350100-ZJ-001",
			"departmentOrgId": e.dept, "promisedDays": 5})
		e.appendEvent(b, approval.EventCaseSubmitted, subj, map[string]any{"from": "draft"})
		e.appendEvent(b, approval.EventCaseAccepted, subj, map[string]any{"promisedDays": 5, "dueAt": approval.DueAt(e.cal, e.clock.Now(), 5, 0)})
		for j := 0; j < 3; j++ {
			e.appendEvent(b, "document.downloaded", "section:1", map[string]any{"documentId": 1, "orgId": i})
		}
		n += 6
	}
	return n
}

// reset forgets what the consumer wrote, so that the next round reads the
// same events afresh.
func (e *env) reset(b *testing.B) {
	ctx := context.Background()
	for _, q := range []string{"DELETE FROM supervision_subjects", "DELETE FROM supervision_timers", "DELETE FROM supervision_warnings",
		"UPDATE supervision_cursor SET seq = 0"} {
		if err := e.db.Conn(ctx).Exec(q).Error; err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConsume measures the rules consumer against its baseline, the
// same events only read from the log in the same pages (the work no
// consumer can avoid), in one run.
func BenchmarkConsume(b *testing.B) {
	benchBackends(b, func(b *testing.B, e *env) {
		events := seedBench(b, e, 500)
		ctx := context.Background()
		b.Run("read-only", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				for from := int64(1); ; {
					page, err := e.events.Range(ctx, from, ConsumeBatch)
					if err != nil {
						b.Fatal(err)
					}
					if len(page) < ConsumeBatch {
						break
					}
					from = page[len(page)-1].Seq + 1
				}
			}
			b.ReportMetric(float64(events*b.N)/b.Elapsed().Seconds(), "events/s")
		})
		b.Run("consume", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				e.reset(b)
				b.StartTimer()
				if n, err := e.svc.Consume(ctx); err != nil || n != events {
					b.Fatalf("consumed %d of %d: %v", n, events, err)
				}
			}
			b.ReportMetric(float64(events*b.N)/b.Elapsed().Seconds(), "events/s")
		})
	})
}

// BenchmarkSweep runs the light sweep over 100,000 open cases: when none
// is due for a look (the usual minute), and when 1,000 of them turn yellow
// at once (each a warning, a light change and two events).
func BenchmarkSweep(b *testing.B) {
	benchBackends(b, func(b *testing.B, e *env) {
		ctx := context.Background()
		const open = 100_000
		start := beijing("2026-11-02 09:00")
		subjects := make([]Subject, 0, 1000)
		timers := make([]Timer, 0, 1000)
		for i := 1; i <= open; i++ {
			subj := fmt.Sprintf("case:%d", i)
			yellow := start.AddDate(0, 0, 3+i%20)
			if i <= 1000 {
				yellow = start.Add(time.Hour) // the ones that turn
			}
			w := Window{Start: start.UTC(), YellowAt: yellow.UTC(), Due: start.AddDate(0, 0, 30).UTC()}
			subjects = append(subjects, Subject{Subject: subj, Kind: "case", Title: subj, OfficeOrgID: e.dept, DepartmentOrgID: e.dept,
				Light: Green, UpdatedAt: start.UTC()})
			timers = append(timers, Timer{Subject: subj, RuleID: RuleCasePromised, StartedAt: w.Start, YellowAt: w.YellowAt, DueAt: w.Due,
				LimitN: 20, Light: Green, NextAt: nextLook(w, Green)})
			if len(timers) == cap(timers) {
				if err := e.db.Conn(ctx).Create(&subjects).Error; err != nil {
					b.Fatal(err)
				}
				if err := e.db.Conn(ctx).Create(&timers).Error; err != nil {
					b.Fatal(err)
				}
				subjects, timers = subjects[:0], timers[:0]
			}
		}
		b.Run("none-due", func(b *testing.B) {
			e.clock.Set(start.Add(30 * time.Minute))
			for i := 0; i < b.N; i++ {
				if err := e.svc.Sweep(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("1000-turn-yellow", func(b *testing.B) {
			e.clock.Set(start.Add(2 * time.Hour))
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				for _, q := range []string{"UPDATE supervision_timers SET light = 'green', next_at = yellow_at",
					"UPDATE supervision_subjects SET light = 'green'", "DELETE FROM supervision_warnings"} {
					if err := e.db.Conn(ctx).Exec(q).Error; err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				if err := e.svc.Sweep(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			ws, _ := e.svc.st.warnings(ctx, WarningFilter{Limit: MaxList})
			if len(ws) != 1000 {
				b.Fatalf("%d warnings, want 1000", len(ws))
			}
		})
	})
}
