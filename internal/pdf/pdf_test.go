package pdf

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	extract "github.com/ledongthuc/pdf"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

var bidders = []string{
	"江西省建工集团有限责任公司",
	"中铁二十四局集团有限公司",
	"南昌市政公用工程建设有限公司",
	"赣州城投建设集团股份有限公司",
	"九江市第一建筑工程（集团）有限公司",
}

// openingRecord is a 开标记录表 with rows bidders, each with a price.
func openingRecord(rows int) Document {
	t := Table{
		Columns: []string{"序号", "投标人名称", "投标报价（元）", "工期（日历天）", "备注"},
		Widths:  []float64{1, 5, 3, 2, 2},
		Align:   []Align{Center, Left, Right, Center, Left},
	}
	for i := range rows {
		note := ""
		if i%7 == 3 {
			note = "投标文件已按时递交，现场解密成功；投标保证金以银行保函形式提交，保函编号 BH-2026-0" + fmt.Sprint(i)
		}
		t.Rows = append(t.Rows, []string{
			fmt.Sprint(i + 1), bidders[i%len(bidders)],
			fmt.Sprintf("¥%d,%03d,%03d.%02d", 1+i%9, (234+i)%1000, 567, 89-i%50), fmt.Sprint(180 + i%60), note,
		})
	}
	return Document{
		Title:    "开标记录表",
		Subtitle: "赣江新区综合管廊二期工程施工总承包（第一标段）",
		Meta: []KV{
			{"项目编号", "JXZB-2026-0815"},
			{"开标时间", "2026年11月20日 09:30（北京时间）"},
			{"开标地点", "江西省公共资源交易中心 第三开标室（不见面开标）"},
		},
		Blocks: []Block{
			Heading{"一、开标情况"},
			Paragraph{"本项目于 2026年11月20日 09:30 在江西省公共资源交易平台进行不见面开标。投标截止时间前共收到 " +
				fmt.Sprint(rows) + " 份投标文件，经投标人远程解密，全部解密成功。监督人员全程在线监督，开标过程全程录像。" +
				"Bidders who could not decrypt within the window are recorded below; their bids are rejected according to the tender documents."},
			Heading{"二、投标报价一览"},
			t,
			Paragraph{"招标人代表：　　　　　　监督人：　　　　　　记录人："},
		},
		Footer:  "江西省公共资源交易中心",
		Author:  "TenderHall",
		Created: time.Date(2026, 11, 20, 10, 5, 0, 0, time.UTC),
	}
}

func render(t testing.TB, d Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, d); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return buf.Bytes()
}

// pagesText extracts the text of every page of a PDF.
func pagesText(t *testing.T, b []byte) []string {
	t.Helper()
	r, err := extract.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("reading the PDF back: %v", err)
	}
	var out []string
	for i := 1; i <= r.NumPage(); i++ {
		p := r.Page(i)
		s, err := p.GetPlainText(nil)
		if err != nil {
			t.Fatalf("page %d text: %v", i, err)
		}
		out = append(out, s)
	}
	return out
}

// squash drops whitespace, so text wrapped over lines can be found whole.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
}

func TestRenderTextCanBeExtracted(t *testing.T) {
	pages := pagesText(t, render(t, openingRecord(60)))
	if len(pages) < 2 {
		t.Fatalf("60-row table on %d page(s), want more than 1", len(pages))
	}
	all := strings.Join(pages, "\n")
	for _, want := range []string{
		"开标记录表", "赣江新区综合管廊二期工程施工总承包（第一标段）", "项目编号：", "JXZB-2026-0815",
		"一、开标情况", "江西省建工集团有限责任公司", "九江市第一建筑工程（集团）有限公司",
		"¥1,234,567.89", "¥9,242,567.81", "投标报价（元）",
		"监督人员全程在线监督", "according to the tender documents",
		fmt.Sprintf("第 1 页 / 共 %d 页", len(pages)),
	} {
		if !strings.Contains(squash(all), squash(want)) {
			t.Errorf("extracted text lacks %q", want)
		}
	}
	for i, p := range pages {
		for _, want := range []string{"投标人名称", fmt.Sprintf("第%d页/共%d页", i+1, len(pages)), "江西省公共资源交易中心"} {
			if !strings.Contains(squash(p), want) {
				t.Errorf("page %d lacks %q (header row or footer)", i+1, want)
			}
		}
	}
	// Every one of the 60 prices is somewhere, exactly once.
	d := openingRecord(60)
	tbl := d.Blocks[3].(Table)
	for _, row := range tbl.Rows {
		if n := strings.Count(all, row[2]); n < 1 {
			t.Errorf("price %s of row %s missing", row[2], row[0])
		}
	}
}

