package supervision

import (
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/clock"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// beijingTime is t as warnings and refusals name it, to the minute.
func beijingTime(t time.Time) string { return t.In(clock.Shanghai).Format("2006-01-02 15:04") }

func jsonInto(s string, v any) bool { return json.Unmarshal([]byte(s), v) == nil }

func sortBySeq(evs []eventlog.Event) {
	sort.Slice(evs, func(i, j int) bool { return evs[i].Seq < evs[j].Seq })
}
