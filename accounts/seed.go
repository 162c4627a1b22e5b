package accounts

import (
	"context"
	"crypto/rand"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// DemoLogin is one demo user's credentials, for `serve --demo` to print.
type DemoLogin struct {
	Username    string
	Password    string
	DisplayName string
	Roles       []Role
	Org         string // organisation name, empty for none
}

type demoUser struct {
	username, name, org string
	role                Role
}

// The demo organisations: USCCs are made up, with correct check characters.
var demoOrgs = []NewOrg{
	{Kind: OrgPlatform, Name: "省公共资源交易中心（演示）", Region: "350000"},
	{Kind: OrgAgency, Name: "福建闽招工程咨询有限公司（演示）", USCC: "91350102MA31B4C717"},
	{Kind: OrgTenderer, Name: "福州市城市建设投资集团有限公司（演示）", USCC: "913501001581429716"},
	{Kind: OrgDepartment, Name: "福州市住房和城乡建设局（演示）", Region: "350100"},
	{Kind: OrgBidder, Name: "福建榕城建设工程有限公司（演示）", USCC: "91350104MA2Y8K3N07"},
	{Kind: OrgBidder, Name: "福建海西路桥集团有限公司（演示）", USCC: "91350105MA33D6E825"},
	{Kind: OrgBidder, Name: "福州闽江建筑安装有限公司（演示）", USCC: "91350111MA32F7GH5W"},
}

var demoUsers = []demoUser{
	{"demo-admin", "平台管理员", "省公共资源交易中心（演示）", RoleAdmin},
	{"demo-agent", "张伟（代理）", "福建闽招工程咨询有限公司（演示）", RoleAgent},
	{"demo-tenderer", "赵敏（招标人）", "福州市城市建设投资集团有限公司（演示）", RoleAgent},
	{"demo-supervisor", "李娜（监督）", "福州市住房和城乡建设局（演示）", RoleSupervisor},
	{"demo-officer", "王芳（审批窗口）", "福州市住房和城乡建设局（演示）", RoleOfficer},
	{"demo-bidder1", "陈强（榕城建设）", "福建榕城建设工程有限公司（演示）", RoleBidder},
	{"demo-bidder2", "林静（海西路桥）", "福建海西路桥集团有限公司（演示）", RoleBidder},
	{"demo-bidder3", "黄磊（闽江建安）", "福州闽江建筑安装有限公司（演示）", RoleBidder},
	{"demo-expert1", "刘洋（专家）", "", RoleExpert},
	{"demo-expert2", "周敏（专家）", "", RoleExpert},
	{"demo-expert3", "吴军（专家）", "", RoleExpert},
	{"demo-expert4", "郑华（专家）", "", RoleExpert},
	{"demo-expert5", "孙丽（专家）", "", RoleExpert},
	{"demo-expert6", "钱进（专家）", "", RoleExpert},
	{"demo-expert7", "何平（专家）", "", RoleExpert},
	{"demo-applicant", "吴刚（申请人）", "", RoleApplicant},
}

// SeedDemo creates a coherent demo data set in one transaction: the
// platform with an admin, an agency with an agent, a tenderer with its own
// agent who approves announcements, a department
// with a supervisor and an officer, three bidder companies each with a
// bidder user, seven experts and an applicant. Every user gets a fresh random
// password, returned here and nowhere else. It runs once: when the demo
// users exist already it changes nothing and returns apperr.Conflict with
// code "demo_seeded".
func (s *Service) SeedDemo(ctx context.Context) ([]DemoLogin, error) {
	if _, err := s.userByName(ctx, demoUsers[0].username); err == nil {
		return nil, errSeeded()
	} else if !apperr.Is(err, apperr.NotFound) {
		return nil, err
	}
	logins := make([]DemoLogin, len(demoUsers))
	hashes := make([]string, len(demoUsers))
	for i, d := range demoUsers {
		pw := demoPassword(d.username)
		logins[i] = DemoLogin{Username: d.username, Password: pw, DisplayName: d.name, Roles: []Role{d.role}, Org: d.org}
		hashes[i] = hashPassword(pw, s.opts.Argon2)
	}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		orgIDs := map[string]int64{}
		for _, in := range demoOrgs {
			org, err := s.createOrg(ctx, actorSystem, in)
			if apperr.Is(err, apperr.Conflict) {
				return errSeeded()
			}
			if err != nil {
				return err
			}
			orgIDs[org.Name] = org.ID
		}
		for i, d := range demoUsers {
			// userRowFor checks the password policy on the real password;
			// the hash was computed outside the transaction.
			row, roles, err := s.userRowFor(ctx, NewUser{Username: d.username, DisplayName: d.name,
				Password: logins[i].Password, OrgID: orgIDs[d.org], Roles: []Role{d.role}})
			if err != nil {
				return err
			}
			row.PasswordHash = hashes[i]
			if _, err := s.storeUser(ctx, actorSystem, nil, row, roles); err != nil {
				if apperr.Is(err, apperr.Conflict) {
					return errSeeded()
				}
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return logins, nil
}

// demoPassword returns a random password that meets the policy.
func demoPassword(username string) string {
	for {
		pw := rand.Text()[:16] // base32: capital letters and digits 2–7, 80 bits
		if CheckPassword(username, pw) == nil {
			return pw
		}
	}
}

func errSeeded() error {
	return apperr.New(apperr.Conflict, "演示数据已存在，未做任何更改", "the demo data exists already; nothing was changed").WithCode("demo_seeded")
}

// DemoTendererName is the demo tenderer organisation, for which the demo
// projects are run (it has no user of its own).
const DemoTendererName = "福州市城市建设投资集团有限公司（演示）"

// DemoDepartmentName is the demo supervising department: demo-supervisor's
// and demo-officer's organisation, the demo projects' supervisor.
const DemoDepartmentName = "福州市住房和城乡建设局（演示）"

// DemoOrgID returns the id of the demo organisation named name.
func (s *Service) DemoOrgID(ctx context.Context, name string) (int64, error) {
	var o orgRow
	if err := s.first(ctx, &o, "name = ?", name); err != nil {
		return 0, err
	}
	return o.ID, nil
}
