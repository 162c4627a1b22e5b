package notify

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Answer is what the simulated phone does when it is dialed.
type Answer string

// The simulated phone's reactions.
const (
	AnswerPickup   Answer = "pickup"    // rings, is picked up, hears the script
	AnswerNoPickup Answer = "no_pickup" // rings until the carrier gives up
	AnswerBusy     Answer = "busy"      // the line is busy
	AnswerFail     Answer = "failed"    // the network fails the call
)

// Behaviour is one simulated callee's conduct on one call: how the phone
// answers and, when picked up, the key pressed after each menu reading in
// turn (0: no key that time). When Keys runs out the callee stays silent.
type Behaviour struct {
	Answer Answer
	Keys   []Key
}

// Profile says how the simulated callees behave. The five outcome rates are
// probabilities; what they leave below 1 counts as no answer. Each call's
// random draw is seeded with Seed and the call's AttemptID, so the same
// profile gives the same behaviour to the same attempt whatever the order
// or concurrency of the calls.
type Profile struct {
	Seed      uint64
	Accept    float64 // presses 1
	Decline   float64 // presses 2
	NoAnswer  float64 // does not pick up, or (Silent share) picks up and presses nothing
	Busy      float64
	Failed    float64
	Silent    float64 // share of no-answers who pick up but never press a key
	Repeat    float64 // chance that a deciding callee presses 3 once first
	Duplicate float64 // chance that a delivered callback is delivered again (consumers must dedupe)
	SMSFail   float64 // chance that an SMS is reported failed

	RingDelay   time.Duration // dialing to pick-up; default 4s
	RingTimeout time.Duration // how long an unanswered phone rings; default 30s
	PlayTime    time.Duration // reading the script and the menu; default 12s
	KeyDelay    time.Duration // menu end to key press; default 2s (≥ the prompt timeout: never in time)
	SMSDelay    time.Duration // sending to the delivery report; default 3s

	// Numbers overrides the draw for given phone numbers: the n-th call to
	// a number (from 0) follows Numbers[phone][n], the last entry repeating.
	Numbers map[string][]Behaviour
}

// DefaultProfile is a plausible expert pool: most accept, some decline or
// miss the call, a few lines are busy.
func DefaultProfile() Profile {
	return Profile{Seed: 1, Accept: 0.7, Decline: 0.15, NoAnswer: 0.1, Busy: 0.05, Silent: 0.3, Repeat: 0.1,
		RingDelay: 4 * time.Second, RingTimeout: 30 * time.Second, PlayTime: 12 * time.Second,
		KeyDelay: 2 * time.Second, SMSDelay: 3 * time.Second}
}

// ParseProfile reads a profile from its configuration form: comma-separated
// name=value items over DefaultProfile. Rates: accept, decline, no_answer,
// busy, failed (naming any of them zeroes the other four first), silent,
// repeat, duplicate, sms_fail. Durations: ring, ring_timeout, play, key,
// sms_delay. seed=N. A name starting with a digit or + is a phone number
// whose value lists behaviours for its successive calls separated by |:
// accept, decline, silent, no_answer, busy, failed or press:DIGITS (0 no
// key, e.g. press:031). An empty string is DefaultProfile. Errors:
// apperr.Invalid naming the bad item (code "notify_profile_invalid").
func ParseProfile(s string) (Profile, error) {
	p := DefaultProfile()
	items := strings.Split(s, ",")
	for _, it := range items {
		if name, _, _ := strings.Cut(strings.TrimSpace(it), "="); isRate(name) {
			p.Accept, p.Decline, p.NoAnswer, p.Busy, p.Failed = 0, 0, 0, 0, 0
			break
		}
	}
	for _, it := range items {
		if it = strings.TrimSpace(it); it == "" {
			continue
		}
		name, val, ok := strings.Cut(it, "=")
		if !ok {
			return p, profileErr(it)
		}
		if err := p.set(strings.TrimSpace(name), strings.TrimSpace(val)); err != nil {
			return p, err
		}
	}
	return p, p.Validate()
}

func isRate(name string) bool {
	switch name {
	case "accept", "decline", "no_answer", "busy", "failed":
		return true
	}
	return false
}

