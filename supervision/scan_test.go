package supervision

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/docmeta/docmetatest"
	"github.com/tenderhall/tenderhall/notary"
)

// bidShelf holds decrypted bid packages by bid, as bidding.OpenBid would
// stream them after the opening; fail makes a bid's reading fail.
type bidShelf struct {
	mu   sync.Mutex
	pkgs map[int64][]byte
	fail map[int64]error
}

func (b *bidShelf) open(_ context.Context, bidID int64, w io.Writer) error {
	b.mu.Lock()
	pkg, err := b.pkgs[bidID], b.fail[bidID]
	b.mu.Unlock()
	if err != nil {
		return err
	}
	if pkg == nil {
		return apperr.New(apperr.NotFound, "没有该投标", "no such bid")
	}
	_, err = w.Write(pkg)
	return err
}

// fingerprint is the sealing machine of a bid: bids 11 and 13 were
// sealed on one machine; the control section's on their own.
func (b *bidShelf) fingerprint(_ context.Context, bidID int64) (string, error) {
	if bidID == 11 || bidID == 13 {
		return notary.SM3Hex([]byte("machine A")), nil
	}
	if bidID == 22 {
		return "", nil // a sealer that recorded none
	}
	return notary.SM3Hex([]byte("machine " + itoa(bidID))), nil
}

