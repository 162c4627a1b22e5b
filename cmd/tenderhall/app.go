package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/approval"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/calendar"
	"github.com/tenderhall/tenderhall/evaluation"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/experts"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/config"
	"github.com/tenderhall/tenderhall/internal/jobs"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/sandbox"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/supervision"
	"github.com/tenderhall/tenderhall/video"
)

// app is the wired platform: every service built from one configuration.
type app struct {
	cfg      config.Config
	log      *slog.Logger
	clock    clock.Clock
	db       *storage.DB
	blobs    storage.Blobs
	minio    *storage.MinIO // set when blobs.kind is minio, for bucket creation at start
	fieldKey []byte
	events   *eventlog.Service
	tree     *eventlog.Tree // the transparency log over events, signed with the platform key
	accounts *accounts.Service
	calendar *calendar.Service
	approval *approval.Service
	bidding  *bidding.Service
	experts  *experts.Service     // the expert pool and draws (issue 6)
	eval     *evaluation.Service  // evaluation and award (issue 7)
	carrier  *carrier             // the call campaign's phone and SMS gateway (carrier.go)
	sandbox  *sandbox.Service     // the database's mode and, in a sandbox, the clock's jumps
	super    *supervision.Service // electronic supervision (issue 16)
	video    *video.Service       // the video index (issue 17)
}

