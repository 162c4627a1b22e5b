package bidding

import (
	"io"
	"strconv"
	"time"

	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/pdf"
)

var statusNames = map[OpeningStatus]string{OpeningPending: "待解密", OpeningDecrypted: "解密成功",
	OpeningRevoked: "撤销（投标人原因）", OpeningWithdrawn: "撤回（非投标人原因）"}

// renderRecordPDF prints the opening record (开标记录表).
func renderRecordPDF(w io.Writer, rec OpeningRecord, keyID, digest string, now time.Time) error {
	outcome := "开标完成"
	if rec.Outcome == StateFailed {
		outcome = "流标：" + rec.FailReason
	}
	rows := make([][]string, len(rec.Bids))
	for i, b := range rec.Bids {
		price, days, at := "—", "—", "—"
		if b.PriceFen != nil {
			price = yuan(*b.PriceFen)
		}
		if b.DurationDays != nil {
			days = strconv.Itoa(*b.DurationDays)
		}
		if b.DecryptedAt != nil {
			at = clock.ShowStamp(*b.DecryptedAt)
		}
		status := statusNames[b.Status]
		if b.Remedy {
			status += "（托管补救）"
		}
		rows[i] = []string{strconv.Itoa(i + 1), b.BidderName, price, days, at, status, b.Digest}
	}
	blocks := []pdf.Block{
		pdf.Heading{Text: "一、投标文件解密结果"},
		pdf.Table{Columns: []string{"序号", "投标人", "投标报价（元）", "工期（天）", "解密时间", "状态", "密文摘要（SM3）"},
			Rows: rows, Widths: []float64{0.5, 2.2, 1.4, 0.8, 1.5, 1.2, 2.6},
			Align: []pdf.Align{pdf.Center, pdf.Left, pdf.Right, pdf.Right, pdf.Center, pdf.Center, pdf.Left}},
		pdf.Heading{Text: "二、开标异议及答复"},
	}
	if len(rec.Objections) == 0 {
		blocks = append(blocks, pdf.Paragraph{Text: "无。"})
	} else {
		objs := make([][]string, len(rec.Objections))
		for i, o := range rec.Objections {
			answer := ""
			if o.Answer != nil {
				answer = *o.Answer
			}
			objs[i] = []string{strconv.Itoa(i + 1), o.Body, answer}
		}
		blocks = append(blocks, pdf.Table{Columns: []string{"序号", "异议内容", "答复"}, Rows: objs, Widths: []float64{0.5, 3, 3}})
	}
	blocks = append(blocks, pdf.Heading{Text: "三、签名"}, pdf.Paragraph{Text: "本记录由平台以 SM2 密钥签名（密钥标识 " + keyID +
		"），记录文件 SM3 摘要 " + digest + "。可用 tenderhall verify 或平台公钥核验。"})
	title, footer := DocumentFrame("开标记录表", rec.Sandbox)
	return pdf.Render(w, pdf.Document{
		Title: title, Subtitle: rec.ProjectName,
		Meta: []pdf.KV{{Key: "标段", Value: rec.SectionCode + " " + rec.SectionName},
			{Key: "投标截止时间", Value: clock.ShowStamp(rec.Deadline)}, {Key: "开标时间", Value: clock.ShowStamp(rec.OpenedAt)},
			{Key: "解密截止时间", Value: clock.ShowStamp(rec.WindowEndsAt)}, {Key: "投标文件数", Value: strconv.Itoa(rec.BidCount)},
			{Key: "开标结果", Value: outcome}},
		Blocks: blocks, Footer: footer, Author: "TenderHall", Created: now,
	})
}

// SandboxFooter is the footer of every document a sandbox prints.
const SandboxFooter = "测试环境（SANDBOX）生成，仅供演示，不具法律效力"

// DocumentFrame returns a printed document's title and footer: the
// platform's footer, or in a sandbox the title marked as a test and
// SandboxFooter.
func DocumentFrame(title string, sandbox bool) (string, string) {
	if sandbox {
		return SandboxTitle(title), SandboxFooter
	}
	return title, "TenderHall 公共资源交易平台"
}

// SandboxTitle marks a sandbox document's title as a test.
func SandboxTitle(title string) string { return "【测试】" + title }
