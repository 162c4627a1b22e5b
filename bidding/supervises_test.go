package bidding

import (
	"context"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/dbtest"
)

// TestSupervisingDepartment checks that a project names a department as its
// supervisor (and nothing else), and who Supervises it.
func TestSupervisingDepartment(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			f := newFixture(t, b)
			ctx := context.Background()
			now := time.Now().UTC()
			for _, o := range []struct {
				id   int64
				kind string
			}{{5, "department"}, {6, "department"}, {7, "platform"}} {
				if err := f.svc.db.Conn(ctx).Exec("INSERT INTO organizations (id, kind, name, region, created_at, updated_at) VALUES (?, ?, ?, '350100', ?, ?)",
					o.id, o.kind, "org"+o.kind, now, now).Error; err != nil {
					t.Fatal(err)
				}
			}
			if _, err := f.svc.CreateProject(ctx, f.agent, NewProject{Name: "项目", TendererOrgID: f.tendererOrg, SupervisingOrgID: f.tendererOrg}); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("a tenderer as supervising department: got %v, want invalid", err)
			}
			p, err := f.svc.CreateProject(ctx, f.agent, NewProject{Name: "项目", TendererOrgID: f.tendererOrg, SupervisingOrgID: 5})
			if err != nil {
				t.Fatal(err)
			}
			read, err := f.svc.GetProject(ctx, f.agent, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if read.SupervisingOrgID == nil || *read.SupervisingOrgID != 5 {
				t.Fatalf("stored supervising department %v, want 5", read.SupervisingOrgID)
			}
			sup := func(org int64, kind accounts.OrgKind, grants ...accounts.ProjectGrant) accounts.Principal {
				return accounts.Principal{UserID: 50, OrgID: org, OrgKind: kind, Roles: []accounts.Role{accounts.RoleSupervisor}, Grants: grants}
			}
			cases := []struct {
				name string
				who  accounts.Principal
				want bool
			}{
				{"its department", sup(5, accounts.OrgDepartment), true},
				{"another department", sup(6, accounts.OrgDepartment), false},
				{"another department granted on the project", sup(6, accounts.OrgDepartment,
					accounts.ProjectGrant{ProjectID: ProjectGrantID(p.ID), Role: accounts.RoleSupervisor}), true},
				{"granted as agent only", sup(6, accounts.OrgDepartment,
					accounts.ProjectGrant{ProjectID: ProjectGrantID(p.ID), Role: accounts.RoleAgent}), false},
				{"the platform's supervisor", sup(7, accounts.OrgPlatform), true},
				{"an officer of its department", accounts.Principal{UserID: 51, OrgID: 5, OrgKind: accounts.OrgDepartment, Roles: []accounts.Role{accounts.RoleOfficer}}, false},
				{"the agent", f.agent, false},
			}
			for _, c := range cases {
				if got := Supervises(c.who, read.Project); got != c.want {
					t.Errorf("%s: Supervises = %v, want %v", c.name, got, c.want)
				}
			}
		})
	}
}
