package clock

import (
	"context"
	"time"
)

type arrivalKey struct{}

// WithArrival records in ctx the moment a request arrived, read from the
// server's clock before any work was done for it. Rules that judge a
// request against a time limit judge it by this moment: the law asks
// whether a bid's transmission was complete before the deadline, not when
// the server got round to committing it.
func WithArrival(ctx context.Context, at time.Time) context.Context {
	return context.WithValue(ctx, arrivalKey{}, at.UTC())
}

// ArrivedAt returns the moment WithArrival recorded in ctx, to the
// millisecond, or c's current time when none was recorded (a call that
// did not come through the HTTP layer).
func ArrivedAt(ctx context.Context, c Clock) time.Time {
	if at, ok := ctx.Value(arrivalKey{}).(time.Time); ok {
		return at.Truncate(time.Millisecond)
	}
	return c.Now().UTC().Truncate(time.Millisecond)
}
