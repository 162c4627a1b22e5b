package clock

import "time"

// StampLayout is how signed documents (opening records, evaluation
// reports, notices) write an instant: UTC to the millisecond, so that the
// bytes a signature covers do not depend on the server's zone.
const StampLayout = "2006-01-02T15:04:05.000Z"

// Stamp writes t in StampLayout.
func Stamp(t time.Time) string { return t.UTC().Format(StampLayout) }

// ShowStamp writes a Stamp for people, in Beijing time to the second, as
// printed documents show it; anything that is not a Stamp is returned as
// it is.
func ShowStamp(stamp string) string {
	t, err := time.Parse(StampLayout, stamp)
	if err != nil {
		return stamp
	}
	return t.In(Shanghai).Format("2006-01-02 15:04:05")
}
