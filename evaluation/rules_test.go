package evaluation

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/bidding"
)

// TestOutsideTheRoomIsRefusedEverywhere: every action and read of a seated
// expert is refused from outside the room's network, with the refusal
// logged, even for an expert who signed in from inside.
func TestOutsideTheRoomIsRefusedEverywhere(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		v := f.start(t)
		f.seated(t, v.ID)
		j, id, bid := f.judges[0], v.ID, f.bidIDs[0]
		calls := map[string]func() error{
			"view":        func() error { _, err := f.svc.View(ctx, j.who, id, outsideIP); return err },
			"sign in":     func() error { _, err := f.svc.SignIn(ctx, j.who, id, f.code(j), outsideIP); return err },
			"declare":     func() error { _, err := f.svc.Declare(ctx, j.who, id, "{}", "", outsideIP); return err },
			"vote":        func() error { _, err := f.svc.Vote(ctx, j.who, id, 1, outsideIP); return err },
			"save review": func() error { _, err := f.svc.SaveReview(ctx, j.who, id, nil, false, outsideIP); return err },
			"reviews":     func() error { _, err := f.svc.Reviews(ctx, j.who, id, outsideIP); return err },
			"conclude":    func() error { _, err := f.svc.Conclude(ctx, j.who, id, nil, outsideIP); return err },
			"competition": func() error { _, err := f.svc.DecideCompetition(ctx, j.who, id, true, "理由", outsideIP); return err },
			"save scores": func() error { _, err := f.svc.SaveScores(ctx, j.who, id, nil, false, outsideIP); return err },
			"scores":      func() error { _, err := f.svc.Scores(ctx, j.who, id, outsideIP); return err },
			"flags":       func() error { _, err := f.svc.Flags(ctx, j.who, id, outsideIP); return err },
			"resolve flag": func() error {
				_, err := f.svc.ResolveFlag(ctx, j.who, id, 1, ResolveRequest{Keep: true, Reason: "r"}, outsideIP)
				return err
			},
			"ask": func() error {
				_, err := f.svc.Ask(ctx, j.who, id, AskRequest{BidID: bid, Question: "q", DueMinutes: 30}, outsideIP)
				return err
			},
			"clarifications": func() error { _, err := f.svc.Clarifications(ctx, j.who, id, outsideIP); return err },
			"draft report":   func() error { _, err := f.svc.DraftReport(ctx, j.who, id, outsideIP); return err },
			"report":         func() error { _, err := f.svc.ReportOf(ctx, j.who, id, outsideIP); return err },
			"sign report":    func() error { _, err := f.svc.SignReport(ctx, j.who, id, SignRequest{}, outsideIP); return err },
			"bid files":      func() error { _, err := f.svc.BidFiles(ctx, j.who, id, bid, outsideIP); return err },
			"bid file": func() error {
				return f.svc.OpenBidFile(ctx, j.who, id, bid, "x", outsideIP, func(int64) io.Writer { return &bytes.Buffer{} })
			},
		}
		before := f.refusals(t, id)
		for name, call := range calls {
			if err := call(); code(err) != "outside_room" {
				t.Errorf("%s from outside the room: %v", name, err)
			}
		}
		if got := f.refusals(t, id) - before; got != len(calls) {
			t.Fatalf("%d refusals logged for %d refused calls", got, len(calls))
		}
		// The supervisor watches from anywhere.
		if _, err := f.svc.View(ctx, f.supervisor, id, outsideIP); err != nil {
			t.Fatalf("the supervisor's view: %v", err)
		}
	})
}

func (f *fixture) refusals(t *testing.T, id int64) int {
	evs, err := f.events.BySubject(context.Background(), sessionRef(id), 10000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Type == "evaluation.access_refused" {
			n++
		}
	}
	return n
}

