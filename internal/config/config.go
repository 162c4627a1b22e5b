// Package config holds the one configuration struct of the platform and
// loads it from, in increasing precedence: defaults, an optional YAML file,
// TENDERHALL_* environment variables, and command-line flags. With nothing
// configured, the platform runs on its embedded default: SQLite and blobs
// under ./data, jobs in-process, listening on 127.0.0.1:8080.
package config

import (
	"path/filepath"
	"time"
)

// Config is the effective configuration.
type Config struct {
	Addr      string // HOST:PORT to listen on
	DataDir   string // directory for the embedded database, blobs and keys
	PublicURL string // external base URL, for links and presigned URLs; default http://Addr
	Demo      bool   // seed demo organisations and users at start
	// DemoCameras, with Demo, films every demo room with a simulated
	// camera (an ffmpeg test pattern) when ffmpeg is on PATH.
	DemoCameras bool
	// Environment marks a deployment: "development" (the default) or
	// "production". A production configuration refuses the sandbox.
	Environment string
	// Sandbox runs the server as a sandbox (测试环境, package sandbox): its
	// clock can be moved forward and everything it publishes is marked as
	// a test. A database once served as one mode refuses the other.
	Sandbox   bool
	LogLevel  string // debug, info, warn, error
	LogFormat string // json or text

	DatabaseDSN string // "sqlite:PATH" or "mysql:DSN"; default sqlite:DataDir/tenderhall.db
	AutoMigrate bool   // apply migrations at start (default on for SQLite)

	BlobKind       string // fs or minio
	BlobDir        string // for fs; default DataDir/blobs
	MinIOEndpoint  string // host:port
	MinIOAccessKey string
	MinIOSecretKey string // secret
	MinIOBucket    string
	MinIOUseSSL    bool

	JobsKind      string // embedded or asynq
	RedisAddr     string // host:port for asynq
	RedisPassword string // secret
	RedisDB       int

	FieldKeyHex    string        // secret: 32 hex chars; default a key file generated under DataDir
	PlatformKey    string        // path of the platform's SM2 signing key (PEM); default DataDir/keys/platform.key
	SessionIdle    time.Duration // browser session idle timeout
	SessionMax     time.Duration // browser session absolute lifetime
	MaxBodyBytes   int64         // request body limit for JSON routes
	ShutdownGrace  time.Duration // time given to requests and jobs at shutdown
	TrustedProxies []string      // addresses whose X-Forwarded-For is believed

	// Phone and SMS gateway (internal/notify). Only the simulated carrier
	// exists so far; a real carrier adds its own name and settings here.
	NotifyCarrier          string // "simulator"
	NotifyCallbackSecret   string // secret: HMAC key carrier callbacks are signed with; ≥ 32 bytes when set
	NotifyCallbackURL      string // where the simulator POSTs callbacks; empty: delivered in-process
	NotifySimulatorProfile string // the simulator's callee behaviour, notify.ParseProfile syntax; empty: its default

	// SupervisionRulesFile is a YAML file of supervision thresholds
	// (package supervision, ParseRules); empty: the rulebook's defaults.
	SupervisionRulesFile string
}

// Defaults returns the embedded-default configuration.
func Defaults() Config {
	return Config{
		Addr:          "127.0.0.1:8080",
		DataDir:       "./data",
		Environment:   "development",
		LogLevel:      "info",
		LogFormat:     "json",
		BlobKind:      "fs",
		MinIOBucket:   "tenderhall",
		JobsKind:      "embedded",
		SessionIdle:   12 * time.Hour,
		SessionMax:    7 * 24 * time.Hour,
		MaxBodyBytes:  1 << 20,
		ShutdownGrace: 20 * time.Second,
		NotifyCarrier: "simulator",
		DemoCameras:   true,
	}
}

// finish fills the settings that default from others.
func (c *Config) finish() {
	if c.DatabaseDSN == "" {
		c.DatabaseDSN = "sqlite:" + filepath.Join(c.DataDir, "tenderhall.db")
		c.AutoMigrate = true
	}
	if c.BlobDir == "" {
		c.BlobDir = filepath.Join(c.DataDir, "blobs")
	}
	if c.PlatformKey == "" {
		c.PlatformKey = filepath.Join(c.DataDir, "keys", "platform.key")
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
}

// Embedded reports whether the configuration runs entirely in-process
// (SQLite, local blobs, embedded jobs).
func (c Config) Embedded() bool {
	return len(c.DatabaseDSN) > 7 && c.DatabaseDSN[:7] == "sqlite:" && c.BlobKind == "fs" && c.JobsKind == "embedded"
}

// FieldKeyFile is where the embedded default keeps its generated field key.
func (c Config) FieldKeyFile() string { return filepath.Join(c.DataDir, "keys", "field.key") }
