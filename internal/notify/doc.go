// Package notify is the platform's gateway to telephone carriers: voice
// calls with a keypad menu (IVR) and text messages. It ships a Simulator —
// a fake carrier standing in for the operator outside the machine — used
// by --demo and the tests; a real carrier (a SIP trunk with an IVR, or an
// operator's voice API) implements the same two interfaces later, in a
// file of its own, without changing anything here or in the campaign.
//
// # Requests go out, results come back as callbacks
//
// Caller.Dial and SMSSender.Send only hand a request to the carrier and
// return its ID. Everything that happens afterwards — ringing, pick-up, each
// key pressed, each prompt repeated, and the final outcome (accept,
// decline, no_answer, busy, failed, with the ring time), or an SMS delivery
// report — arrives later as a signed HTTP callback, because that is how
// real carriers work: a call lasts tens of seconds and the worker that
// dialed may be gone by then. A real gateway therefore:
//
//   - implements Dial by calling its carrier's "place call" API (or by
//     sending a SIP INVITE and running its own IVR) with AttemptID as the
//     carrier's client request ID, Script as TTS text and Options as the
//     menu, and maps the carrier's failures to apperr.Unavailable (retry)
//     or apperr.Invalid (do not);
//   - receives the carrier's own callbacks on its route, checks the
//     carrier's own signature, and converts them into Event values; or, when
//     it runs the IVR itself, emits Events signed with CallbackKey exactly
//     as the Simulator does. Either way the campaign sees only Event.
//
// # Wire format
//
// A callback is a POST with a JSON body (see EncodeEvent) and three
// headers: X-Notify-Timestamp (Unix seconds), X-Notify-Event-Id (the
// nonce, equal to the body's event_id) and X-Notify-Signature,
// "v1=" + hex(HMAC-SHA256(secret, timestamp "\n" event_id "\n" body)).
//
//	{"event_id":"simcall-3f2a….4","type":"call.key","carrier":"simulator",
//	 "carrier_id":"simcall-3f2a…","attempt_id":"draw42-e7-a1","seq":4,
//	 "at":"2026-11-23T01:00:18Z","digit":"1"}
//
// CallbackKey.VerifyCallback checks, in order: the headers are present,
// the body is at most 64 KiB, the signature matches (constant time), the
// timestamp is within ±5 minutes of now (older is a replay, newer a
// forgery), the body is one JSON object of the format, its fields suit its
// type, the keypad digit is 1, 2 or 3, and the event ID equals the signed
// header. Each failure has its own apperr code (Code* constants), so the
// route answers 401/400/413 and the carrier stops retrying; a consumer
// error it cannot classify becomes 5xx and the carrier retries.
//
// # Idempotency, duplicates and order
//
// The campaign chooses one AttemptID per attempt and enqueues the attempt
// as a job with a fixed ID derived from it. If the worker crashes after
// Dial and the job runs again, Dial with the same AttemptID returns the
// same carrier call ID and places no second call — carriers dedupe on the
// client request ID, and the Simulator does the same (Calls records every
// placed call with how many requests it absorbed).
//
// Callbacks are at-least-once: a carrier retries until it gets a 2xx, so
// the same event (same Event.ID) can arrive twice, and a retried event can
// arrive after a later one. The consumer stores each event under a unique
// key on Event.ID and treats a duplicate as success; it orders a call's
// events by Event.Seq, and decides the attempt only on CallCompleted (which
// carries the outcome on its own, so a lost key event loses nothing). The
// Simulator can deliver duplicates on purpose (Profile.Duplicate) to prove
// the consumer right. A callback for a call the platform does not know is
// the consumer's apperr.NotFound.
//
// # The Simulator
//
// The Simulator plays the expert IVR faithfully (see timeline): the script
// and menu are read, no key within the prompt timeout prompts again, after
// MaxPrompts prompts the call ends as no answer, 3 reads the script again,
// 1 accepts, 2 declines. Callees behave per Profile: outcome rates drawn
// from a generator seeded with Profile.Seed and the AttemptID (so a run is
// reproducible whatever the concurrency), fixed ring, playback and key
// delays, and per-number overrides for deterministic tests
// (Profile.Numbers, e.g. "busy, then accept on the retry").
//
// Events become due at times computed from the injected clock.Clock; one
// goroutine delivers them when the clock reaches them, through a
// DeliverFunc: HTTPDelivery POSTs to the platform's callback route like a
// real carrier, Direct verifies and consumes in-process. Tests drive a
// clock.Fake, call Wake and wait on channels; nothing sleeps. A failed
// delivery is retried with the same event ID and a doubling delay, signed
// afresh each time. Close (or cancelling the context given to
// NewSimulator) stops the goroutine.
//
// The Simulator remembers attempt IDs in memory, per instance: a worker
// crash inside one process is covered, but a restarted process (or another
// replica) starts with a fresh Simulator that would place the call again.
// A real carrier keeps its dedupe window on its side, across all of ours.
//
// # Configuration
//
// internal/config holds notify.carrier ("simulator"), notify.callback_secret,
// notify.callback_url and notify.simulator.profile (ParseProfile syntax,
// e.g. "accept=0.6,decline=0.2,busy=0.1,ring=3s,seed=7,+8613800000001=busy|accept").
// cmd builds the pieces: NewCallbackKey(secret), ParseProfile(profile),
// HTTPDelivery(client, url) or Direct(key, clock, consume), NewSimulator.
// Secrets, phone numbers and scripts are never logged.
package notify