// reviewAll submits every member's review: the listed bids fail Q1 with
// four of five members, the others pass.
func (f *fixture) reviewAll(t *testing.T, id int64, failing ...int64) {
	t.Helper()
	fail := map[int64]bool{}
	for _, b := range failing {
		fail[b] = true
	}
	for i, j := range f.judges[:5] {
		var es []ReviewEntry
		for _, b := range f.bidIDs {
			for _, c := range []string{"Q1", "Q2", "Q3"} {
				e := ReviewEntry{BidID: b, Criterion: c, Pass: true}
				if fail[b] && c == "Q1" && i < 4 {
					e = ReviewEntry{BidID: b, Criterion: c, Reason: "资质等级不满足要求"}
				}
				es = append(es, e)
			}
		}
		if _, err := f.svc.SaveReview(context.Background(), j.who, id, es, true, roomIP); err != nil {
			t.Fatal(err)
		}
	}
}

func conclusionsFor(bids []int64, failing ...int64) []ConclusionInput {
	fail := map[int64]bool{}
	for _, b := range failing {
		fail[b] = true
	}
	var out []ConclusionInput
	for _, b := range bids {
		c := ConclusionInput{BidID: b, Valid: true}
		if fail[b] {
			c = ConclusionInput{BidID: b, Statute: "unqualified", Reason: "资质等级不满足招标文件要求"}
		}
		out = append(out, c)
	}
	return out
}

// TestTooFewValidBidsAndNoCompetitionFailTheSection: with three bids
// rejected, two remain; the chair must decide on competition; "not
// effective" rejects every bid and the section fails (流标).
func TestTooFewValidBidsAndNoCompetitionFailTheSection(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		v := f.start(t)
		f.seated(t, v.ID)
		bad := f.bidIDs[2:]
		f.reviewAll(t, v.ID, bad...)
		chair := f.judges[0]
		if _, err := f.svc.Conclude(ctx, chair.who, v.ID, conclusionsFor(f.bidIDs, bad...), roomIP); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.SaveScores(ctx, chair.who, v.ID, nil, false, roomIP)
		wantCode(t, "scoring before the decision on competition", err, "wrong_phase")
		_, err = f.svc.DecideCompetition(ctx, f.judges[1].who, v.ID, false, "仅两家有效", roomIP)
		wantCode(t, "a member who does not chair deciding", err, "not_chair")
		if _, err := f.svc.DecideCompetition(ctx, chair.who, v.ID, false, "有效投标仅两家，报价差异悬殊，缺乏竞争性", roomIP); err != nil {
			t.Fatal(err)
		}
		sv, _ := f.svc.View(ctx, f.supervisor, v.ID, "")
		facts, _ := f.bid.EvaluationFacts(ctx, f.agent, f.section)
		if sv.Phase != PhaseFailed || facts.State != bidding.StateFailed {
			t.Fatalf("after no competition: session %s, section %s", sv.Phase, facts.State)
		}
	})
}

// TestSweepWarnsOnce: a report left unpublished past three days, an
// objection unanswered past its due time, a complaint neither accepted nor
// refused in three working days and a contract past its 30 days each raise
// one supervision event, however often the sweep runs.
func TestSweepWarnsOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		v := f.start(t)
		f.seated(t, v.ID)
		f.reviewAll(t, v.ID)
		chair := f.judges[0]
		if _, err := f.svc.Conclude(ctx, chair.who, v.ID, conclusionsFor(f.bidIDs), roomIP); err != nil {
			t.Fatal(err)
		}
		for i, j := range f.judges[:5] {
			sheet := f.sheetFor(i)
			if _, err := f.svc.SaveScores(ctx, j.who, v.ID, sheet, true, roomIP); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.svc.DraftReport(ctx, chair.who, v.ID, roomIP); err != nil {
			t.Fatal(err)
		}
		for _, j := range f.judges[:5] {
			if _, err := f.svc.SignReport(ctx, j.who, v.ID, SignRequest{Digest: f.digest(t, v.ID), Refuse: true}, roomIP); err != nil {
				t.Fatal(err)
			}
		}
		f.clock.Advance(4 * 24 * time.Hour)
		f.sweepTwice(t)
		if n := f.warnings(t, "supervision.publicity_late"); n != 1 {
			t.Fatalf("%d late-publicity warnings", n)
		}
		p, err := f.svc.PublishCandidates(ctx, f.agent, f.section, 3)
		if err != nil || !p.Late {
			t.Fatalf("a late publicity: %+v %v", p, err)
		}
		if _, err := f.svc.RaiseObjection(ctx, f.bidders[1], f.section, "异议"); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(8 * 24 * time.Hour)
		f.sweepTwice(t)
		if f.warnings(t, "supervision.objection_overdue") != 1 {
			t.Fatal("the objection went unwarned, or was warned twice")
		}
		os, _ := f.svc.Objections(ctx, f.agent, f.section)
		if _, err := f.svc.AnswerObjection(ctx, f.agent, os[0].ID, "已核实"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.IssueAward(ctx, f.agent, f.section, AwardRequest{Skip: []Skip{{Rank: 1, Kind: "declined", Reason: "放弃中标"}}}); err != nil {
			t.Fatal(err)
		}
		a, _ := f.svc.AwardOf(ctx, f.section)
		if a.WinnerRank != 2 {
			t.Fatalf("with the first declining, rank %d won", a.WinnerRank)
		}
		f.clock.Set(a.ContractDue.Add(time.Hour))
		f.sweepTwice(t)
		if n := f.warnings(t, "supervision.contract_overdue"); n != 1 {
			t.Fatalf("%d contract warnings", n)
		}
	})
}

