package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/calendar"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/config"
	"github.com/tenderhall/tenderhall/storage"
)

func (e *env) migrateCmd() *cobra.Command {
	var status bool
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply the database migrations this binary carries",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withApp(cmd, nil, func(ctx context.Context, a *app) error {
				if err := a.db.Ping(ctx); err != nil {
					return err
				}
				if status {
					return e.migrationStatus(ctx, a)
				}
				applied, err := a.db.Migrate(ctx)
				for _, v := range applied {
					fmt.Fprintf(e.out, "applied migration %04d\n", v)
				}
				if err == nil && len(applied) == 0 {
					fmt.Fprintln(e.out, "database is up to date")
				}
				return err
			})
		},
	}
	cmd.Flags().BoolVar(&status, "status", false, "list migrations and whether each is applied, without applying")
	return cmd
}

func (e *env) migrationStatus(ctx context.Context, a *app) error {
	pending, err := a.db.Pending(ctx)
	if err != nil {
		return err
	}
	todo := map[int]bool{}
	for _, m := range pending {
		todo[m.Version] = true
	}
	all, err := storage.Migrations()
	if err != nil {
		return err
	}
	for _, m := range all {
		state := "applied"
		if todo[m.Version] {
			state = "pending"
		}
		fmt.Fprintf(e.out, "%04d_%s\t%s\n", m.Version, m.Name, state)
	}
	return nil
}

func (e *env) workerCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "worker",
		Short: "Run background jobs only (no HTTP)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withApp(cmd, nil, func(ctx context.Context, a *app) error { return e.work(ctx, a) })
		},
	}
}

// work runs the job worker once the database is up and migrated.
func (e *env) work(ctx context.Context, a *app) error {
	if err := retry(ctx, a, "database", a.db.Ping); err != nil {
		return err
	}
	if err := retry(ctx, a, "migrations", a.checkMigrated); err != nil {
		return err
	}
	if err := retry(ctx, a, "platform mode", a.claimMode); err != nil {
		return err
	}
	q, err := a.newQueue()
	if err != nil {
		return err
	}
	defer q.Close()
	a.registerJobs(q)
	a.log.Info("worker running", "jobs", a.cfg.JobsKind)
	err = q.Run(ctx)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func (e *env) demoCmd() *cobra.Command {
	demo := &cobra.Command{Use: "demo", Short: "Demonstration data"}
	demo.AddCommand(&cobra.Command{
		Use:   "seed",
		Short: "Create demo organisations and users for every role and print their logins",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			demoOn := func(c *config.Config) { c.Demo = true }
			return e.withApp(cmd, demoOn, func(ctx context.Context, a *app) error {
				if err := a.migrateIfAuto(ctx); err != nil {
					return err
				}
				return e.seedDemo(ctx, a)
			})
		},
	})
	demo.AddCommand(e.demoPlayCmd())
	return demo
}

// announceSetup prints a one-time setup token when no administrator exists.
// It goes to standard output for the operator, never to the log.
func (e *env) announceSetup(ctx context.Context, a *app) error {
	has, err := a.accounts.HasAdmin(ctx)
	if err != nil || has {
		return err
	}
	token, err := a.accounts.CreateSetupToken(ctx, 24*time.Hour)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out, "\nNo administrator yet. Create one within 24 hours: POST %s/api/v1/setup with this one-time token:\n\n    %s\n\n", a.cfg.PublicURL, token)
	a.log.Info("one-time setup token printed on standard output")
	return nil
}

// seedDemo creates the demo accounts when asked for and prints their logins.
func (e *env) seedDemo(ctx context.Context, a *app) error {
	if !a.cfg.Demo {
		return nil
	}
	logins, err := a.accounts.SeedDemo(ctx)
	if ae, ok := apperr.As(err); ok && ae.Code == "demo_seeded" {
		fmt.Fprintln(e.out, "demo data already present; its passwords were printed when it was created")
		return nil
	}
	if err != nil {
		return err
	}
	if err := e.seedDemoCalendar(ctx, a, logins); err != nil {
		return err
	}
	if err := e.seedDemoExperts(ctx, a, logins); err != nil {
		return err
	}
	if err := e.seedDemoProjects(ctx, a, logins); err != nil {
		return err
	}
	if err := e.seedDemoApproval(ctx, a, logins); err != nil {
		return err
	}
	fmt.Fprintln(e.out, "\nDemo logins (演示账号) — generated for this data directory, shown once:")
	for _, l := range logins {
		fmt.Fprintf(e.out, "  %-11s %-18s %s   %s %s\n", fmt.Sprint(l.Roles), l.Username, l.Password, l.DisplayName, l.Org)
	}
	fmt.Fprintln(e.out)
	return nil
}

// seedDemoCalendar loads the 2026 national holiday schedule as the demo
// administrator, so that deadlines in the demo count working days properly.
func (e *env) seedDemoCalendar(ctx context.Context, a *app, logins []accounts.DemoLogin) error {
	for _, l := range logins {
		if l.Username != "demo-admin" {
			continue
		}
		res, err := a.accounts.Login(ctx, accounts.LoginRequest{Username: l.Username, Password: l.Password, Kind: accounts.KindBearer})
		if err != nil {
			return err
		}
		defer a.accounts.Logout(ctx, res.Token)
		return a.calendar.SetYear(ctx, res.Principal, 2026, calendar.Builtin2026())
	}
	return nil
}