func (p *Profile) set(name, val string) error {
	rates := map[string]*float64{"accept": &p.Accept, "decline": &p.Decline, "no_answer": &p.NoAnswer,
		"busy": &p.Busy, "failed": &p.Failed, "silent": &p.Silent, "repeat": &p.Repeat,
		"duplicate": &p.Duplicate, "sms_fail": &p.SMSFail}
	durs := map[string]*time.Duration{"ring": &p.RingDelay, "ring_timeout": &p.RingTimeout,
		"play": &p.PlayTime, "key": &p.KeyDelay, "sms_delay": &p.SMSDelay}
	switch {
	case rates[name] != nil:
		f, err := strconv.ParseFloat(val, 64)
		*rates[name] = f
		return errIf(err != nil, name)
	case durs[name] != nil:
		d, err := time.ParseDuration(val)
		*durs[name] = d
		return errIf(err != nil, name)
	case name == "seed":
		n, err := strconv.ParseUint(val, 10, 64)
		p.Seed = n
		return errIf(err != nil, name)
	case name != "" && (name[0] == '+' || name[0] >= '0' && name[0] <= '9'):
		return p.setNumber(name, val)
	}
	return profileErr(name)
}

func (p *Profile) setNumber(phone, val string) error {
	var bs []Behaviour
	for _, v := range strings.Split(val, "|") {
		b, err := ParseBehaviour(strings.TrimSpace(v))
		if err != nil {
			return profileErr(phone)
		}
		bs = append(bs, b)
	}
	if p.Numbers == nil {
		p.Numbers = map[string][]Behaviour{}
	}
	p.Numbers[phone] = bs
	return nil
}

// ParseBehaviour reads one behaviour: accept, decline, silent, no_answer,
// busy, failed, or press:DIGITS where each digit 0-3 is the key pressed
// after one menu reading (0: none). Errors: apperr.Invalid.
func ParseBehaviour(s string) (Behaviour, error) {
	switch s {
	case "accept":
		return Behaviour{AnswerPickup, []Key{KeyAttend}}, nil
	case "decline":
		return Behaviour{AnswerPickup, []Key{KeyDecline}}, nil
	case "silent":
		return Behaviour{Answer: AnswerPickup}, nil
	case "no_answer":
		return Behaviour{Answer: AnswerNoPickup}, nil
	case "busy":
		return Behaviour{Answer: AnswerBusy}, nil
	case "failed":
		return Behaviour{Answer: AnswerFail}, nil
	}
	digits, ok := strings.CutPrefix(s, "press:")
	if !ok || digits == "" || len(digits) > 20 {
		return Behaviour{}, profileErr(s)
	}
	b := Behaviour{Answer: AnswerPickup}
	for _, c := range digits {
		if c < '0' || c > '3' {
			return Behaviour{}, profileErr(s)
		}
		b.Keys = append(b.Keys, Key(c-'0'))
	}
	return b, nil
}

// Validate checks rates in [0,1] with the outcome rates summing to at most
// 1, and non-negative delays (zero delays take the defaults). Errors:
// apperr.Invalid naming the bad item.
func (p *Profile) Validate() error {
	rates := map[string]float64{"accept": p.Accept, "decline": p.Decline, "no_answer": p.NoAnswer, "busy": p.Busy,
		"failed": p.Failed, "silent": p.Silent, "repeat": p.Repeat, "duplicate": p.Duplicate, "sms_fail": p.SMSFail}
	for name, r := range rates {
		if math.IsNaN(r) || r < 0 || r > 1 {
			return profileErr(name)
		}
	}
	if p.Accept+p.Decline+p.NoAnswer+p.Busy+p.Failed > 1+1e-9 {
		return profileErr("accept+decline+no_answer+busy+failed > 1")
	}
	def := DefaultProfile()
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{{"ring", &p.RingDelay, def.RingDelay}, {"ring_timeout", &p.RingTimeout, def.RingTimeout},
		{"play", &p.PlayTime, def.PlayTime}, {"key", &p.KeyDelay, def.KeyDelay}, {"sms_delay", &p.SMSDelay, def.SMSDelay}} {
		if *d.v < 0 || *d.v > time.Hour {
			return profileErr(d.name)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	return nil
}

func errIf(bad bool, item string) error {
	if bad {
		return profileErr(item)
	}
	return nil
}

func profileErr(item string) error {
	return apperr.Newf(apperr.Invalid, "模拟运营商配置项无效：%s", "invalid simulator profile item: %s", item).
		WithCode("notify_profile_invalid")
}