func (f *fixture) sweepTwice(t *testing.T) {
	t.Helper()
	for range 2 {
		if err := f.svc.Sweep(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) warnings(t *testing.T, typ string) int {
	evs, err := f.events.BySubject(context.Background(), sectionRef(f.section), 10000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func (f *fixture) digest(t *testing.T, id int64) string {
	st, err := f.svc.reportState(context.Background(), id)
	if err != nil || st == nil {
		t.Fatalf("no report: %v", err)
	}
	return st.Digest
}

// sheetFor is a plain sheet that raises no flag and agrees on objectives.
func (f *fixture) sheetFor(i int) []ScoreEntry {
	var out []ScoreEntry
	for _, b := range f.bidIDs {
		out = append(out, ScoreEntry{b, "T1", Points(1800 + 50*i)}, ScoreEntry{b, "T2", 1200}, ScoreEntry{b, "T3", 500},
			ScoreEntry{b, "C1", 1000}, ScoreEntry{b, "C2", 400})
	}
	return out
}

// TestAbsentMemberIsReplacedByTheReserve: the supervisor records a member
// who did not come; the first reserve takes the place and the committee
// can elect its chair without the absent expert.
func TestAbsentMemberIsReplacedByTheReserve(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		v := f.start(t)
		absent, _ := f.seatOfJudge(t, f.judges[2])
		_, err := f.svc.MarkAbsent(ctx, f.agent, v.ID, absent.Seat, "未到场")
		wantCode(t, "the agent recording an absence", err, "supervisor_required")
		if _, err := f.svc.MarkAbsent(ctx, f.supervisor, v.ID, absent.Seat, "电话联系不上，超过签到时间 30 分钟未到场"); err != nil {
			t.Fatal(err)
		}
		present := []judge{f.judges[0], f.judges[1], f.judges[3], f.judges[4], f.judges[5]}
		for _, j := range present {
			if m, _ := f.seatOfJudge(t, j); m.Role != RoleMember {
				t.Fatalf("judge of seat %d is %s", m.Seat, m.Role)
			}
			if _, err := f.svc.SignIn(ctx, j.who, v.ID, f.code(j), roomIP); err != nil {
				t.Fatal(err)
			}
			m, _ := f.seatOfJudge(t, j)
			st, sig := declaration(t, j, v.ID, m.Seat)
			if _, err := f.svc.Declare(ctx, j.who, v.ID, st, sig, roomIP); err != nil {
				t.Fatal(err)
			}
		}
		_, err = f.svc.SignIn(ctx, f.judges[2].who, v.ID, f.code(f.judges[2]), roomIP)
		wantCode(t, "the absent expert arriving late", err, "not_on_committee")
		for _, j := range present {
			if _, err := f.svc.Vote(ctx, j.who, v.ID, 1, roomIP); err != nil {
				t.Fatal(err)
			}
		}
		sv, _ := f.svc.View(ctx, f.supervisor, v.ID, "")
		if sv.Phase != PhaseReview {
			t.Fatalf("phase %s after the vote", sv.Phase)
		}
	})
}
