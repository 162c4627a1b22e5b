package evaluation

import (
	"io"
	"time"

	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/pdf"
)

// renderNoticePDF prints an award notice (中标通知书) or a result notice
// (中标结果通知书).
func renderNoticePDF(w io.Writer, n Notice, keyID, digest string, at time.Time) error {
	title := "中标结果通知书"
	body := "你单位参加的" + n.ProjectName + "（标段 " + n.SectionCode + " " + n.SectionName + "）招标，经评标委员会评审、中标候选人公示，确定中标人为" +
		n.WinnerName + "，中标价 " + yuan(n.WinnerPriceFen) + " 元。感谢你单位的参与。"
	if n.Kind == NoticeAward {
		title = "中标通知书"
		body = "你单位于本项目投标，经评标委员会评审、中标候选人公示，确定你单位为中标人。中标价 " + yuan(n.WinnerPriceFen) +
			" 元，工期 " + itoa(n.WinnerDuration) + " 天。请于 " + clock.ShowStamp(n.ContractDue) + " 前与招标人按照招标文件和你单位的投标文件订立书面合同。"
	}
	title, footer := bidding.DocumentFrame(title, n.Sandbox)
	return pdf.Render(w, pdf.Document{
		Title: title, Subtitle: n.ProjectName,
		Meta: []pdf.KV{{Key: "标段", Value: n.SectionCode + " " + n.SectionName}, {Key: "发出时间", Value: clock.ShowStamp(n.IssuedAt)}},
		Blocks: []pdf.Block{pdf.Paragraph{Text: n.BidderName + "："}, pdf.Paragraph{Text: body},
			pdf.Paragraph{Text: "本通知书由平台以 SM2 密钥签名（密钥标识 " + keyID + "），内容 SM3 摘要 " + digest + "，可用平台公钥核验。"}},
		Footer: footer, Author: "TenderHall", Created: at.In(clock.Shanghai),
	})
}
