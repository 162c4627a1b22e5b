package main

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/evaluation"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/experts"
)

// The play reads the whole event log as its auditors would — the
// administrator and the supervisor — at three moments, and checks what
// the rulebook keeps secret against what the play itself knows: which
// users are the bidders and which experts were drawn. These checks do not
// rely on the domains' tables of secret kinds, so an event that reveals a
// secret under a kind nobody declared is caught too.

// secrecyMoment is a moment of the play at which the log is read.
type secrecyMoment int

const (
	beforeDeadline secrecyMoment = iota // bids uploaded, the deadline still ahead
	beforeAward                         // the committee at work, the result not final
	afterAward                          // everything released
)

// unexercisedSecrets are the declared secret kinds this play never
// produces; every other declared kind must occur, so that a renamed event
// type cannot leave a stale declaration behind unnoticed.
var unexercisedSecrets = map[string]string{
	"bid.finalize_overran":           "every finalize completes within the close's wait",
	"bid.withdrawn":                  "no bidder withdraws",
	"objection.raised":               "no bidder objects to the tender documents (objections are raised in the room and at the publicity)",
	"opening.decrypt_error":          "every data key handed over is right",
	"opening.revoked":                "no decrypted bid form is malformed (a bid left undecrypted is settled at the window's close without this event)",
	"experts.attendance_cancelled":   "no accepted expert cancels",
	"experts.attendance_withdrawn":   "no seated expert withdraws",
	"evaluation.competition_decided": "more than three bids stay valid",
	"evaluation.failed":              "the evaluation succeeds",
	"evaluation.absent":              "every member comes",
	"evaluation.clarification_asked": "the committee asks no bidder",
	"question.asked":                 "no bidder asks a question",
}

// logAs reads the whole log page by page with c's token.
func (p *player) logAs(ctx context.Context, c *bidClient) ([]eventlog.Event, error) {
	var out []eventlog.Event
	for from := uint64(1); ; {
		var page api.LogEventPage
		if err := c.call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/log/events?from=%d&limit=%d", from, eventlog.MaxPage), nil, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Events...)
		if len(page.Events) == 0 || page.Next <= from {
			return out, nil
		}
		from = page.Next
	}
}

// userID is the signed-in user of c.
func userID(ctx context.Context, c *bidClient) (int64, error) {
	var me api.MeResponse
	err := c.call(ctx, http.MethodGet, "/api/v1/auth/me", nil, &me)
	return me.UserID, err
}

// names reports whether ev, served in full, names one of the users or
// carries one of the payload fields (`"bidderOrgId":7`).
func names(ev eventlog.Event, users map[int64]bool, fields []string) bool {
	if ev.Withheld || strings.HasPrefix(ev.Type, "account.") || strings.HasPrefix(ev.Subject, "expert") {
		// Sign-ins and the pool's upkeep name users and experts to the
		// administrator for reasons unrelated to any one section.
		return false
	}
	var id int64
	if _, err := fmt.Sscanf(ev.Actor, "user:%d", &id); err == nil && users[id] {
		return true
	}
	for _, f := range fields {
		if strings.Contains(ev.Payload, f+",") || strings.Contains(ev.Payload, f+"}") {
			return true
		}
	}
	return false
}

// probeSecrets reads the log as the administrator and the supervisor at
// moment m and checks it (see the top of this file).
func (p *player) probeSecrets(ctx context.Context, m secrecyMoment) error {
	users := map[int64]bool{}
	var fields []string
	switch m {
	case beforeDeadline:
		for _, b := range p.bidders {
			id, err := userID(ctx, b.c)
			if err != nil {
				return err
			}
			users[id] = true
			fields = append(fields, fmt.Sprintf(`"bidderOrgId":%d`, b.org))
		}
	case beforeAward:
		for _, x := range p.members {
			id, err := userID(ctx, x.c)
			if err != nil {
				return err
			}
			users[id] = true
		}
		for _, g := range p.drawn.Groups {
			for _, e := range append(g.Members, g.Reserves...) {
				fields = append(fields, fmt.Sprintf(`"expertId":%d`, e.ExpertID))
			}
		}
	}
	auditors := map[string]*bidClient{"administrator": p.admin, "supervisor": p.supervisor}
	for who, c := range auditors {
		evs, err := p.logAs(ctx, c)
		if err != nil {
			return err
		}
		withheld, seen := 0, map[string]bool{}
		for _, ev := range evs {
			if ev.Withheld {
				withheld++
			}
			seen[ev.Type] = true
			// The supervisor of record reads the drawn experts' calls, as the draw routes show them the list.
			recordSupervisor := who == "supervisor" && m == beforeAward && strings.HasPrefix(ev.Type, "experts.")
			committee := who == "supervisor" && m == beforeAward && strings.HasPrefix(ev.Type, "evaluation.")
			if names(ev, users, fields) && !recordSupervisor && !committee {
				return fmt.Errorf("the %s reads event %d (%s) before its release: %s", who, ev.Seq, ev.Type, ev.Payload)
			}
		}
		switch {
		case m != afterAward && withheld == 0:
			return fmt.Errorf("the %s's log withholds nothing while the section's secrets are kept", who)
		case m == afterAward && who == "administrator":
			if withheld != 0 {
				return fmt.Errorf("after the award the administrator still reads %d events withheld", withheld)
			}
			if err := everySecretOccurred(seen, p.setupToken != ""); err != nil {
				return err
			}
		}
		p.note("%s 读取事件日志 / the %s reads %d events, %d withheld", map[string]string{"administrator": "管理员", "supervisor": "监督人员"}[who], who, len(evs), withheld)
	}
	return nil
}

// everySecretOccurred checks that every declared secret kind but the
// unexercised ones appeared in the log. roomProbed says whether the play
// made a request from outside the evaluation room (only on its embedded
// server, whose proxy it trusts), which is what logs a refused access.
func everySecretOccurred(seen map[string]bool, roomProbed bool) error {
	var missing []string
	for typ := range eventlog.Secrets(bidding.SecretEvents, experts.SecretEvents, evaluation.SecretEvents) {
		if typ == "evaluation.access_refused" && !roomProbed {
			continue
		}
		if _, skip := unexercisedSecrets[typ]; !skip && !seen[typ] {
			missing = append(missing, typ)
		}
	}
	var stale []string
	for typ := range unexercisedSecrets {
		if seen[typ] {
			stale = append(stale, typ)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	switch {
	case len(missing) > 0:
		return fmt.Errorf("declared secret kinds the play did not produce (renamed?): %s", strings.Join(missing, ", "))
	case len(stale) > 0:
		return fmt.Errorf("the play now produces %s: take them out of unexercisedSecrets", strings.Join(stale, ", "))
	}
	return nil
}
