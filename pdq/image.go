package pdq

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // register GIF for image.Decode
	"image/jpeg"
	_ "image/png" // register PNG for image.Decode
	"io"
	"os"
	"sync"
)

// ErrNotImage reports input that is not an image format this package decodes
// (JPEG, PNG, GIF).
var ErrNotImage = errors.New("pdq: not a supported image (JPEG, PNG or GIF)")

// MaxFileSize bounds the bytes read by HashReader and HashFile.
const MaxFileSize = 256 << 20

// Hasher hashes images and keeps its buffers between calls. A Hasher is not
// safe for concurrent use; the package-level functions use a pool of them.
type Hasher struct {
	hs     hasher
	jd     jpegDecoder
	luma   LumaImage
	xs, ys []int
}

// NewHasher returns a Hasher.
func NewHasher() *Hasher { return &Hasher{} }

var hasherPool = sync.Pool{New: func() any { return NewHasher() }}

// HashBytes hashes an encoded image (JPEG, PNG or GIF).
func HashBytes(data []byte) (Hash, error) {
	h := hasherPool.Get().(*Hasher)
	defer hasherPool.Put(h)
	return h.HashBytes(data)
}

// DihedralsBytes hashes an encoded image and returns its eight dihedral hashes.
func DihedralsBytes(data []byte) (Hash, Dihedrals, error) {
	h := hasherPool.Get().(*Hasher)
	defer hasherPool.Put(h)
	return h.DihedralsBytes(data)
}

// HashReader reads at most MaxFileSize bytes from r and hashes them.
func HashReader(r io.Reader) (Hash, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return Hash{}, err
	}
	if len(data) > MaxFileSize {
		return Hash{}, fmt.Errorf("pdq: input larger than %d bytes", MaxFileSize)
	}
	return HashBytes(data)
}

// HashFile hashes the image file at path.
func HashFile(path string) (Hash, error) {
	f, err := os.Open(path)
	if err != nil {
		return Hash{}, err
	}
	defer f.Close()
	return HashReader(f)
}

// HashImage hashes a decoded image with the reference pipeline (resize to
// 512x512 by nearest neighbour when a side is over 512, then float luma).
func HashImage(img image.Image) (Hash, error) {
	h := hasherPool.Get().(*Hasher)
	defer hasherPool.Put(h)
	return h.HashImage(img)
}

// HashBytes hashes an encoded image (JPEG, PNG or GIF).
func (h *Hasher) HashBytes(data []byte) (Hash, error) {
	if err := h.lumaFromBytes(data); err != nil {
		return Hash{}, err
	}
	return h.hs.hashLuma(&h.luma, nil)
}

// DihedralsBytes hashes an encoded image and its eight dihedral forms.
func (h *Hasher) DihedralsBytes(data []byte) (Hash, Dihedrals, error) {
	var d Dihedrals
	if err := h.lumaFromBytes(data); err != nil {
		return Hash{}, d, err
	}
	hash, err := h.hs.hashLuma(&h.luma, &d)
	return hash, d, err
}

// HashImage hashes a decoded image.
func (h *Hasher) HashImage(img image.Image) (Hash, error) {
	if err := h.lumaFromImage(img); err != nil {
		return Hash{}, err
	}
	return h.hs.hashLuma(&h.luma, nil)
}

// DihedralsImage hashes a decoded image and its eight dihedral forms.
func (h *Hasher) DihedralsImage(img image.Image) (Hash, Dihedrals, error) {
	var d Dihedrals
	if err := h.lumaFromImage(img); err != nil {
		return Hash{}, d, err
	}
	hash, err := h.hs.hashLuma(&h.luma, &d)
	return hash, d, err
}

// sampleGrid sets h.xs and h.ys to the source columns and rows the reference
// keeps: all of them, or, when a side is over 512, the 512x512 nearest
// neighbour grid of CImg's resize (source index = floor(i*n/512)).
func (h *Hasher) sampleGrid(w, hgt int) {
	ow, oh := w, hgt
	if w > maxResizeSide || hgt > maxResizeSide {
		ow, oh = maxResizeSide, maxResizeSide
	}
	h.xs = grid(h.xs, w, ow)
	h.ys = grid(h.ys, hgt, oh)
}

func grid(dst []int, n, out int) []int {
	dst = dst[:0]
	for i := 0; i < out; i++ {
		dst = append(dst, i*n/out)
	}
	return dst
}

func isJPEG(data []byte) bool {
	return len(data) >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF
}

func (h *Hasher) lumaFromBytes(data []byte) error {
	if isJPEG(data) {
		err := h.jd.decode(data)
		if err == nil {
			h.sampleGrid(h.jd.w, h.jd.h)
			h.jd.sampleLuma(&h.luma, h.xs, h.ys)
			return nil
		}
		if !errors.Is(err, errUnsupported) {
			return err
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("pdq: decoding jpeg: %w", err)
		}
		if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPixels {
			return fmt.Errorf("pdq: bad image size %dx%d", cfg.Width, cfg.Height)
		}
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("pdq: decoding jpeg: %w", err)
		}
		return h.lumaFromImage(img)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return ErrNotImage
		}
		return fmt.Errorf("pdq: decoding image header: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPixels {
		return fmt.Errorf("pdq: bad image size %dx%d", cfg.Width, cfg.Height)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("pdq: decoding %s: %w", format, err)
	}
	return h.lumaFromImage(img)
}

