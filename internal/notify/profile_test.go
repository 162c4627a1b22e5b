package notify

import (
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

func TestParseProfile(t *testing.T) {
	def := DefaultProfile()
	cases := []struct {
		in   string
		want func(*Profile)
	}{
		{"", func(*Profile) {}},
		{"ring=3s, seed=7, key=1s", func(p *Profile) { p.RingDelay, p.Seed, p.KeyDelay = 3*time.Second, 7, time.Second }},
		{"accept=0.5,busy=0.2", func(p *Profile) { p.Accept, p.Decline, p.NoAnswer, p.Busy = 0.5, 0, 0, 0.2 }},
		{"duplicate=1,sms_fail=0.5,silent=0,repeat=1", func(p *Profile) { p.Duplicate, p.SMSFail, p.Silent, p.Repeat = 1, 0.5, 0, 1 }},
		{"+8613800000001=busy|press:031,13800000002=accept", func(p *Profile) {
			p.Numbers = map[string][]Behaviour{
				"+8613800000001": {{Answer: AnswerBusy}, {AnswerPickup, keys("031")}},
				"13800000002":    {{AnswerPickup, keys("1")}},
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			want := def
			c.want(&want)
			got, err := ParseProfile(c.in)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("ParseProfile(%q) = %+v, %v\nwant %+v", c.in, got, err, want)
			}
		})
	}
}

func TestParseProfileRefuses(t *testing.T) {
	for _, in := range []string{"accept=2", "accept=0.6,decline=0.6", "ring=-1s", "ring=soon", "bogus=1",
		"noequals", "138=press:4", "138=press:", "138=maybe", "seed=x", "accept=NaN"} {
		t.Run(in, func(t *testing.T) {
			_, err := ParseProfile(in)
			wantErr(t, err, apperr.Invalid, "notify_profile_invalid")
		})
	}
}

// TestBehaviourDrawFollowsTheRates draws many attempts and checks the
// shares, and that each attempt's draw depends only on seed and attempt ID.
func TestBehaviourDrawFollowsTheRates(t *testing.T) {
	p, err := ParseProfile("accept=0.6,decline=0.2,busy=0.1,silent=0.5,seed=3")
	if err != nil {
		t.Fatal(err)
	}
	const n = 20000
	counts := map[string]float64{}
	for i := range n {
		id := fmt.Sprintf("att-%d", i)
		b := p.behaviourFor("13800000001", 0, rngFor(p.Seed, "call", id))
		again := p.behaviourFor("13800000001", 0, rngFor(p.Seed, "call", id))
		if !reflect.DeepEqual(b, again) {
			t.Fatalf("%s drew %+v then %+v", id, b, again)
		}
		counts[kind(b)]++
	}
	for k, want := range map[string]float64{"accept": 0.6, "decline": 0.2, "busy": 0.1, "silent": 0.05, "no_pickup": 0.05} {
		if got := counts[k] / n; math.Abs(got-want) > 0.015 {
			t.Errorf("share of %s = %.3f, want %.2f", k, got, want)
		}
	}
}

func kind(b Behaviour) string {
	switch {
	case b.Answer != AnswerPickup:
		return string(b.Answer)
	case len(b.Keys) == 0:
		return "silent"
	case b.Keys[len(b.Keys)-1] == KeyAttend:
		return "accept"
	}
	return "decline"
}

// FuzzParseProfile: configuration text never panics the parser, and what
// it accepts is a valid profile.
func FuzzParseProfile(f *testing.F) {
	f.Add("accept=0.6,decline=0.2,busy=0.1,ring=3s,seed=7,+8613800000001=busy|press:031")
	f.Add("duplicate=1,sms_fail=0.5,key=6s")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseProfile(s)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("error %v is not apperr.Invalid", err)
			}
			return
		}
		if err := p.Validate(); err != nil || p.RingDelay <= 0 || p.PlayTime <= 0 {
			t.Fatalf("accepted an invalid profile %+v: %v", p, err)
		}
	})
}
