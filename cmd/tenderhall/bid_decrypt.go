package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/notary"
)

// decryptFlags are the command line of `tenderhall bid decrypt`.
type decryptFlags struct {
	server, token, key, pwFile, in string
	section                        int64
}

func (e *env) bidDecryptCmd() *cobra.Command {
	var f decryptFlags
	cmd := &cobra.Command{
		Use:   "decrypt --server URL --key bidder.key --section S --in bid.the [--token T]",
		Short: "Decrypt your bid at the opening: unwrap its data key locally and hand it over (开标解密)",
		Long: "During the decryption window that opens at the bid deadline, checks your organisation\n" +
			"in to the opening room (signing the room's challenge with --key) unless it already is,\n" +
			"unwraps the bid's data key (DEK) from the header of --in — the sealed envelope you\n" +
			"submitted — checks it against the envelope's key commitment, and sends it to the\n" +
			"platform, which decrypts the stored bid. The private key never leaves this machine,\n" +
			"and neither the key nor the DEK is printed. The bearer token comes from --token,\n" +
			"TENDERHALL_TOKEN or `tenderhall login`; the key's password from --password-file, " + passwordEnv + " or a prompt.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e.credentials(&f.server, &f.token)
			if f.server == "" || f.section <= 0 || f.key == "" || f.in == "" || f.token == "" {
				return needToken("--server, --section, --key, --in")
			}
			c := &bidClient{base: strings.TrimRight(f.server, "/"), token: f.token, http: &http.Client{Timeout: 10 * time.Minute}}
			return e.decryptBid(cmd.Context(), c, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.server, "server", "", "base URL of the platform, e.g. https://ggzy.example.gov.cn")
	fl.StringVar(&f.token, "token", "", "bearer token of a bidder (or TENDERHALL_TOKEN, or `tenderhall login`)")
	fl.Int64Var(&f.section, "section", 0, "section id (标段编号) on the platform")
	fl.StringVar(&f.key, "key", "", "your organisation's SM2 private key, registered on the platform")
	fl.StringVar(&f.pwFile, "password-file", "", "file holding the key's password (else "+passwordEnv+", else a prompt)")
	fl.StringVar(&f.in, "in", "", "the sealed envelope you submitted (its header holds the wrapped data key)")
	return cmd
}

func (e *env) decryptBid(ctx context.Context, c *bidClient, f decryptFlags) error {
	h, err := readEnvelopeHeader(f.in, f.section)
	if err != nil {
		return err
	}
	priv, err := e.loadPrivateKey(f.key, f.pwFile)
	if err != nil {
		return err
	}
	dek, err := notary.UnwrapDEK(h, priv)
	if err != nil {
		return fmt.Errorf("%s: this key cannot open the bid; is --key your organisation's key? (此密钥无法解开投标文件): %w", f.key, bilingual(err))
	}
	defer clear(dek)
	if err := notary.CheckDEK(h, dek); err != nil {
		return bilingual(err)
	}
	fmt.Fprintf(e.errOut, "key commitment checked locally: the data key matches envelope %s… (密钥承诺本地校验通过)\n", h.KeyCommitment.String()[:16])

	sec := strconv.FormatInt(f.section, 10)
	var view bidding.RoomView
	if err := c.call(ctx, http.MethodGet, "/api/v1/sections/"+sec+"/room", nil, &view); err != nil {
		return err
	}
	if !view.CheckedIn {
		if err := e.roomSignIn(ctx, c, f.section, priv); err != nil {
			return explainRoomError(err, view)
		}
	}
	var ob bidding.OpenedBid
	err = c.call(ctx, http.MethodPost, "/api/v1/sections/"+sec+"/room/decrypt", api.DecryptRequest{DEK: hex.EncodeToString(dek)}, &ob)
	if err != nil {
		return explainRoomError(err, view)
	}
	at := "-"
	if ob.DecryptedAt != nil {
		at = shanghaiTime(*ob.DecryptedAt)
	}
	fmt.Fprintf(e.out, "bid %d: %s (投标文件解密状态：%s)\ndecrypted at %s (解密时间)\ndigest %s\n", ob.BidID, ob.Status, statusZh(ob.Status), at, ob.Digest)
	return nil
}

// readEnvelopeHeader parses the header of the envelope at path and checks
// that it is for the section.
func readEnvelopeHeader(path string, section int64) (*notary.Header, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the sealed bid (无法读取投标文件): %w", err)
	}
	defer file.Close()
	h, err := notary.ParseHeader(file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, bilingual(err))
	}
	if want := strconv.FormatInt(section, 10); h.Meta.Section != want {
		return nil, fmt.Errorf("%w: %s was sealed for section %s, not %s (投标文件不属于该标段)", errUsage, path, h.Meta.Section, want)
	}
	return h, nil
}

