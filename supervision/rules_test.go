package supervision

import (
	"errors"
	"testing"
)

func TestParseRules(t *testing.T) {
	cases := []struct {
		name, yaml, field string
	}{
		{"empty is the defaults", "", ""},
		{"a limit", "rules:\n  B-OPENING-LATE:\n    limit: 10\n", ""},
		{"unknown top field", "yelow_used_percent: 80\n", "yelow_used_percent"},
		{"percent out of range", "yellow_used_percent: 120\n", "yellow_used_percent"},
		{"unknown rule", "rules:\n  B-NOPE:\n    limit: 3\n", "rules.B-NOPE"},
		{"unknown rule field", "rules:\n  B-OPENING-LATE:\n    limt: 3\n", "rules.B-OPENING-LATE.limt"},
		{"limit from the case", "rules:\n  A-CASE-PROMISED:\n    limit: 3\n", "rules.A-CASE-PROMISED.limit"},
		{"zero limit", "rules:\n  B-CONTRACT-LATE:\n    limit: 0\n", "rules.B-CONTRACT-LATE.limit"},
		{"efficiency weight", "efficiency:\n  on_time: 50\n", ""},
		{"unknown efficiency field", "efficiency:\n  speed: 5\n", "efficiency.speed"},
		{"grades out of order", "efficiency:\n  good: 95\n", "efficiency.good"},
		{"a window", "patterns:\n  window_days: 180\n  accompany_min: 4\n", ""},
		{"unknown pattern field", "patterns:\n  window: 180\n", "patterns.window"},
		{"rate out of range", "patterns:\n  winner_rate_percent: 101\n", "patterns.winner_rate_percent"},
		{"minutes out of range", "rules:\n  B-OPENING-LATE:\n    limit: 5000\n", "rules.B-OPENING-LATE.limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := ParseRules([]byte(c.yaml))
			if c.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if r.YellowUsedPercent != 80 || len(r.List()) != 16 {
					t.Fatalf("rules %+v", r)
				}
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != c.field {
				t.Fatalf("error %v, want one naming %s", err, c.field)
			}
		})
	}
	r, _ := ParseRules([]byte("rules:\n  B-OPENING-LATE:\n    limit: 10\n"))
	if r.Rule[RuleOpeningLate].Limit != 10 || DefaultRules().Rule[RuleOpeningLate].Limit != 5 {
		t.Fatal("a parsed limit must change that set of rules only")
	}
}
