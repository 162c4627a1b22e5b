// Package apperr declares the few kinds of error the whole platform speaks
// in. Domains return them, stores translate driver errors into them, and the
// HTTP layer maps each kind to one status code.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error for callers and for the HTTP status mapping.
type Kind int

// The error kinds. Internal is the zero value so that an unclassified error
// is never mistaken for a client mistake.
const (
	Internal        Kind = iota // a bug or an unexpected failure (500)
	Invalid                     // the request is malformed or breaks a rule (400)
	NotFound                    // the thing asked for does not exist (404)
	Conflict                    // the state does not allow it, or it exists already (409)
	Forbidden                   // authenticated but not allowed (403)
	Unauthenticated             // no valid session or token (401)
	TooLate                     // a deadline or window has passed (410/409 family)
	Locked                      // the account or resource is locked until a time (423)
	TooLarge                    // the request body is over its limit (413)
	Unavailable                 // a dependency is down; try again (503)
)

var kindNames = map[Kind]string{
	Internal:        "internal",
	Invalid:         "invalid",
	NotFound:        "not_found",
	Conflict:        "conflict",
	Forbidden:       "forbidden",
	Unauthenticated: "unauthenticated",
	TooLate:         "too_late",
	Locked:          "locked",
	TooLarge:        "too_large",
	Unavailable:     "unavailable",
}

// String returns the stable machine-readable code of the kind.
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "internal"
}

// Error is a classified error with a bilingual message a person can act on.
type Error struct {
	Kind    Kind
	Code    string            // stable machine code, e.g. "account_locked"; defaults to Kind.String()
	Zh      string            // message in Chinese
	En      string            // message in English
	Fields  map[string]string // per-field problems, keyed by field name
	Until   time.Time         // for Locked: when the lock ends
	Wrapped error             // the underlying cause, never shown to clients
}

// Error returns the English message followed by the cause, for logs.
func (e *Error) Error() string {
	msg := e.En
	if msg == "" {
		msg = e.Zh
	}
	if msg == "" {
		msg = e.Kind.String()
	}
	if e.Wrapped != nil {
		return msg + ": " + e.Wrapped.Error()
	}
	return msg
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Wrapped }

// MachineCode returns Code, or the kind's name when Code is empty.
func (e *Error) MachineCode() string {
	if e.Code != "" {
		return e.Code
	}
	return e.Kind.String()
}

// New returns an error of kind k with a Chinese and an English message.
func New(k Kind, zh, en string) *Error {
	return &Error{Kind: k, Zh: zh, En: en}
}

// Newf is New with an English message built by fmt.Sprintf; the Chinese text
// takes the same arguments.
func Newf(k Kind, zh, en string, args ...any) *Error {
	return &Error{Kind: k, Zh: fmt.Sprintf(zh, args...), En: fmt.Sprintf(en, args...)}
}

// Wrap classifies err as kind k with the given messages, keeping err as the cause.
func Wrap(err error, k Kind, zh, en string) *Error {
	return &Error{Kind: k, Zh: zh, En: en, Wrapped: err}
}

// WithCode sets the machine code and returns e for chaining.
func (e *Error) WithCode(code string) *Error { e.Code = code; return e }

// WithField records a problem with one request field and returns e.
func (e *Error) WithField(name, problem string) *Error {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	e.Fields[name] = problem
	return e
}

// KindOf returns the kind of the first *Error in err's chain, or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err carries kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// As returns the first *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
