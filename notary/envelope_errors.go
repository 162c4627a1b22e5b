package notary

import (
	"fmt"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Stable machine codes of envelope errors (apperr.Error.Code). Every one is
// of kind apperr.Invalid unless said otherwise: the envelope, not the
// server, is at fault. FORMAT.md lists which check raises which.
const (
	CodeNotAnEnvelope        = "not_an_envelope"       // bad magic, or an empty input
	CodeUnsupportedVersion   = "unsupported_version"   // a version byte this build does not know
	CodeUnsupportedAlgorithm = "unsupported_algorithm" // an algorithm id this build does not know
	CodeHeaderTampered       = "header_tampered"       // header malformed, or altered after sealing
	CodeChunkTampered        = "chunk_tampered"        // a chunk's framing or tag is wrong
	CodeDigestMismatch       = "digest_mismatch"       // the chunks do not hash to the trailer's digest
	CodeSignatureInvalid     = "signature_invalid"     // the bidder's signature does not verify
	CodeTruncated            = "truncated"             // the input ends before the trailer does
	CodeTrailingData         = "trailing_data"         // bytes after the trailer
	CodeWrongKey             = "wrong_key"             // the key or DEK given cannot open this envelope
	CodeWrongSigner          = "wrong_signer"          // signed by another key than the one expected
	CodeWrongProject         = "wrong_project"         // header names another project than expected
	CodeWrongSection         = "wrong_section"         // header names another section than expected
	CodeWrongBidder          = "wrong_bidder"          // header names another bidder than expected
	CodeMissingRecipient     = "missing_recipient"     // no slot for a recipient key the caller requires (an escrow key)
	CodeBadSealOptions       = "bad_seal_options"      // Seal called with unusable options
	CodeCancelled            = "cancelled"             // the context ended (kind apperr.Unavailable)
	CodeIOFailed             = "io_failed"             // reading or writing failed (kind apperr.Internal)
)

func envErr(code, zh, en string, args ...any) *apperr.Error {
	return apperr.Newf(apperr.Invalid, zh, en, args...).WithCode(code)
}

func errNotAnEnvelope() error {
	return envErr(CodeNotAnEnvelope, "不是 TenderHall 投标信封（文件头标识不符）",
		"not a TenderHall sealed-bid envelope (bad magic)")
}

func errUnsupportedVersion(v byte) error {
	return envErr(CodeUnsupportedVersion, "不支持的信封版本 %d（本程序支持版本 %d）",
		"unsupported envelope version %d (this build reads version %d)", v, Version)
}

func errUnsupportedAlgorithm(what string, id byte) error {
	return envErr(CodeUnsupportedAlgorithm, "不支持的%s算法编号 %d", "unsupported %s algorithm id %d", what, id)
}

func errHeader(zh, en string) error {
	return apperr.New(apperr.Invalid, "信封头部已损坏或被篡改："+zh,
		"the envelope header is damaged or was tampered with: "+en).WithCode(CodeHeaderTampered)
}

func errChunk(index uint64, zh, en string) error {
	return apperr.New(apperr.Invalid, fmt.Sprintf("第 %d 个数据块已损坏或被篡改：%s", index, zh),
		fmt.Sprintf("chunk %d is damaged or was tampered with: %s", index, en)).WithCode(CodeChunkTampered)
}

func errDigestMismatch() error {
	return envErr(CodeDigestMismatch, "密文摘要与信封尾部记录的不一致（数据块或摘要被改动）",
		"the ciphertext digest does not match the trailer (a chunk or the digest was altered)")
}

func errSignature(zh, en string) error {
	return apperr.New(apperr.Invalid, "投标人签名无效："+zh, "the bidder's signature is invalid: "+en).WithCode(CodeSignatureInvalid)
}

func errTruncated(where string) error {
	return apperr.New(apperr.Invalid, fmt.Sprintf("信封不完整，在%s处中断（文件被截断）", zhWhere(where)),
		fmt.Sprintf("the envelope is truncated: it ends in the %s", where)).WithCode(CodeTruncated)
}

func errTrailingData() error {
	return envErr(CodeTrailingData, "信封尾部之后还有多余数据（可能被追加了数据块）",
		"there is data after the envelope's trailer (an appended chunk?)")
}

func errWrongKey(en string) error {
	return apperr.New(apperr.Invalid, "无法用此密钥打开信封（不是收件人之一，或数据密钥不符）",
		"this key cannot open the envelope: "+en).WithCode(CodeWrongKey)
}

func errCancelled(err error) error {
	return apperr.Wrap(err, apperr.Unavailable, "操作已取消", "the operation was cancelled").WithCode(CodeCancelled)
}

func errIO(err error, zh, en string) error {
	return apperr.Wrap(err, apperr.Internal, zh, en).WithCode(CodeIOFailed)
}

// errExpect reports a header field that differs from what the caller expected.
func errExpect(code, field, got, want string) error {
	return apperr.New(apperr.Invalid, fmt.Sprintf("信封的%s为 %q，应为 %q", zhField(field), got, want),
		fmt.Sprintf("the envelope's %s is %q, expected %q", field, got, want)).WithCode(code).WithField(field, got)
}

func zhWhere(en string) string {
	switch en {
	case "header":
		return "头部"
	case "trailer":
		return "尾部"
	}
	return "数据块"
}

func zhField(en string) string {
	switch en {
	case "project":
		return "项目"
	case "section":
		return "标段"
	}
	return "投标人"
}
