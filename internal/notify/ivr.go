package notify

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"time"
)

// maxScriptPlays caps how often the script is read in one call (the first
// reading and the repeats asked with key 3), so that a callee pressing 3
// forever cannot hold a line: the call then ends as no answer.
const maxScriptPlays = 4

// setupDelay is how long a busy or failing line takes to report itself.
const setupDelay = time.Second

// rngFor returns a random source that depends only on the seed and the
// attempt ID: the same attempt behaves the same in any run, whatever other
// calls are placed around it and in whatever order.
func rngFor(seed uint64, salt, id string) *rand.Rand {
	h := sha256.Sum256([]byte(salt + "\x00" + id))
	return rand.New(rand.NewPCG(seed^binary.BigEndian.Uint64(h[:8]), binary.BigEndian.Uint64(h[8:16])))
}

// behaviourFor picks the conduct of the callee on the nth call (from 0) to
// phone: the profile's override for that number, else a draw from the rates.
func (p Profile) behaviourFor(phone string, nth int, rng *rand.Rand) Behaviour {
	if bs := p.Numbers[phone]; len(bs) > 0 {
		return bs[min(nth, len(bs)-1)]
	}
	u := rng.Float64()
	var b Behaviour
	switch {
	case u < p.Accept:
		b = Behaviour{AnswerPickup, []Key{KeyAttend}}
	case u < p.Accept+p.Decline:
		b = Behaviour{AnswerPickup, []Key{KeyDecline}}
	case u < p.Accept+p.Decline+p.Busy:
		return Behaviour{Answer: AnswerBusy}
	case u < p.Accept+p.Decline+p.Busy+p.Failed:
		return Behaviour{Answer: AnswerFail}
	case rng.Float64() < p.Silent:
		return Behaviour{Answer: AnswerPickup}
	default:
		return Behaviour{Answer: AnswerNoPickup}
	}
	if rng.Float64() < p.Repeat {
		b.Keys = append([]Key{KeyRepeat}, b.Keys...)
	}
	return b
}

// timeline plays the IVR for one call placed at start and returns its
// events in order, with Type, At and the type's fields set (IDs and Seq are
// the caller's). It is a pure function so the IVR rules are tested without
// clocks or goroutines:
//   - busy and failed lines end at once, with no ring time;
//   - an unanswered phone rings for RingTimeout, then no answer;
//   - a picked-up call reads the script and the menu, then waits
//     PromptTimeout for a key; without one it prompts again, and after
//     MaxPrompts prompts it ends as no answer;
//   - key 1 accepts, 2 declines, 3 reads the script again (prompts count
//     afresh); keys not in the request's menu are ignored like silence.
func timeline(r CallRequest, b Behaviour, p Profile, start time.Time) []Event {
	switch b.Answer {
	case AnswerBusy:
		return []Event{completed(start.Add(setupDelay), OutcomeBusy, 0, "")}
	case AnswerFail:
		return []Event{completed(start.Add(setupDelay), OutcomeFailed, 0, "simulated network failure")}
	case AnswerNoPickup:
		return []Event{{Type: CallRinging, At: start}, completed(start.Add(p.RingTimeout), OutcomeNoAnswer, p.RingTimeout, "")}
	}
	answered := start.Add(p.RingDelay)
	evs := []Event{{Type: CallRinging, At: start}, {Type: CallAnswered, At: answered}}
	return append(evs, ivrMenu(r, b.Keys, p, answered.Add(p.PlayTime), p.RingDelay)...)
}

// ivrMenu runs the prompt loop from the end of the first reading.
func ivrMenu(r CallRequest, keys []Key, p Profile, menuEnd time.Time, ring time.Duration) []Event {
	var evs []Event
	prompt, plays := 1, 1
	for {
		var k Key
		if len(keys) > 0 {
			k, keys = keys[0], keys[1:]
		}
		if k == 0 || !r.offers(k) || p.KeyDelay >= r.PromptTimeout {
			menuEnd = menuEnd.Add(r.PromptTimeout)
			if prompt >= r.MaxPrompts {
				return append(evs, completed(menuEnd, OutcomeNoAnswer, ring, ""))
			}
			prompt++
			evs = append(evs, Event{Type: CallPromptRepeated, At: menuEnd, Prompt: prompt})
			continue
		}
		at := menuEnd.Add(p.KeyDelay)
		evs = append(evs, Event{Type: CallKeyPressed, At: at, Key: k})
		switch k {
		case KeyAttend:
			return append(evs, completed(at, OutcomeAccept, ring, ""))
		case KeyDecline:
			return append(evs, completed(at, OutcomeDecline, ring, ""))
		}
		if plays++; plays > maxScriptPlays {
			return append(evs, completed(at, OutcomeNoAnswer, ring, "script repeated too often"))
		}
		menuEnd, prompt = at.Add(p.PlayTime), 1
	}
}

func completed(at time.Time, o Outcome, ring time.Duration, detail string) Event {
	return Event{Type: CallCompleted, At: at, Outcome: o, Ring: ring, Detail: detail}
}
