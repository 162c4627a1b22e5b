package docmeta

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
)

// maxPart bounds a metadata part read from an OOXML package: the parts
// are a few hundred bytes, and a compressed part may expand far.
const maxPart = 1 << 20

// readOOXML reads docProps/core.xml (ECMA-376 Part 2, core properties)
// and docProps/app.xml (extended properties) of a DOCX, XLSX or PPTX.
func readOOXML(b []byte) (Meta, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return Meta{}, malformed("ooxml", "not a readable zip archive (%v)", err)
	}
	parts := map[string]*zip.File{}
	for _, f := range zr.File {
		parts[f.Name] = f
	}
	m := Meta{}
	switch {
	case parts["word/document.xml"] != nil:
		m.Format = "docx"
	case parts["xl/workbook.xml"] != nil:
		m.Format = "xlsx"
	case parts["ppt/presentation.xml"] != nil:
		m.Format = "pptx"
	default:
		return Meta{}, ErrUnsupported
	}
	var core struct {
		Title          string `xml:"title"`
		Creator        string `xml:"creator"`
		LastModifiedBy string `xml:"lastModifiedBy"`
	}
	var app struct {
		Company     string `xml:"Company"`
		Application string `xml:"Application"`
	}
	if f := parts["docProps/core.xml"]; f != nil {
		if err := readPart(f, &core); err != nil {
			return Meta{}, malformed(m.Format, "docProps/core.xml: %v", err)
		}
	}
	if f := parts["docProps/app.xml"]; f != nil {
		if err := readPart(f, &app); err != nil {
			return Meta{}, malformed(m.Format, "docProps/app.xml: %v", err)
		}
	}
	m.Title, m.Author, m.LastModifiedBy = clean(core.Title), clean(core.Creator), clean(core.LastModifiedBy)
	m.Company, m.Creator = clean(app.Company), clean(app.Application)
	return m, nil
}

// readPart decodes one XML part into v, reading at most maxPart bytes.
func readPart(f *zip.File, v any) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	raw, err := io.ReadAll(io.LimitReader(rc, maxPart+1))
	if err != nil {
		return err
	}
	if len(raw) > maxPart {
		return errPartTooLarge
	}
	return xml.Unmarshal(raw, v)
}

var errPartTooLarge = &Error{Format: "ooxml", Reason: "a metadata part is larger than 1 MiB"}
