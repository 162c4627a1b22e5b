package evaluation

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	extract "github.com/ledongthuc/pdf"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

func wantCode(t *testing.T, what string, err error, want string) {
	t.Helper()
	if code(err) != want {
		t.Fatalf("%s: got %v, want code %s", what, err, want)
	}
}

func pdfText(t *testing.T, doc []byte) string {
	t.Helper()
	rd, err := extract.NewReader(bytes.NewReader(doc), int64(len(doc)))
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for i := 1; i <= rd.NumPage(); i++ {
		s, err := rd.Page(i).GetPlainText(nil)
		if err != nil {
			t.Fatal(err)
		}
		text.WriteString(s)
	}
	return strings.Join(strings.Fields(text.String()), "")
}

// TestEvaluationFromRoomToContract runs one evaluation through the service
// with every rule it enforces on the way: the room's network and one-time
// code, an avoidance that brings in a reserve, a chair vote tied and
// broken by draw order, a review rejecting one bid as below cost after a
// price clarification, an objective disagreement reconciled, a deviation
// flagged and resolved, a report signed, dissented from and refused, the
// publicity with an objection and a complaint that pauses the award, the
// notices and the contract.
func TestEvaluationFromRoomToContract(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		v := f.start(t)
		if v.Phase != PhaseSignIn || len(v.Members) != 7 || v.Members[0].Name != "" {
			t.Fatalf("started: phase %s, %d seats, names shown to the agent: %q", v.Phase, len(v.Members), v.Members[0].Name)
		}
		sup, err := f.svc.View(ctx, f.supervisor, v.ID, "")
		if err != nil || sup.Members[0].Name == "" {
			t.Fatalf("the supervisor's view: %v %+v", err, sup.Members)
		}
		f.signInAndDeclare(t, v.ID)
		chair := f.elect(t, v.ID)
		f.review(t, v.ID, chair)
		f.score(t, v.ID)
		f.report(t, v.ID, chair)
		f.award(t)
	})
}

// signInAndDeclare: outside the room and with a wrong code nobody gets in;
// the fifth member declares a relationship and the first reserve replaces
// them.
func (f *fixture) signInAndDeclare(t *testing.T, id int64) {
	ctx := context.Background()
	j := f.judges[0]
	_, err := f.svc.SignIn(ctx, j.who, id, f.code(j), outsideIP)
	wantCode(t, "sign-in from outside the room", err, "outside_room")
	evs, _ := f.events.BySubject(ctx, sessionRef(id), 100)
	if last := evs[len(evs)-1]; last.Type != "evaluation.access_refused" || !strings.Contains(last.Payload, outsideIP) {
		t.Fatalf("the refusal was not logged: %+v", last)
	}
	_, err = f.svc.SignIn(ctx, j.who, id, "000000", roomIP)
	wantCode(t, "a wrong code", err, "bad_code")
	_, err = f.svc.SignIn(ctx, f.agent, id, f.code(j), roomIP)
	wantCode(t, "an agent signing in", err, "not_on_committee")
	for i, j := range f.judges[:5] {
		if _, err := f.svc.SignIn(ctx, j.who, id, f.code(j), roomIP); err != nil {
			t.Fatal(err)
		}
		m, _ := f.seatOfJudge(t, j)
		var rel []string
		if i == 4 {
			rel = []string{"三年内曾在投标人单位任职"}
		}
		st, sig := declaration(t, j, id, m.Seat, rel...)
		if i == 0 {
			_, err := f.svc.Declare(ctx, j.who, id, st, sig+"A", roomIP)
			wantCode(t, "a broken signature", err, "signature_invalid")
			other, osig := declaration(t, f.judges[1], id, m.Seat)
			_, err = f.svc.Declare(ctx, j.who, id, other, osig, roomIP)
			wantCode(t, "another expert's signature", err, "signature_invalid")
		}
		if _, err := f.svc.Declare(ctx, j.who, id, st, sig, roomIP); err != nil {
			t.Fatal(err)
		}
	}
	_, err = f.svc.SignIn(ctx, f.judges[0].who, id, f.code(f.judges[0]), roomIP)
	wantCode(t, "signing in twice", err, "already_signed_in")
	if m, _ := f.seatOfJudge(t, f.judges[4]); m.Role != RoleWithdrawn {
		t.Fatalf("the expert who declared a relationship is %s", m.Role)
	}
	if m, _ := f.seatOfJudge(t, f.judges[5]); m.Role != RoleMember {
		t.Fatalf("the first reserve is %s, want member", m.Role)
	}
	_, err = f.svc.Vote(ctx, f.judges[0].who, id, 1, roomIP)
	wantCode(t, "a vote before the reserve declared", err, "committee_not_ready")
	r := f.judges[5]
	if _, err := f.svc.SignIn(ctx, r.who, id, f.code(r), roomIP); err != nil {
		t.Fatal(err)
	}
	m, _ := f.seatOfJudge(t, r)
	st, sig := declaration(t, r, id, m.Seat)
	if _, err := f.svc.Declare(ctx, r.who, id, st, sig, roomIP); err != nil {
		t.Fatal(err)
	}
}

