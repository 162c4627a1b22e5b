package main

import (
	"fmt"

	"github.com/tenderhall/tenderhall/approval"
)

// demoDept is one of the demo approval departments: the first is the
// existing demo department (demo-officer's), the others are created.
type demoDept struct {
	name, window, location, phone string
}

var demoDepts = []demoDept{
	{"", "住建局综合窗口", "市行政服务中心二楼 B12", "0591-87011234"},
	{"福州市市场监督管理局（演示）", "企业开办专区", "市行政服务中心一楼 A01", "0591-87012315"},
	{"福州市自然资源和规划局（演示）", "自然资源和规划窗口", "市行政服务中心二楼 B05", "0591-87013456"},
	{"福州市生态环境局（演示）", "生态环境窗口", "市行政服务中心三楼 C02", "0591-87012369"},
	{"福州市交通运输局（演示）", "交通运输窗口", "市行政服务中心三楼 C08", "0591-87016789"},
	{"福州市税务局（演示）", "税务综合窗口", "市行政服务中心一楼 A06", "0591-12366"},
	{"福州市公安局（演示）", "公安综合窗口", "市行政服务中心一楼 A08", "0591-110"},
}

// demoItem is one catalogue row: code, name, department index, legal basis,
// legal and promised working days, visits, fee in yuan, fast lane, and its
// materials as "key:name" (a trailing "*" marks one the licence library can
// satisfy, a leading "?" an optional one).
type demoItem struct {
	code, name string
	dept       int
	basis      string
	legal      int
	promised   int
	visits     int
	feeYuan    int64
	fastLane   bool
	materials  []string
}