// lumaFromImage samples the image on the reference grid and converts to float
// luma. Like the shipped reference (which decodes through ImageMagick and
// writes PGM for grey images), an image whose pixels all have R=G=B uses the
// grey value as luma.
func (h *Hasher) lumaFromImage(img image.Image) error {
	b := img.Bounds()
	w, hgt := b.Dx(), b.Dy()
	if w <= 0 || hgt <= 0 {
		return errors.New("pdq: empty image")
	}
	if w*hgt > maxPixels {
		return fmt.Errorf("pdq: image too large: %dx%d", w, hgt)
	}
	h.sampleGrid(w, hgt)
	l := &h.luma
	W, H := len(h.xs), len(h.ys)
	l.Width, l.Height = W, H
	if cap(l.Pix) < W*H {
		l.Pix = make([]float32, W*H)
	}
	l.Pix = l.Pix[:W*H]
	if y, ok := img.(*image.YCbCr); ok && h.lumaFromYCbCr(y) {
		return nil
	}
	grey := isGrey(img)
	for oy, sy := range h.ys {
		out := l.Pix[oy*W : oy*W+W]
		for ox, sx := range h.xs {
			r, g, bb := rgb8(img, b.Min.X+sx, b.Min.Y+sy)
			if grey {
				out[ox] = float32(r)
			} else {
				out[ox] = (lumaTabR[r] + lumaTabG[g]) + lumaTabB[bb]
			}
		}
	}
	return nil
}

// rgb8 returns the 8-bit, non-premultiplied colour of a pixel (alpha is
// dropped, as when the reference converts to PNM).
func rgb8(img image.Image, x, y int) (r, g, b uint8) {
	switch m := img.(type) {
	case *image.Gray:
		v := m.Pix[m.PixOffset(x, y)]
		return v, v, v
	case *image.RGBA:
		i := m.PixOffset(x, y)
		a := m.Pix[i+3]
		if a == 0xFF || a == 0 {
			return m.Pix[i], m.Pix[i+1], m.Pix[i+2]
		}
	case *image.NRGBA:
		i := m.PixOffset(x, y)
		return m.Pix[i], m.Pix[i+1], m.Pix[i+2]
	case *image.Paletted:
		c := m.Palette[m.Pix[m.PixOffset(x, y)]]
		n := color.NRGBAModel.Convert(c).(color.NRGBA)
		return n.R, n.G, n.B
	}
	n := color.NRGBA64Model.Convert(img.At(x, y)).(color.NRGBA64)
	return uint8(n.R >> 8), uint8(n.G >> 8), uint8(n.B >> 8)
}

// isGrey reports whether every pixel has R=G=B.
func isGrey(img image.Image) bool {
	switch m := img.(type) {
	case *image.Gray, *image.Gray16:
		return true
	case *image.Paletted:
		used := make([]bool, len(m.Palette))
		for _, p := range m.Pix {
			if int(p) < len(used) {
				used[p] = true
			}
		}
		for i, c := range m.Palette {
			if used[i] {
				n := color.NRGBAModel.Convert(c).(color.NRGBA)
				if n.R != n.G || n.G != n.B {
					return false
				}
			}
		}
		return true
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bb := rgb8(img, x, y)
			if r != g || g != bb {
				return false
			}
		}
	}
	return true
}

// lumaFromYCbCr handles image/jpeg's output (used for progressive and other
// JPEGs the fast decoder skips): it upsamples chroma like libjpeg's fancy
// upsampling and converts with libjpeg's tables. It reports false for
// subsampling ratios it does not handle.
func (h *Hasher) lumaFromYCbCr(m *image.YCbCr) bool {
	hs, vs := 1, 1
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio444:
	case image.YCbCrSubsampleRatio422:
		hs = 2
	case image.YCbCrSubsampleRatio420:
		hs, vs = 2, 2
	case image.YCbCrSubsampleRatio440:
		vs = 2
	default:
		return false
	}
	b := m.Rect
	if b.Min.X != 0 || b.Min.Y != 0 {
		return false
	}
	d := &h.jd
	d.w, d.h, d.ncomp = b.Dx(), b.Dy(), 3
	d.comps[0] = jpegComp{h: hs, v: vs, plane: m.Y, stride: m.YStride}
	d.comps[1] = jpegComp{h: 1, v: 1, plane: m.Cb, stride: m.CStride}
	d.comps[2] = jpegComp{h: 1, v: 1, plane: m.Cr, stride: m.CStride}
	d.sampleLuma(&h.luma, h.xs, h.ys)
	d.comps = [3]jpegComp{}
	return true
}