// members returns the five sitting judges in seat order.
func (f *fixture) members() []judge { return append(append([]judge{}, f.judges[:4]...), f.judges[5]) }

// elect: seats 1 and 2 tie at two votes; seat 1 was drawn first and chairs.
func (f *fixture) elect(t *testing.T, id int64) judge {
	ctx := context.Background()
	votes := []int{2, 1, 1, 2, 3}
	for i, j := range f.members() {
		if _, err := f.svc.Vote(ctx, j.who, id, votes[i], roomIP); err != nil {
			t.Fatal(err)
		}
	}
	v, err := f.svc.View(ctx, f.supervisor, id, "")
	if err != nil || v.ChairSeat == nil || *v.ChairSeat != 1 || v.Phase != PhaseReview {
		t.Fatalf("after the vote: %v chair %v phase %s", err, v.ChairSeat, v.Phase)
	}
	_, err = f.svc.Vote(ctx, f.judges[0].who, id, 2, roomIP)
	wantCode(t, "a vote after the election", err, "wrong_phase")
	return f.judges[0]
}

// review: three members fail the fifth bid on Q3; the chair rejects it as
// below cost only after a price clarification was answered.
func (f *fixture) review(t *testing.T, id int64, chair judge) {
	ctx := context.Background()
	bad := f.bidIDs[4]
	_, err := f.svc.SaveReview(ctx, f.judges[1].who, id, []ReviewEntry{{BidID: bad, Criterion: "Q3", Pass: false}}, false, roomIP)
	wantCode(t, "a fail without a reason", err, "reason_required")
	_, err = f.svc.SaveReview(ctx, f.judges[1].who, id, []ReviewEntry{{BidID: bad, Criterion: "Q1", Pass: true}}, true, roomIP)
	wantCode(t, "an incomplete review", err, "incomplete")
	for i, j := range f.members() {
		var es []ReviewEntry
		for _, b := range f.bidIDs {
			for _, c := range []string{"Q1", "Q2", "Q3"} {
				e := ReviewEntry{BidID: b, Criterion: c, Pass: true}
				if b == bad && c == "Q3" && i < 3 {
					e = ReviewEntry{BidID: b, Criterion: c, Reason: "报价明显低于同类工程成本，未作合理说明"}
				}
				es = append(es, e)
			}
		}
		if _, err := f.svc.SaveReview(ctx, j.who, id, es, true, roomIP); err != nil {
			t.Fatal(err)
		}
	}
	_, err = f.svc.SaveReview(ctx, f.judges[1].who, id, []ReviewEntry{{BidID: bad, Criterion: "Q1", Pass: true}}, false, roomIP)
	wantCode(t, "changing a submitted review", err, "review_submitted")
	conclusions := func(statute string, badValid bool) []ConclusionInput {
		var out []ConclusionInput
		for _, b := range f.bidIDs {
			c := ConclusionInput{BidID: b, Valid: true}
			if b == bad {
				c = ConclusionInput{BidID: b, Valid: badValid, Statute: statute, Reason: "报价低于成本"}
			}
			out = append(out, c)
		}
		return out
	}
	_, err = f.svc.Conclude(ctx, f.judges[1].who, id, conclusions("below_cost", false), roomIP)
	wantCode(t, "a member who does not chair concluding", err, "not_chair")
	_, err = f.svc.Conclude(ctx, chair.who, id, conclusions("", true), roomIP)
	wantCode(t, "a conclusion against the majority", err, "against_majority")
	_, err = f.svc.Conclude(ctx, chair.who, id, conclusions("below_cost", false), roomIP)
	wantCode(t, "below cost without a clarification", err, "clarification_required")
	c, err := f.svc.Ask(ctx, f.judges[2].who, id, AskRequest{BidID: bad, Question: "请说明报价构成及低于成本的合理性", AboutPrice: true, DueMinutes: 60}, roomIP)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Answer(ctx, f.bidders[0], c.ID, "我方不是被问询的投标人"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another bidder answering: %v", err)
	}
	if _, err := f.svc.Answer(ctx, f.bidders[4], c.ID, "我方采用自有设备，报价构成详见附件"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Conclude(ctx, chair.who, id, conclusions("below_cost", false), roomIP); err != nil {
		t.Fatal(err)
	}
	v, _ := f.svc.View(ctx, f.supervisor, id, "")
	if v.Phase != PhaseScoring {
		t.Fatalf("after the conclusions the phase is %s", v.Phase)
	}
	_, err = f.svc.PublishCandidates(ctx, f.agent, f.section, 3)
	wantCode(t, "candidates before the report", err, "report_not_final")
}

// sheet is one member's full score sheet of the four valid bids.
func (f *fixture) sheet(seat int) []ScoreEntry {
	var out []ScoreEntry
	for _, b := range f.bidIDs[:4] {
		t3 := Points(500)
		if seat == 2 && b == f.bidIDs[0] {
			t3 = 300 // disagrees on an objective item
		}
		t1 := Points(2000)
		if seat == 3 && b == f.bidIDs[1] {
			t1 = 500 // far below the others: flagged
		}
		out = append(out, ScoreEntry{b, "T1", t1}, ScoreEntry{b, "T2", 1200}, ScoreEntry{b, "T3", t3},
			ScoreEntry{b, "C1", 1000}, ScoreEntry{b, "C2", 400})
	}
	return out
}

func (f *fixture) score(t *testing.T, id int64) {
	ctx := context.Background()
	ms := f.members()
	_, err := f.svc.SaveScores(ctx, ms[0].who, id, []ScoreEntry{{f.bidIDs[0], "T1", 2600}}, false, roomIP)
	wantCode(t, "a score above full marks", err, "out_of_range")
	_, err = f.svc.SaveScores(ctx, ms[0].who, id, []ScoreEntry{{f.bidIDs[0], "T3", 400}}, false, roomIP)
	wantCode(t, "an objective score not among its values", err, "out_of_range")
	if _, err = f.svc.SaveScores(ctx, ms[0].who, id, []ScoreEntry{{f.bidIDs[4], "T1", 100}}, false, roomIP); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("scoring a rejected bid: %v", err)
	}
	_, err = f.svc.SaveScores(ctx, ms[0].who, id, f.sheet(1), true, outsideIP)
	wantCode(t, "scores from outside the room", err, "outside_room")
	if sh, _ := f.svc.Scores(ctx, ms[0].who, id, roomIP); len(sh) != 1 || len(sh[0].Entries) != 0 || sh[0].Submitted {
		t.Fatalf("refused scores left a trace: %+v", sh)
	}
	for i, j := range ms {
		if _, err := f.svc.SaveScores(ctx, j.who, id, f.sheet(i+1), true, roomIP); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			sheets, _ := f.svc.Scores(ctx, j.who, id, roomIP)
			if len(sheets) != 1 {
				t.Fatalf("before everyone submitted, a member sees %d sheets", len(sheets))
			}
			_, err := f.svc.SaveScores(ctx, j.who, id, f.sheet(1), true, roomIP)
			wantCode(t, "a score submitted twice", err, "scores_submitted")
		}
	}
	// The objective item was returned to every member.
	sh, _ := f.svc.Scores(ctx, ms[0].who, id, roomIP)
	if len(sh) != 1 || len(sh[0].Returned) != 1 || sh[0].Returned[0] != itemKey(f.bidIDs[0], "T3") {
		t.Fatalf("after the disagreement: %+v", sh)
	}
	_, err = f.svc.SaveScores(ctx, ms[1].who, id, []ScoreEntry{{f.bidIDs[1], "T1", 1900}}, false, roomIP)
	wantCode(t, "changing an item not returned", err, "not_returned")
	for _, j := range ms {
		if _, err := f.svc.SaveScores(ctx, j.who, id, []ScoreEntry{{f.bidIDs[0], "T3", 500}}, true, roomIP); err != nil {
			t.Fatal(err)
		}
	}
	flags, err := f.svc.Flags(ctx, f.supervisor, id, "")
	if err != nil || len(flags) != 1 || flags[0].Seat != 3 || flags[0].BidID != f.bidIDs[1] || flags[0].Criterion != "T1" {
		t.Fatalf("flags %+v %v", flags, err)
	}
	_, err = f.svc.DraftReport(ctx, ms[0].who, id, roomIP)
	wantCode(t, "a report with an open flag", err, "flags_unresolved")
	req := ResolveRequest{Points: ptr(Points(1800)), Reason: "复核后认为施工组织设计基本合理"}
	_, err = f.svc.ResolveFlag(ctx, ms[0].who, id, flags[0].ID, req, roomIP)
	wantCode(t, "another member settling the flag", err, "not_your_flag")
	if _, err := f.svc.ResolveFlag(ctx, ms[2].who, id, flags[0].ID, req, roomIP); err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// report: the chair drafts; three sign, one dissents with a reason, one
