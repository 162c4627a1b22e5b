// Command tenderhall is the one binary of the TenderHall platform: the
// server, the job worker, migrations, and the offline tools of bidders and
// auditors.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // rules run in Asia/Shanghai on any machine

	"github.com/tenderhall/tenderhall/internal/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv)
	stop()
	os.Exit(exitCode(err))
}

// errUsage marks a command-line mistake (exit code 2).
var errUsage = errors.New("usage")

// exitCode is 0 on success, 2 for configuration and usage errors, 1 otherwise.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, "tenderhall:", err)
	if config.IsConfigError(err) || errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// run executes the command line args with the environment read through getenv.
func run(ctx context.Context, args []string, getenv func(string) string) error {
	root := newRoot(getenv, os.Stdout, os.Stderr)
	root.SetArgs(args)
	return root.ExecuteContext(ctx)
}
