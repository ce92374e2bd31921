package match

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
)

// ErrCSV is wrapped by errors from ReadCSV.
var ErrCSV = errors.New("match: csv")

// csvColumns maps accepted header names to fields. FEBRL names come first.
var csvColumns = map[string]string{
	"given_name": "given", "given": "given", "first_name": "given", "forename": "given",
	"middle_name": "middle", "middle": "middle",
	"surname": "family", "family_name": "family", "last_name": "family", "family": "family",
	"street_number": "number", "house_number": "number",
	"address_1": "line1", "address_2": "line2", "address_3": "line3",
	"suburb": "locality", "locality": "locality", "town": "locality", "city": "locality",
	"postcode": "postcode", "post_code": "postcode", "zip": "postcode",
	"date_of_birth": "dob", "dob": "dob",
	"soc_sec_id": "document", "document": "document", "passport": "document", "ni_number": "document",
	"phone": "phone", "telephone": "phone", "mobile": "phone",
	"email": "email", "handle": "handle",
	"alias": "alias",
}

// ReadCSV reads person records from CSV with a header row. idColumn names
// the column that becomes Person.ID (an opaque key, never matched on). The
// FEBRL column names are understood (given_name, surname, street_number,
// address_1, address_2, suburb, postcode, date_of_birth as YYYYMMDD,
// soc_sec_id), as are middle_name, phone, email, handle, alias (a full name)
// and some synonyms; other columns are ignored. Spaces after commas are
// tolerated, as are short rows. A date that cannot be read is left unknown.
func ReadCSV(r io.Reader, idColumn string) ([]Person, error) {
	cr := newCSVReader(r)
	head, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%w: empty input", ErrCSV)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCSV, err)
	}
	h, err := newCSVHeader(head, idColumn)
	if err != nil {
		return nil, err
	}
	return h.read(cr, 1, nil)
}

// ReadCSVParallel is ReadCSV with the rows parsed by up to workers
// goroutines. Input without any double quote is cut into chunks at line
// ends; input with quotes (a quoted field may hold a line end) is read by
// one goroutine. The records come in input order.
func ReadCSVParallel(r io.Reader, idColumn string, workers int) ([]Person, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCSV, err)
	}
	nl := bytes.IndexByte(data, '\n')
	if workers <= 1 || nl < 0 || bytes.IndexByte(data, '"') >= 0 || len(data) < 1<<20 {
		return ReadCSV(bytes.NewReader(data), idColumn)
	}
	head, err := newCSVReader(bytes.NewReader(data[:nl+1])).Read()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCSV, err)
	}
	h, err := newCSVHeader(head, idColumn)
	if err != nil {
		return nil, err
	}
	body := data[nl+1:]
	type chunk struct {
		data []byte
		line int // line number of the chunk's first row, less one
		out  []Person
		err  error
	}
	var chunks []*chunk
	size := len(body)/(4*workers) + 1
	line := 1
	for len(body) > 0 {
		end := min(size, len(body))
		if i := bytes.IndexByte(body[end-1:], '\n'); i >= 0 {
			end += i
		} else {
			end = len(body)
		}
		chunks = append(chunks, &chunk{data: body[:end], line: line})
		line += bytes.Count(body[:end], []byte{'\n'})
		body = body[end:]
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, len(chunks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(chunks) {
					return
				}
				c := chunks[i]
				c.out, c.err = h.read(newCSVReader(bytes.NewReader(c.data)), c.line, nil)
			}
		}()
	}
	wg.Wait()
	n := 0
	for _, c := range chunks {
		if c.err != nil {
			return nil, c.err
		}
		n += len(c.out)
	}
	out := make([]Person, 0, n)
	for _, c := range chunks {
		out = append(out, c.out...)
	}
	return out, nil
}

func newCSVReader(r io.Reader) *csv.Reader {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.LazyQuotes = true
	return cr
}

// csvHeader maps the columns of a CSV file to fields.
type csvHeader struct {
	idCol int
	cols  []string
}

func newCSVHeader(head []string, idColumn string) (*csvHeader, error) {
	h := &csvHeader{idCol: -1, cols: make([]string, len(head))}
	for i, c := range head {
		c = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(c, "\ufeff")))
		if c == strings.ToLower(strings.TrimSpace(idColumn)) {
			h.idCol = i
			continue
		}
		h.cols[i] = csvColumns[c]
	}
	if h.idCol < 0 {
		return nil, fmt.Errorf("%w: no id column %q in header", ErrCSV, idColumn)
	}
	return h, nil
}

// read appends the records of cr to out; line is the line number of the
// row before cr's first.
func (h *csvHeader) read(cr *csv.Reader, line int, out []Person) ([]Person, error) {
	idCol, cols := h.idCol, h.cols
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			return out, fmt.Errorf("%w: line %d: %v", ErrCSV, line, err)
		}
		if len(row) <= idCol {
			if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
				continue
			}
			return out, fmt.Errorf("%w: line %d: no id", ErrCSV, line)
		}
		p := Person{ID: strings.Clone(strings.TrimSpace(row[idCol]))}
		if p.ID == "" {
			return out, fmt.Errorf("%w: line %d: empty id", ErrCSV, line)
		}
		var a Address
		var lines [3]string
		for i, v := range row {
			if i >= len(cols) || cols[i] == "" {
				continue
			}
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			v = strings.Clone(v)
			switch cols[i] {
			case "given":
				p.Given = v
			case "middle":
				p.Middle = v
			case "family":
				p.Family = v
			case "number":
				a.Number = v
			case "line1":
				lines[0] = v
			case "line2":
				lines[1] = v
			case "line3":
				lines[2] = v
			case "locality":
				a.Locality = v
			case "postcode":
				a.Postcode = v
			case "dob":
				p.DOB, _ = ParseDate(v)
			case "document":
				p.Documents = append(p.Documents, v)
			case "phone":
				p.Phones = append(p.Phones, v)
			case "email":
				p.Emails = append(p.Emails, v)
			case "handle":
				p.Handles = append(p.Handles, v)
			case "alias":
				p.Aliases = append(p.Aliases, SplitName(v))
			}
		}
		if lines != [3]string{} {
			// Keep the street line first even when it is empty, so that a
			// building name is never read as a street.
			a.Lines = []string{lines[0]}
			for _, l := range lines[1:] {
				if l != "" {
					a.Lines = append(a.Lines, l)
				}
			}
		}
		if a.Number != "" || a.Lines != nil || a.Locality != "" || a.Postcode != "" {
			p.Addresses = []Address{a}
		}
		out = append(out, p)
	}
	return out, nil
}

// SplitName splits a full name written in one string into given, middle
// and family names. "Family, Given Middle" is understood; otherwise the
// last word is the family name, with any particles before it ("al" in
// "Samira al Qadiri", "van der") kept with it.
func SplitName(s string) Name {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, ','); i >= 0 {
		rest := strings.Fields(s[i+1:])
		n := Name{Family: strings.TrimSpace(s[:i])}
		if len(rest) > 0 {
			n.Given = rest[0]
			n.Middle = strings.Join(rest[1:], " ")
		}
		return n
	}
	w := strings.Fields(s)
	switch len(w) {
	case 0:
		return Name{}
	case 1:
		return Name{Given: w[0]}
	}
	vars := defaultNormalizer()
	f := len(w) - 1
	for f > 1 && vars.isParticle(foldKey(w[f-1])) {
		f--
	}
	return Name{Given: w[0], Middle: strings.Join(w[1:f], " "), Family: strings.Join(w[f:], " ")}
}