// refuses without one (taken to agree).
func (f *fixture) report(t *testing.T, id int64, chair judge) {
	ctx := context.Background()
	ms := f.members()
	_, err := f.svc.DraftReport(ctx, ms[1].who, id, roomIP)
	wantCode(t, "a member drafting the report", err, "not_chair")
	v, err := f.svc.DraftReport(ctx, chair.who, id, roomIP)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := f.svc.ReportOf(ctx, f.agent, id, "")
	if err != nil || notary.SM3Hex(doc.Body) != v.Report.Digest {
		t.Fatalf("the report's bytes do not hash to its digest: %v", err)
	}
	if strings.Contains(string(doc.Body), f.expertName(t, ms[0])) {
		t.Fatal("the report names an expert")
	}
	digest := v.Report.Digest
	sign := func(j judge) string {
		sig, _ := j.key.Sign([]byte(ReportLabel + digest))
		return base64.StdEncoding.EncodeToString(sig)
	}
	_, err = f.svc.SignReport(ctx, ms[0].who, id, SignRequest{Digest: strings.Repeat("0", 64), Signature: sign(ms[0])}, roomIP)
	wantCode(t, "signing another digest", err, "stale_report")
	_, err = f.svc.SignReport(ctx, ms[0].who, id, SignRequest{Digest: digest, Signature: sign(ms[1])}, roomIP)
	wantCode(t, "a signature with another member's key", err, "signature_invalid")
	answers := []SignRequest{{Digest: digest, Signature: sign(ms[0])}, {Digest: digest, Signature: sign(ms[1])}, {Digest: digest, Signature: sign(ms[2])},
		{Digest: digest, Refuse: true, Reason: "对第二名的技术评分有保留意见"}, {Digest: digest, Refuse: true}}
	for i, j := range ms {
		if _, err := f.svc.SignReport(ctx, j.who, id, answers[i], roomIP); err != nil {
			t.Fatal(err)
		}
	}
	_, err = f.svc.SignReport(ctx, ms[0].who, id, answers[0], roomIP)
	if !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("signing twice: %v", err)
	}
	v, _ = f.svc.View(ctx, f.supervisor, id, "")
	if v.Phase != PhaseSigned || v.Report.FinalAt == nil || len(v.Report.Signatures) != 5 {
		t.Fatalf("after the signatures: %s %+v", v.Phase, v.Report)
	}
	kinds := map[string]int{}
	for _, s := range v.Report.Signatures {
		kinds[s.Kind]++
	}
	if kinds[SignSigned] != 3 || kinds[SignDissent] != 1 || kinds[SignDeemed] != 1 {
		t.Fatalf("signature kinds %v", kinds)
	}
	pdfDoc, err := f.svc.ReportFile(ctx, f.supervisor, id, true, "")
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdfDoc)
	for _, want := range []string{"评标报告", "评委1（组长）", "第1中标候选人", "视为同意", "对第二名的技术评分有保留意见", "评标基准价"} {
		if !strings.Contains(text, want) {
			t.Fatalf("the report PDF lacks %q: %.400s", want, text)
		}
	}
}

