package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/evaluation"
	"github.com/tenderhall/tenderhall/experts"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/sandbox"
)

// playPassword is every demo party's password; the play signs them in at once.
const playPassword = "Demo-play-2026!"

// playBidder is a bidding company: its account, SM2 key and bid.
type playBidder struct {
	name     string
	author   string // who wrote its documents, as their metadata record it
	org      int64
	c        *bidClient
	key      *notary.PrivateKey
	priceFen int64
	envelope []byte
	bidID    int64
}

// playExpert is a pool expert with an account and an SM2 key.
type playExpert struct {
	name, phone string
	id          int64
	c           *bidClient
	key         *notary.PrivateKey
	seat        int
}

// run plays every step in order.
func (p *player) run(ctx context.Context) error {
	probe := func(m secrecyMoment) func(context.Context) error {
		return func(ctx context.Context) error { return p.probeSecrets(ctx, m) }
	}
	steps := []func(context.Context) error{p.setup, p.parties, p.pool, p.announce, p.submitBids, probe(beforeDeadline), p.passDeadline, p.open,
		p.watchCollusion,
		p.drawExperts, p.callExperts, p.enterRoom, p.reviewBids, p.scoreBids, p.signReport, probe(beforeAward), p.publicize,
		p.awardAndContract, probe(afterAward), p.verify}
	for _, s := range steps {
		if err := s(ctx); err != nil {
			return err
		}
	}
	return nil
}

// setup creates the first administrator of an embedded server, signs in
// and checks that the server is a sandbox.
func (p *player) setup(ctx context.Context) error {
	p.say("管理员登录测试环境 / the administrator signs in to the sandbox at %s", p.base)
	if p.setupToken != "" {
		err := p.client("").call(ctx, http.MethodPost, "/api/v1/setup", api.SetupRequest{Token: p.setupToken, Username: p.adminUser,
			DisplayName: "演示管理员", Password: p.adminPassword}, nil)
		if err != nil {
			return err
		}
	}
	var err error
	if p.admin, err = p.login(ctx, p.adminUser, p.adminPassword); err != nil {
		return err
	}
	var st sandbox.State
	if err := p.client("").call(ctx, http.MethodGet, "/api/v1/sandbox", nil, &st); err != nil {
		return err
	}
	if err := expect(st.Sandbox, "%s is not a sandbox; demo play moves the clock and runs only on `serve --sandbox`", p.base); err != nil {
		return err
	}
	var k api.LogKey
	if err := p.client("").call(ctx, http.MethodGet, "/api/v1/log/key", nil, &k); err != nil {
		return err
	}
	p.platform, err = notary.ParsePublicKeyPEM(k.PublicKey)
	p.note("测试环境时间 / sandbox time %s; platform key %s…", shanghaiTime(st.Now), k.KeyID[:16])
	return err
}

// party creates an organisation (when kind is set) and a user in it.
func (p *player) party(ctx context.Context, tag, name string, kind accounts.OrgKind, uscc string, role accounts.Role) (int64, *bidClient, error) {
	var org api.OrgView
	if kind != "" {
		if err := p.admin.call(ctx, http.MethodPost, "/api/v1/organizations", api.OrgRequest{Kind: string(kind), Name: name, USCC: uscc, Region: "350100"}, &org); err != nil {
			return 0, nil, err
		}
	}
	user := fmt.Sprintf("%s-%s", tag, p.runTag())
	var u api.UserView
	if err := p.admin.call(ctx, http.MethodPost, "/api/v1/users", api.UserRequest{Username: user, DisplayName: name, Password: playPassword,
		OrgID: org.ID, Roles: []accounts.Role{role}}, &u); err != nil {
		return 0, nil, err
	}
	c, err := p.login(ctx, user, playPassword)
	return org.ID, c, err
}

// runTag makes this play's names unique on a server that saw others.
func (p *player) runTag() string {
	if p.tag == "" {
		p.tag = strings.ToLower(fmt.Sprintf("%x", time.Now().UnixMilli()))
	}
	return p.tag
}

// seed is a number unique to this play, for its experts' ID numbers.
func (p *player) seed() int64 {
	var n int64
	fmt.Sscanf(p.runTag(), "%x", &n)
	return n % 1_000_000
}

// uscc makes a valid credit code for party i of this play.
func (p *player) uscc(i int) string {
	t := p.runTag()
	return accounts.CompleteUSCC(fmt.Sprintf("91350100MA%s%02d", strings.ToUpper(t[len(t)-5:]), i))
}

