package eventlog

import (
	"strings"
	"testing"

	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
)

// audit runs an audit of e's log against heads, as a verifier would.
func (e *env) audit(t *testing.T, heads []notary.SignedTreeHead, remembered *notary.TreeHead) Report {
	t.Helper()
	var evs []Event
	for from := uint64(1); ; {
		page, _, err := e.tree.Events(e.ctx, from, 7) // small pages: pagination is part of the test
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		evs = append(evs, page...)
		from = uint64(page[len(page)-1].Seq) + 1
	}
	return Audit{Events: evs, Heads: heads, Key: testKey.Public(), Remembered: remembered, Prover: e.tree}.Run(e.ctx)
}

func (e *env) head(t *testing.T) notary.SignedTreeHead {
	t.Helper()
	h, err := e.tree.SignHead(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return h.SignedTreeHead
}

// wantFindings checks that the report holds exactly the findings given as
// "seq kind" pairs, e.g. "3 missing".
func wantFindings(t *testing.T, rep Report, want ...string) {
	t.Helper()
	var got []string
	for _, f := range rep.Findings {
		got = append(got, strings.TrimPrefix(f.String(), "event "))
	}
	if len(got) != len(want) {
		t.Fatalf("findings:\n%s\nwant %q", strings.Join(got, "\n"), want)
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], strings.Replace(w, " ", ": ", 1)) {
			t.Fatalf("finding %d: %s\nwant %s", i, got[i], w)
		}
	}
}

func TestAuditPinsEachTamperingToItsEvent(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, e *env)
		want   []string
	}{
		{"untouched", func(*testing.T, *env) {}, nil},
		{"deleted", func(t *testing.T, e *env) { e.exec(t, "DELETE FROM events WHERE seq = 3") }, []string{"3 missing"}},
		{"deleted last", func(t *testing.T, e *env) { e.exec(t, "DELETE FROM events WHERE seq = 10") }, []string{"10 missing"}},
		{"deleted a stretch", func(t *testing.T, e *env) { e.exec(t, "DELETE FROM events WHERE seq BETWEEN 2 AND 6 OR seq = 9") },
			[]string{"2 missing: events 2 to 6 (5 events)", "9 missing"}},
		{"rows swapped", func(t *testing.T, e *env) {
			e.exec(t, "UPDATE events SET seq = -4 WHERE seq = 4")
			e.exec(t, "UPDATE events SET seq = 4 WHERE seq = 6")
			e.exec(t, "UPDATE events SET seq = 6 WHERE seq = -4")
		}, []string{"4 reordered", "6 reordered"}},
		{"payloads swapped", func(t *testing.T, e *env) {
			evs := e.all(t)
			e.exec(t, "UPDATE events SET payload = ? WHERE seq = 2", evs[4].Payload)
			e.exec(t, "UPDATE events SET payload = ? WHERE seq = 5", evs[1].Payload)
		}, []string{"2 swapped", "5 swapped"}},
		{"payload edited", func(t *testing.T, e *env) {
			e.exec(t, `UPDATE events SET payload = '{"amount":1}' WHERE seq = 5`)
		}, []string{"5 rewritten"}},
		{"edited and rehashed", func(t *testing.T, e *env) {
			ev := e.all(t)[6]
			ev.Actor = "user:999"
			e.exec(t, "UPDATE events SET actor = ?, leaf_hash = ? WHERE seq = 7", ev.Actor, LeafHash(ev).String())
		}, []string{"7 rewritten"}},
		{"inserted", func(t *testing.T, e *env) {
			e.exec(t, "UPDATE events SET seq = -seq - 1 WHERE seq >= 9")
			e.exec(t, "UPDATE events SET seq = -seq WHERE seq < 0")
			ev := e.all(t)[0]
			ev.Seq, ev.Payload = 9, `{"bid":"forged"}`
			e.exec(t, "INSERT INTO events (seq, occurred_at, type, subject, actor, ip, request_id, payload, leaf_hash) VALUES (?,?,?,?,?,?,?,?,?)",
				ev.Seq, ev.OccurredAt, ev.Type, ev.Subject, ev.Actor, ev.IP, ev.RequestID, ev.Payload, LeafHash(ev).String())
		}, []string{"9 inserted", "10 reordered"}},
		{"stored hash only", func(t *testing.T, e *env) {
			e.exec(t, "UPDATE events SET leaf_hash = ? WHERE seq = 8", strings.Repeat("ab", 32))
		}, []string{"8 leaf-hash"}},
	}
	for _, b := range dbtest.Backends() {
		for _, c := range cases {
			t.Run(string(b)+"/"+c.name, func(t *testing.T) {
				e := newEnv(t, dbtest.NewDSN(t, b))
				e.appendN(t, 4)
				early := e.head(t)
				e.appendN(t, 6)
				latest := e.head(t)
				rep := e.audit(t, []notary.SignedTreeHead{latest, early}, nil)
				wantFindings(t, rep)
				c.tamper(t, e)
				rep = e.audit(t, []notary.SignedTreeHead{early, latest}, &early.TreeHead)
				wantFindings(t, rep, c.want...)
				if rep.Heads != 2 || rep.Latest.TreeSize != 10 {
					t.Fatalf("report %+v", rep)
				}
			})
		}
	}
}

func TestAuditChecksHeadsAndRememberedState(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		e.appendN(t, 6)
		h6 := e.head(t)
		other, _ := notary.GenerateKey()
		forged, _ := notary.SignTreeHead(other, h6.TreeHead)
		rep := e.audit(t, []notary.SignedTreeHead{h6, forged}, nil)
		wantFindings(t, rep, "head")
		if !strings.Contains(rep.Findings[0].Detail, "not validly signed") {
			t.Fatal(rep.Findings[0])
		}

		// A head of a different history for size 3, signed by the platform
		// key: the log forked.
		fork, _ := notary.SignTreeHead(testKey, notary.TreeHead{TreeSize: 3, RootHash: notary.LeafHash([]byte("x")), Timestamp: 1})
		wantFindings(t, e.audit(t, []notary.SignedTreeHead{h6, fork}, nil), "fork")

		// A remembered root that this log does not have, and a remembered
		// size beyond the latest head.
		wantFindings(t, e.audit(t, []notary.SignedTreeHead{h6}, &fork.TreeHead), "fork", "fork")
		wantFindings(t, e.audit(t, []notary.SignedTreeHead{h6}, &notary.TreeHead{TreeSize: 7}), "fork")
		wantFindings(t, e.audit(t, nil, nil), "head")

		e.appendN(t, 5)
		rep = e.audit(t, []notary.SignedTreeHead{h6}, &h6.TreeHead)
		wantFindings(t, rep)
		if rep.Uncovered != 5 || rep.Events != 11 {
			t.Fatalf("report %+v", rep)
		}
		e.exec(t, `UPDATE events SET payload = '{}' WHERE seq = 9`)
		wantFindings(t, e.audit(t, []notary.SignedTreeHead{h6}, nil), "9 rewritten")
	})
}