func (f *fixture) expertName(t *testing.T, j judge) string {
	var name string
	f.db.Conn(context.Background()).Raw("SELECT name FROM experts WHERE id = ?", j.expertID).Scan(&name)
	return name
}

// award: publicity, an objection answered, a complaint pausing the award,
// the notices and the contract.
func (f *fixture) award(t *testing.T) {
	ctx := context.Background()
	p, err := f.svc.PublishCandidates(ctx, f.agent, f.section, 3)
	if err != nil || len(p.Candidates) != 3 || p.Candidates[0].Rank != 1 || p.Late {
		t.Fatalf("publicity %+v %v", p, err)
	}
	outsider := accounts.Principal{UserID: 99, OrgID: 1, Roles: []accounts.Role{accounts.RoleBidder}}
	_, err = f.svc.RaiseObjection(ctx, outsider, f.section, "异议")
	wantCode(t, "an objection from a non-bidder", err, "not_a_bidder")
	o, err := f.svc.RaiseObjection(ctx, f.bidders[3], f.section, "第一中标候选人的项目经理有在建项目")
	if err != nil {
		t.Fatal(err)
	}
	// Supervision accepts a complaint and suspends the procedure.
	if err := f.bid.Suspend(ctx, f.section, "complaint:1", "user:900"); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.IssueAward(ctx, f.agent, f.section, AwardRequest{})
	wantCode(t, "the award during the publicity", err, "publicity_running")
	f.clock.Set(p.EndsAt.Add(time.Minute))
	_, err = f.svc.RaiseObjection(ctx, f.bidders[3], f.section, "迟到的异议")
	wantCode(t, "an objection after the publicity", err, "publicity_over")
	_, err = f.svc.IssueAward(ctx, f.agent, f.section, AwardRequest{})
	wantCode(t, "the award with an objection unanswered", err, "objection_pending")
	if _, err := f.svc.AnswerObjection(ctx, f.agent, o.ID, "经核查，项目经理无在建项目"); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.IssueAward(ctx, f.agent, f.section, AwardRequest{})
	wantCode(t, "the award under a complaint's pause", err, "complaint_pause")
	if err := f.bid.Resume(ctx, f.section, "complaint:2", "user:900"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("another complaint lifted the suspension: %v", err)
	}
	if err := f.bid.Resume(ctx, f.section, "complaint:1", "user:900"); err != nil { // decided
		t.Fatal(err)
	}
	a, err := f.svc.IssueAward(ctx, f.agent, f.section, AwardRequest{})
	if err != nil || a.WinnerRank != 1 || a.WinnerBidID != p.Candidates[0].BidID {
		t.Fatalf("award %+v %v", a, err)
	}
	f.checkNotices(t, a)
	_, err = f.svc.RecordContract(ctx, f.agent, f.section, ContractRequest{SignedOn: "2020-01-01", AmountFen: a.PriceFen})
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a contract dated before the notice: %v", err)
	}
	today := f.clock.Now().In(shanghai).Format("2006-01-02")
	if _, err := f.svc.RecordContract(ctx, f.agent, f.section, ContractRequest{SignedOn: today, AmountFen: a.PriceFen}); err != nil {
		t.Fatal(err)
	}
	fa, _ := f.bid.EvaluationFacts(ctx, f.agent, f.section)
	if fa.State != bidding.StateContracted {
		t.Fatalf("the section is %s", fa.State)
	}
}

