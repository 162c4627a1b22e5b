package evaluation

import (
	"encoding/json"
	"math/big"
	"testing"
)

func TestParsePoints(t *testing.T) {
	good := map[string]Points{"0": 0, "12": 1200, "12.5": 1250, "12.34": 1234, "-0.25": -25, "100.00": 10000}
	for in, want := range good {
		got, err := ParsePoints(in)
		if err != nil || got != want {
			t.Errorf("ParsePoints(%q) = %v, %v; want %v", in, got, err, want)
		}
		if back, _ := ParsePoints(got.String()); back != got {
			t.Errorf("%q does not round-trip through %q", in, got.String())
		}
	}
	for _, in := range []string{"", "1.234", "1.", ".5", "+1", "1e2", "NaN", "1,5", " 1", "--1", "12345678901"} {
		if _, err := ParsePoints(in); err == nil {
			t.Errorf("ParsePoints(%q) accepted", in)
		}
	}
}

func TestPointsJSON(t *testing.T) {
	var v struct{ P Points }
	if err := json.Unmarshal([]byte(`{"P": 7.5}`), &v); err != nil || v.P != 750 {
		t.Fatalf("%v %v", v, err)
	}
	if err := json.Unmarshal([]byte(`{"P": 7.555}`), &v); err == nil {
		t.Fatal("three decimals accepted")
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"P":7.50}` {
		t.Fatalf("marshal %s", b)
	}
}

func TestRoundHalfUp(t *testing.T) {
	cases := []struct {
		num, den int64
		want     Points
	}{
		{1, 3, 33}, {2, 3, 67}, {1, 200, 1}, {-1, 200, -1}, {1, 201, 0}, {12345, 1000, 1235}, {12344, 1000, 1234}, {5, 1, 500},
	}
	for _, c := range cases {
		if got := RoundHalfUp(big.NewRat(c.num, c.den)); got != c.want {
			t.Errorf("RoundHalfUp(%d/%d) = %v, want %v", c.num, c.den, got, c.want)
		}
	}
}