func bidPackage(t testing.TB, form bidding.BidForm, docs map[string][]byte) []byte {
	t.Helper()
	var list []bidding.BidDocument
	for _, name := range sortedKeys(docs) {
		list = append(list, bidding.BidDocument{Name: name, Size: int64(len(docs[name])), Body: bytes.NewReader(docs[name])})
	}
	var b bytes.Buffer
	if err := bidding.WriteBidPackage(&b, form, list); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func sortedKeys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

type seededBid struct {
	ip    string
	price int64
	pkg   []byte
}

// openSection appends a section's received bids and its opening.
func (e *env) openSection(t testing.TB, section int64, bids []seededBid, shelf *bidShelf) {
	t.Helper()
	ctx := context.Background()
	subj := sectionRef(section)
	e.appendEvent(t, "section.created", subj, map[string]any{"projectId": 1, "code": "A0" + itoa(section)})
	var results []map[string]any
	for i, b := range bids {
		bid, org := section*10+int64(i)+1, int64(9+i)
		rctx := eventlog.WithRequest(ctx, eventlog.Request{IP: b.ip})
		if _, err := e.events.Append(rctx, eventlog.Entry{Type: "bid.received", Subject: subj, Actor: "user:" + itoa(org),
			Payload: map[string]any{"bidId": bid, "bidderOrgId": org}}); err != nil {
			t.Fatal(err)
		}
		results = append(results, map[string]any{"bidId": bid, "bidderOrgId": org, "status": "decrypted", "priceFen": b.price})
		shelf.mu.Lock()
		shelf.pkgs[bid] = b.pkg
		shelf.mu.Unlock()
	}
	e.appendEvent(t, "section.opened", subj, map[string]any{"decrypted": len(bids), "results": results})
}

func fieldCipher(t testing.TB) *notary.FieldCipher {
	f, err := notary.NewFieldCipher(bytes.Repeat([]byte{7}, notary.FieldKeySize))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The seeded section: bids 11 and 12 come from one address, their
// documents name one author, share a byte-identical file and one contact
// phone; bid 13 is clean but holds a damaged DOCX and a text file. The
// control section's bids share nothing. Reading bid 12 fails once for a
// passing reason: the scan waits and then completes, once.
func TestContentSignalsAfterOpening(t *testing.T) {
	forEachBackend(t, beijing("2026-11-02 09:00"), func(t *testing.T, e *env) {
		ctx := context.Background()
		shelf := &bidShelf{pkgs: map[int64][]byte{}, fail: map[int64]error{}}
		e.svc.SetBidReader(BidReader{Open: shelf.open, Fingerprint: shelf.fingerprint}, fieldCipher(t), []byte("test value key"))
		e.appendEvent(t, "project.created", "project:1", map[string]any{"name": "实训楼", "agencyOrgId": 700, "supervisingOrgId": e.dept})

		licence := docmetatest.PDF(docmetatest.Who{Title: "营业执照"}, "营业执照")
		zhang := docmetatest.Who{Author: "张三", Company: "甲建设有限公司", Creator: "WPS Office"}
		damaged := docmetatest.DOCX(docmetatest.Who{Author: "王五"}, "x")
		e.openSection(t, 1, []seededBid{
			{"203.0.113.7", 100_000_000_00, bidPackage(t, bidding.BidForm{PriceFen: 1, DurationDays: 1, Phone: "138 0013 8000"},
				map[string][]byte{"商务标.pdf": docmetatest.PDF(zhang, "a"), "资质.pdf": licence})},
			{"203.0.113.7", 104_300_000_00, bidPackage(t, bidding.BidForm{PriceFen: 1, DurationDays: 1, Phone: "+86-13800138000"},
				map[string][]byte{"报价.xlsx": docmetatest.XLSX(docmetatest.Who{Author: "张三 ", Creator: "Excel"}, "b"), "资质.pdf": licence})},
			{"198.51.100.2", 111_900_000_00, bidPackage(t, bidding.BidForm{PriceFen: 1, DurationDays: 1, Phone: "021-5555-0101"},
				map[string][]byte{"技术标.docx": damaged[:len(damaged)/2], "说明.txt": []byte("纯文本"),
					"商务标.pdf": docmetatest.PDF(docmetatest.Who{Author: "李四", Company: "乙公司"}, "c")})},
		}, shelf)
		e.openSection(t, 2, []seededBid{
			{"192.0.2.1", 100_000_000_00, bidPackage(t, bidding.BidForm{PriceFen: 1, DurationDays: 1, Phone: "13900000001"},
				map[string][]byte{"a.pdf": docmetatest.PDF(docmetatest.Who{Author: "赵六"}, "a")})},
			{"192.0.2.2", 112_000_000_00, bidPackage(t, bidding.BidForm{PriceFen: 1, DurationDays: 1, Phone: "13900000002"},
				map[string][]byte{"b.docx": docmetatest.DOCX(docmetatest.Who{Author: "钱七"}, "b")})},
			{"192.0.2.3", 131_000_000_00, bidPackage(t, bidding.BidForm{PriceFen: 1, DurationDays: 1}, map[string][]byte{})},
		}, shelf)
		shelf.fail[12] = apperr.New(apperr.Unavailable, "存储不可用", "the store is unreachable")
		shelf.fail[23] = apperr.New(apperr.NotFound, "没有该投标", "no such bid")

		e.consume(t)
		if sc, err := e.svc.st.scan(ctx, "section:1"); err != nil || sc.State != scanPending || sc.Attempts != 1 || !strings.Contains(sc.LastError, "unreachable") {
			t.Fatalf("a passing failure must leave the scan waiting: %+v, %v", sc, err)
		}
		delete(shelf.fail, 12)
		e.consume(t) // nothing new in the log: the sweep runs on its own
		if err := e.svc.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Sweep(ctx); err != nil { // done scans are not read again
			t.Fatal(err)
		}

		sigs, err := e.svc.Signals(ctx, platformSupervisor, "section:1")
		if err != nil {
			t.Fatal(err)
		}
		byKind := map[string][]Signal{}
		for _, s := range sigs {
			byKind[s.Kind] = append(byKind[s.Kind], s)
		}
		if len(byKind["same_ip"]) != 1 || len(byKind[SignalSameAuthor]) != 1 || len(byKind[SignalSameFile]) != 1 ||
			len(byKind[SignalSameContact]) != 1 || len(byKind[SignalSameDevice]) != 1 || len(sigs) != 5 {
			t.Fatalf("signals of the seeded section: %v", byKind)
		}
		var author struct {
			Field, Value string
			Bids         []evidenceBid
		}
		if err := json.Unmarshal(byKind[SignalSameAuthor][0].Evidence, &author); err != nil || author.Field != "author" || author.Value != "张三" ||
			len(author.Bids) != 2 || author.Bids[0].BidID != 11 || author.Bids[1].BidID != 12 ||
			author.Bids[0].Documents[0] != "商务标.pdf" || author.Bids[1].Documents[0] != "报价.xlsx" {
			t.Fatalf("same-author evidence %s (%v)", byKind[SignalSameAuthor][0].Evidence, err)
		}
		if s := byKind[SignalSameContact][0]; s.Strength != "strong" || !strings.Contains(string(s.Evidence), `"field":"phone"`) {
			t.Fatalf("same-phone signal %+v %s", s, s.Evidence)
		}
		if s := byKind[SignalSameDevice][0]; s.Strength != "strong" || !strings.Contains(string(s.Evidence), `"bidId":11`) ||
			!strings.Contains(string(s.Evidence), `"bidId":13`) || strings.Contains(string(s.Evidence), `"bidId":12`) {
			t.Fatalf("same-device signal %+v %s", s, s.Evidence)
		}
		if s := byKind[SignalSameFile][0]; s.Strength != "strong" || !strings.Contains(string(s.Evidence), notary.SM3Hex(licence)) {
			t.Fatalf("same-file signal %+v %s", s, s.Evidence)
		}

		// Names are sealed at rest: the stored rows do not hold them.
		var stored []struct{ Evidence, EvidenceSealed string }
		if err := e.db.Conn(ctx).Raw("SELECT evidence, COALESCE(evidence_sealed, '') AS evidence_sealed FROM supervision_signals WHERE kind = ?", SignalSameAuthor).
			Scan(&stored).Error; err != nil || len(stored) != 1 || stored[0].Evidence != "{}" || stored[0].EvidenceSealed == "" ||
			strings.Contains(stored[0].EvidenceSealed, "张") {
			t.Fatalf("stored same-author row %+v, %v", stored, err)
		}
		var metaRows int64
		e.db.Conn(ctx).Raw("SELECT COUNT(*) FROM supervision_documents WHERE meta_sealed LIKE ?", "%张三%").Scan(&metaRows)
		if metaRows != 0 {
			t.Fatal("document metadata stored in the clear")
		}

		tr, err := e.svc.Trajectory(ctx, platformSupervisor, "section:1")
		if err != nil || tr.Scan == nil || tr.Scan.State != scanDone || len(tr.Scan.Documents) != 7 {
			t.Fatalf("the trajectory's scan: %+v, %v", tr.Scan, err)
		}
		skipped := map[string]string{}
		for _, d := range tr.Scan.Documents {
			skipped[d.Name] = d.Skipped
		}
		if !strings.Contains(skipped["技术标.docx"], "unparseable") || !strings.Contains(skipped["说明.txt"], "not a PDF") || skipped["报价.xlsx"] != "" {
			t.Fatalf("skip reasons %v", skipped)
		}

		control, err := e.svc.Signals(ctx, platformSupervisor, "section:2")
		if err != nil || len(control) != 0 {
			t.Fatalf("the control section: %+v, %v", control, err)
		}
		ctr, _ := e.svc.Trajectory(ctx, platformSupervisor, "section:2")
		if ctr.Scan == nil || ctr.Scan.State != scanDone || ctr.Scan.Documents[len(ctr.Scan.Documents)-1].Entry != -1 ||
			!strings.Contains(ctr.Scan.Documents[len(ctr.Scan.Documents)-1].Skipped, "no such bid") {
			t.Fatalf("an unreadable bid is recorded with its reason: %+v", ctr.Scan)
		}
	})
}