func (f *fixture) checkNotices(t *testing.T, a Award) {
	ctx := context.Background()
	all, err := f.svc.Notices(ctx, f.agent, f.section)
	if err != nil || len(all) != 5 {
		t.Fatalf("%d notices, %v", len(all), err)
	}
	awards := 0
	for _, n := range all {
		content, err := n.Verify(f.key.Public())
		if err != nil {
			t.Fatal(err)
		}
		if content.Kind == NoticeAward {
			awards++
			if n.BidderOrgID != a.WinnerOrgID {
				t.Fatalf("the award notice went to org %d, not the winner %d", n.BidderOrgID, a.WinnerOrgID)
			}
		}
	}
	mine, err := f.svc.Notices(ctx, f.bidders[2], f.section)
	if awards != 1 || err != nil || len(mine) != 1 || mine[0].BidderOrgID != f.bidders[2].OrgID {
		t.Fatalf("%d award notices; bidder 3 sees %+v %v", awards, mine, err)
	}
	var winnerNotice SignedNotice
	for _, n := range all {
		if n.Kind == NoticeAward {
			winnerNotice = n
		}
	}
	doc, err := f.svc.NoticePDF(ctx, f.agent, winnerNotice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if notary.SM3Hex(doc) != winnerNotice.PDFDigest {
		t.Fatal("the served notice PDF is not the one whose digest was signed")
	}
	if text := pdfText(t, doc); !strings.Contains(text, "中标通知书") || !strings.Contains(text, "订立书面合同") {
		t.Fatalf("the award notice PDF: %.300s", text)
	}
	tampered := winnerNotice
	tampered.Body = []byte(strings.Replace(string(tampered.Body), fmt.Sprint(a.PriceFen), fmt.Sprint(a.PriceFen-1), 1))
	if _, err := tampered.Verify(f.key.Public()); code(err) != "signature_invalid" {
		t.Fatalf("a tampered notice verifies: %v", err)
	}
	var _ = notary.NewSM3
}
