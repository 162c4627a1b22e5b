package approval

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/pdf"
	"github.com/tenderhall/tenderhall/notary"
)

// certTrailer starts the last line of a certificate PDF: a PDF comment
// after %%EOF, which readers ignore, carrying the signed body and the
// department's signature so the file verifies on its own, offline.
const certTrailer = "%TenderHall-Certificate "

type signedPDF struct {
	file      []byte
	signature string
}

type trailer struct {
	Body      string `json:"body"`
	KeyID     string `json:"keyId"`
	PDFSM3    string `json:"pdfSm3"`
	Signature string `json:"signature"`
}

// certMessage is what the department signs.
func certMessage(body []byte, pdfSM3 string) []byte {
	return []byte(CertificateLabel + string(body) + "\n" + pdfSM3)
}

// signedCertificatePDF renders the certificate of body, signs it with key
// and appends the trailer.
func signedCertificatePDF(body []byte, key *notary.PrivateKey, now time.Time) (signedPDF, error) {
	var b CertificateBody
	if err := json.Unmarshal(body, &b); err != nil {
		return signedPDF{}, err
	}
	qr, err := qrcode.Encode(b.VerifyURL, qrcode.Medium, 256)
	if err != nil {
		return signedPDF{}, err
	}
	var buf bytes.Buffer
	err = pdf.Render(&buf, pdf.Document{
		Title: b.Title, Subtitle: "电子证照 · 证照编号 " + b.No,
		Meta: []pdf.KV{{Key: "持证主体", Value: b.Holder}, {Key: "证件号码", Value: b.HolderID}, {Key: "许可范围", Value: b.Scope},
			{Key: "发证机关", Value: b.Department}, {Key: "发证日期", Value: clock.ShowStamp(b.IssuedAt)},
			{Key: "有效期至", Value: clock.ShowStamp(b.ValidUntil)}, {Key: "办件编号", Value: b.CaseNo}},
		Blocks: []pdf.Block{
			pdf.ImageRow{Images: []pdf.Image{{PNG: sealPNG(), W: 40, H: 40}, {PNG: qr, W: 40, H: 40}},
				Captions: []string{b.Department + "（电子印章）", "扫码核验：" + b.VerifyURL}},
			pdf.Paragraph{Text: "本证照由" + b.Department + "以 SM2 密钥签名（密钥标识 " + key.Public().ID + "），内容 SM3 摘要 " +
				notary.SM3Hex(body) + "。可在平台核验页或以 tenderhall verify certificate 离线核验签名，并查询是否已吊销。"},
		},
		Footer: "TenderHall 电子证照", Author: b.Department, Created: now.In(clock.Shanghai),
	})
	if err != nil {
		return signedPDF{}, err
	}
	doc := buf.Bytes()
	if !bytes.HasSuffix(doc, []byte("\n")) {
		doc = append(doc, '\n')
	}
	digest := notary.SM3Hex(doc)
	sig, err := key.Sign(certMessage(body, digest))
	if err != nil {
		return signedPDF{}, err
	}
	t, err := json.Marshal(trailer{Body: string(body), KeyID: key.Public().ID, PDFSM3: digest, Signature: b64(sig)})
	if err != nil {
		return signedPDF{}, err
	}
	doc = append(doc, []byte(certTrailer+b64(t)+"\n")...)
	return signedPDF{file: doc, signature: b64(sig)}, nil
}

// VerifyCertificatePDF checks that file is a certificate PDF signed by pub
// and unchanged since, and returns its signed content. It checks nothing
// about revocation: ask the platform's verification page for that.
// Errors: Invalid with code certificate_malformed (no or unreadable
// trailer), certificate_tampered (the PDF differs from what was signed),
// wrong_key (signed by another department's key) or signature_invalid.
func VerifyCertificatePDF(file []byte, pub *notary.PublicKey) (CertificateBody, error) {
	i := bytes.LastIndex(file, []byte("\n"+certTrailer))
	if i < 0 {
		return CertificateBody{}, certErr("certificate_malformed", "文件不是平台签发的电子证照（缺少签名）", "the file is not a platform certificate (no signature)")
	}
	prefix, rest := file[:i+1], bytes.TrimRight(file[i+1+len(certTrailer):], "\r\n")
	var t trailer
	raw, err := base64.StdEncoding.DecodeString(string(rest))
	if err == nil {
		err = json.Unmarshal(raw, &t)
	}
	sig, serr := base64.StdEncoding.DecodeString(t.Signature)
	var body CertificateBody
	if err != nil || serr != nil || json.Unmarshal([]byte(t.Body), &body) != nil || body.Type != CertificateType {
		return CertificateBody{}, certErr("certificate_malformed", "电子证照的签名信息无法读取", "the certificate's signature block is unreadable")
	}
	if notary.SM3Hex(prefix) != t.PDFSM3 {
		return CertificateBody{}, certErr("certificate_tampered", "电子证照文件在签发后被改动", "the certificate file was changed after it was signed")
	}
	if t.KeyID != pub.ID {
		return CertificateBody{}, certErr("wrong_key", "电子证照不是由该公钥对应的部门签发", "the certificate was not signed by this department's key")
	}
	if !pub.Verify(certMessage([]byte(t.Body), t.PDFSM3), sig) {
		return CertificateBody{}, certErr("signature_invalid", "电子证照签名无效", "the certificate's signature does not verify")
	}
	return body, nil
}

func certErr(code, zh, en string) error { return apperr.New(apperr.Invalid, zh, en).WithCode(code) }

// sealPNG draws the red round seal stamped beside the QR code: two rings
// and a five-pointed star. It is decoration; the signature is the seal
// that counts.
func sealPNG() []byte {
	const n = 240
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	red := color.NRGBA{R: 0xd0, G: 0x10, B: 0x10, A: 0xff}
	c := float64(n) / 2
	star := starPolygon(c, c, 62, 25)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			px, py := float64(x)+0.5, float64(y)+0.5
			d := math.Hypot(px-c, py-c)
			if (d <= 116 && d >= 106) || (d <= 98 && d >= 95) || inside(star, px, py) {
				img.SetNRGBA(x, y, red)
			}
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // encoding an in-memory image cannot fail
	return buf.Bytes()
}

func starPolygon(cx, cy, outer, inner float64) [][2]float64 {
	pts := make([][2]float64, 10)
	for i := range pts {
		r := outer
		if i%2 == 1 {
			r = inner
		}
		a := -math.Pi/2 + float64(i)*math.Pi/5
		pts[i] = [2]float64{cx + r*math.Cos(a), cy + r*math.Sin(a)}
	}
	return pts
}

// inside is the even-odd point-in-polygon test.
func inside(poly [][2]float64, x, y float64) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a[1] > y) != (b[1] > y) && x < (b[0]-a[0])*(y-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}
