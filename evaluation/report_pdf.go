package evaluation

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/pdf"
)

var partNames = map[Part]string{Qualification: "资格审查", Technical: "技术", Commercial: "商务"}

var signNames = map[string]string{SignSigned: "已签名（SM2）", SignDissent: "不同意（书面理由）", SignDeemed: "拒签且未说明理由，视为同意"}

func seatName(seat int, chair bool) string {
	if chair {
		return fmt.Sprintf("评委%d（组长）", seat)
	}
	return fmt.Sprintf("评委%d", seat)
}

// renderReportPDF prints the evaluation report (评标报告).
func renderReportPDF(w io.Writer, rep Report, digest string, sigs []Signature, finalAt time.Time) error {
	title, footer := bidding.DocumentFrame("评标报告", rep.Sandbox)
	method := "综合评分法"
	if rep.Scheme.Method == LowestPrice {
		method = "经评审的最低投标价法"
	}
	blocks := []pdf.Block{pdf.Heading{Text: "一、评标委员会"}, committeeTable(rep)}
	if len(rep.Withdrawn) > 0 {
		blocks = append(blocks, pdf.Paragraph{Text: fmt.Sprintf("回避：评委席位 %v 的专家声明存在利害关系，已回避，由候补专家递补。", rep.Withdrawn)})
	}
	blocks = append(blocks, pdf.Heading{Text: "二、投标文件及资格审查结论"}, findingsTable(rep))
	if rep.Competition != nil {
		verdict := "评标委员会认为仍具有竞争性，继续评审"
		if !rep.Competition.Effective {
			verdict = "评标委员会认为缺乏竞争性，否决全部投标"
		}
		blocks = append(blocks, pdf.Paragraph{Text: "有效投标不足三家：" + verdict + "。理由：" + rep.Competition.Reason})
	}
	blocks = append(blocks, pdf.Heading{Text: "三、澄清"})
	blocks = append(blocks, clarificationBlocks(rep)...)
	blocks = append(blocks, pdf.Heading{Text: "四、评分汇总"})
	blocks = append(blocks, scoreBlocks(rep)...)
	blocks = append(blocks, pdf.Heading{Text: "五、价格分计算"})
	blocks = append(blocks, priceBlocks(rep)...)
	blocks = append(blocks, pdf.Heading{Text: "六、评分偏离提示（畸高畸低）及处理"})
	blocks = append(blocks, flagBlocks(rep)...)
	blocks = append(blocks, pdf.Heading{Text: "七、排序及推荐中标候选人"}, rankingTable(rep))
	blocks = append(blocks, pdf.Heading{Text: "八、评标委员会成员签署"}, signatureTable(rep, sigs),
		pdf.Paragraph{Text: "本报告正文的 SM3 摘要为 " + digest + "；每位成员以其账号登记的 SM2 密钥对“" +
			strings.TrimSpace(ReportLabel) + "”与该摘要签名。成员姓名在中标结果确定后与席位一并公布。"})
	return pdf.Render(w, pdf.Document{
		Title: title, Subtitle: rep.ProjectName,
		Meta: []pdf.KV{{Key: "标段", Value: rep.SectionCode + " " + rep.SectionName}, {Key: "评标办法", Value: method},
			{Key: "评标时间", Value: clock.ShowStamp(rep.EvaluationAt)}, {Key: "评标地点", Value: rep.Place + "（" + rep.Room + "）"},
			{Key: "报告完成时间", Value: finalAt.In(clock.Shanghai).Format("2006-01-02 15:04:05")}},
		Blocks: blocks, Footer: footer, Author: "TenderHall", Created: finalAt,
	})
}

func committeeTable(rep Report) pdf.Table {
	rows := [][]string{}
	for _, c := range rep.Committee {
		cat := "技术"
		if c.Category == "economic" {
			cat = "经济"
		}
		rows = append(rows, []string{seatName(c.Seat, c.Chair), cat})
	}
	return pdf.Table{Columns: []string{"席位", "专业类别"}, Rows: rows, Widths: []float64{2, 2}}
}

func findingsTable(rep Report) pdf.Table {
	concl := map[int64]ReportFinding{}
	for _, c := range rep.Conclusions {
		concl[c.BidID] = c
	}
	rows := [][]string{}
	for _, b := range rep.Bids {
		verdict := "通过"
		if c, ok := concl[b.BidID]; ok && !c.Valid {
			verdict = "否决：" + c.StatuteText
			if c.Reason != nil {
				verdict += "；" + *c.Reason
			}
		}
		rows = append(rows, []string{strconv.FormatInt(b.BidID, 10), b.BidderName, yuan(b.PriceFen), strconv.Itoa(b.DurationDays), verdict})
	}
	return pdf.Table{Columns: []string{"投标", "投标人", "报价（元）", "工期（天）", "资格审查结论"}, Rows: rows,
		Widths: []float64{0.6, 2.2, 1.4, 0.8, 3.4}, Align: []pdf.Align{pdf.Center, pdf.Left, pdf.Right, pdf.Right, pdf.Left}}
}

