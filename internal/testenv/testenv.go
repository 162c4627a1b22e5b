// Package testenv tells tests which real servers are available. A suite that
// needs a server it was not given skips on a developer machine, but fails
// under CI=true: in CI a skipped real-server suite is a failure.
package testenv

import (
	"os"
	"testing"
)

// Environment variables naming the real servers for integration suites.
const (
	MySQLVar = "TENDERHALL_TEST_MYSQL_DSN" // go-sql-driver DSN without a database, e.g. root@tcp(127.0.0.1:3306)/
	RedisVar = "TENDERHALL_TEST_REDIS"     // host:port of a Redis server
	MinIOVar = "TENDERHALL_TEST_MINIO"     // http://ACCESS:SECRET@127.0.0.1:9000
)

// Require returns the value of the environment variable name. When it is
// empty the test is skipped, or fails when CI=true.
func Require(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v != "" {
		return v
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set but CI=true: the real-server suite must run in CI", name)
	}
	t.Skipf("%s not set; skipping the real-server suite", name)
	return ""
}
