package pdq

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// sharedData is the shared PDQ test data, relative to this package.
const sharedData = "../../shared/data/pdq"

// MustReadCSV reads a CSV file with a header row into maps keyed by column
// name, skipping the test when the file is absent.
func MustReadCSV(t testing.TB, name string) []map[string]string {
	t.Helper()
	path := filepath.Join(sharedData, name)
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("shared PDQ data not present (%s); skipping", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(recs) < 2 {
		t.Fatalf("%s: no rows", path)
	}
	var rows []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, k := range recs[0] {
			if i < len(r) {
				m[k] = r[i]
			}
		}
		rows = append(rows, m)
	}
	return rows
}

func MustAtoi(t testing.TB, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("bad integer %q: %v", s, err)
	}
	return n
}
