package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// playFlags are demo play's options.
type playFlags struct {
	server, adminUser, adminPassword string
	keep                             bool
}

// demoProfile is the simulated carrier's behaviour in an embedded play:
// every callee answers within a second and accepts, until the play
// scripts a decline and a silence for two drawn experts (callExperts).
const demoProfile = "accept=1,ring=1s,seed=1"

func (e *env) demoPlayCmd() *cobra.Command {
	var f playFlags
	cmd := &cobra.Command{
		Use:   "play",
		Short: "Play a whole procurement against a sandbox server, step by step, and check every outcome (完整招标演示)",
		Long: "Plays a complete procurement on a sandbox (测试环境): an announcement, six sealed bids (one replaced, one refused after the deadline),\n" +
			"the opening with one bid not decrypted, an expert draw called through the simulated carrier, the closed evaluation room,\n" +
			"the signed report, the publicity with an objection, the award notice and the contract, then `verify log` over it all.\n" +
			"Without --server it starts an embedded sandbox in a temporary directory, on the configured database, blob store and queue.\n" +
			"It exits 0 only if every step's outcome matched what was expected.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.demoPlay(cmd.Context(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.server, "server", "", "base URL of a running sandbox server (default: start an embedded one)")
	fl.StringVar(&f.adminUser, "admin-user", "", "an administrator of --server")
	fl.StringVar(&f.adminPassword, "admin-password", "", "its password (else TENDERHALL_DEMO_ADMIN_PASSWORD)")
	fl.BoolVar(&f.keep, "keep", false, "keep the embedded server's data directory")
	return cmd
}

func (e *env) demoPlay(ctx context.Context, f playFlags) error {
	if f.adminPassword == "" {
		f.adminPassword = e.getenv("TENDERHALL_DEMO_ADMIN_PASSWORD")
	}
	start := time.Now()
	p := &player{e: e, out: e.out, http: &http.Client{Timeout: 2 * time.Minute}}
	if f.server == "" {
		stop, err := e.embeddedSandbox(ctx, p, f.keep)
		if err != nil {
			return err
		}
		defer stop()
	} else {
		if f.adminUser == "" || f.adminPassword == "" {
			return fmt.Errorf("%w: --server needs --admin-user and --admin-password (or TENDERHALL_DEMO_ADMIN_PASSWORD)", errUsage)
		}
		p.base, p.adminUser, p.adminPassword = strings.TrimRight(f.server, "/"), f.adminUser, f.adminPassword
	}
	if err := p.run(ctx); err != nil {
		fmt.Fprintf(e.out, "\n✗ 演示失败 / the play failed at step %d: %v\n", p.step, err)
		return err
	}
	fmt.Fprintf(e.out, "\n✓ 演示完成 / every step matched: %d steps in %s\n", p.step, time.Since(start).Round(time.Millisecond))
	return nil
}

// embeddedSandbox starts `serve --sandbox` in-process on a temporary data
// directory (the configured database, blobs and queue otherwise apply),
// creates its first administrator and returns a function that stops it.
func (e *env) embeddedSandbox(ctx context.Context, p *player, keep bool) (func(), error) {
	dir, err := os.MkdirTemp("", "tenderhall-play-")
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	srvCtx, cancel := context.WithCancel(ctx)
	getenv := func(k string) string {
		switch k {
		case "TENDERHALL_NOTIFY_SIMULATOR_PROFILE":
			return demoProfile
		case "TENDERHALL_HTTP_TRUSTED_PROXIES":
			return "127.0.0.1,::1" // lets the play show a request from outside the evaluation room
		}
		return e.getenv(k)
	}
	logs, _ := os.Create(dir + "/server.log")
	root := newRoot(getenv, pw, logs)
	root.SetArgs([]string{"serve", "--sandbox", "--addr", "127.0.0.1:0", "--data", dir})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(srvCtx); pw.Close() }()
	stop := func() {
		cancel()
		<-done
		logs.Close()
		if !keep {
			os.RemoveAll(dir)
		} else {
			fmt.Fprintf(e.out, "embedded server data kept in %s\n", dir)
		}
	}
	url, token, err := readServeBanner(pr, done)
	if err != nil {
		stop()
		return nil, fmt.Errorf("the embedded sandbox did not start (log in %s/server.log): %w", dir, err)
	}
	go io.Copy(io.Discard, pr)
	p.base, p.adminUser, p.adminPassword, p.setupToken = url, "play-admin", "Play-admin-2026!", token
	fmt.Fprintf(e.out, "embedded sandbox (测试环境) serving at %s, data in %s\n", url, dir)
	return stop, nil
}

var (
	servingLine = regexp.MustCompile(`serving at (http://\S+)`)
	setupLine   = regexp.MustCompile(`one-time token:\s*$`)
)

// readServeBanner reads serve's standard output up to the setup token.
func readServeBanner(r io.Reader, done <-chan error) (url, token string, err error) {
	lines := make(chan string)
	go func() {
		defer close(lines)
		br := bufio.NewReader(r)
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			lines <- strings.TrimRight(l, "\n")
		}
	}()
	afterSetup := false
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case err := <-done:
			return "", "", fmt.Errorf("serve stopped: %v", err)
		case <-timeout:
			return "", "", errors.New("no setup token within 2 minutes")
		case l, ok := <-lines:
			if !ok {
				return "", "", errors.New("serve closed its output")
			}
			if m := servingLine.FindStringSubmatch(l); m != nil {
				url = m[1]
			}
			if s := strings.TrimSpace(l); afterSetup && s != "" {
				return url, s, nil
			}
			afterSetup = afterSetup || setupLine.MatchString(l)
		}
	}
}
