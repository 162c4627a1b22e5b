package config

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// setting describes one configuration key: its YAML name, its environment
// variable, whether it is secret, and how to parse it into the struct.
type setting struct {
	Key    string // dotted YAML key, e.g. "minio.secret_key"
	Secret bool
	Usage  string
	set    func(c *Config, v string) error
	get    func(c *Config) string
}

// Env returns the environment variable of the setting.
func (s setting) Env() string {
	return "TENDERHALL_" + strings.ToUpper(strings.NewReplacer(".", "_").Replace(s.Key))
}

func str(key, usage string, p func(*Config) *string, secret bool) setting {
	return setting{Key: key, Usage: usage, Secret: secret,
		set: func(c *Config, v string) error { *p(c) = v; return nil },
		get: func(c *Config) string { return *p(c) }}
}

func boolean(key, usage string, p func(*Config) *bool) setting {
	return setting{Key: key, Usage: usage,
		set: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%q is not true or false", v)
			}
			*p(c) = b
			return nil
		},
		get: func(c *Config) string { return strconv.FormatBool(*p(c)) }}
}

func integer(key, usage string, p func(*Config) *int64) setting {
	return setting{Key: key, Usage: usage,
		set: func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return fmt.Errorf("%q is not a non-negative integer", v)
			}
			*p(c) = n
			return nil
		},
		get: func(c *Config) string { return strconv.FormatInt(*p(c), 10) }}
}

func duration(key, usage string, p func(*Config) *time.Duration) setting {
	return setting{Key: key, Usage: usage,
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("%q is not a positive duration such as 30s or 12h", v)
			}
			*p(c) = d
			return nil
		},
		get: func(c *Config) string { return p(c).String() }}
}

// settings is the table of every configuration key.
var settings = []setting{
	str("addr", "HOST:PORT to listen on", func(c *Config) *string { return &c.Addr }, false),
	str("data", "data directory of the embedded default", func(c *Config) *string { return &c.DataDir }, false),
	str("public_url", "external base URL", func(c *Config) *string { return &c.PublicURL }, false),
	boolean("demo", "seed demo organisations and users", func(c *Config) *bool { return &c.Demo }),
	boolean("demo.cameras", "with demo: film every demo room with a simulated camera (needs ffmpeg)", func(c *Config) *bool { return &c.DemoCameras }),
	str("environment", "development or production; production refuses the sandbox", func(c *Config) *string { return &c.Environment }, false),
	boolean("sandbox", "run as a sandbox (测试环境): the clock can be moved forward, everything is marked as a test",
		func(c *Config) *bool { return &c.Sandbox }),
	str("log.level", "debug, info, warn or error", func(c *Config) *string { return &c.LogLevel }, false),
	str("log.format", "json or text", func(c *Config) *string { return &c.LogFormat }, false),
	str("database.dsn", "sqlite:PATH or mysql:USER:PASS@tcp(HOST:PORT)/DB", func(c *Config) *string { return &c.DatabaseDSN }, true),
	boolean("database.auto_migrate", "apply migrations at start", func(c *Config) *bool { return &c.AutoMigrate }),
	str("blobs.kind", "fs or minio", func(c *Config) *string { return &c.BlobKind }, false),
	str("blobs.dir", "directory of the fs blob store", func(c *Config) *string { return &c.BlobDir }, false),
	str("minio.endpoint", "MinIO HOST:PORT", func(c *Config) *string { return &c.MinIOEndpoint }, false),
	str("minio.access_key", "MinIO access key", func(c *Config) *string { return &c.MinIOAccessKey }, false),
	str("minio.secret_key", "MinIO secret key", func(c *Config) *string { return &c.MinIOSecretKey }, true),
	str("minio.bucket", "MinIO bucket", func(c *Config) *string { return &c.MinIOBucket }, false),
	boolean("minio.use_ssl", "connect to MinIO over TLS", func(c *Config) *bool { return &c.MinIOUseSSL }),
	str("jobs.kind", "embedded or asynq", func(c *Config) *string { return &c.JobsKind }, false),
	str("redis.addr", "Redis HOST:PORT for asynq", func(c *Config) *string { return &c.RedisAddr }, false),
	str("redis.password", "Redis password", func(c *Config) *string { return &c.RedisPassword }, true),
	{Key: "redis.db", Usage: "Redis database number",
		set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 15 {
				return fmt.Errorf("%q is not a Redis database number 0-15", v)
			}
			c.RedisDB = n
			return nil
		},
		get: func(c *Config) string { return strconv.Itoa(c.RedisDB) }},
	str("security.field_key", "32 hex characters: SM4 key for personal data at rest", func(c *Config) *string { return &c.FieldKeyHex }, true),
	str("security.platform_key", "path of the platform SM2 signing key; generated there on first start",
		func(c *Config) *string { return &c.PlatformKey }, false),
	duration("security.session_idle", "browser session idle timeout", func(c *Config) *time.Duration { return &c.SessionIdle }),
	duration("security.session_max", "browser session absolute lifetime", func(c *Config) *time.Duration { return &c.SessionMax }),
	integer("http.max_body_bytes", "request body limit for JSON routes", func(c *Config) *int64 { return &c.MaxBodyBytes }),
	duration("shutdown_grace", "time given to requests and jobs at shutdown", func(c *Config) *time.Duration { return &c.ShutdownGrace }),
	{Key: "http.trusted_proxies", Usage: "comma-separated proxy addresses whose X-Forwarded-For is trusted",
		set: func(c *Config, v string) error {
			c.TrustedProxies = nil
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					c.TrustedProxies = append(c.TrustedProxies, p)
				}
			}
			return nil
		},
		get: func(c *Config) string { return strings.Join(c.TrustedProxies, ",") }},
	str("notify.carrier", "phone and SMS carrier: simulator", func(c *Config) *string { return &c.NotifyCarrier }, false),
	str("notify.callback_secret", "HMAC secret (at least 32 bytes) that carrier callbacks are signed with",
		func(c *Config) *string { return &c.NotifyCallbackSecret }, true),
	str("notify.callback_url", "URL the simulated carrier POSTs its callbacks to; empty: in-process",
		func(c *Config) *string { return &c.NotifyCallbackURL }, false),
	str("notify.simulator.profile", "simulated callees, e.g. accept=0.7,decline=0.1,busy=0.05,ring=4s,seed=1",
		func(c *Config) *string { return &c.NotifySimulatorProfile }, false),
	str("supervision.rules_file", "YAML file of supervision thresholds (lights, warning answers, rule limits); empty: the defaults",
		func(c *Config) *string { return &c.SupervisionRulesFile }, false),
}

