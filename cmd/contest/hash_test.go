package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const hashSharedData = "../../../shared/data/pdq"

// runHashCLI runs `contest args...` in-process and returns exit code, stdout
// and stderr.
func runHashCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code := Main(context.Background(), env, args)
	return code, out.String(), errb.String()
}

// MustReadHashCSV reads a CSV with a header into maps, skipping the test when
// the shared data is absent.
func MustReadHashCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("shared PDQ data not present (%s); skipping", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return mustParseHashCSV(t, f)
}

func mustParseHashCSV(t *testing.T, r io.Reader) []map[string]string {
	t.Helper()
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, k := range recs[0] {
			m[k] = rec[i]
		}
		rows = append(rows, m)
	}
	return rows
}

// TestHashCLIExactAndPDQ hashes every shared image through the CLI: MD5 and
// SHA-256 must equal exact_hashes.csv, PDQ the reference C++ run
// (cpp_computed_here.csv) exactly, except the WebP files (empty: no WebP
// decoder in this build).
func TestHashCLIExactAndPDQ(t *testing.T) {
	exact := MustReadHashCSV(t, filepath.Join(hashSharedData, "expected/exact_hashes.csv"))
	ref := map[string]map[string]string{}
	for _, r := range MustReadHashCSV(t, filepath.Join(hashSharedData, "expected/cpp_computed_here.csv")) {
		ref[r["file"]] = r
	}
	args := []string{"hash", "--format", "csv"}
	for _, r := range exact {
		args = append(args, filepath.Join(hashSharedData, "images", r["file"]))
	}
	code, stdout, stderr := runHashCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "file,md5,sha256,pdq,quality\n") {
		t.Fatalf("missing header: %q", stdout[:min(len(stdout), 60)])
	}
	rows := mustParseHashCSV(t, strings.NewReader(stdout))
	if len(rows) != len(exact) {
		t.Fatalf("%d rows for %d files", len(rows), len(exact))
	}
	for i, r := range exact {
		got := rows[i]
		if got["md5"] != r["md5"] || got["sha256"] != r["sha256"] {
			t.Errorf("%s: md5/sha256 %s %s, want %s %s", r["file"], got["md5"], got["sha256"], r["md5"], r["sha256"])
		}
		want, ok := ref[r["file"]]
		switch {
		case strings.HasSuffix(r["file"], ".webp"):
			if got["pdq"] != "" || got["quality"] != "" {
				t.Errorf("%s: WebP got a PDQ hash", r["file"])
			}
		case !ok:
			if got["pdq"] != "" {
				t.Errorf("%s: not an image but got pdq %q", r["file"], got["pdq"])
			}
		default:
			if got["quality"] != want["quality"] {
				t.Errorf("%s: quality %s, want %s", r["file"], got["quality"], want["quality"])
			}
			if d := hexBitDistance(got["pdq"], want["pdq_hash"]); d != 0 {
				t.Errorf("%s: pdq %s is %d bits from reference %s", r["file"], got["pdq"], d, want["pdq_hash"])
			}
		}
	}
}

func hexBitDistance(a, b string) int {
	if len(a) != len(b) {
		return 1 << 20
	}
	d := 0
	for i := 0; i < len(a); i++ {
		x := hexVal(a[i]) ^ hexVal(b[i])
		for ; x != 0; x &= x - 1 {
			d++
		}
	}
	return d
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return 0
}

func TestHashCLIErrors(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("not an image"), 0o644)
	corrupt := filepath.Join(dir, "bad.jpg")
	os.WriteFile(corrupt, []byte{0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x43, 0x00, 1, 2, 3}, 0o644)
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantOut    string // substring of stdout
		wantStderr string // substring of stderr
	}{
		{"no files", []string{"hash"}, 2, "", "no files given"},
		{"bad format", []string{"hash", "--format", "json", text}, 2, "", "unknown format"},
		{"missing file", []string{"hash", filepath.Join(dir, "nope.jpg")}, 1, "file,md5,sha256,pdq,quality\n", "nope.jpg: no such file"},
		{"directory", []string{"hash", dir}, 1, "", "is a directory"},
		{"corrupt jpeg", []string{"hash", corrupt}, 1, "", "bad.jpg: corrupt or unsupported image"},
		{"text file", []string{"hash", text}, 0, "notes.txt,", ""},
		{"good and bad together", []string{"hash", text, corrupt}, 1, "notes.txt,", "1 of 2 files could not be hashed"},
		{"bench needs files", []string{"hash", "bench"}, 2, "", "need FILE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runHashCLI(t, tc.args...)
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.wantCode, errs)
			}
			if !strings.Contains(out, tc.wantOut) {
				t.Errorf("stdout %q, want it to contain %q", out, tc.wantOut)
			}
			if !strings.Contains(errs, tc.wantStderr) {
				t.Errorf("stderr %q, want it to contain %q", errs, tc.wantStderr)
			}
			if strings.Contains(errs, "panic") {
				t.Errorf("panic: %s", errs)
			}
		})
	}
	// A text file's row has empty pdq and quality.
	_, out, _ := runHashCLI(t, "hash", text)
	rows := mustParseHashCSV(t, strings.NewReader(out))
	if len(rows) != 1 || rows[0]["pdq"] != "" || rows[0]["quality"] != "" || len(rows[0]["sha256"]) != 64 {
		t.Errorf("text file row: %v", rows)
	}
}

func TestHashBenchCommand(t *testing.T) {
	img := filepath.Join(hashSharedData, "images/bridge-mods/square-256x256.jpg")
	if _, err := os.Stat(img); err != nil {
		t.Skipf("shared PDQ data not present: %v", err)
	}
	code, out, errs := runHashCLI(t, "hash", "bench", "--n", "5", "--rounds", "1", img)
	if code != 0 || !strings.Contains(out, "images/s") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
}