func TestRenderPageCount(t *testing.T) {
	for _, tc := range []struct {
		rows     int
		min, max int
	}{
		{0, 1, 1},
		{5, 1, 1},
		{60, 2, 5},
		{200, 6, 14},
	} {
		t.Run(fmt.Sprint(tc.rows), func(t *testing.T) {
			n := len(pagesText(t, render(t, openingRecord(tc.rows))))
			if n < tc.min || n > tc.max {
				t.Errorf("%d rows on %d pages, want %d..%d", tc.rows, n, tc.min, tc.max)
			}
		})
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	d := openingRecord(60)
	want := render(t, d)
	var wg sync.WaitGroup
	got := make([][]byte, 4)
	for i := range got {
		wg.Add(1)
		go func() { defer wg.Done(); got[i] = render(t, d) }()
	}
	wg.Wait()
	for i, g := range got {
		if !bytes.Equal(g, want) {
			t.Errorf("render %d differs from the first (%d vs %d bytes)", i, len(g), len(want))
		}
	}
	d.Created = d.Created.Add(time.Second)
	if bytes.Equal(render(t, d), want) {
		t.Error("a different creation time gave the same bytes")
	}
	if !bytes.Contains(want, []byte("/CreationDate (D:20261120100500)")) {
		t.Error("creation date is not the document's, in UTC")
	}
}

func TestRenderGolden(t *testing.T) {
	got := render(t, openingRecord(60))
	path := filepath.Join("testdata", "opening_record.pdf")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/pdf -run Golden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (%d vs %d bytes); if the change is intended, rerun with -update and look at the PDF", path, len(got), len(want))
	}
}

func TestRenderRejects(t *testing.T) {
	good := openingRecord(3)
	with := func(change func(d *Document)) Document {
		d := good
		d.Blocks = append([]Block(nil), good.Blocks...)
		change(&d)
		return d
	}
	table := func(change func(t *Table)) Document {
		return with(func(d *Document) {
			tb := d.Blocks[3].(Table)
			tb.Rows = append([][]string(nil), tb.Rows...)
			change(&tb)
			d.Blocks[3] = tb
		})
	}
	for _, tc := range []struct {
		name string
		doc  Document
		code string
		zh   string
	}{
		{"empty document", Document{}, "pdf_no_title", "文档标题为空"},
		{"no body", with(func(d *Document) { d.Blocks = nil }), "pdf_empty", "文档没有正文内容"},
		{"no creation time", with(func(d *Document) { d.Created = time.Time{} }), "pdf_no_time", "文档生成时间未设置"},
		{"nil block", with(func(d *Document) { d.Blocks[1] = nil }), "pdf_bad_block", "第 2 个正文块类型不受支持"},
		{"short row", table(func(t *Table) { t.Rows[1] = []string{"2", "江西省建工集团有限责任公司"} }), "pdf_bad_table", "第 4 个正文块（表格）第 2 行有 2 个单元格，应为 5 个"},
		{"long row", table(func(t *Table) { t.Rows[2] = append(t.Rows[2][:5:5], "多余") }), "pdf_bad_table", "第 3 行有 6 个单元格，应为 5 个"},
		{"no columns", table(func(t *Table) { t.Columns = nil }), "pdf_bad_table", "没有表头列"},
		{"widths count", table(func(t *Table) { t.Widths = []float64{1, 2} }), "pdf_bad_table", "列宽有 2 个，应为 5 个"},
		{"zero width", table(func(t *Table) { t.Widths = []float64{1, 0, 1, 1, 1} }), "pdf_bad_table", "第 2 列的列宽 0 无效"},
		{"align count", table(func(t *Table) { t.Align = []Align{Left} }), "pdf_bad_table", "对齐方式有 1 个，应为 5 个"},
		{"not a png", with(func(d *Document) { d.Blocks = append(d.Blocks, Image{PNG: []byte("GIF89a..."), W: 20, H: 20}) }), "pdf_bad_image", "图片不是 PNG"},
		{"image too wide", with(func(d *Document) { d.Blocks = append(d.Blocks, Image{PNG: testPNG(t), W: 400, H: 20}) }), "pdf_bad_image", "尺寸无效"},
		{"captions count", with(func(d *Document) {
			d.Blocks = append(d.Blocks, ImageRow{Images: []Image{{PNG: testPNG(t), W: 20, H: 20}}, Captions: []string{"a", "b"}})
		}), "pdf_bad_image", "图片与说明数量不符"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Render(&buf, tc.doc)
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.Invalid {
				t.Fatalf("err %v, want apperr.Invalid", err)
			}
			if e.Code != tc.code || !strings.Contains(e.Zh, tc.zh) || e.En == "" {
				t.Errorf("got code %q zh %q en %q, want code %q and zh containing %q", e.Code, e.Zh, e.En, tc.code, tc.zh)
			}
			if buf.Len() != 0 {
				t.Errorf("%d bytes written for a rejected document", buf.Len())
			}
		})
	}
}

