package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenderhall/tenderhall/api"
)

// savedLogin is what `tenderhall login` keeps for the other commands.
type savedLogin struct {
	Server    string    `json:"server"`
	Username  string    `json:"username"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// loginFile is where the login is kept: TENDERHALL_LOGIN_FILE, else
// tenderhall/login.json in the user's configuration directory.
func (e *env) loginFile() string {
	if f := e.getenv("TENDERHALL_LOGIN_FILE"); f != "" {
		return f
	}
	if dir, err := os.UserConfigDir(); err == nil {
		return filepath.Join(dir, "tenderhall", "login.json")
	}
	return ".tenderhall-login.json"
}

func (e *env) loginCmd() *cobra.Command {
	var server, user, pwFile, totp string
	cmd := &cobra.Command{
		Use:   "login --server URL --user NAME [--password-file F] [--totp CODE]",
		Short: "Sign in and keep a bearer token for bid submit, bid decrypt, verify log and escrow (登录)",
		Long: "Signs in to the platform with a password (and the TOTP code staff need) and saves the bearer\n" +
			"token, readable only by you, in TENDERHALL_LOGIN_FILE or <config dir>/tenderhall/login.json.\n" +
			"Later commands use it when they are given neither --token nor TENDERHALL_TOKEN, and take\n" +
			"its server when --server is left out. The password comes from --password-file,\n" +
			"TENDERHALL_PASSWORD or a prompt. `tenderhall logout` ends the session and removes the file.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if server == "" || user == "" {
				return fmt.Errorf("%w: --server and --user are required", errUsage)
			}
			pw, err := e.accountPassword(pwFile, user)
			if err != nil {
				return err
			}
			c := &bidClient{base: strings.TrimRight(server, "/"), http: &http.Client{Timeout: time.Minute}}
			var out api.LoginResponse
			if err := c.call(cmd.Context(), http.MethodPost, "/api/v1/auth/login",
				api.LoginRequest{Username: user, Password: string(pw), TOTP: totp, Kind: "bearer"}, &out); err != nil {
				return err
			}
			l := savedLogin{Server: c.base, Username: user, Token: out.Token, ExpiresAt: out.ExpiresAt}
			if err := e.saveLogin(l); err != nil {
				return err
			}
			fmt.Fprintf(e.out, "signed in as %s at %s until %s; token saved to %s (已登录，令牌已保存)\n",
				user, l.Server, shanghaiTime(l.ExpiresAt), e.loginFile())
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&server, "server", "", "base URL of the platform, e.g. https://ggzy.example.gov.cn")
	fl.StringVar(&user, "user", "", "your username")
	fl.StringVar(&pwFile, "password-file", "", "file holding your password (else TENDERHALL_PASSWORD or a prompt)")
	fl.StringVar(&totp, "totp", "", "the 6-digit code of your authenticator (staff accounts)")
	return cmd
}

func (e *env) logoutCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "End the session `tenderhall login` saved and remove its file (退出登录)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := e.loadLogin()
			if errors.Is(err, os.ErrNotExist) {
				fmt.Fprintln(e.out, "not signed in (未登录)")
				return nil
			}
			if err != nil {
				return err
			}
			c := &bidClient{base: l.Server, token: l.Token, http: &http.Client{Timeout: time.Minute}}
			// A session that expired or was revoked is gone anyway: the file still goes.
			_ = c.call(cmd.Context(), http.MethodPost, "/api/v1/auth/logout", nil, nil)
			if err := os.Remove(e.loginFile()); err != nil {
				return err
			}
			fmt.Fprintf(e.out, "signed out of %s (已退出)\n", l.Server)
			return nil
		},
	}
}

// accountPassword returns a user's password from the file, from
// TENDERHALL_PASSWORD, or from the terminal.
func (e *env) accountPassword(file, user string) ([]byte, error) {
	if file != "" {
		return passwordFromFile(file)
	}
	if pw := e.getenv("TENDERHALL_PASSWORD"); pw != "" {
		return []byte(pw), nil
	}
	pw, ok, err := readTerminalPassword(fmt.Sprintf("Password of %s (登录密码): ", user))
	if !ok {
		return nil, fmt.Errorf("%w: give --password-file FILE or set TENDERHALL_PASSWORD; there is no terminal to ask on", errUsage)
	}
	return pw, err
}

// saveLogin writes the login readable by the user only, through a
// temporary file and a rename.
func (e *env) saveLogin(l savedLogin) error {
	path := e.loginFile()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create the login directory: %w", err)
	}
	raw, _ := json.MarshalIndent(l, "", "  ")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return fmt.Errorf("save the login: %w", err)
	}
	return os.Rename(tmp, path)
}

func (e *env) loadLogin() (savedLogin, error) {
	var l savedLogin
	raw, err := os.ReadFile(e.loginFile())
	if err != nil {
		return l, err
	}
	if err := json.Unmarshal(raw, &l); err != nil {
		return l, fmt.Errorf("the login file %s is damaged (%v): run tenderhall login again", e.loginFile(), err)
	}
	return l, nil
}

// credentials fills in a command's server and token: the token from
// --token, else TENDERHALL_TOKEN, else the saved login when it is for the
// same server (or no --server was given) and has not expired.
func (e *env) credentials(server, token *string) {
	if *token == "" {
		*token = e.getenv("TENDERHALL_TOKEN")
	}
	if *token != "" {
		return
	}
	l, err := e.loadLogin()
	if err != nil || !time.Now().Before(l.ExpiresAt) {
		return
	}
	if *server == "" {
		*server = l.Server
	}
	if strings.TrimRight(*server, "/") == l.Server {
		*token = l.Token
	}
}

// needToken is the usage error of a command that has no token.
func needToken(flags string) error {
	return fmt.Errorf("%w: %s and a token (--token, TENDERHALL_TOKEN, or sign in first with `tenderhall login`) are required", errUsage, flags)
}
