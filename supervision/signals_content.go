package supervision

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/tenderhall/tenderhall/internal/docmeta"
)

// Kinds of the signals read from the bids' contents.
const (
	SignalSameAuthor  = "same_author"  // one author, last editor or company in documents of different bidders
	SignalSameFile    = "same_file"    // byte-identical documents from different bidders
	SignalSameContact = "same_contact" // one contact person or phone in different bids' forms
	SignalSameDeposit = "same_deposit" // one bond account for different bidders
	SignalSameDevice  = "same_device"  // bids sealed on one machine (the envelope's fingerprint)
)

// personal lists the kinds whose evidence names people or accounts: it is
// sealed at rest.
var personal = map[string]bool{SignalSameAuthor: true, SignalSameContact: true, SignalSameDeposit: true, SignalSameDevice: true}

// genericNames are the names office suites fill in by themselves: shared
// by strangers, they are weak evidence.
var genericNames = map[string]bool{"administrator": true, "admin": true, "user": true, "微软用户": true, "microsoft office user": true,
	"microsoft": true, "作者": true, "lenovo": true, "dell": true, "hp": true, "owner": true, "windows 用户": true, "windows user": true}

// evidenceBid is one bid named by a signal's evidence.
type evidenceBid struct {
	BidID       int64    `json:"bidId"`
	BidderOrgID int64    `json:"bidderOrgId"`
	Documents   []string `json:"documents,omitempty"`
}

// group collects, for one shared value, the bids that carry it.
type group struct {
	kind, field, value string
	bids               map[int64]*evidenceBid
}

func (g *group) add(c bidContents, doc string) {
	if g.bids == nil {
		g.bids = map[int64]*evidenceBid{}
	}
	b := g.bids[c.bid.BidID]
	if b == nil {
		b = &evidenceBid{BidID: c.bid.BidID, BidderOrgID: c.bid.BidderOrgID}
		g.bids[c.bid.BidID] = b
	}
	if doc != "" {
		b.Documents = append(b.Documents, doc)
	}
}

// contentSignals compares the bids' documents and forms: a value shared
// by two or more bidders is a signal, with the bids and documents that
// share it.
func contentSignals(all []bidContents, key []byte) []Signal {
	groups := map[string]*group{}
	at := func(kind, field, value string) *group {
		key := kind + "\x00" + field + "\x00" + value
		if groups[key] == nil {
			groups[key] = &group{kind: kind, field: field, value: value}
		}
		return groups[key]
	}
	for _, c := range all {
		for _, d := range c.docs {
			if d.SM3 != "" && d.Size > 0 {
				at(SignalSameFile, "sm3", d.SM3).add(c, d.Name)
			}
			m, ok := c.meta[d.Entry]
			if !ok {
				continue
			}
			for field, v := range m.People() {
				at(SignalSameAuthor, field, normalise(v)).add(c, d.Name)
			}
		}
		if v := normalise(c.form.Contact); v != "" {
			at(SignalSameContact, "contact", v).add(c, "")
		}
		if v := phoneDigits(c.form.Phone); len(v) >= 5 {
			at(SignalSameContact, "phone", v).add(c, "")
		}
		if c.device != "" {
			at(SignalSameDevice, "fingerprint", c.device).add(c, "")
		}
		if v := strings.ToUpper(c.form.DepositAccount); v != "" {
			at(SignalSameDeposit, "depositAccount", v).add(c, "")
		}
	}
	var out []Signal
	for _, g := range groups {
		if sig, ok := g.signal(key); ok {
			out = append(out, sig)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dedupe < out[j].Dedupe })
	return out
}

// signal turns a group shared by different bidders into its signal. The
// dedupe key names the field and a keyed hash of the value, never the
// value itself (a name).
func (g *group) signal(key []byte) (Signal, bool) {
	orgs := map[int64]bool{}
	var bids []evidenceBid
	for _, b := range g.bids {
		orgs[b.BidderOrgID] = true
		sort.Strings(b.Documents)
		bids = append(bids, *b)
	}
	if len(orgs) < 2 {
		return Signal{}, false
	}
	sort.Slice(bids, func(i, j int) bool { return bids[i].BidID < bids[j].BidID })
	strength := "medium"
	switch {
	case g.kind == SignalSameAuthor && genericNames[g.value]:
		strength = "weak"
	case len(orgs) > 2, g.kind == SignalSameFile, g.kind == SignalSameDeposit, g.kind == SignalSameDevice, g.field == "phone":
		strength = "strong"
	}
	ev, _ := json.Marshal(map[string]any{"field": g.field, "value": g.value, "bids": bids})
	dedupe := g.field + ":" + g.value
	if personal[g.kind] {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(g.value))
		dedupe = g.field + ":" + hex.EncodeToString(m.Sum(nil)[:12])
	}
	return Signal{Kind: g.kind, Strength: strength, Evidence: ev, Dedupe: dedupe}, true
}

// normalise folds case, width-insensitive spacing and trims, so that "张三 "
// and "张三" or "ACME Ltd" and "acme ltd" match.
func normalise(s string) string {
	return strings.ToLower(strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " "))
}

// phoneDigits keeps a number's digits without the country code 86, so
// "+86 138…" and "138…" match.
func phoneDigits(s string) string {
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
	if strings.HasPrefix(d, "0086") {
		d = d[4:]
	} else if len(d) == 13 && strings.HasPrefix(d, "86") {
		d = d[2:]
	}
	return d
}

// saveSignal stores a signal of subject once (its dedupe key made
// subject-wide), raised at at from the event seq, sealing personal
// evidence.
func (s *Service) saveSignal(ctx context.Context, subject string, seq int64, at time.Time, sig Signal) error {
	sig.Subject, sig.SourceSeq, sig.CreatedAt = subject, seq, at
	sig.Dedupe = subject + "|" + sig.Kind + "|" + sig.Dedupe
	if personal[sig.Kind] {
		sealed := s.fields.Seal(sig.Evidence, "signal:"+sig.Dedupe)
		sig.Sealed, sig.Evidence = &sealed, json.RawMessage("{}")
	}
	_, err := s.st.insertSignal(ctx, &sig)
	return err
}

// seal returns v as JSON sealed under label.
func (s *Service) seal(v docmeta.Meta, label string) string {
	raw, _ := json.Marshal(v)
	return s.fields.Seal(raw, label)
}

// openSignals puts the sealed evidence back for a reader allowed to see it.
func (s *Service) openSignals(sigs []Signal) ([]Signal, error) {
	for i, sig := range sigs {
		if sig.Sealed == nil {
			continue
		}
		if s.fields == nil {
			sigs[i].Evidence = json.RawMessage(`{"sealed":true}`)
			continue
		}
		raw, err := s.fields.Open(*sig.Sealed, "signal:"+sig.Dedupe)
		if err != nil {
			return nil, err
		}
		sigs[i].Evidence = raw
	}
	return sigs, nil
}
