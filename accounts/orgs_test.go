package accounts

import (
	"strings"
	"testing"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Two SM2 public keys made with gmsm for these tests (the private keys were
// discarded); accounts does not import gmsm.
const (
	testKey1 = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAEa4N8suszXedAHob+OSyL9km77p9p
H/BK7DZt5AG37F9xgjQ5EnKW94Atw31KOs7u9fc9ZFsuK9hXmjs1M5Cqiw==
-----END PUBLIC KEY-----
`
	testKey2 = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAEz2u21ZUhEf0CGQqELrdg8+S9gFRE
mDryOiVAA84hr4j1ntfdO4wQpQ7gSmf0wqe/jmdUb5r+WLCY8t8eoZ97kw==
-----END PUBLIC KEY-----
`
)

func TestCreateOrg(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		admin := e.admin(t)
		tests := []struct {
			name  string
			in    NewOrg
			kind  apperr.Kind
			field string
		}{
			{"bidder", NewOrg{Kind: OrgBidder, Name: "榕城建设", USCC: " 91350104ma2y8k3n07 "}, 0, ""},
			{"department without uscc", NewOrg{Kind: OrgDepartment, Name: "住建局", Region: "350100"}, 0, ""},
			{"duplicate uscc", NewOrg{Kind: OrgAgency, Name: "另一家", USCC: "91350104MA2Y8K3N07"}, apperr.Conflict, "uscc"},
			{"wrong check", NewOrg{Kind: OrgBidder, Name: "甲", USCC: "91350104MA2Y8K3N08"}, apperr.Invalid, "uscc"},
			{"bidder needs uscc", NewOrg{Kind: OrgBidder, Name: "乙"}, apperr.Invalid, "uscc"},
			{"bad kind", NewOrg{Kind: "club", Name: "丙"}, apperr.Invalid, "kind"},
			{"no name", NewOrg{Kind: OrgPlatform, Name: "  "}, apperr.Invalid, "name"},
			{"bad region", NewOrg{Kind: OrgPlatform, Name: "丁", Region: "35A"}, apperr.Invalid, "region"},
		}
		var first Org
		for i, tt := range tests {
			o, err := e.svc.CreateOrg(e.ctx, admin, tt.in)
			if i == 0 {
				first = o
			}
			if tt.kind == 0 {
				if err != nil {
					t.Errorf("%s: %v", tt.name, err)
				} else if got, _ := e.svc.GetOrg(e.ctx, o.ID); got.Name != o.Name || got.USCC != o.USCC {
					t.Errorf("%s: read back %+v, want %+v", tt.name, got, o)
				}
				continue
			}
			ae := wantKind(t, err, tt.kind, "")
			if _, has := ae.Fields[tt.field]; !has {
				t.Errorf("%s: fields %v, want %s", tt.name, ae.Fields, tt.field)
			}
		}
		org, _ := e.svc.GetOrg(e.ctx, first.ID)
		if org.USCC != "91350104MA2Y8K3N07" || org.Region != "350104" {
			t.Fatalf("org %+v: USCC not normalised or region not taken from it", org)
		}
		_, err := e.svc.GetOrg(e.ctx, 999)
		wantKind(t, err, apperr.NotFound, "")
	})
}

func TestOrgPublicKey(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		admin := e.admin(t)
		org := e.org(t, admin, OrgBidder, "91350104MA2Y8K3N07")
		rival := e.org(t, admin, OrgBidder, "91350105MA33D6E825")
		agency := e.org(t, admin, OrgAgency, "91350102MA31B4C717")
		e.user(t, admin, "bidder1", org.ID, RoleBidder)
		e.user(t, admin, "bidder2", rival.ID, RoleBidder)
		own := e.login(t, "bidder1", "bidder1-pw-12345").Principal
		foreign := e.login(t, "bidder2", "bidder2-pw-12345").Principal

		// Extra whitespace around the PEM is normalised away.
		got, err := e.svc.SetOrgPublicKey(e.ctx, own, org.ID, "\n  "+testKey1)
		if err != nil {
			t.Fatal(err)
		}
		if got.PublicKey != testKey1 || len(got.PublicKeyID) != 64 {
			t.Fatalf("registered %+v", got)
		}
		_, err = e.svc.SetOrgPublicKey(e.ctx, foreign, org.ID, testKey2)
		wantKind(t, err, apperr.Forbidden, "")
		_, err = e.svc.SetOrgPublicKey(e.ctx, admin, agency.ID, testKey2)
		wantKind(t, err, apperr.Invalid, "")
		_, err = e.svc.SetOrgPublicKey(e.ctx, own, org.ID, "not a key")
		wantKind(t, err, apperr.Invalid, "")
		replaced, err := e.svc.SetOrgPublicKey(e.ctx, admin, org.ID, testKey2)
		if err != nil {
			t.Fatal(err)
		}
		if back, _ := e.svc.GetOrg(e.ctx, org.ID); back.PublicKey != testKey2 || back.PublicKeyID != replaced.PublicKeyID {
			t.Fatalf("read back %+v", back)
		}
		evs := e.eventsOf(t, EventOrgKeyRegistered)
		if len(evs) != 2 || evs[0].Actor != own.Actor() || evs[1].Actor != admin.Actor() || evs[1].Subject != orgRef(org.ID) ||
			!strings.Contains(evs[1].Payload, `"previousKeyId":"`+got.PublicKeyID+`"`) ||
			!strings.Contains(evs[1].Payload, `"keyId":"`+replaced.PublicKeyID+`"`) {
			t.Fatalf("key events %+v", evs)
		}
	})
}