// withApp loads the configuration for cmd (adjusted by adjust, if given),
// builds the app, runs fn with it and closes it.
func (e *env) withApp(cmd *cobra.Command, adjust func(*config.Config), fn func(context.Context, *app) error) error {
	cfg, _, err := e.load(cmd)
	if err != nil {
		return err
	}
	if adjust != nil {
		adjust(&cfg)
	}
	a, err := e.openApp(cmd.Context(), cfg)
	if err != nil {
		return err
	}
	defer a.close()
	return fn(cmd.Context(), a)
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// openApp builds the services. It does not need the database or MinIO to be
// up: connections are made lazily and startup() waits for them, so that a
// server started before its database reports "not ready" instead of dying.
func (e *env) openApp(ctx context.Context, cfg config.Config) (*app, error) {
	a := &app{cfg: cfg, log: newLogger(cfg, e.errOut), clock: clock.System{}}
	var shifted *clock.Shifted
	if cfg.Sandbox {
		// Every service reads this one clock, so a jump moves them together.
		shifted = clock.NewShifted(clock.System{}, 0)
		a.clock = shifted
	}
	key, err := loadFieldKey(cfg)
	if err != nil {
		return nil, err
	}
	a.fieldKey = key
	fields, err := notary.NewFieldCipher(key)
	if err != nil {
		return nil, err
	}
	if a.db, err = storage.Open(ctx, cfg.DatabaseDSN); err != nil {
		return nil, err
	}
	if err := a.openBlobs(); err != nil {
		a.db.Close()
		return nil, err
	}
	a.events = eventlog.New(a.db, a.clock)
	a.sandbox = sandbox.New(a.db, a.events, shifted, a.log)
	pk, err := notary.LoadOrCreatePlatformKey(cfg.PlatformKey, nil)
	if err != nil {
		a.db.Close()
		return nil, err
	}
	a.tree = a.events.Tree(pk)
	opts := accounts.DefaultOptions()
	opts.BrowserIdle, opts.BrowserLifetime = cfg.SessionIdle, cfg.SessionMax
	a.accounts = accounts.New(a.db, a.events, a.clock, fields, opts)
	a.calendar = calendar.New(a.db, a.events, a.clock)
	// The queue is built once the database is up; Register hands it over.
	a.bidding = bidding.New(a.db, a.events, a.clock, nil, a.calendar.Calendar)
	a.bidding.SetDocumentBlobs(a.blobs)
	a.bidding.SetBlobs(a.blobs)
	a.bidding.SetPlatformKey(pk)     // receipts are signed with the key that signs tree heads
	a.bidding.SetFieldCipher(fields) // bid forms stay encrypted at rest until the decryption window closes
	a.bidding.SetSandbox(cfg.Sandbox)
	// Experts: ID numbers, phones, draw secrets and results sealed with the field key; draws bound to heads the platform key signs.
	a.experts = experts.New(a.db, a.events, a.tree, a.clock, fields, a.derive("experts"), a.bidding)
	a.eval = evaluation.New(a.db, a.events, a.clock, a.bidding, a.experts, a.accounts, a.calendar.Calendar)
	a.eval.SetBlobs(a.blobs)
	a.eval.SetPlatformKey(pk) // award notices are signed with the platform key
	// Approval: applicants' ID numbers and USCCs sealed with the field key; materials in the blob store.
	a.approval = approval.New(a.db, a.events, a.clock, a.calendar.Calendar, fields, a.blobs)
	a.approval.SetPublicURL(a.cfg.PublicURL)
	rules, err := supervision.LoadRules(cfg.SupervisionRulesFile)
	if err != nil {
		a.db.Close()
		return nil, &config.Error{Key: "supervision.rules_file", Source: cfg.SupervisionRulesFile, Msg: err.Error()}
	}
	a.super = supervision.New(a.db, a.events, a.clock, a.calendar.Calendar, rules)
	a.video = video.New(a.db, a.events, a.blobs, a.clock)
	a.video.SetEvalRooms(func(ctx context.Context, id int64) error { _, err := a.eval.Room(ctx, id); return err })
	a.super.SetProcedure(supervision.Procedure{Suspend: a.bidding.Suspend, Resume: a.bidding.Resume})
	a.super.SetBidReader(supervision.BidReader{Open: a.bidding.OpenBid, Fingerprint: a.bidding.OpenedBidFingerprint}, fields, a.derive("supervision-values"))
	if err := a.openCarrier(); err != nil {
		a.db.Close()
		return nil, err
	}
	return a, nil
}

func (a *app) openBlobs() error {
	if a.cfg.BlobKind == "minio" {
		m, err := storage.NewMinIOClient(storage.MinIOConfig{Endpoint: a.cfg.MinIOEndpoint, AccessKey: a.cfg.MinIOAccessKey,
			SecretKey: a.cfg.MinIOSecretKey, Bucket: a.cfg.MinIOBucket, UseSSL: a.cfg.MinIOUseSSL})
		a.blobs, a.minio = m, m
		return err
	}
	fs, err := storage.NewFS(a.cfg.BlobDir, storage.PresignConfig{BaseURL: a.cfg.PublicURL, Secret: a.derive("presign")})
	a.blobs = fs
	return err
}

// derive makes a purpose-specific secret from the field key, so replicas
// sharing the configured key agree on it without another setting.
func (a *app) derive(purpose string) []byte {
	m := hmac.New(sha256.New, a.fieldKey)
	m.Write([]byte("tenderhall/" + purpose + "/v1"))
	return m.Sum(nil)
}

// newQueue builds the configured job queue. The embedded queue keeps its
// table in the platform database, so it needs the database to be up.
func (a *app) newQueue() (jobs.Queue, error) {
	opts := jobs.Options{Logger: a.log, Clock: a.clock, ShutdownTimeout: a.cfg.ShutdownGrace}
	if a.cfg.JobsKind == "asynq" {
		return jobs.NewAsynq(jobs.RedisConfig{Addr: a.cfg.RedisAddr, Password: a.cfg.RedisPassword, DB: a.cfg.RedisDB},
			jobs.AsynqOptions{Options: opts})
	}
	return jobs.NewEmbedded(a.db.SQL(), string(a.db.Dialect()), jobs.EmbeddedOptions{Options: opts})
}

// registerJobs adds the platform's handlers and periodic tasks; call it
// before the queue runs.
func (a *app) registerJobs(q jobs.Queue) {
	// Sign a tree head when the log grew, and daily in any case, so that
	// verifiers always find a recent signed size to check against.
	q.Handle(eventlog.HeadTask, a.tree.HeadHandler(24*time.Hour))
	q.Every("log-head", 10*time.Minute, jobs.Task{Type: eventlog.HeadTask})
	a.bidding.Register(q)
	a.bidding.RegisterUploads(q)
	a.experts.Register(q)
	a.eval.Register(q)
	a.super.Register(q)
	a.video.Register(q)
	a.sandbox.OnAdvance(func(ctx context.Context, d time.Duration) error { _, err := jobs.Shift(ctx, q, d); return err },
		sandbox.Sweep{Name: "bidding", Run: func(ctx context.Context) error { _, err := a.bidding.Sweep(ctx); return err }},
		sandbox.Sweep{Name: "experts", Run: a.experts.Sweep}, sandbox.Sweep{Name: "evaluation", Run: a.eval.Sweep},
		sandbox.Sweep{Name: "video", Run: a.video.CheckCoverage},
		sandbox.Sweep{Name: "supervision", Run: func(ctx context.Context) error {
			if _, err := a.super.Consume(ctx); err != nil {
				return err
			}
			return a.super.Sweep(ctx)
		}})
	if a.carrier.sim == nil {
		// The settings were checked by openCarrier, so this cannot fail
		// on them; the campaign's call tasks wait (and retry) without it.
		if err := a.startCarrier(); err != nil {
			a.log.Error("the simulated carrier did not start; expert calls wait", "err", err)
		}
	}
}

func (a *app) close() {
	if a.carrier != nil && a.carrier.sim != nil {
		a.carrier.sim.Close()
	}
	if a.db != nil {
		a.db.Close()
	}
}

// loadFieldKey returns the configured SM4 key for personal data at rest, or
// on the embedded default the key kept in DATA/keys/field.key, generating
// it (mode 0600) on first start. The key is never printed or logged.
func loadFieldKey(cfg config.Config) ([]byte, error) {
	if cfg.FieldKeyHex != "" {
		return hex.DecodeString(cfg.FieldKeyHex)
	}
	path := cfg.FieldKeyFile()
	b, err := os.ReadFile(path)
	if err == nil {
		key, derr := hex.DecodeString(strings.TrimSpace(string(b)))
		if derr != nil || len(key) != notary.FieldKeySize {
			return nil, &config.Error{Key: "security.field_key", Source: path, Msg: "the key file is corrupt; restore it from backup"}
		}
		return key, nil
	}
	if !os.IsNotExist(err) {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	key := make([]byte, notary.FieldKeySize)
	rand.Read(key)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, err
	}
	return key, nil
}
