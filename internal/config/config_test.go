package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestEmbeddedDefaults(t *testing.T) {
	c, _, err := Load(env(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "./data" || !c.Embedded() || !c.AutoMigrate {
		t.Fatalf("defaults = %+v", c)
	}
	if c.DatabaseDSN != "sqlite:data/tenderhall.db" || c.BlobDir != "data/blobs" {
		t.Fatalf("derived paths: %q %q", c.DatabaseDSN, c.BlobDir)
	}
}

func TestPrecedenceFlagsOverEnvOverFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "th.yaml")
	os.WriteFile(file, []byte("addr: 127.0.0.1:7000\nlog:\n  level: warn\nminio:\n  bucket: fromfile\n"), 0o600)
	e := env(map[string]string{"TENDERHALL_CONFIG": file, "TENDERHALL_ADDR": "127.0.0.1:7001", "TENDERHALL_LOG_LEVEL": "debug"})
	c, src, err := Load(e, map[string]string{"addr": "127.0.0.1:7002"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:7002" || src["addr"] != "flag --addr" {
		t.Errorf("flag did not win: %q from %q", c.Addr, src["addr"])
	}
	if c.LogLevel != "debug" || src["log.level"] != "TENDERHALL_LOG_LEVEL" {
		t.Errorf("env did not beat file: %q", c.LogLevel)
	}
	if c.MinIOBucket != "fromfile" || src["minio.bucket"] != file {
		t.Errorf("file value lost: %q", c.MinIOBucket)
	}
}

func TestInvalidSettingsNameTheSetting(t *testing.T) {
	cases := []struct {
		env   map[string]string
		flags map[string]string
		want  string
	}{
		{map[string]string{"TENDERHALL_ADDR": "nonsense"}, nil, "addr (TENDERHALL_ADDR)"},
		{nil, map[string]string{"addr": "x"}, "addr (flag --addr)"},
		{map[string]string{"TENDERHALL_BLOBS_KIND": "s3"}, nil, "blobs.kind"},
		{map[string]string{"TENDERHALL_BLOBS_KIND": "minio"}, nil, "minio.endpoint"},
		{map[string]string{"TENDERHALL_JOBS_KIND": "asynq"}, nil, "redis.addr"},
		{map[string]string{"TENDERHALL_DATABASE_DSN": "postgres://x"}, nil, "database.dsn"},
		{map[string]string{"TENDERHALL_SECURITY_FIELD_KEY": "abc"}, nil, "security.field_key"},
		{map[string]string{"TENDERHALL_DATABASE_DSN": "mysql:u@tcp(h:1)/d"}, nil, "security.field_key"},
		{map[string]string{"TENDERHALL_DEMO": "perhaps"}, nil, "demo (TENDERHALL_DEMO)"},
		{map[string]string{"TENDERHALL_ENVIRONMENT": "staging"}, nil, "environment (TENDERHALL_ENVIRONMENT)"},
		{map[string]string{"TENDERHALL_ENVIRONMENT": "production"}, map[string]string{"sandbox": "true"}, "sandbox (flag --sandbox)"},
		{map[string]string{"TENDERHALL_SECURITY_SESSION_IDLE": "-1h"}, nil, "security.session_idle"},
		{map[string]string{"TENDERHALL_CONFIG": "/nonexistent.yaml"}, nil, "config (/nonexistent.yaml)"},
	}
	for _, c := range cases {
		_, _, err := Load(env(c.env), c.flags)
		if err == nil || !IsConfigError(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("env %v flags %v: err = %v, want it to name %q", c.env, c.flags, err, c.want)
		}
		if err != nil && strings.Count(err.Error(), "\n") > 0 {
			t.Errorf("error is not one line: %q", err)
		}
	}
}

func TestUnknownKeyInFileIsRefused(t *testing.T) {
	file := filepath.Join(t.TempDir(), "th.yaml")
	os.WriteFile(file, []byte("minio:\n  secrt_key: oops\n"), 0o600)
	_, _, err := Load(env(nil), map[string]string{"config": file})
	if err == nil || !strings.Contains(err.Error(), "minio.secrt_key") {
		t.Fatalf("err = %v, want unknown minio.secrt_key", err)
	}
}

func TestPrintMasksSecrets(t *testing.T) {
	e := env(map[string]string{
		"TENDERHALL_DATABASE_DSN":       "mysql:root:hunter22@tcp(127.0.0.1:3306)/th",
		"TENDERHALL_MINIO_SECRET_KEY":   "miniosecret99",
		"TENDERHALL_REDIS_PASSWORD":     "redispass77",
		"TENDERHALL_SECURITY_FIELD_KEY": "00112233445566778899aabbccddeeff",
	})
	c, src, err := Load(e, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	Print(&buf, c, src)
	out := buf.String()
	for _, secret := range []string{"hunter22", "miniosecret99", "redispass77", "00112233445566778899aabbccddeeff"} {
		if strings.Contains(out, secret) {
			t.Errorf("secret %q printed", secret)
		}
	}
	if !strings.Contains(out, `database.dsn: "mysql:root:****@tcp(127.0.0.1:3306)/th"`) {
		t.Errorf("DSN not masked in shape:\n%s", out)
	}
	if !strings.Contains(out, "TENDERHALL_MINIO_SECRET_KEY") {
		t.Error("environment variable names not shown")
	}
}

func TestMaskDSN(t *testing.T) {
	got := MaskDSN("mysql:root:hunter2@tcp(127.0.0.1:3306)/th")
	if got != "mysql:root:****@tcp(127.0.0.1:3306)/th" {
		t.Fatalf("MaskDSN = %q", got)
	}
}