// parties creates the tenderer, the agency, the supervising department
// and six bidding companies, each with its user.
func (p *player) parties(ctx context.Context) error {
	p.say("创建招标人、代理机构、监督部门和六家投标人 / the tenderer, the agency, the supervisor and six bidders")
	var err error
	tenderer, c, err := p.party(ctx, "tenderer", "福州市城市建设投资集团（演示）", accounts.OrgTenderer, p.uscc(0), accounts.RoleAgent)
	if err != nil {
		return err
	}
	p.tendererOrg, p.tenderer = tenderer, c
	if _, p.agent, err = p.party(ctx, "agent", "福建闽招工程咨询有限公司（演示）", accounts.OrgAgency, p.uscc(1), accounts.RoleAgent); err != nil {
		return err
	}
	if p.deptOrg, p.supervisor, err = p.party(ctx, "supervisor", "福州市住房和城乡建设局（演示）", accounts.OrgDepartment, p.uscc(2), accounts.RoleSupervisor); err != nil {
		return err
	}
	p.supervisorUser = "supervisor-" + p.runTag()
	names := []string{"榕城建设工程", "海西路桥集团", "闽江建筑安装", "鼓山市政工程", "马尾港务建设", "三坊七巷古建"}
	// The second and third bidders' documents were written by one person:
	// the collusion pair supervision must find (围标串标).
	authors := []string{"陈建华", "林志强", "林志强", "黄丽娟", "吴海峰", "郑晓燕"}
	for i, n := range names {
		b := &playBidder{name: "福建" + n + "有限公司（演示）", author: authors[i], priceFen: int64(9_600_000+i*85_000) * 100}
		if b.org, b.c, err = p.party(ctx, fmt.Sprintf("bidder%d", i+1), b.name, accounts.OrgBidder, p.uscc(10+i), accounts.RoleBidder); err != nil {
			return err
		}
		if b.key, err = notary.GenerateKey(); err != nil {
			return err
		}
		if err := b.c.call(ctx, http.MethodPut, fmt.Sprintf("/api/v1/organizations/%d/public-key", b.org), api.PublicKeyRequest{PEM: b.key.Public().PEM}, nil); err != nil {
			return err
		}
		p.bidders = append(p.bidders, b)
	}
	p.note("%d 个单位、%d 个账号已创建；投标人各自登记了 SM2 公钥 / every bidder registered its SM2 key", 3+len(names), 3+len(names))
	return nil
}

// poolSpecialty is the specialty this play's experts share, so the draw
// picks only them (other plays' and the --demo pool's experts use others).
func (p *player) poolSpecialty() string { return fmt.Sprintf("C99%04d", p.seed()%10000) }

// pool adds nine experts with accounts and SM2 keys to the pool, and an
// evaluation room on the network the play's requests come from.
func (p *player) pool(ctx context.Context) error {
	p.say("专家入库：9 名专家（各有账号和 SM2 密钥），评标室登记网络 / nine experts join the pool; an evaluation room is registered")
	base := experts.DemoPool(9, 9)
	for i, x := range base {
		ex := &playExpert{name: x.Name, phone: fmt.Sprintf("139%04d%04d", p.seed()%10000, i)}
		x.IDNumber = experts.DemoIDNumber(p.seed()*10 + int64(i))
		x.Phones, x.Specialties, x.Category = []string{ex.phone}, []string{p.poolSpecialty()}, experts.Technical
		if i >= 7 { // seven technical experts, two economic
			x.Category = experts.Economic
		}
		x.EmployerName, x.EmployerUSCC = experts.DemoEmployer(int(p.seed()%100000)*10 + i)
		var created experts.Expert
		if err := p.admin.call(ctx, http.MethodPost, "/api/v1/experts", x, &created); err != nil {
			return err
		}
		ex.id = created.ID
		userID, c, err := p.expertAccount(ctx, i, x.Name)
		if err != nil {
			return err
		}
		ex.c = c
		if err := p.admin.call(ctx, http.MethodPut, fmt.Sprintf("/api/v1/experts/%d/account", ex.id), api.AccountLinkRequest{UserID: userID}, nil); err != nil {
			return err
		}
		if ex.key, err = notary.GenerateKey(); err != nil {
			return err
		}
		if err := ex.c.call(ctx, http.MethodPut, "/api/v1/auth/me/public-key", api.PublicKeyRequest{PEM: ex.key.Public().PEM}, nil); err != nil {
			return err
		}
		p.experts = append(p.experts, ex)
	}
	var room evaluation.Room
	err := p.admin.call(ctx, http.MethodPost, "/api/v1/evaluation-rooms", evaluation.NewRoom{Name: "第三评标室（演示）", Location: "福州市公共资源交易中心 5 楼",
		Networks: []string{"127.0.0.0/8", "::1/128"}}, &room)
	p.room = room.ID
	p.note("评标室 %q 网络 %v", room.Name, room.Networks)
	return err
}

// expertAccount creates expert i's platform account.
func (p *player) expertAccount(ctx context.Context, i int, name string) (int64, *bidClient, error) {
	user := fmt.Sprintf("expert%d-%s", i+1, p.runTag())
	var u api.UserView
	if err := p.admin.call(ctx, http.MethodPost, "/api/v1/users", api.UserRequest{Username: user, DisplayName: name, Password: playPassword,
		Roles: []accounts.Role{accounts.RoleExpert}}, &u); err != nil {
		return 0, nil, err
	}
	c, err := p.login(ctx, user, playPassword)
	return u.ID, c, err
}
