package main

import (
	"context"
	"fmt"

	"github.com/tenderhall/tenderhall/accounts"
)

// DemoExperts is the size of the demo expert pool (issue 6: at least 2,000).
const DemoExperts = 2400

// seedDemoExperts imports the deterministic demo pool as the demo
// administrator. A second run updates the same experts and adds nobody.
func (e *env) seedDemoExperts(ctx context.Context, a *app, logins []accounts.DemoLogin) error {
	for _, l := range logins {
		if l.Username != "demo-admin" {
			continue
		}
		res, err := a.accounts.Login(ctx, accounts.LoginRequest{Username: l.Username, Password: l.Password, Kind: accounts.KindBearer})
		if err != nil {
			return err
		}
		defer a.accounts.Logout(ctx, res.Token)
		rep, err := a.experts.SeedDemo(ctx, res.Principal, DemoExperts)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.out, "demo expert pool: %d experts added, %d updated\n", rep.Created, rep.Updated)
		return nil
	}
	return nil
}