func TestMissingCharactersAreReplaced(t *testing.T) {
	d := openingRecord(2)
	d.Title = "开标记录表𠀀"                                    // U+20000, CJK Extension B: not in the font
	d.Blocks[1] = Paragraph{"投标人：王喆🙂公司\t（暂定）\r\n第二行\x00"} // 喆 is outside GB 2312 but in the font
	if got, want := string(Unsupported(d)), "🙂𠀀"; got != want {
		t.Errorf("Unsupported = %q, want %q", got, want)
	}
	all := squash(strings.Join(pagesText(t, render(t, d)), ""))
	for _, want := range []string{"开标记录表□", "投标人：王喆□公司（暂定）", "第二行"} {
		if !strings.Contains(all, want) {
			t.Errorf("extracted text lacks %q", want)
		}
	}
	if strings.ContainsRune(all, 0x20000) {
		t.Error("the missing character reached the PDF")
	}
}

func TestTallCellSplitsAcrossPages(t *testing.T) {
	long := strings.Repeat("评标委员会认为该投标人的施工组织设计内容完整、措施可行。", 120)
	d := Document{
		Title:   "评标报告",
		Blocks:  []Block{Table{Columns: []string{"投标人", "评审意见"}, Widths: []float64{1, 3}, Rows: [][]string{{bidders[0], long}, {bidders[1], "合格"}}}},
		Created: time.Date(2026, 11, 21, 16, 0, 0, 0, time.UTC),
	}
	pages := pagesText(t, render(t, d))
	if len(pages) < 2 {
		t.Fatalf("a cell of %d characters fit on one page", len([]rune(long)))
	}
	all := squash(strings.Join(pages, ""))
	if n := strings.Count(all, "措施可行"); n != 120 {
		t.Errorf("the long cell shows %d of its 120 sentences", n)
	}
	if !strings.Contains(squash(pages[len(pages)-1]), "合格") || !strings.Contains(squash(pages[len(pages)-1]), "评审意见") {
		t.Error("the last page lacks the header row or the next row")
	}
}

func TestEmbeddedFontCoversCommonText(t *testing.T) {
	for _, s := range []string{
		"江西省建工集团有限责任公司", "¥1,234,567.89", "（）《》“”、，。；：？！—…①②③", "ABCxyz0123456789@#%&",
		"喆堃镕玥昇犇垚淼", "第 1 页 / 共 9 页", "□",
	} {
		for _, r := range s {
			if r != ' ' && !covered(r) {
				t.Errorf("font lacks %q (U+%04X)", r, r)
			}
		}
	}
	if n := len(cover); n < 21000 {
		t.Errorf("font covers %d characters, want all of GBK", n)
	}
}

func BenchmarkRender(b *testing.B) {
	d := openingRecord(200)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := Render(&buf, d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "pdf-bytes")
}

// testPNG is a 4×4 red square.
func testPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := 0; i < 16; i++ {
		img.Set(i%4, i/4, color.RGBA{R: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestImagesAreEmbeddedOnceAndDeterministically(t *testing.T) {
	d := openingRecord(1)
	pic := testPNG(t)
	d.Blocks = append(d.Blocks, ImageRow{Images: []Image{{PNG: pic, W: 30, H: 30}, {PNG: pic, W: 30, H: 30}}, Captions: []string{"电子印章", "核验二维码"}},
		Image{PNG: pic, W: 25, H: 25, Align: Right})
	a, b := render(t, d), render(t, d)
	if !bytes.Equal(a, b) {
		t.Fatal("the same document with images gave different bytes")
	}
	if n := bytes.Count(a, []byte("/Subtype /Image")); n != 1 {
		t.Errorf("%d image objects, want the one picture embedded once", n)
	}
	if txt := squash(strings.Join(pagesText(t, a), "")); !strings.Contains(txt, "电子印章") || !strings.Contains(txt, "核验二维码") {
		t.Errorf("captions missing from the text: %q", txt)
	}
	if len(a) <= len(render(t, openingRecord(1))) {
		t.Error("the document with images is no larger than without")
	}
}
