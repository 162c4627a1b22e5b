package supervision

import (
	"encoding/json"
	"sort"
	"strconv"

	"github.com/tenderhall/tenderhall/eventlog"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func jsonInto(s string, v any) bool { return json.Unmarshal([]byte(s), v) == nil }

func sortBySeq(evs []eventlog.Event) {
	sort.Slice(evs, func(i, j int) bool { return evs[i].Seq < evs[j].Seq })
}
