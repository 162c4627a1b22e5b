package config

import (
	"bytes"
	"strings"
	"testing"
)

func TestNotifySettings(t *testing.T) {
	c, _, err := Load(env(nil), nil)
	if err != nil || c.NotifyCarrier != "simulator" || c.NotifyCallbackSecret != "" {
		t.Fatalf("defaults: carrier %q, err %v", c.NotifyCarrier, err)
	}
	secret := "callback-secret-0123456789abcdef-xyz"
	e := env(map[string]string{
		"TENDERHALL_NOTIFY_CALLBACK_SECRET":   secret,
		"TENDERHALL_NOTIFY_CALLBACK_URL":      "http://127.0.0.1:8080/api/v1/notify/callbacks",
		"TENDERHALL_NOTIFY_SIMULATOR_PROFILE": "accept=0.6,decline=0.2,seed=7",
	})
	c, src, err := Load(e, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.NotifySimulatorProfile != "accept=0.6,decline=0.2,seed=7" || c.NotifyCallbackSecret != secret {
		t.Fatalf("notify settings not read: %+v", c)
	}
	var buf bytes.Buffer
	Print(&buf, c, src)
	if strings.Contains(buf.String(), secret) || !strings.Contains(buf.String(), "notify.callback_secret") {
		t.Fatalf("callback secret printed or setting missing:\n%s", buf.String())
	}
}

func TestNotifySettingsRefused(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"TENDERHALL_NOTIFY_CARRIER": "acme"}, "notify.carrier (TENDERHALL_NOTIFY_CARRIER)"},
		{map[string]string{"TENDERHALL_NOTIFY_CALLBACK_SECRET": "s3cr3t-val"}, "notify.callback_secret"},
		{map[string]string{"TENDERHALL_NOTIFY_CALLBACK_URL": "carrier.example"}, "notify.callback_url"},
	}
	for _, c := range cases {
		_, _, err := Load(env(c.env), nil)
		if err == nil || !IsConfigError(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("env %v: err = %v, want it to name %q", c.env, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cr3t-val") {
			t.Errorf("error echoes the secret: %v", err)
		}
	}
}
