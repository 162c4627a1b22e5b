package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestSummaryCountsOnlyConfiguredServers runs deploy/gotest-summary.sh on
// tests named like real-server subtests that touch no server: without the
// servers' variables it reports no run on MariaDB, MinIO or Redis; with
// them it counts the named subtests.
func TestSummaryCountsOnlyConfiguredServers(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	run := func(env ...string) string {
		cmd := exec.Command("bash", "../../deploy/gotest-summary.sh", "-count=1", "./testdata/summaryfake")
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "TENDERHALL_TEST_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("gotest-summary: %v\n%s", err, out)
		}
		return string(out)
	}
	if out := run(); strings.Contains(out, "on MariaDB") || !strings.Contains(out, "6 passed") {
		t.Errorf("without servers the summary claims runs on them, or miscounts:\n%s", out)
	}
	out := run(MySQLVar+"=x", MinIOVar+"=x", RedisVar+"=x")
	if !strings.Contains(out, "[on MariaDB: 1, MinIO: 2, Redis/asynq: 1]") {
		t.Errorf("with servers configured the summary counts:\n%s", out)
	}
}
