package eventlog

import "context"

// Request is the network context of an action, recorded with every event
// (电子办法 49: time, network address and operator of every step).
type Request struct {
	ID string // request ID
	IP string // client address
}

type requestKey struct{}

// WithRequest returns ctx carrying r, for Append to record.
func WithRequest(ctx context.Context, r Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

func requestFrom(ctx context.Context) Request {
	r, _ := ctx.Value(requestKey{}).(Request)
	return r
}