func lookup(key string) (setting, bool) {
	for _, s := range settings {
		if s.Key == key {
			return s, true
		}
	}
	return setting{}, false
}

// validate checks the finished configuration and names the first bad setting.
func (c *Config) validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return &Error{Key: "addr", Msg: fmt.Sprintf("%q is not HOST:PORT", c.Addr)}
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &Error{Key: "public_url", Msg: fmt.Sprintf("%q is not an http(s) URL", c.PublicURL)}
	}
	checks := []struct {
		key string
		ok  bool
		msg string
	}{
		{"environment", oneOf(c.Environment, "development", "production"), fmt.Sprintf("%q is not development or production", c.Environment)},
		{"sandbox", !c.Sandbox || c.Environment != "production", "a production configuration cannot run as a sandbox"},
		{"database.dsn", strings.HasPrefix(c.DatabaseDSN, "sqlite:") || strings.HasPrefix(c.DatabaseDSN, "mysql:"), "must start with sqlite: or mysql:"},
		{"blobs.kind", c.BlobKind == "fs" || c.BlobKind == "minio", fmt.Sprintf("%q is not fs or minio", c.BlobKind)},
		{"minio.endpoint", c.BlobKind != "minio" || c.MinIOEndpoint != "", "is required when blobs.kind is minio"},
		{"minio.bucket", c.BlobKind != "minio" || c.MinIOBucket != "", "is required when blobs.kind is minio"},
		{"jobs.kind", c.JobsKind == "embedded" || c.JobsKind == "asynq", fmt.Sprintf("%q is not embedded or asynq", c.JobsKind)},
		{"redis.addr", c.JobsKind != "asynq" || c.RedisAddr != "", "is required when jobs.kind is asynq"},
		{"log.level", oneOf(c.LogLevel, "debug", "info", "warn", "error"), fmt.Sprintf("%q is not debug, info, warn or error", c.LogLevel)},
		{"log.format", oneOf(c.LogFormat, "json", "text"), fmt.Sprintf("%q is not json or text", c.LogFormat)},
		{"security.field_key", c.FieldKeyHex == "" || isHex(c.FieldKeyHex, 32), "must be 32 hexadecimal characters"},
		{"security.field_key", c.FieldKeyHex != "" || strings.HasPrefix(c.DatabaseDSN, "sqlite:"),
			"is required with a MySQL database: every replica must share the key that encrypts personal data"},
		{"http.max_body_bytes", c.MaxBodyBytes >= 1024, "must be at least 1024"},
		{"notify.carrier", c.NotifyCarrier == "simulator", fmt.Sprintf("%q is not a known carrier (simulator)", c.NotifyCarrier)},
		{"notify.callback_secret", c.NotifyCallbackSecret == "" || len(c.NotifyCallbackSecret) >= 32, "must be at least 32 bytes"},
		{"notify.callback_url", c.NotifyCallbackURL == "" || isHTTPURL(c.NotifyCallbackURL), "must be an http(s) URL"},
	}
	for _, ch := range checks {
		if !ch.ok {
			return &Error{Key: ch.key, Msg: ch.msg}
		}
	}
	return nil
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func oneOf(v string, opts ...string) bool {
	for _, o := range opts {
		if v == o {
			return true
		}
	}
	return false
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}
