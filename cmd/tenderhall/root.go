package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tenderhall/tenderhall/internal/config"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// env carries what every command needs: the environment and the outputs.
type env struct {
	getenv func(string) string
	out    io.Writer
	errOut io.Writer
}

func newRoot(getenv func(string) string, out, errOut io.Writer) *cobra.Command {
	e := &env{getenv: getenv, out: out, errOut: errOut}
	root := &cobra.Command{
		Use:   "tenderhall",
		Short: "TenderHall 公共资源交易与电子招投标平台 / public-resource trading and e-bidding platform",
		Long: "TenderHall runs a trading centre's procurement lifecycle: announcements, sealed bids,\n" +
			"the opening room, expert draws, evaluation and award, beside approval and supervision.\n\n" +
			"With no configuration `tenderhall serve` runs on the embedded default (SQLite, local\n" +
			"disk, in-process jobs). Settings come from flags, TENDERHALL_* variables and an\n" +
			"optional YAML file (--config), in that order of precedence; see `tenderhall config`.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(out)
	root.SetErr(errOut)
	root.PersistentFlags().String("config", "", "YAML configuration file (or TENDERHALL_CONFIG)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w: %v (see `%s --help`)", errUsage, err, c.CommandPath())
	})
	root.AddCommand(e.serveCmd(), e.workerCmd(), e.migrateCmd(), e.versionCmd(), e.configCmd(), e.demoCmd(),
		e.keysCmd(), e.sealCmd(), e.unsealCmd(), e.verifyCmd(), e.bidCmd(), e.escrowCmd(), e.loginCmd(), e.logoutCmd(), e.videoCmd())
	return root
}

// settingFlags are the flags that set configuration keys of the same name;
// other flags (migrate --status) belong to their command.
var settingFlags = map[string]bool{"config": true, "addr": true, "data": true, "demo": true, "sandbox": true}

// load reads the configuration with the flags the user gave on cmd. Flags
// named like settings ("addr", "data", "demo") override them.
func (e *env) load(cmd *cobra.Command) (config.Config, config.Sources, error) {
	flags := map[string]string{}
	visit := func(f *pflag.Flag) {
		if f.Changed && settingFlags[f.Name] {
			flags[f.Name] = f.Value.String()
		}
	}
	cmd.Flags().Visit(visit)
	cmd.InheritedFlags().Visit(visit)
	return config.Load(e.getenv, flags)
}

func (e *env) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(e.out, "tenderhall", version)
			return nil
		},
	}
}

func (e *env) configCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "config",
		Short: "Print the effective configuration, secrets masked",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, src, err := e.load(cmd)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.out, "# effective configuration (embedded default: %v)\n", c.Embedded())
			config.Print(e.out, c, src)
			return nil
		},
	}
}

// addrFlags adds the settings-named flags of serve.
func addServeFlags(cmd *cobra.Command) {
	cmd.Flags().String("addr", "127.0.0.1:8080", "HOST:PORT to listen on")
	cmd.Flags().String("data", "./data", "data directory of the embedded default")
	cmd.Flags().Bool("demo", false, "seed demo organisations and users and print their logins")
	cmd.Flags().Bool("sandbox", false, "run as a sandbox (测试环境) whose clock an administrator moves forward; refused in production")
}
