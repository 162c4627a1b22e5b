package experts

import (
	"context"
	"net/http"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// HandleCallback verifies a carrier callback — signature, timestamp
// within the replay window, a well-formed event with a keypad value of 1–3
// — and applies it with HandleCallEvent. Errors: apperr.Unauthenticated
// (unsigned, bad signature, stale or future timestamp); apperr.Invalid
// (malformed); apperr.TooLarge; apperr.NotFound (unknown_call);
// apperr.Unavailable when no carrier is configured.
func (s *Service) HandleCallback(ctx context.Context, h http.Header, body []byte) error {
	if s.camp.key == nil {
		return apperr.New(apperr.Unavailable, "未配置语音网关回调密钥", "no carrier callback key is configured")
	}
	ev, err := s.camp.key.VerifyCallback(h, body, s.clock.Now())
	if err != nil {
		return err
	}
	return s.HandleCallEvent(ctx, ev)
}
