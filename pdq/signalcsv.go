package pdq

import (
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Signal is one entry of a hash list in the shape Meta's
// Hasher-Matcher-Actioner imports and exports: a signal type and its value.
type Signal struct {
	Type  string // "pdq", "md5", "sha256" or "video_md5"
	Value string // lowercase hex
}

// MaxSignalRows bounds the rows ReadSignalCSV accepts.
const MaxSignalRows = 20_000_000

// ReadSignalCSV parses a CSV of signal_type,signal_value rows (an optional
// header row with exactly those names is skipped). Values are checked and
// lowercased: pdq is 64 hex digits, md5 and video_md5 32, sha256 64. Errors
// name the line.
func ReadSignalCSV(r io.Reader) ([]Signal, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var out []Signal
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("signal csv: %w", err)
		}
		if len(rec) != 2 {
			return nil, fmt.Errorf("signal csv line %d: want 2 fields (signal_type,signal_value), got %d", line, len(rec))
		}
		typ := strings.ToLower(strings.TrimSpace(rec[0]))
		val := strings.ToLower(strings.TrimSpace(rec[1]))
		if line == 1 && typ == "signal_type" && val == "signal_value" {
			continue
		}
		if err := checkSignal(typ, val); err != nil {
			return nil, fmt.Errorf("signal csv line %d: %w", line, err)
		}
		if len(out) >= MaxSignalRows {
			return nil, fmt.Errorf("signal csv: more than %d rows", MaxSignalRows)
		}
		out = append(out, Signal{Type: typ, Value: val})
	}
}

func checkSignal(typ, val string) error {
	var n int
	switch typ {
	case "pdq", "sha256":
		n = 64
	case "md5", "video_md5":
		n = 32
	default:
		return fmt.Errorf("unknown signal type %q", typ)
	}
	if len(val) != n {
		return fmt.Errorf("%s value must be %d hex digits, got %d characters", typ, n, len(val))
	}
	if _, err := hex.DecodeString(val); err != nil {
		return fmt.Errorf("%s value is not hex: %v", typ, err)
	}
	return nil
}

// WriteSignalCSV writes signals with a signal_type,signal_value header.
func WriteSignalCSV(w io.Writer, sigs []Signal) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"signal_type", "signal_value"}); err != nil {
		return err
	}
	for _, s := range sigs {
		if err := cw.Write([]string{s.Type, s.Value}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