var demoItems = []demoItem{
	{"350100-JS-001", "建设工程施工许可证核发", 0, "《中华人民共和国建筑法》第七条", 15, 10, 0, 0, true,
		[]string{"application:建筑工程施工许可证申请表", "planning:建设工程规划许可证*", "?funds:建设资金落实证明"}},
	{"350100-JS-002", "建筑业企业资质核准（施工总承包三级）", 0, "《建筑业企业资质管理规定》", 20, 12, 1, 0, false,
		[]string{"application:建筑业企业资质申请表", "license:营业执照*", "staff:技术负责人及注册人员证明"}},
	{"350100-JS-003", "商品房预售许可", 0, "《城市商品房预售管理办法》第七条", 10, 7, 0, 0, true,
		[]string{"application:商品房预售许可申请表", "land:国有土地使用证*", "permit:建设工程施工许可证*", "plan:预售方案"}},
	{"350100-JS-004", "房屋建筑工程竣工验收备案", 0, "《房屋建筑和市政基础设施工程竣工验收备案管理办法》", 15, 5, 0, 0, false,
		[]string{"report:竣工验收报告", "permit:建设工程施工许可证*"}},
	{"350100-JS-005", "建设工程消防设计审查", 0, "《中华人民共和国消防法》第十一条", 15, 10, 0, 0, true,
		[]string{"application:消防设计审查申请表", "drawings:消防设计文件", "?opinion:专家评审意见"}},
	{"350100-JS-006", "城市建筑垃圾处置核准", 0, "《城市建筑垃圾管理规定》第七条", 20, 5, 0, 0, false,
		[]string{"application:建筑垃圾处置申请表", "contract:运输合同"}},
	{"350100-SJ-001", "企业设立登记", 1, "《中华人民共和国市场主体登记管理条例》第八条", 15, 1, 0, 0, false,
		[]string{"application:公司登记（备案）申请书", "articles:公司章程", "id_card:法定代表人身份证明"}},
	{"350100-SJ-002", "食品经营许可", 1, "《中华人民共和国食品安全法》第三十五条", 20, 5, 1, 0, false,
		[]string{"application:食品经营许可申请书", "license:营业执照*", "layout:经营场所平面布局图"}},
	{"350100-SJ-003", "特种设备使用登记", 1, "《中华人民共和国特种设备安全法》第三十三条", 15, 5, 0, 0, false,
		[]string{"application:特种设备使用登记表", "certificate:产品合格证"}},
	{"350100-SJ-004", "药品零售企业经营许可", 1, "《中华人民共和国药品管理法》第五十一条", 30, 15, 1, 0, false,
		[]string{"application:药品经营许可证申请表", "license:营业执照*", "pharmacist:执业药师资格证明"}},
	{"350100-SJ-005", "企业名称变更登记", 1, "《企业名称登记管理规定》", 15, 1, 0, 0, false,
		[]string{"application:变更登记申请书", "license:营业执照*", "resolution:股东会决议"}},
	{"350100-SJ-006", "计量器具型式批准", 1, "《中华人民共和国计量法》第十三条", 20, 15, 1, 0, false,
		[]string{"application:型式批准申请书", "report:型式评价报告"}},
	{"350100-ZG-001", "建设用地规划许可证核发", 2, "《中华人民共和国城乡规划法》第三十七条", 20, 10, 0, 0, true,
		[]string{"application:建设用地规划许可申请表", "approval:项目批准文件", "map:用地红线图"}},
	{"350100-ZG-002", "建设工程规划许可证核发", 2, "《中华人民共和国城乡规划法》第四十条", 20, 10, 0, 0, true,
		[]string{"application:建设工程规划许可申请表", "land:国有土地使用证*", "design:建设工程设计方案"}},
	{"350100-ZG-003", "国有建设用地使用权首次登记", 2, "《不动产登记暂行条例》第二十条", 30, 5, 0, 0, false,
		[]string{"application:不动产登记申请书", "contract:土地出让合同", "receipt:土地出让金缴纳凭证"}},
	{"350100-ZG-004", "乡村建设规划许可证核发", 2, "《中华人民共和国城乡规划法》第四十一条", 20, 10, 1, 0, false,
		[]string{"application:乡村建设规划许可申请表", "consent:村民委员会意见"}},
	{"350100-ZG-005", "临时用地审批", 2, "《中华人民共和国土地管理法》第五十七条", 20, 10, 1, 0, false,
		[]string{"application:临时用地申请表", "reclaim:土地复垦方案", "?contract:临时使用土地合同"}},
	{"350100-ZG-006", "测绘资质审批（丙级）", 2, "《中华人民共和国测绘法》第二十七条", 20, 15, 1, 0, false,
		[]string{"application:测绘资质申请表", "license:营业执照*", "staff:专业技术人员证明"}},
	{"350100-HJ-001", "建设项目环境影响报告书审批", 3, "《中华人民共和国环境影响评价法》第二十二条", 60, 20, 0, 0, true,
		[]string{"application:环评审批申请表", "report:环境影响报告书", "?publicity:公众参与说明"}},
	{"350100-HJ-002", "建设项目环境影响报告表审批", 3, "《中华人民共和国环境影响评价法》第二十二条", 30, 10, 0, 0, true,
		[]string{"application:环评审批申请表", "report:环境影响报告表"}},
	{"350100-HJ-003", "排污许可证核发", 3, "《排污许可管理条例》第十条", 20, 15, 1, 0, false,
		[]string{"application:排污许可证申请表", "license:营业执照*", "monitor:自行监测方案"}},
	{"350100-HJ-004", "危险废物经营许可", 3, "《危险废物经营许可证管理办法》", 20, 18, 2, 0, false,
		[]string{"application:危险废物经营许可证申请表", "facility:贮存设施证明", "plan:事故应急预案"}},
	{"350100-HJ-005", "辐射安全许可证核发", 3, "《放射性同位素与射线装置安全和防护条例》", 20, 15, 1, 0, false,
		[]string{"application:辐射安全许可证申请表", "staff:辐射安全培训合格证明"}},
	{"350100-JT-001", "道路货物运输经营许可", 4, "《中华人民共和国道路运输条例》第二十四条", 20, 5, 0, 0, false,
		[]string{"application:道路货物运输经营申请表", "license:营业执照*", "vehicles:车辆情况说明"}},
	{"350100-JT-002", "公路超限运输许可", 4, "《公路安全保护条例》第三十五条", 15, 5, 0, 0, false,
		[]string{"application:超限运输车辆通行申请表", "route:通行路线图"}},
	{"350100-JT-003", "涉路施工许可", 4, "《中华人民共和国公路法》第四十四条", 20, 10, 1, 0, true,
		[]string{"application:涉路施工许可申请表", "design:施工方案", "safety:安全保障措施"}},
	{"350100-JT-004", "出租汽车经营许可", 4, "《巡游出租汽车经营服务管理规定》", 20, 15, 2, 0, false,
		[]string{"application:出租汽车经营申请表", "license:营业执照*", "parking:停车场所证明"}},
	{"350100-JT-005", "港口经营许可", 4, "《中华人民共和国港口法》第二十二条", 30, 15, 1, 0, false,
		[]string{"application:港口经营许可申请书", "facility:港口设施证明"}},
	{"350100-SW-001", "新办纳税人涉税事项", 5, "《中华人民共和国税收征收管理法》第十五条", 5, 1, 0, 0, false,
		[]string{"id_card:法定代表人身份证明", "?articles:公司章程"}},
	{"350100-GA-001", "公章刻制备案", 6, "《印铸刻字业暨印章刻制管理规定》", 3, 1, 0, 0, false,
		[]string{"id_card:法定代表人身份证明", "?application:印章刻制备案申请"}},
	{"350100-SW-002", "增值税专用发票最高开票限额审批", 5, "《国务院对确需保留的行政审批项目设定行政许可的决定》", 20, 5, 0, 0, false,
		[]string{"application:最高开票限额申请单"}},
	{"350100-SW-003", "对纳税人延期缴纳税款的核准", 5, "《中华人民共和国税收征收管理法》第三十一条", 20, 10, 1, 0, false,
		[]string{"application:延期缴纳税款申请审批表", "statement:资产负债表", "?bank:银行存款账户余额"}},
}

