package accounts

import (
	"testing"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

func TestSeedDemo(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		logins, err := e.svc.SeedDemo(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		roles := map[Role]int{}
		seen := map[string]bool{}
		for _, l := range logins {
			if err := CheckPassword(l.Username, l.Password); err != nil || seen[l.Password] {
				t.Fatalf("%s: password %q weak or repeated", l.Username, l.Password)
			}
			seen[l.Password] = true
			res := e.login(t, l.Username, l.Password)
			p := res.Principal
			if p.DisplayName != l.DisplayName || len(p.Roles) != 1 || p.Roles[0] != l.Roles[0] {
				t.Fatalf("%s: principal %+v", l.Username, p)
			}
			if (l.Org == "") != (p.OrgID == 0) {
				t.Fatalf("%s: org %q vs %d", l.Username, l.Org, p.OrgID)
			}
			roles[p.Roles[0]]++
		}
		want := map[Role]int{RoleAdmin: 1, RoleAgent: 2, RoleSupervisor: 1, RoleOfficer: 1, RoleBidder: 3, RoleExpert: 7, RoleApplicant: 1}
		for r, n := range want {
			if roles[r] != n {
				t.Errorf("%d users with role %s, want %d", roles[r], r, n)
			}
		}
		for _, o := range demoOrgs {
			if o.USCC != "" && ValidUSCC(o.USCC) != nil {
				t.Errorf("demo USCC %s invalid", o.USCC)
			}
		}
		before := e.scalar(t, "SELECT COUNT(*) FROM users")
		_, err = e.svc.SeedDemo(e.ctx)
		wantKind(t, err, apperr.Conflict, "demo_seeded")
		if after := e.scalar(t, "SELECT COUNT(*) FROM users"); after != before {
			t.Fatalf("second seed changed users: %s → %s", before, after)
		}
		var pws []string
		for _, l := range logins {
			pws = append(pws, l.Password)
		}
		e.noSecrets(t, pws...)
	})
}
