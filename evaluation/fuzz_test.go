package evaluation

import (
	"encoding/json"
	"testing"
)

// FuzzPointsJSON: whatever a client sends as a score, the parser either
// refuses it or yields points that print and parse back to themselves.
func FuzzPointsJSON(f *testing.F) {
	for _, s := range []string{`12.5`, `"7.25"`, `-0.01`, `1e3`, `12.345`, `null`, `"`, `99999999999999999999`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var p Points
		if err := p.UnmarshalJSON([]byte(in)); err != nil {
			return
		}
		out, _ := json.Marshal(p)
		var back Points
		if err := json.Unmarshal(out, &back); err != nil || back != p {
			t.Fatalf("%q parsed to %v, printed %s, read back %v (%v)", in, p, out, back, err)
		}
	})
}

// FuzzStatement: a declaration is accepted only when it names the session
// and seat and lists relationships; anything accepted survives a round
// trip through JSON unchanged.
func FuzzStatement(f *testing.F) {
	for _, s := range []string{`{"sessionId":1,"seat":2,"relationships":[]}`, `{"sessionId":1,"seat":2,"relationships":["亲属"]}`,
		`{"sessionId":1,"seat":2}`, `{"sessionId":1,"seat":2,"relationships":[]}{}`, `[]`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		st, err := parseStatement(in, 1, 2)
		if err != nil {
			return
		}
		if st.SessionID != 1 || st.Seat != 2 || st.Relationships == nil {
			t.Fatalf("accepted %q as %+v", in, st)
		}
		raw, _ := json.Marshal(st)
		again, err := parseStatement(string(raw), 1, 2)
		if err != nil || len(again.Relationships) != len(st.Relationships) {
			t.Fatalf("%q round-trips to %s: %v", in, raw, err)
		}
	})
}