// roomSignIn checks the bidder in: it signs the room's one-time challenge.
func (e *env) roomSignIn(ctx context.Context, c *bidClient, section int64, priv *notary.PrivateKey) error {
	sec := strconv.FormatInt(section, 10)
	var ch bidding.Challenge
	if err := c.call(ctx, http.MethodPost, "/api/v1/sections/"+sec+"/room/challenge", nil, &ch); err != nil {
		return err
	}
	sig, err := priv.Sign(bidding.SignInMessage(section, ch.Nonce))
	if err != nil {
		return bilingual(err)
	}
	var ci bidding.Checkin
	req := api.SignInRequest{ChallengeID: ch.ID, Signature: base64.StdEncoding.EncodeToString(sig)}
	if err := c.call(ctx, http.MethodPost, "/api/v1/sections/"+sec+"/room/signin", req, &ci); err != nil {
		return err
	}
	fmt.Fprintf(e.errOut, "checked in to the opening room at %s (已签到)\n", shanghaiTime(ci.CheckedInAt))
	return nil
}

// roomError is a refusal of the room, explained for the bidder; it keeps
// the server's code and unwraps to its *httpError.
type roomError struct {
	code, msg string
	err       error
}

func (r *roomError) Error() string { return fmt.Sprintf("%s [%s]: %v", r.msg, r.code, r.err) }
func (r *roomError) Unwrap() error { return r.err }

// explainRoomError says in both languages what a refusal means for the
// bidder, naming the times of the room it knows.
func explainRoomError(err error, v bidding.RoomView) error {
	var he *httpError
	if !errors.As(err, &he) {
		return err
	}
	msg := ""
	switch he.code {
	case "wrong_phase", "room_not_open":
		msg = "decryption is not open: it starts at the bid deadline (解密尚未开始：投标截止时间后方可解密)"
		if v.Deadline != nil {
			msg = fmt.Sprintf("decryption is not open: it starts at the bid deadline %s (解密尚未开始：投标截止时间 %s 后方可解密)",
				shanghaiTime(*v.Deadline), shanghaiTime(*v.Deadline))
		}
		if v.Phase == bidding.PhaseClosing {
			msg = "bidding has closed; decryption opens in a few seconds, once the bids that arrived before the deadline are complete — try again (截标中：截止前到达的投标完成后即开始解密，请稍后重试)"
		}
		if v.State == bidding.StateFailed {
			msg = fmt.Sprintf("the section failed (流标), there is no opening: %s", v.FailReason)
		}
	case "window_closed":
		msg = "the decryption window has closed; a bid not decrypted in time is revoked (解密时间已结束，未按时解密的投标文件视为撤销)"
		if v.WindowEndsAt != nil {
			msg = fmt.Sprintf("the decryption window closed at %s (解密时间已于 %s 结束)", shanghaiTime(*v.WindowEndsAt), shanghaiTime(*v.WindowEndsAt))
		}
	case notary.CodeWrongKey:
		msg = "the platform refused the data key: it does not open the bid the platform holds; is --in the envelope you submitted? (数据密钥与平台保存的投标文件不符)"
	case "already_decrypted":
		msg = "your bid is already decrypted; nothing to do (投标文件已解密，无需重复操作)"
	case "not_checked_in":
		msg = "your organisation has not checked in to the room (尚未签到)"
	case "signature_invalid", "no_registered_key":
		msg = "the platform refused the sign-in: --key is not the key registered for your organisation (签到签名与登记的公钥不符)"
	default:
		return err
	}
	return &roomError{code: he.code, msg: msg, err: err}
}

// call sends in as JSON (when not nil) and decodes a 2xx answer into out;
// other statuses are *httpError with the server's code.
func (c *bidClient) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var eb api.ErrorBody
		_ = json.Unmarshal(raw, &eb)
		return &httpError{status: resp.StatusCode, code: eb.Error.Code,
			msg: fmt.Sprintf("%s %s: %s (%d %s)", method, path, eb.Error.Message, resp.StatusCode, eb.Error.Code)}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: malformed answer: %w", method, path, err)
	}
	return nil
}

// shanghaiTime shows t as the rules do, in Asia/Shanghai.
func shanghaiTime(t time.Time) string {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		t = t.In(loc)
	}
	return t.Format("2006-01-02 15:04:05.000 MST")
}

// statusZh names an opening status in Chinese.
func statusZh(s bidding.OpeningStatus) string {
	switch s {
	case bidding.OpeningDecrypted:
		return "已解密"
	case bidding.OpeningPending:
		return "待解密"
	case bidding.OpeningRevoked:
		return "已撤销"
	case bidding.OpeningWithdrawn:
		return "已撤回"
	}
	return string(s)
}
