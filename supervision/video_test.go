package supervision

import (
	"context"
	"strings"
	"testing"
)

// An evaluation room's camera silent during a session is one red warning
// on the section evaluated there — not two for the offline event and the
// gap that closes it, and none for a silence outside any session.
func TestVideoGapDuringEvaluation(t *testing.T) {
	forEachBackend(t, beijing("2026-11-02 09:00"), func(t *testing.T, e *env) {
		e.appendEvent(t, "project.created", "project:1", map[string]any{"name": "实训楼工程", "agencyOrgId": 700, "supervisingOrgId": e.dept})
		e.appendEvent(t, "section.created", "section:1", map[string]any{"projectId": 1, "code": "A040303"})
		gapIn := func(room int64, typ string, from int64, to *int64) {
			p := map[string]any{"room": "评标一室", "camera": "cam-1", "cameraId": 4 + room, "evalRoomId": room, "from": from}
			if to != nil {
				p["to"] = *to
			}
			e.appendEvent(t, typ, "camera:"+itoa(4+room), p)
		}
		gap := func(typ string, from int64, to *int64) { gapIn(2, typ, from, to) }
		gap("video.coverage_gap", 1000, ptr(int64(30000))) // before any session: no warning
		e.appendEvent(t, "evaluation.started", "evaluation:1", map[string]any{"sectionId": 1, "roomId": 2})
		gap("video.camera_offline", 1_764_000_000_000, nil)
		gap("video.coverage_gap", 1_764_000_000_000, ptr(int64(1_764_000_030_000)))
		gap("video.coverage_gap", 1_764_000_500_000, ptr(int64(1_764_000_520_000)))      // a second silence in the session
		gapIn(3, "video.coverage_gap", 1_764_000_500_000, ptr(int64(1_764_000_520_000))) // another room, in no session
		e.consume(t)
		ws, err := e.svc.Warnings(context.Background(), platformSupervisor, WarningFilter{Subject: "section:1"})
		if err != nil {
			t.Fatal(err)
		}
		var gaps []Warning
		for _, w := range ws {
			if w.RuleID == RuleVideoGap {
				gaps = append(gaps, w)
			}
		}
		if len(gaps) != 2 || gaps[0].Light != Red || !strings.Contains(gaps[0].Detail, "评标一室 摄像机 cam-1") {
			t.Fatalf("video-gap warnings %+v", gaps)
		}
		// After the report, the room's silences are nobody's.
		e.appendEvent(t, "evaluation.report_final", "evaluation:1", map[string]any{"sectionId": 1})
		gap("video.coverage_gap", 1_764_001_000_000, ptr(int64(1_764_001_060_000)))
		e.consume(t)
		ws, _ = e.svc.Warnings(context.Background(), platformSupervisor, WarningFilter{Subject: "section:1"})
		n := 0
		for _, w := range ws {
			if w.RuleID == RuleVideoGap {
				n++
			}
		}
		if n != 2 {
			t.Fatalf("%d video-gap warnings after the report, want still 2", n)
		}
	})
}

func ptr[T any](v T) *T { return &v }