// demoJoint is the joint item (一件事联办): registration, tax and seal at three departments.
var demoJoint = demoItem{"350100-LB-001", "企业开办“一件事”（设立登记、税务登记、印章备案联办）", 1,
	"《优化营商环境条例》第十九条", 5, 3, 0, 0, false,
	[]string{"application:公司登记（备案）申请书", "articles:公司章程", "id_card:法定代表人身份证明"}}

var demoJointParts = []string{"350100-SJ-001", "350100-SW-001", "350100-GA-001"}

// catalogueItem turns a row into an approval.Item with the steps its
// promised limit allows: 受理 1 day, 审查 and 决定 sharing the rest, 办结 0.
func (d demoItem) catalogueItem(depts []int64) approval.Item {
	w := demoDepts[d.dept]
	review := max(d.promised-2, 0)
	decide := d.promised - 1 - review
	steps := []approval.Step{{Name: "受理", Days: 1}, {Name: "审查", Days: review}, {Name: "决定", Days: decide}, {Name: "办结", Days: 0}}
	it := approval.Item{Code: d.code, Name: d.name, DepartmentOrgID: depts[d.dept], LegalBasis: d.basis,
		Conditions: "申请人依法设立，申请材料齐全、符合法定形式。", LegalDays: d.legal, PromisedDays: d.promised,
		FeeFen: d.feeYuan * 100, Visits: d.visits, Online: d.visits == 0, FastLane: d.fastLane, Steps: steps,
		FAQs: []approval.FAQ{
			{Q: "承诺时限从何时起算？", A: fmt.Sprintf("自受理之日起 %d 个工作日内办结；听证、现场勘查、专家评审、补正时间不计入。", d.promised)},
			{Q: "材料不齐怎么办？", A: "窗口在收件后 5 个工作日内一次性告知需补正的全部材料。"},
		},
		WindowName: w.window, WindowLocation: w.location, ComplaintPhone: w.phone}
	for _, m := range d.materials {
		it.Materials = append(it.Materials, demoMaterial(m))
	}
	return it
}

func demoMaterial(spec string) approval.Material {
	m := approval.Material{Form: "electronic", Required: true, Original: true}
	if spec[0] == '?' {
		m.Required, spec = false, spec[1:]
	}
	if spec[len(spec)-1] == '*' {
		m.FromLibrary, m.Original, spec = true, false, spec[:len(spec)-1]
	}
	for i := range spec {
		if spec[i] == ':' {
			m.Key, m.Name = spec[:i], spec[i+1:]
			break
		}
	}
	return m
}
