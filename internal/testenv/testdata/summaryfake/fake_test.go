// Package summaryfake has tests named like the real-server subtests, none
// of which touches a server: deploy/gotest-summary.sh must not count them
// as run on one unless the server is configured.
package summaryfake

import "testing"

func TestBackends(t *testing.T) {
	for _, name := range []string{"sqlite", "mysql", "minio", "asynq"} {
		t.Run(name, func(t *testing.T) {})
	}
}

func TestBlobMinIOOptions(t *testing.T) {}
