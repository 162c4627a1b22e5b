package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/evaluation"
	"github.com/tenderhall/tenderhall/experts"
)

// DemoExperts is the size of the demo expert pool (issue 6: at least 2,000).
const DemoExperts = 2400

// DemoCommitteeSpecialty is the specialty of the demo experts who have
// accounts: a draw for it reaches demo-expert1…7, who can then evaluate in
// the browser (the rest of the demo pool has no accounts).
const DemoCommitteeSpecialty = "A040399"

// seedDemoExperts imports the deterministic demo pool as the demo
// administrator, adds the seven demo experts with accounts under
// DemoCommitteeSpecialty and an evaluation room open to local networks. A
// second run updates the same experts and adds nobody.
func (e *env) seedDemoExperts(ctx context.Context, a *app, logins []accounts.DemoLogin) error {
	var admin accounts.Principal
	ids := map[string]int64{}
	for _, l := range logins {
		res, err := a.accounts.Login(ctx, accounts.LoginRequest{Username: l.Username, Password: l.Password, Kind: accounts.KindBearer})
		if err != nil {
			return err
		}
		defer a.accounts.Logout(ctx, res.Token)
		ids[l.Username] = res.Principal.UserID
		if l.Username == "demo-admin" {
			admin = res.Principal
		}
	}
	if admin.UserID == 0 {
		return nil
	}
	rep, err := a.experts.SeedDemo(ctx, admin, DemoExperts)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out, "demo expert pool: %d experts added, %d updated\n", rep.Created, rep.Updated)
	if err := e.seedDemoCommittee(ctx, a, admin, logins, ids); err != nil {
		return err
	}
	_, err = a.eval.CreateRoom(ctx, admin, evaluation.NewRoom{Name: "第一评标室（演示）", Location: "省公共资源交易中心 5 楼",
		Networks: []string{"127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}})
	return err
}

// seedDemoCommittee puts the demo expert accounts in the pool, one per
// employer, linked to their accounts.
func (e *env) seedDemoCommittee(ctx context.Context, a *app, admin accounts.Principal, logins []accounts.DemoLogin, ids map[string]int64) error {
	base := experts.DemoPool(7, 7)
	n := 0
	for _, l := range logins {
		if !strings.HasPrefix(l.Username, "demo-expert") || n >= len(base) {
			continue
		}
		x := base[n]
		x.Name = strings.TrimSuffix(l.DisplayName, "（专家）")
		x.IDNumber = experts.DemoIDNumber(9_000_000 + int64(n))
		x.Specialties, x.Category = []string{DemoCommitteeSpecialty}, experts.Technical
		if n == 6 {
			x.Category = experts.Economic
		}
		x.EmployerName, x.EmployerUSCC = experts.DemoEmployer(90_000 + n)
		created, err := a.experts.Create(ctx, admin, x)
		if err != nil {
			return err
		}
		if _, err := a.experts.LinkAccount(ctx, admin, created.ID, ids[l.Username]); err != nil {
			return err
		}
		n++
	}
	fmt.Fprintf(e.out, "demo committee: %d experts with accounts under specialty %s (draw for it to evaluate in the browser)\n", n, DemoCommitteeSpecialty)
	return nil
}
