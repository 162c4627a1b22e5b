package notify

import (
	"testing"
	"time"
)

// TestTimelineFollowsTheIVRRules plays each callee conduct through the IVR
// with the default profile: ring 4s, script+menu 12s, key 2s after the menu.
func TestTimelineFollowsTheIVRRules(t *testing.T) {
	p := DefaultProfile()
	menuless := func(r CallRequest) CallRequest { r.Options = StandardMenu()[:2]; return r }
	cases := []struct {
		name string
		b    Behaviour
		req  func(CallRequest) CallRequest
		prof func(Profile) Profile
		want string
		ring time.Duration
	}{
		{"accept", Behaviour{AnswerPickup, keys("1")}, nil, nil, "ring@0s answer@4s key1@18s accept@18s", 4 * time.Second},
		{"decline", Behaviour{AnswerPickup, keys("2")}, nil, nil, "ring@0s answer@4s key2@18s decline@18s", 4 * time.Second},
		{"repeat then accept", Behaviour{AnswerPickup, keys("31")}, nil, nil,
			"ring@0s answer@4s key3@18s key1@32s accept@32s", 4 * time.Second},
		{"silent: three prompts then no answer", Behaviour{Answer: AnswerPickup}, nil, nil,
			"ring@0s answer@4s prompt2@21s prompt3@26s no_answer@31s", 4 * time.Second},
		{"misses one prompt then accepts", Behaviour{AnswerPickup, keys("01")}, nil, nil,
			"ring@0s answer@4s prompt2@21s key1@23s accept@23s", 4 * time.Second},
		{"repeat restarts the prompt count", Behaviour{AnswerPickup, keys("0030")}, nil, nil,
			"ring@0s answer@4s prompt2@21s prompt3@26s key3@28s prompt2@45s prompt3@50s no_answer@55s", 4 * time.Second},
		{"key too late counts as silence", Behaviour{AnswerPickup, keys("111")}, nil,
			func(p Profile) Profile { p.KeyDelay = 5 * time.Second; return p },
			"ring@0s answer@4s prompt2@21s prompt3@26s no_answer@31s", 4 * time.Second},
		{"key not in the menu is ignored", Behaviour{AnswerPickup, keys("32")}, menuless, nil,
			"ring@0s answer@4s prompt2@21s key2@23s decline@23s", 4 * time.Second},
		{"one prompt only", Behaviour{Answer: AnswerPickup}, func(r CallRequest) CallRequest { r.MaxPrompts = 1; return r }, nil,
			"ring@0s answer@4s no_answer@21s", 4 * time.Second},
		{"repeat cap", Behaviour{AnswerPickup, keys("33333")}, nil, nil,
			"ring@0s answer@4s key3@18s key3@32s key3@46s key3@1m0s no_answer@1m0s", 4 * time.Second},
		{"no pick-up rings out", Behaviour{Answer: AnswerNoPickup}, nil, nil, "ring@0s no_answer@30s", 30 * time.Second},
		{"busy", Behaviour{Answer: AnswerBusy}, nil, nil, "busy@1s", 0},
		{"failed", Behaviour{Answer: AnswerFail}, nil, nil, "failed@1s", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, pr := request("a1", "13800000001"), p
			if c.req != nil {
				r = c.req(r)
			}
			if c.prof != nil {
				pr = c.prof(pr)
			}
			r, err := r.Normalize()
			if err != nil {
				t.Fatal(err)
			}
			evs := timeline(r, c.b, pr, t0)
			if got := describe(evs, t0); got != c.want {
				t.Errorf("timeline\n got %s\nwant %s", got, c.want)
			}
			last := evs[len(evs)-1]
			if last.Type != CallCompleted || last.Ring != c.ring {
				t.Errorf("last event %+v, want completed with ring %v", last, c.ring)
			}
		})
	}
}
