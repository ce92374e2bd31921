package pdq

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tinyJPEG encodes a small gradient image (4:2:0, baseline).
func tinyJPEG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetRGBA(x, y, color.RGBA{uint8(x * 9), uint8(y * 7), uint8(x ^ y), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 75}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzHashBytes feeds arbitrary bytes to the decoders. Whatever the input,
// hashing must return (a hash or an error) without panicking; a JPEG cut
// short inside its entropy-coded data must be an error.
func FuzzHashBytes(f *testing.F) {
	j := tinyJPEG(f, 40, 24)
	f.Add(j)
	f.Add(j[:len(j)/2])
	f.Add(tinyJPEG(f, 9, 600)) // resized path
	var pbuf bytes.Buffer
	png.Encode(&pbuf, image.NewGray(image.Rect(0, 0, 8, 8)))
	f.Add(pbuf.Bytes())
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x10, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00})
	// Progressive seeds (with refinement scans) from Go's image testdata.
	for _, name := range []string{"video-005.gray.q50.progressive.jpeg", "video-001.q50.420.progressive.jpeg"} {
		if b, err := os.ReadFile(filepath.Join(goRoot(), "src", "image", "testdata", name)); err == nil {
			f.Add(b)
		}
	}
	sos := bytes.Index(j, []byte{0xFF, 0xDA})
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := HashBytes(data)
		if err == nil && (h.Quality < 0 || h.Quality > 100) {
			t.Fatalf("quality %d out of range", h.Quality)
		}
		// A prefix of the valid JPEG that stops inside its scan data.
		if len(data) > 0 && sos > 0 {
			n := sos + 30 + int(data[0])%(len(j)-sos-60)
			if _, err := HashBytes(j[:n]); err == nil {
				t.Fatalf("JPEG truncated at %d of %d bytes hashed without error", n, len(j))
			}
		}
	})
}

// FuzzParseHash: parsing never panics, and what parses prints back as the
// lowercased input.
func FuzzParseHash(f *testing.F) {
	f.Add("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22")
	f.Add("D8F8F0CEE0F4A84F0637022A078F67F0B36E2ED596621E1D33E6339C4E9C9B22")
	f.Add("")
	f.Add(strings.Repeat("z", 64))
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHash(s)
		if err != nil {
			return
		}
		if h.String() != strings.ToLower(s) {
			t.Fatalf("ParseHash(%q).String() = %q", s, h.String())
		}
		h2, err := ParseHash(h.String())
		if err != nil || h2 != h {
			t.Fatalf("round trip failed: %v", err)
		}
	})
}

// FuzzReadSignalCSV: parsing never panics, and what parses survives a write
// and read back unchanged.
func FuzzReadSignalCSV(f *testing.F) {
	f.Add("signal_type,signal_value\npdq,d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22\nmd5,d35c785545392755e7e4164457657269\n")
	f.Add("pdq,xyz\n")
	f.Add("\"pdq\",\"D8F8F0CEE0F4A84F0637022A078F67F0B36E2ED596621E1D33E6339C4E9C9B22\"\n")
	f.Add("a,b,c\n")
	f.Fuzz(func(t *testing.T, in string) {
		sigs, err := ReadSignalCSV(strings.NewReader(in))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteSignalCSV(&buf, sigs); err != nil {
			t.Fatal(err)
		}
		back, err := ReadSignalCSV(&buf)
		if err != nil {
			t.Fatalf("re-reading written CSV: %v", err)
		}
		if !slices.Equal(back, sigs) {
			t.Fatalf("round trip changed signals: %v -> %v", sigs, back)
		}
	})
}

func TestReadSignalCSV(t *testing.T) {
	const pdqHex = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22"
	tests := []struct {
		name    string
		in      string
		want    []Signal
		wantErr string
	}{
		{"header and rows", "signal_type,signal_value\npdq," + pdqHex + "\nmd5,D35C785545392755E7E4164457657269\n",
			[]Signal{{"pdq", pdqHex}, {"md5", "d35c785545392755e7e4164457657269"}}, ""},
		{"no header", "sha256,b5b0799616df52d475a3968dc7e54f1d0724c912244ffa6175bc786375dd7298\n",
			[]Signal{{"sha256", "b5b0799616df52d475a3968dc7e54f1d0724c912244ffa6175bc786375dd7298"}}, ""},
		{"empty", "", nil, ""},
		{"unknown type", "photodna,abcd\n", nil, "line 1: unknown signal type"},
		{"short pdq", "signal_type,signal_value\npdq,abcd\n", nil, "line 2: pdq value must be 64 hex digits"},
		{"not hex", "md5," + strings.Repeat("x", 32) + "\n", nil, "not hex"},
		{"three fields", "pdq," + pdqHex + ",extra\n", nil, "want 2 fields"},
		{"bad quoting", "pdq,\"" + pdqHex + "\n", nil, "signal csv"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadSignalCSV(strings.NewReader(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}
