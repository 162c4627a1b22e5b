package supervision

import (
	"context"
	"testing"
)

// The count and breach rules: each raises one red warning when its
// threshold is crossed, never twice, and nothing below it; those read
// from the bids' secret events wait until the opening's results are
// public, or the warning would tell the agency who bid.
func TestBreachRules(t *testing.T) {
	forEachBackend(t, beijing("2026-11-02 09:00"), func(t *testing.T, e *env) {
		e.appendEvent(t, "project.created", "project:1", map[string]any{"name": "福州职业技术学院实训楼工程", "agencyOrgId": 700, "supervisingOrgId": e.dept})
		e.appendEvent(t, "section.created", "section:1", map[string]any{"projectId": 1, "code": "A040303"})
		for i := 0; i < 6; i++ { // org 9 seals and replaces five times; org 8 once
			e.appendEvent(t, "bid.received", "section:1", map[string]any{"bidId": 10 + i, "bidderOrgId": 9})
		}
		e.appendEvent(t, "bid.received", "section:1", map[string]any{"bidId": 30, "bidderOrgId": 8})
		e.appendEvent(t, "opening.decrypt_error", "section:1", map[string]any{"bidId": 15})
		e.appendEvent(t, "opening.revoked", "section:1", map[string]any{"bidId": 30, "reason": "bad_bid_form"})
		e.appendEvent(t, "opening.decrypt_error", "section:1", map[string]any{"bidId": 15}) // the same bid again
		for i := 1; i <= 3; i++ {
			e.appendEvent(t, "experts.draw_committed", "draw:"+itoa(int64(i)), map[string]any{"drawId": i, "sectionId": 1})
		}
		e.appendEvent(t, "evaluation.deviation_flagged", "evaluation:1", map[string]any{"bidId": 15, "criterion": "T1", "flagId": 1, "sectionId": 1})

		e.consume(t)
		for _, w := range e.warnings(t) {
			if w.RuleID == RuleBidReplaced || w.RuleID == RuleDecryptFailed {
				t.Fatalf("a warning about the bids before the results are public: %+v", w)
			}
		}
		e.appendEvent(t, "section.opened", "section:1", map[string]any{"decrypted": 5})

		e.acceptCase(t, 5, 5)
		e.appendEvent(t, "approval.materials_requested", "case:5", map[string]any{"missing": []string{"a"}})
		e.consume(t)
		if got := count(t, e, "case:5"); got != 0 {
			t.Fatalf("one request for missing materials raised %d warnings", got)
		}
		e.appendEvent(t, "approval.materials_requested", "case:5", map[string]any{"missing": []string{"b"}})
		e.acceptCase(t, 6, 5)
		e.appendEvent(t, "approval.case_refused", "case:6", map[string]any{"reason": " "})
		e.consume(t)

		want := map[string]int{RuleBidReplaced: 1, RuleDecryptFailed: 2, RuleRedraw: 1, RuleDeviation: 1}
		got := map[string]int{}
		ws, err := e.svc.Warnings(context.Background(), platformSupervisor, WarningFilter{Subject: "section:1"})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range ws {
			got[w.RuleID]++
			if w.Light != Red || w.OfficeOrgID != 700 {
				t.Fatalf("warning %+v", w)
			}
		}
		for r, n := range want {
			if got[r] != n {
				t.Fatalf("%s: %d warnings, want %d (all: %v)", r, got[r], n, got)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("rules %v, want %v", got, want)
		}
		if l := e.subject(t, "section:1").Light; l != Red {
			t.Fatalf("section light %s", l)
		}
		if count(t, e, "case:5") != 1 || count(t, e, "case:6") != 1 {
			t.Fatal("the approval breaches were not raised once each")
		}
	})
}

func count(t *testing.T, e *env, subject string) int {
	t.Helper()
	ws, err := e.svc.Warnings(context.Background(), platformSupervisor, WarningFilter{Subject: subject})
	if err != nil {
		t.Fatal(err)
	}
	return len(ws)
}

// The third failed section (流标) of one tenderer is a breach; another
// tenderer's single failure, and the first two, are not.
func TestTendererFailsAgain(t *testing.T) {
	forEachBackend(t, beijing("2026-11-02 09:00"), func(t *testing.T, e *env) {
		ctx := context.Background()
		e.appendEvent(t, "project.created", "project:1", map[string]any{"name": "甲", "tendererOrgId": 800, "agencyOrgId": 700, "supervisingOrgId": e.dept})
		e.appendEvent(t, "project.created", "project:2", map[string]any{"name": "乙", "tendererOrgId": 801, "agencyOrgId": 700, "supervisingOrgId": e.dept})
		for sec, project := range map[int64]int64{1: 1, 2: 1, 3: 1, 4: 2} {
			e.appendEvent(t, "section.created", sectionRef(sec), map[string]any{"projectId": project, "code": "A" + itoa(sec)})
		}
		for _, sec := range []int64{1, 4, 2, 3} {
			e.appendEvent(t, "section.failed", sectionRef(sec), map[string]any{"reason": "bids_below_minimum"})
		}
		e.consume(t)
		e.consume(t)
		for sec, want := range map[int64]int{1: 0, 2: 0, 3: 1, 4: 0} {
			ws, err := e.svc.st.warnings(ctx, WarningFilter{Subject: sectionRef(sec), Limit: 10})
			n := 0
			for _, w := range ws {
				if w.RuleID == RuleTendererFails {
					n++
				}
			}
			if err != nil || n != want {
				t.Fatalf("section %d: %d warnings of the rule (%v), want %d", sec, n, err, want)
			}
		}
	})
}
