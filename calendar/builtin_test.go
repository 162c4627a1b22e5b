package calendar

import (
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/clock"
)

func TestBuiltin2026IsValid(t *testing.T) {
	days, err := validateYear(2026, Builtin2026())
	if err != nil {
		t.Fatal(err)
	}
	holidays, workdays := count(days)
	if holidays != 33 || workdays != 6 {
		t.Fatalf("%d holidays and %d workdays, want 33 and 6", holidays, workdays)
	}
	// Each adjusted workday is a weekend day the notice names.
	want := map[string]time.Weekday{"2026-01-04": time.Sunday, "2026-02-14": time.Saturday, "2026-02-28": time.Saturday,
		"2026-05-09": time.Saturday, "2026-09-20": time.Sunday, "2026-10-10": time.Saturday}
	for _, d := range days {
		if d.Kind != clock.Workday {
			continue
		}
		wd, ok := want[d.Date]
		got, _ := time.Parse(dateLayout, d.Date)
		if !ok || got.Weekday() != wd {
			t.Errorf("unexpected workday %s (%s)", d.Date, got.Weekday())
		}
		delete(want, d.Date)
	}
	if len(want) != 0 {
		t.Errorf("missing workdays %v", want)
	}
}
