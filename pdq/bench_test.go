package pdq

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// MustBenchJPEG returns a 1024x768 quality-85 4:2:0 JPEG made by scaling
// bridge-mods/aaa-orig.jpg (1600x1004) from the shared data with an area
// average, as a photo pipeline would; skips when the shared data is absent.
func MustBenchJPEG(tb testing.TB) []byte { return mustBenchJPEG(tb, false) }

// MustBenchJPEGSharp is MustBenchJPEG scaled by nearest neighbour instead,
// which aliases fine detail and gives a larger, slower-to-decode file.
func MustBenchJPEGSharp(tb testing.TB) []byte { return mustBenchJPEG(tb, true) }

func mustBenchJPEG(tb testing.TB, nearest bool) []byte {
	return mustBenchJPEGCrop(tb, nearest, 0, 0, 0, 0)
}

// mustBenchJPEGCrop scales the source rectangle (x0, y0)-(x1, y1) of
// aaa-orig.jpg (the whole image when all are zero) to 1024x768.
func mustBenchJPEGCrop(tb testing.TB, nearest bool, cx0, cy0, cx1, cy1 int) []byte {
	tb.Helper()
	path := filepath.Join(sharedData, "images/bridge-mods/aaa-orig.jpg")
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		tb.Skipf("shared PDQ data not present (%s); skipping", path)
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	src, err := jpeg.Decode(f)
	if err != nil {
		tb.Fatal(err)
	}
	const w, h = 1024, 768
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	sb := src.Bounds()
	if cx1 > cx0 && cy1 > cy0 {
		sb = image.Rect(cx0, cy0, cx1, cy1).Intersect(sb)
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if nearest {
				dst.Set(x, y, src.At(sb.Min.X+x*sb.Dx()/w, sb.Min.Y+y*sb.Dy()/h))
				continue
			}
			x0, x1 := x*sb.Dx()/w, max((x+1)*sb.Dx()/w, x*sb.Dx()/w+1)
			y0, y1 := y*sb.Dy()/h, max((y+1)*sb.Dy()/h, y*sb.Dy()/h+1)
			var r, g, bl, n uint32
			for yy := y0; yy < y1; yy++ {
				for xx := x0; xx < x1; xx++ {
					cr, cg, cb, _ := src.At(sb.Min.X+xx, sb.Min.Y+yy).RGBA()
					r, g, bl, n = r+cr>>8, g+cg>>8, bl+cb>>8, n+1
				}
			}
			dst.SetRGBA(x, y, color.RGBA{uint8(r / n), uint8(g / n), uint8(bl / n), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 85}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkHashJPEG1024x768 measures end to end hashing of an in-memory
// 1024x768 JPEG (decode, 512x512 sampling, luma, filter, DCT, bits).
func BenchmarkHashJPEG1024x768(b *testing.B) {
	data := MustBenchJPEG(b)
	h := NewHasher()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := h.HashBytes(data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "images/s")
}

// BenchmarkHashJPEG1024x768Sharp is BenchmarkHashJPEG1024x768 on the
// nearest-neighbour-scaled (detailed, larger) variant.
func BenchmarkHashJPEG1024x768Sharp(b *testing.B) {
	data := MustBenchJPEGSharp(b)
	h := NewHasher()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := h.HashBytes(data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "images/s")
}

// BenchmarkStdlibDecode1024x768 is image/jpeg decoding alone, for comparison.
func BenchmarkStdlibDecode1024x768(b *testing.B) {
	data := MustBenchJPEG(b)
	for b.Loop() {
		if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWriteBenchJPEGs writes the benchmark images for bench/pdq/run.sh: set
// PDQ_WRITE_BENCH_DIR to a directory to get bench-00.jpg (the whole photo)
// and bench-01..NN.jpg (distinct crops of it), all 1024x768 quality 85.
func TestWriteBenchJPEGs(t *testing.T) {
	dir := os.Getenv("PDQ_WRITE_BENCH_DIR")
	if dir == "" {
		t.Skip("set PDQ_WRITE_BENCH_DIR to write the benchmark JPEGs")
	}
	n := 20
	for i := 0; i < n; i++ {
		var data []byte
		if i == 0 {
			data = MustBenchJPEG(t)
		} else {
			// Crops of 1200x800 .. 1560x990 at offsets across the photo.
			cw, ch := 1200+18*i, 800+9*i
			x0, y0 := (i*37)%(1600-cw+1), (i*23)%(1004-ch+1)
			data = mustBenchJPEGCrop(t, false, x0, y0, x0+cw, y0+ch)
		}
		name := filepath.Join(dir, fmt.Sprintf("bench-%02d.jpg", i))
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes", name, len(data))
	}
	// A second set shaped like the peers' generated set (shared/docs/pdq.md
	// 4.1): plasma fractal plus a seeded circle and rectangle, quality 85.
	for i := 0; i < n; i++ {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, plasma(1024, 768, uint64(i)), &jpeg.Options{Quality: 85}); err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, fmt.Sprintf("plasma-%02d.jpg", i))
		if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes", name, buf.Len())
	}
}

// plasma draws a diamond-square plasma fractal in colour with a circle and a
// rectangle placed by seed.
func plasma(w, h int, seed uint64) *image.RGBA {
	r := rand.New(rand.NewPCG(seed, 42))
	const size = 1025
	var ch [3][]float64
	for c := range ch {
		g := make([]float64, size*size)
		at := func(x, y int) *float64 { return &g[y*size+x] }
		for _, p := range [][2]int{{0, 0}, {size - 1, 0}, {0, size - 1}, {size - 1, size - 1}} {
			*at(p[0], p[1]) = r.Float64()
		}
		amp := 0.5
		for step := size - 1; step > 1; step /= 2 {
			half := step / 2
			for y := half; y < size; y += step {
				for x := half; x < size; x += step {
					avg := (*at(x-half, y-half) + *at(x+half, y-half) + *at(x-half, y+half) + *at(x+half, y+half)) / 4
					*at(x, y) = avg + (r.Float64()-0.5)*amp
				}
			}
			for y := 0; y < size; y += half {
				for x := (y/half%2 + 1) % 2 * half; x < size; x += step {
					sum, cnt := 0.0, 0.0
					for _, d := range [][2]int{{-half, 0}, {half, 0}, {0, -half}, {0, half}} {
						if xx, yy := x+d[0], y+d[1]; xx >= 0 && xx < size && yy >= 0 && yy < size {
							sum += *at(xx, yy)
							cnt++
						}
					}
					*at(x, y) = sum/cnt + (r.Float64()-0.5)*amp
				}
			}
			amp *= 0.78
		}
		ch[c] = g
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	cx, cy, rad := r.IntN(w), r.IntN(h), 50+r.IntN(200)
	rx0, ry0 := r.IntN(w-200), r.IntN(h-200)
	rx1, ry1 := rx0+50+r.IntN(150), ry0+50+r.IntN(150)
	circle := color.RGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255}
	rect := color.RGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var px [3]uint8
			for c := range px {
				v := ch[c][y*size+x]*255 + 0.5
				px[c] = uint8(min(max(v, 0), 255))
			}
			col := color.RGBA{px[0], px[1], px[2], 255}
			if (x-cx)*(x-cx)+(y-cy)*(y-cy) < rad*rad {
				col = circle
			}
			if x >= rx0 && x < rx1 && y >= ry0 && y < ry1 {
				col = rect
			}
			img.SetRGBA(x, y, col)
		}
	}
	return img
}
