package experts

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
)

// Demo data: a deterministic, realistic-looking pool for `tenderhall demo`
// and the benchmarks. Every ID number, credit code and phone is valid in
// form and fictitious.

var (
	demoSurnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余")
	demoGiven    = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国志红梅文斌辉鹏宇浩凯健俊")
	demoRegions  = []string{"350102", "350103", "350104", "350105", "350111", "350203", "350206", "350211", "350302",
		"350402", "350502", "350503", "350602", "350702", "350802", "350902"}
	demoKinds = []string{"建筑设计研究院", "工程咨询有限公司", "建设集团有限公司", "大学", "造价咨询事务所", "交通规划设计院",
		"水利水电勘测设计院", "信息技术有限公司", "医院", "环境科学研究院"}
	// DemoSpecialties are the specialty codes the demo pool uses.
	DemoSpecialties = []string{"A010101", "A010102", "A010201", "A020101", "A020301", "A030101", "A040101", "A040201",
		"A040303", "A050101", "A060101", "A070101", "A080101", "A080201", "B010101", "B010201", "B020101", "B030101",
		"B040101", "B050101", "C010101", "C020101", "C030101", "C040101", "C050101"}
	demoTitles = []string{"高级工程师", "正高级工程师", "教授", "副教授", "高级经济师", "高级会计师", "注册造价工程师"}
	demoLevels = []string{"省级", "市级"}
)

// DemoEmployer returns the name and a valid credit code of demo employer i.
func DemoEmployer(i int) (name, uscc string) {
	city := []string{"福州", "厦门", "泉州", "漳州", "莆田", "三明", "南平", "龙岩", "宁德"}[i%9]
	name = fmt.Sprintf("%s%s第%d%s", city, "市", i/9+1, demoKinds[i%len(demoKinds)])
	return name, completeUSCC(fmt.Sprintf("91350%03d%09d", i%1000, 100000+i))
}

func completeUSCC(body string) string { return accounts.CompleteUSCC(body) }

// completeID appends the GB 11643 check character to a 17-digit body.
func completeID(body string) string {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(body[i]-'0') * weights[i]
	}
	return body + string("10X98765432"[sum%11])
}

// DemoPool returns n deterministic experts spread over employers
// employers (at least 1), the same for the same arguments.
func DemoPool(n, employers int) []NewExpert {
	r := rand.New(rand.NewPCG(20261122, uint64(n)))
	out := make([]NewExpert, n)
	for i := range out {
		region := demoRegions[r.IntN(len(demoRegions))]
		birth := time.Date(1960+r.IntN(35), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		id := completeID(fmt.Sprintf("%s%s%03d", region, birth.Format("20060102"), i%1000))
		emp, uscc := DemoEmployer(r.IntN(max(employers, 1)))
		cat := Technical
		if r.IntN(5) == 0 {
			cat = Economic
		}
		specs := []string{DemoSpecialties[r.IntN(len(DemoSpecialties))]}
		if r.IntN(3) == 0 {
			if s := DemoSpecialties[r.IntN(len(DemoSpecialties))]; s != specs[0] {
				specs = append(specs, s)
			}
		}
		since := time.Date(2000+r.IntN(25), time.Month(1+r.IntN(12)), 1, 0, 0, 0, 0, time.UTC)
		name := string(demoSurnames[r.IntN(len(demoSurnames))]) + string(demoGiven[r.IntN(len(demoGiven))])
		if r.IntN(2) == 0 {
			name += string(demoGiven[r.IntN(len(demoGiven))])
		}
		out[i] = NewExpert{Name: name, IDNumber: id, Phones: []string{fmt.Sprintf("1%d%09d", 3+r.IntN(7), r.IntN(1e9))},
			EmployerUSCC: uscc, EmployerName: emp, EmployedSince: &since, Region: region, Title: demoTitles[r.IntN(len(demoTitles))],
			Level: demoLevels[r.IntN(len(demoLevels))], Category: cat, Specialties: specs}
	}
	return out
}

// SeedDemo imports DemoPool(n, n/8) as actor, an administrator. Running it
// again updates the same experts and adds nobody. Errors: those of Import.
func (s *Service) SeedDemo(ctx context.Context, actor accounts.Principal, n int) (ImportReport, error) {
	pool := DemoPool(n, max(n/8, 1))
	rows := make([]ImportRow, len(pool))
	for i, e := range pool {
		rows[i] = ImportRow{Line: i + 2, Expert: e}
		if err := rows[i].Expert.validate(); err != nil {
			rows[i].Fields = map[string]string{"demo": err.Error()}
		}
	}
	return s.Import(ctx, actor, rows)
}

// DemoIDNumber returns a valid ID number (GB 11643) for demonstration
// sequence number seq: different numbers for different seq up to 10,000,000.
func DemoIDNumber(seq int64) string {
	birth := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(seq/1000%10000))
	return completeID(fmt.Sprintf("350102%s%03d", birth.Format("20060102"), seq%1000))
}
