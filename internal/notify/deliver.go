package notify

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// HTTPDelivery returns a DeliverFunc that POSTs each signed callback to
// callbackURL with client, like a real carrier calling the platform's
// callback route. A 2xx answer is success; a 4xx is a permanent refusal
// (apperr.Invalid, code "callback_refused": the carrier stops retrying); a
// 5xx or a transport error is apperr.Unavailable (retried). Errors at
// construction: apperr.Invalid when callbackURL is not an http(s) URL.
func HTTPDelivery(client *http.Client, callbackURL string) (DeliverFunc, error) {
	u, err := url.Parse(callbackURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, apperr.New(apperr.Invalid, "回调地址不是有效的 http(s) 地址", "the callback URL is not an http(s) URL").
			WithField("callback_url", "http(s) URL")
	}
	if client == nil {
		client = http.DefaultClient
	}
	return func(ctx context.Context, h http.Header, body []byte) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, callbackURL, bytes.NewReader(body))
		if err != nil {
			return apperr.Wrap(err, apperr.Internal, "无法构造回调请求", "cannot build the callback request")
		}
		req.Header = h.Clone()
		resp, err := client.Do(req)
		if err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err // the URL may carry a token: keep it out of logs
			}
			return apperr.Wrap(err, apperr.Unavailable, "回调地址无法访问", "the callback URL cannot be reached")
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
		switch {
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			return nil
		case resp.StatusCode >= 400 && resp.StatusCode < 500:
			return apperr.Newf(apperr.Invalid, "平台拒绝了回调（HTTP %d）", "the platform refused the callback (HTTP %d)", resp.StatusCode).
				WithCode("callback_refused")
		}
		return apperr.Newf(apperr.Unavailable, "平台暂时无法处理回调（HTTP %d）", "the platform could not take the callback (HTTP %d)", resp.StatusCode)
	}, nil
}

// Direct returns a DeliverFunc that does in-process what the platform's
// callback route does: verify the callback with key at clk's time, then
// hand the event to consume. Verification errors are returned as they are
// (permanent: the Simulator drops the event); consume's errors decide
// retries as described on DeliverFunc.
func Direct(key *CallbackKey, clk clock.Clock, consume func(ctx context.Context, e Event) error) DeliverFunc {
	return func(ctx context.Context, h http.Header, body []byte) error {
		e, err := key.VerifyCallback(h, body, clk.Now())
		if err != nil {
			return err
		}
		return consume(ctx, e)
	}
}
