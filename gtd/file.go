package gtd

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// The first bytes of the two binary formats a GTD file may come in: an .xlsx workbook is a zip
// archive; an .xls workbook (Excel 97–2003) is an OLE compound file.
var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// OpenFile opens a GTD file for reading: the first sheet of an Excel workbook when its name ends
// in .xlsx, CSV otherwise. The file's first bytes must agree with its name, so that a workbook
// named .csv (or a CSV named .xlsx) is a clear error rather than a page of bad rows. The caller
// closes the reader.
func OpenFile(name string) (*Reader, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	head := make([]byte, len(oleMagic))
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		f.Close()
		return nil, err
	}
	head = head[:n]
	zip, ole := bytes.HasPrefix(head, zipMagic), bytes.HasPrefix(head, oleMagic)
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case ole:
		f.Close()
		return nil, fmt.Errorf("this is an Excel 97-2003 workbook (.xls), which is not read: save it as .xlsx or CSV")
	case ext == ".xlsx" && !zip:
		f.Close()
		return nil, fmt.Errorf("named .xlsx but not an Excel workbook (an .xlsx file is a zip archive starting with PK): is it CSV? name it .csv")
	case ext != ".xlsx" && zip:
		f.Close()
		return nil, fmt.Errorf("an Excel workbook or another zip archive, not CSV: name a workbook .xlsx to read its first sheet")
	case ext == ".xlsx":
		f.Close()
		return openXLSX(name)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	r, err := NewReader(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.close = f.Close
	return r, nil
}

// openXLSX reads the first sheet of a workbook as a stream of rows (excelize's Rows iterator,
// which keeps a large sheet in a temporary file rather than in memory). Cells are read as stored,
// not as displayed, so that a 12-digit eventid is not shown in exponent notation. Rows are
// numbered as the spreadsheet numbers them; empty rows are skipped, as blank lines are in CSV.
func openXLSX(name string) (*Reader, error) {
	wb, err := excelize.OpenFile(name)
	if err != nil {
		return nil, fmt.Errorf("not a readable Excel workbook: %w", err)
	}
	sheets := wb.GetSheetList()
	if len(sheets) == 0 {
		wb.Close()
		return nil, fmt.Errorf("the workbook has no sheet")
	}
	rows, err := wb.Rows(sheets[0])
	if err != nil {
		wb.Close()
		return nil, fmt.Errorf("sheet %q: %w", sheets[0], err)
	}
	closer := func() error {
		err := rows.Close()
		if cerr := wb.Close(); err == nil {
			err = cerr
		}
		return err
	}
	number := 0
	next := func() ([]string, int, error) {
		for rows.Next() {
			number++
			cells, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				return nil, 0, &Problem{Row: number, Reason: fmt.Sprintf("sheet %q: %v", sheets[0], err)}
			}
			for _, c := range cells {
				if strings.TrimSpace(c) != "" {
					return cells, number, nil
				}
			}
		}
		if err := rows.Error(); err != nil {
			return nil, 0, fmt.Errorf("sheet %q: %w", sheets[0], err)
		}
		return nil, 0, io.EOF
	}
	r, err := newReader(next, closer, "row")
	if err != nil {
		closer()
		return nil, err
	}
	return r, nil
}
