package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// demoProject is one published demo tender: a project with one section.
type demoProject struct {
	name, region, code, section string
	kind                        bidding.Kind
	rulebook                    bidding.RulebookName
	budgetFen                   int64
	body                        string
}

var demoProjects = []demoProject{
	{"福州市晋安区福新路道路提升改造工程", "350111", "A010101", "施工标段", bidding.Engineering, bidding.RulebookEngineering, 4_860_000_00,
		"福新路（福马路至长乐北路段）道路提升改造，全长约 1.8 公里，含路面、排水、照明及交通设施。投标人须具备市政公用工程施工总承包二级及以上资质。"},
	{"福州市第一中学教学用计算机采购项目", "350102", "B020101", "计算机及外设", bidding.Goods, bidding.RulebookProcurement, 1_260_000_00,
		"采购教学用台式计算机 300 台、交换机 12 台及配套安装调试服务，交货期 30 日历天。"},
	{"福州市鼓楼区政务服务中心物业管理服务项目", "350102", "C080101", "物业管理服务", bidding.Services, bidding.RulebookProcurement, 380_000_00,
		"政务服务中心大楼（建筑面积约 2.1 万平方米）保洁、安保、设备运维等物业管理服务，服务期三年。"},
	{"闽江北岸防洪堤加固工程（二期）", "350104", "A030201", "堤防施工", bidding.Engineering, bidding.RulebookEngineering, 9_720_000_00,
		"闽江北岸 K3+200 至 K6+850 段防洪堤加固，含堤身培厚、护坡、穿堤建筑物改造。投标人须具备水利水电工程施工总承包二级及以上资质。"},
}

// seedDemoProjects publishes the demo tenders through the bidding service
// (so every step is in the event log), run by the demo agent for the demo
// tenderer and approved by the demo administrator, so that the public
// portal has announcements on a fresh demo database.
func (e *env) seedDemoProjects(ctx context.Context, a *app, logins []accounts.DemoLogin) error {
	agent, done1, err := demoPrincipal(ctx, a, logins, "demo-agent")
	if err != nil {
		return err
	}
	defer done1()
	admin, done2, err := demoPrincipal(ctx, a, logins, "demo-admin")
	if err != nil {
		return err
	}
	defer done2()
	tenderer, err := a.accounts.DemoOrgID(ctx, accounts.DemoTendererName)
	if err != nil {
		return err
	}
	dept, err := a.accounts.DemoOrgID(ctx, accounts.DemoDepartmentName)
	if err != nil {
		return err
	}
	for _, d := range demoProjects {
		if err := seedDemoProject(ctx, a.bidding, agent, admin, tenderer, dept, d); err != nil {
			return fmt.Errorf("demo project %s: %w", d.name, err)
		}
	}
	fmt.Fprintf(e.out, "demo projects: %d announcements published\n", len(demoProjects))
	return nil
}

func seedDemoProject(ctx context.Context, svc *bidding.Service, agent, admin accounts.Principal, tenderer, dept int64, d demoProject) error {
	p, err := svc.CreateProject(ctx, agent, bidding.NewProject{Name: d.name, TendererOrgID: tenderer, Region: d.region, SupervisingOrgID: dept})
	if err != nil {
		return err
	}
	sec, err := svc.CreateSection(ctx, agent, p.ID, bidding.NewSection{Code: d.code, Name: d.section, Kind: d.kind,
		BudgetFen: d.budgetFen, Rulebook: d.rulebook})
	if err != nil {
		return err
	}
	// Documents from today for 10 days; the deadline 30 days out at 09:30
	// Beijing time, past the 20-day minimum even across a holiday week.
	now := time.Now().In(clock.Shanghai)
	day := time.Date(now.Year(), now.Month(), now.Day(), 9, 30, 0, 0, clock.Shanghai)
	in := bidding.AnnouncementInput{Title: d.name + "招标公告", Body: d.body, DocsFrom: now,
		DocsUntil: day.AddDate(0, 0, 10), Deadline: day.AddDate(0, 0, 30)}
	if _, err := svc.SaveAnnouncement(ctx, agent, sec.ID, in); err != nil {
		return err
	}
	doc := "《" + d.name + "》招标文件（演示）\n\n" + d.body + "\n"
	if _, err := svc.UploadDocument(ctx, agent, sec.ID, bidding.DocumentUpload{Name: "招标文件.txt",
		ContentType: "text/plain; charset=utf-8", Body: strings.NewReader(doc), Size: int64(len(doc))}); err != nil {
		return err
	}
	if _, err := svc.ApproveAnnouncement(ctx, admin, sec.ID); err != nil {
		return err
	}
	_, err = svc.PublishAnnouncement(ctx, agent, sec.ID)
	return err
}

// demoPrincipal signs a demo user in for seeding; done ends the session.
func demoPrincipal(ctx context.Context, a *app, logins []accounts.DemoLogin, username string) (accounts.Principal, func(), error) {
	for _, l := range logins {
		if l.Username == username {
			res, err := a.accounts.Login(ctx, accounts.LoginRequest{Username: l.Username, Password: l.Password, Kind: accounts.KindBearer})
			if err != nil {
				return accounts.Principal{}, nil, err
			}
			return res.Principal, func() { a.accounts.Logout(ctx, res.Token) }, nil
		}
	}
	return accounts.Principal{}, nil, fmt.Errorf("demo user %s missing", username)
}
