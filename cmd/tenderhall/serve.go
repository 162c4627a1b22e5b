package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/jobs"
	"github.com/tenderhall/tenderhall/web"
)

func (e *env) serveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the API, web UI, job worker and scheduler",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withApp(cmd, nil, e.serve)
		},
	}
	addServeFlags(cmd)
	return cmd
}

// serve listens first and starts the rest in the background, so that a
// database or Redis that is down at start shows as a failing /readyz and a
// retrying log line rather than a crash.
func (e *env) serve(ctx context.Context, a *app) error {
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.cfg.Addr, err)
	}
	var queue atomic.Pointer[jobs.Queue]
	var started atomic.Bool
	srv := api.New(api.Deps{
		Log: a.log, Clock: a.clock, Accounts: a.accounts, Events: a.events, Tree: a.tree, Blobs: a.blobs, Calendar: a.calendar,
		Bidding:           a.bidding,
		Experts:           a.experts,
		Sandbox:           a.sandbox,
		Web:               web.Assets(),
		Evaluation:        a.eval,
		Approval:          a.approval,
		Supervision:       a.super,
		Video:             a.video,
		SetCarrierProfile: a.setCarrierProfile,
		MaxBodyBytes:      a.cfg.MaxBodyBytes, TrustedProxies: a.cfg.TrustedProxies, Version: version,
		SecureCookies: len(a.cfg.PublicURL) > 5 && a.cfg.PublicURL[:5] == "https",
		Ready:         readyChecks(a, &queue, &started),
	})
	httpSrv := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	served := make(chan error, 1)
	go func() { served <- httpSrv.Serve(ln) }()
	fmt.Fprintf(e.out, "TenderHall %s serving at http://%s (public URL %s)\n", version, ln.Addr(), a.cfg.PublicURL)
	a.log.Info("listening", "addr", ln.Addr().String(), "embedded", a.cfg.Embedded())

	workerDone := make(chan error, 1)
	var cams atomic.Pointer[demoCameras]
	self := "http://" + ln.Addr().String()
	go func() { workerDone <- e.startup(ctx, a, &queue, &started, self, &cams) }()

	var fatal error
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	case fatal = <-workerDone:
		// startup gives up only on an error no retry can mend.
		workerDone <- nil
	}
	a.log.Info("shutting down", "grace", a.cfg.ShutdownGrace.String())
	shutCtx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownGrace)
	defer cancel()
	// The demo's cameras deliver their last segments while the server
	// still answers: they stop before it does.
	cams.Load().stop(a.cfg.ShutdownGrace / 2)
	err = httpSrv.Shutdown(shutCtx)
	if werr := <-workerDone; werr != nil && !errors.Is(werr, context.Canceled) {
		a.log.Error("worker stopped with an error", "err", werr.Error())
	}
	if fatal != nil {
		return fatal
	}
	return err
}

// startup waits for each dependency in turn, retrying with a capped backoff
// and naming the one it waits for, then prepares the database and runs the
// job worker until ctx ends.
func (e *env) startup(ctx context.Context, a *app, queue *atomic.Pointer[jobs.Queue], started *atomic.Bool,
	self string, cams *atomic.Pointer[demoCameras]) error {
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"database", a.db.Ping},
		{"migrations", func(ctx context.Context) error { return a.migrateIfAuto(ctx) }},
		{"platform mode", a.claimMode},
		{"event log tree", func(ctx context.Context) error { _, err := a.events.Backfill(ctx, 1000); return err }},
		{"blob store", a.ensureBlobs},
		{"job queue", func(ctx context.Context) error {
			q, err := a.newQueue()
			if err == nil {
				err = q.Ping(ctx)
			}
			if err == nil {
				a.registerJobs(q)
			}
			if err == nil {
				queue.Store(&q)
			}
			return err
		}},
		{"demo data", func(ctx context.Context) error { return e.seedDemo(ctx, a) }},
		{"first administrator", func(ctx context.Context) error { return e.announceSetup(ctx, a) }},
		// A fresh server, or one whose log grew while it was down, has a
		// signed head to verify against at once, not after the next tick.
		{"tree head", func(ctx context.Context) error { _, _, err := a.tree.SignHeadIfBehind(ctx); return err }},
	}
	for _, s := range steps {
		if err := retry(ctx, a, s.name, s.fn); err != nil {
			return err
		}
	}
	started.Store(true)
	a.log.Info("ready")
	if err := retry(ctx, a, "demo cameras", func(ctx context.Context) error {
		d, err := e.startDemoCameras(ctx, a, self)
		cams.Store(d)
		return err
	}); err != nil {
		return err
	}
	q := *queue.Load()
	defer q.Close()
	return q.Run(ctx)
}

func retry(ctx context.Context, a *app, name string, fn func(context.Context) error) error {
	wait := 500 * time.Millisecond
	for {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if fatalStartup(err) {
			a.log.Error("startup step failed; stopping", "step", name, "err", err.Error())
			return err
		}
		if !apperr.Is(err, apperr.Unavailable) {
			a.log.Error("startup step failed", "step", name, "err", err.Error())
		} else {
			a.log.Warn("dependency unavailable, retrying", "step", name, "retry_in", wait.String(), "err", err.Error())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, 15*time.Second)
	}
}

func readyChecks(a *app, queue *atomic.Pointer[jobs.Queue], started *atomic.Bool) []api.ReadyCheck {
	return []api.ReadyCheck{
		{Name: "database", Check: a.db.Ping},
		{Name: "blobs", Check: a.blobs.Ping},
		{Name: "queue", Check: func(ctx context.Context) error {
			q := queue.Load()
			if q == nil {
				return apperr.New(apperr.Unavailable, "任务队列尚未启动", "job queue not started yet")
			}
			return (*q).Ping(ctx)
		}},
		{Name: "startup", Check: func(context.Context) error {
			if !started.Load() {
				return apperr.New(apperr.Unavailable, "正在启动", "still starting")
			}
			return nil
		}},
	}
}

func (a *app) migrateIfAuto(ctx context.Context) error {
	if !a.cfg.AutoMigrate {
		return a.checkMigrated(ctx)
	}
	applied, err := a.db.Migrate(ctx)
	if len(applied) > 0 {
		a.log.Info("migrations applied", "versions", fmt.Sprint(applied))
	}
	return err
}

// checkMigrated refuses to serve a database that `tenderhall migrate` has
// not brought up to this binary's schema.
func (a *app) checkMigrated(ctx context.Context) error {
	pending, err := a.db.Pending(ctx)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return apperr.Newf(apperr.Unavailable, "数据库有 %d 个迁移未应用：请运行 tenderhall migrate",
			"%d migrations are not applied: run `tenderhall migrate`", len(pending))
	}
	return nil
}

func (a *app) ensureBlobs(ctx context.Context) error {
	if a.minio != nil {
		return a.minio.EnsureBucket(ctx)
	}
	return a.blobs.Ping(ctx)
}

// fatalStartup reports errors no retry can mend: a database claimed for the
// other mode (live or sandbox).
func fatalStartup(err error) bool {
	e, ok := apperr.As(err)
	return ok && e.Code == "mode_mismatch"
}

// claimMode fixes or checks the database's mode and, in a sandbox, starts
// following the stored clock offset that any replica may move.
func (a *app) claimMode(ctx context.Context) error {
	if err := a.sandbox.Claim(ctx); err != nil {
		return err
	}
	if a.sandbox.Enabled() {
		go a.sandbox.Follow(ctx, time.Second)
		a.log.Warn("running as a sandbox (测试环境): the clock can be moved forward; nothing here has legal effect")
	}
	return nil
}