func clarificationBlocks(rep Report) []pdf.Block {
	if len(rep.Clarifications) == 0 {
		return []pdf.Block{pdf.Paragraph{Text: "无。"}}
	}
	rows := [][]string{}
	for _, c := range rep.Clarifications {
		ans := "（未在期限内答复）"
		if c.Answer != nil {
			ans = *c.Answer
		}
		rows = append(rows, []string{strconv.FormatInt(c.BidID, 10), c.Question, ans})
	}
	return []pdf.Block{pdf.Table{Columns: []string{"投标", "澄清问题", "投标人答复"}, Rows: rows, Widths: []float64{0.6, 3, 3}}}
}

func scoreBlocks(rep Report) []pdf.Block {
	if len(rep.Items) == 0 {
		return []pdf.Block{pdf.Paragraph{Text: "本项目采用经评审的最低投标价法，不评分。"}}
	}
	rows := [][]string{}
	for _, it := range rep.Items {
		scores := make([]string, len(it.Scores))
		for i, p := range it.Scores {
			scores[i] = p.String()
		}
		note := ""
		if len(it.Dropped) > 0 {
			note = "（去掉最高、最低分）"
		}
		c, _ := rep.Scheme.criterion(it.Criterion)
		rows = append(rows, []string{strconv.FormatInt(it.BidID, 10), partNames[it.Part] + " " + c.Name, strings.Join(scores, " / "), it.Value.String() + note})
	}
	return []pdf.Block{pdf.Paragraph{Text: "各评委分值按席位顺序列出；主观分取算术平均值，客观分各评委一致。"},
		pdf.Table{Columns: []string{"投标", "评分项", "各评委分值", "得分"}, Rows: rows, Widths: []float64{0.6, 2.4, 2.6, 1.6},
			Align: []pdf.Align{pdf.Center, pdf.Left, pdf.Left, pdf.Right}}}
}

func priceBlocks(rep Report) []pdf.Block {
	if rep.Price == nil {
		return []pdf.Block{pdf.Paragraph{Text: "按有效投标报价由低到高排序。"}}
	}
	out := []pdf.Block{}
	for _, st := range rep.Price.Steps {
		out = append(out, pdf.Paragraph{Text: st})
	}
	return out
}

func flagBlocks(rep Report) []pdf.Block {
	if len(rep.Flags) == 0 {
		return []pdf.Block{pdf.Paragraph{Text: "无。"}}
	}
	rows := [][]string{}
	for _, f := range rep.Flags {
		how := "维持原分"
		if f.Status == FlagChanged && f.NewPoints != nil {
			how = "改为 " + f.NewPoints.String()
		}
		reason := ""
		if f.Reason != nil {
			reason = *f.Reason
		}
		rows = append(rows, []string{seatName(f.Seat, false), strconv.FormatInt(f.BidID, 10), f.Criterion, f.Points.String(), f.Mean, how + "：" + reason})
	}
	return []pdf.Block{pdf.Table{Columns: []string{"席位", "投标", "评分项", "原分", "平均分", "处理"}, Rows: rows,
		Widths: []float64{1, 0.6, 0.8, 0.8, 0.8, 3}}}
}

func rankingTable(rep Report) pdf.Table {
	rows := [][]string{}
	for _, st := range rep.Ranking {
		cand := ""
		if st.Rank <= MaxCandidates {
			cand = fmt.Sprintf("第%d中标候选人", st.Rank)
		}
		rows = append(rows, []string{strconv.Itoa(st.Rank), st.BidderName, yuan(st.PriceFen), st.Technical.String(), st.Commercial.String(),
			st.Price.String(), st.Total.String(), cand})
	}
	return pdf.Table{Columns: []string{"排名", "投标人", "报价（元）", "技术分", "商务分", "价格分", "总分", "推荐"}, Rows: rows,
		Widths: []float64{0.5, 2, 1.3, 0.7, 0.7, 0.7, 0.7, 1.4}}
}

func signatureTable(rep Report, sigs []Signature) pdf.Table {
	rows := [][]string{}
	chair := map[int]bool{}
	for _, c := range rep.Committee {
		chair[c.Seat] = c.Chair
	}
	for _, g := range sigs {
		detail := signNames[g.Kind]
		if g.KeyID != nil {
			detail += "，密钥 " + *g.KeyID
		}
		if g.Reason != nil {
			detail += "；理由：" + *g.Reason
		}
		rows = append(rows, []string{seatName(g.Seat, chair[g.Seat]), g.SignedAt.In(clock.Shanghai).Format("2006-01-02 15:04:05"), detail})
	}
	return pdf.Table{Columns: []string{"席位", "时间", "签署"}, Rows: rows, Widths: []float64{1.4, 1.6, 4}}
}
