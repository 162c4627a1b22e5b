package accounts

import (
	"strings"
	"testing"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

func TestRoleGrantsAudited(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		admin := e.admin(t)
		target := e.user(t, admin, "expert1", 0, RoleExpert)
		other := e.login(t, "expert1", "expert1-pw-12345").Principal

		wantKind(t, e.svc.GrantRole(e.ctx, other, target.ID, RoleApplicant), apperr.Forbidden, "admin_required")
		wantKind(t, e.svc.GrantRole(e.ctx, admin, target.ID, Role("root")), apperr.Invalid, "")
		wantKind(t, e.svc.GrantRole(e.ctx, admin, target.ID, RoleBidder), apperr.Invalid, "") // no bidder org
		wantKind(t, e.svc.GrantRole(e.ctx, admin, 9999, RoleApplicant), apperr.NotFound, "")
		if err := e.svc.GrantRole(e.ctx, admin, target.ID, RoleApplicant); err != nil {
			t.Fatal(err)
		}
		wantKind(t, e.svc.GrantRole(e.ctx, admin, target.ID, RoleApplicant), apperr.Conflict, "role_held")
		if err := e.svc.RevokeRole(e.ctx, admin, target.ID, RoleApplicant); err != nil {
			t.Fatal(err)
		}
		wantKind(t, e.svc.RevokeRole(e.ctx, admin, target.ID, RoleApplicant), apperr.NotFound, "")
		wantKind(t, e.svc.RevokeRole(e.ctx, admin, admin.UserID, RoleAdmin), apperr.Conflict, "last_admin")

		if err := e.svc.GrantProject(e.ctx, admin, target.ID, "P-2026-001", RoleExpert); err != nil {
			t.Fatal(err)
		}
		wantKind(t, e.svc.GrantProject(e.ctx, admin, target.ID, "P-2026-001", RoleExpert), apperr.Conflict, "grant_exists")
		wantKind(t, e.svc.GrantProject(e.ctx, admin, target.ID, " ", RoleExpert), apperr.Invalid, "")
		wantKind(t, e.svc.GrantProject(e.ctx, other, target.ID, "P-2026-002", RoleExpert), apperr.Forbidden, "")
		p, err := e.svc.Authenticate(e.ctx, e.login(t, "expert1", "expert1-pw-12345").Token)
		if err != nil {
			t.Fatal(err)
		}
		if !p.HasProject("P-2026-001", RoleExpert) || p.HasProject("P-2026-001", RoleAgent) || p.HasProject("P-2026-002", RoleExpert) {
			t.Fatalf("grants %+v", p.Grants)
		}
		if err := e.svc.RevokeProject(e.ctx, admin, target.ID, "P-2026-001", RoleExpert); err != nil {
			t.Fatal(err)
		}
		wantKind(t, e.svc.RevokeProject(e.ctx, admin, target.ID, "P-2026-001", RoleExpert), apperr.NotFound, "")
		if g, _ := e.svc.ProjectGrants(e.ctx, target.ID); len(g) != 0 {
			t.Fatalf("grants left: %+v", g)
		}

		for _, want := range []struct{ typ, payload string }{
			{EventRoleGranted, `"role":"applicant"`},
			{EventRoleRevoked, `"role":"applicant"`},
			{EventProjectGranted, `"projectId":"P-2026-001"`},
			{EventProjectRevoked, `"projectId":"P-2026-001"`},
		} {
			evs := e.eventsOf(t, want.typ)
			if len(evs) != 1 {
				t.Fatalf("%d %s events, want 1", len(evs), want.typ)
			}
			ev := evs[0]
			if ev.Actor != userRef(admin.UserID) || ev.Subject != userRef(target.ID) || !strings.Contains(ev.Payload, want.payload) {
				t.Errorf("%s event %+v", want.typ, ev)
			}
		}
		e.noSecrets(t, adminPassword, "expert1-pw-12345")
	})
}

func TestCreateUser(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		admin := e.admin(t)
		bidderOrg := e.org(t, admin, OrgBidder, "91350105MA33D6E825")
		dept, err := e.svc.CreateOrg(e.ctx, admin, NewOrg{Kind: OrgDepartment, Name: "住建局", Region: "350100"})
		if err != nil {
			t.Fatal(err)
		}
		ok := func(in NewUser) NewUser {
			if in.DisplayName == "" {
				in.DisplayName = "某人"
			}
			if in.Password == "" {
				in.Password = "Good-pass-2026"
			}
			return in
		}
		tests := []struct {
			name  string
			in    NewUser
			kind  apperr.Kind
			field string
		}{
			{"bidder", ok(NewUser{Username: "bid1", Roles: []Role{RoleBidder}, OrgID: bidderOrg.ID}), 0, ""},
			{"supervisor", ok(NewUser{Username: "sup1", Roles: []Role{RoleSupervisor}, OrgID: dept.ID}), 0, ""},
			{"expert no org", ok(NewUser{Username: "exp1", Roles: []Role{RoleExpert}}), 0, ""},
			{"duplicate", ok(NewUser{Username: "BID1", Roles: []Role{RoleExpert}}), apperr.Conflict, "username"},
			{"bad username", ok(NewUser{Username: "a b", Roles: []Role{RoleExpert}}), apperr.Invalid, "username"},
			{"no roles", ok(NewUser{Username: "xx1"}), apperr.Invalid, "roles"},
			{"bidder without org", ok(NewUser{Username: "xx2", Roles: []Role{RoleBidder}}), apperr.Invalid, "orgId"},
			{"agent in department", ok(NewUser{Username: "xx3", Roles: []Role{RoleAgent}, OrgID: dept.ID}), apperr.Invalid, "orgId"},
			{"unknown org", ok(NewUser{Username: "xx4", Roles: []Role{RoleExpert}, OrgID: 999}), apperr.Invalid, "orgId"},
			{"weak password", ok(NewUser{Username: "xx5", Roles: []Role{RoleExpert}, Password: "password"}), apperr.Invalid, "password"},
			{"password is username", ok(NewUser{Username: "x6abcdefg1", Roles: []Role{RoleExpert}, Password: "x6abcdefg1"}), apperr.Invalid, "password"},
		}
		for _, tt := range tests {
			_, err := e.svc.CreateUser(e.ctx, admin, tt.in)
			if tt.kind == 0 {
				if err != nil {
					t.Errorf("%s: %v", tt.name, err)
				}
				continue
			}
			ae := wantKind(t, err, tt.kind, "")
			if _, has := ae.Fields[tt.field]; !has {
				t.Errorf("%s: fields %v, want %s", tt.name, ae.Fields, tt.field)
			}
		}
		_, err = e.svc.CreateUser(e.ctx, Principal{UserID: 5, Roles: []Role{RoleAgent}}, ok(NewUser{Username: "xx7", Roles: []Role{RoleExpert}}))
		wantKind(t, err, apperr.Forbidden, "")
		e.noSecrets(t, "Good-pass-2026")
	})
}
