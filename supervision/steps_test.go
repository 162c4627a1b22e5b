package supervision

import (
	"testing"

	"github.com/tenderhall/tenderhall/eventlog"
)

func TestStepOfKeepsWhatPlacesIt(t *testing.T) {
	for _, c := range []struct {
		name    string
		ev      eventlog.Event
		bid     int64
		room    int64
		details int
	}{
		{"a decryption names its bid", eventlog.Event{Type: "opening.decrypted", Payload: `{"bidId":7,"digest":"ab","at":"x"}`}, 7, 0, 1},
		{"an evaluation names its room", eventlog.Event{Type: "evaluation.started", Payload: `{"roomId":3,"sectionId":9}`}, 0, 3, 1},
		{"nothing else is copied", eventlog.Event{Type: "section.opening", Payload: `{"bidCount":3}`}, 0, 0, 0},
		{"a withheld event keeps nothing", eventlog.Event{Type: "opening.decrypted", Payload: `{"bidId":7}`, Withheld: true}, 0, 0, 0},
		{"an unreadable payload", eventlog.Event{Type: "opening.decrypted", Payload: `{`}, 0, 0, 0},
	} {
		st := StepOf(c.ev)
		if st.Detail["bidId"] != c.bid || st.Detail["roomId"] != c.room || len(st.Detail) != c.details {
			t.Errorf("%s: detail %v", c.name, st.Detail)
		}
	}
}
