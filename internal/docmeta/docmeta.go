// Package docmeta reads who made a document: the author, creator,
// company and producing program that office suites and PDF writers record
// in PDF, DOCX, XLSX and PPTX files. Supervision compares them across the
// bids of a section (围标串标: bids written on one machine by one person
// carry the same names). It reads bytes from outside, so every limit is
// explicit and every malformed input is an error, never a panic.
package docmeta

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxSize is the largest document Read accepts: it is read whole.
const MaxSize = 64 << 20

// Meta is what a document says about who made it. Empty fields were not
// recorded.
type Meta struct {
	Format         string `json:"format"` // pdf, docx, xlsx, pptx
	Title          string `json:"title,omitempty"`
	Author         string `json:"author,omitempty"`
	LastModifiedBy string `json:"lastModifiedBy,omitempty"`
	Company        string `json:"company,omitempty"`
	Creator        string `json:"creator,omitempty"`  // the program that made it (PDF /Creator, OOXML Application)
	Producer       string `json:"producer,omitempty"` // PDF /Producer
}

// People returns the names of people and organisations in m (author, last
// modified by, company): the fields that point at who wrote it rather
// than with which program.
func (m Meta) People() map[string]string {
	out := map[string]string{}
	for k, v := range map[string]string{"author": m.Author, "lastModifiedBy": m.LastModifiedBy, "company": m.Company} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// ErrUnsupported is returned for a document of a format Read does not
// know (by its first bytes, not its name).
var ErrUnsupported = errors.New("docmeta: not a PDF or OOXML document")

// ErrTooLarge is returned for a document larger than MaxSize.
var ErrTooLarge = fmt.Errorf("docmeta: document larger than %d MiB", MaxSize>>20)

// Error is a malformed document: what could not be read and why.
type Error struct {
	Format string
	Reason string
}

func (e *Error) Error() string { return "docmeta: malformed " + e.Format + ": " + e.Reason }

func malformed(format, reason string, args ...any) error {
	return &Error{Format: format, Reason: fmt.Sprintf(reason, args...)}
}

// Read returns the metadata of the document b. Errors: ErrTooLarge,
// ErrUnsupported, or *Error for a PDF or OOXML file that cannot be read.
func Read(b []byte) (Meta, error) {
	if len(b) > MaxSize {
		return Meta{}, ErrTooLarge
	}
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return readPDF(b)
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return readOOXML(b)
	}
	return Meta{}, ErrUnsupported
}

// clean trims a recorded value and bounds it: metadata is free text of
// another's making, shown to supervisors and compared.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > 200 {
		s = string([]rune(s)[:200])
	}
	return s
}
