// Package pdq implements Meta's PDQ perceptual image hash and an exact
// Hamming-distance index for PDQ hashes.
//
// The hashing follows the published algorithm as implemented by the reference
// C++ in facebook/ThreatExchange (pdq/cpp): float luma, a two-pass Jarosz box
// filter, decimation to 64x64, a 64x64 to 16x16 DCT, and thresholding against
// the median (Torben's method). The float operations are done in the same
// order and precision as the reference, so the same pixels in give the same
// hash out. As in the reference, an image with a side over 512 pixels is first
// resized to exactly 512x512 by nearest neighbour, and EXIF orientation is not
// applied.
//
// Hashes are 256 bits. Their hex form is the reference layout: 64 lowercase
// hex digits, the sixteen 16-bit words from word 15 down to word 0, where bit
// k of the hash is bit k%16 of word k/16 and k = 16*row + col of the DCT block.
package pdq

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"unsafe"
)

// Hash256 is a 256-bit PDQ hash. Bit k (0..255) is bit k%64 of element k/64.
type Hash256 [4]uint64

// MatchThreshold is the PDQ authors' recommended Hamming distance at or below
// which two hashes are taken to be of the same image.
const MatchThreshold = 31

// MinMatchableQuality is the lowest quality whose hash may be matched: hashes
// of quality 49 or less (flat or featureless images) are unreliable and must
// not match.
const MinMatchableQuality = 50

// ErrBadHex reports a malformed hex hash.
var ErrBadHex = errors.New("pdq: hash must be 64 hex digits")

// Bit reports whether bit k (0..255) is set.
func (h Hash256) Bit(k int) bool { return h[k>>6]>>(uint(k)&63)&1 == 1 }

// SetBit sets bit k (0..255).
func (h *Hash256) SetBit(k int) { h[k>>6] |= 1 << (uint(k) & 63) }

// Word returns 16-bit word w (0..15) of the reference layout.
func (h Hash256) Word(w int) uint16 { return uint16(h[w>>2] >> (16 * (uint(w) & 3))) }

// Distance returns the Hamming distance between two hashes.
func Distance(a, b Hash256) int {
	return bits.OnesCount64(a[0]^b[0]) + bits.OnesCount64(a[1]^b[1]) +
		bits.OnesCount64(a[2]^b[2]) + bits.OnesCount64(a[3]^b[3])
}

// Norm returns the number of set bits (128 for a hash of an image whose DCT
// coefficients are distinct).
func (h Hash256) Norm() int {
	return bits.OnesCount64(h[0]) + bits.OnesCount64(h[1]) + bits.OnesCount64(h[2]) + bits.OnesCount64(h[3])
}

// String returns the 64 lowercase hex digits of the reference layout.
func (h Hash256) String() string {
	var b [64]byte
	const digits = "0123456789abcdef"
	for i := 0; i < 4; i++ {
		v := h[3-i]
		for j := 15; j >= 0; j-- {
			b[i*16+j] = digits[v&15]
			v >>= 4
		}
	}
	return string(b[:])
}

// MarshalText implements encoding.TextMarshaler.
func (h Hash256) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (h *Hash256) UnmarshalText(b []byte) error {
	v, err := ParseHash(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// ParseHash parses 64 hex digits (either case) in the reference layout.
func ParseHash(s string) (Hash256, error) {
	var h Hash256
	if len(s) != 64 {
		return h, fmt.Errorf("%w: got %d characters", ErrBadHex, len(s))
	}
	var raw [32]byte
	if _, err := hex.Decode(raw[:], []byte(s)); err != nil {
		return h, fmt.Errorf("%w: %v", ErrBadHex, err)
	}
	for i := 0; i < 4; i++ {
		var v uint64
		for j := 0; j < 8; j++ {
			v = v<<8 | uint64(raw[i*8+j])
		}
		h[3-i] = v
	}
	return h, nil
}

// MustParseHash is ParseHash that panics on error, for constants and tests.
func MustParseHash(s string) Hash256 {
	h, err := ParseHash(s)
	if err != nil {
		panic(err)
	}
	return h
}

// Hash is a PDQ hash with its quality score (0..100).
type Hash struct {
	Hash256
	Quality int
}

// Matchable reports whether the hash is good enough to be matched at all:
// quality of at least MinMatchableQuality (hashes of quality <= 49 never
// match).
func (h Hash) Matchable() bool { return h.Quality >= MinMatchableQuality }

// Dihedral names the eight rotations and flips of an image.
type Dihedral int

// The eight dihedral transforms, in the reference's order.
const (
	Original Dihedral = iota
	Rotate90
	Rotate180
	Rotate270
	FlipX
	FlipY
	FlipPlus1
	FlipMinus1
)

var dihedralNames = [8]string{"orig", "rot90", "rot180", "rot270", "flipx", "flipy", "flipp", "flipm"}

// String returns the short name used by the reference vectors.
func (d Dihedral) String() string {
	if d < 0 || d > 7 {
		return fmt.Sprintf("Dihedral(%d)", int(d))
	}
	return dihedralNames[d]
}

// Dihedrals holds the hashes of the eight dihedral forms of one image,
// indexed by Dihedral, all computed from one DCT.
type Dihedrals [8]Hash256

// ---------------------------------------------------------------------------
// Core algorithm (float pipeline identical to the reference).

const (
	downsampleDim   = 64
	minHashableDim  = 5
	jaroszPasses    = 2
	maxResizeSide   = 512
	lumaR           = float32(0.299)
	lumaG           = float32(0.587)
	lumaB           = float32(0.114)
	qualityDivisor  = 90
	qualityScale    = float32(100)
	qualityMaxValue = float32(255)
)

// dctMatrix[i][j] = sqrt(2/64) * cos(pi/128 * (i+1) * (2j+1)), as float32.
var dctMatrix = func() (m [16][64]float32) {
	scale := math.Sqrt(2.0 / 64.0)
	for i := 0; i < 16; i++ {
		for j := 0; j < 64; j++ {
			m[i][j] = float32(scale * math.Cos((math.Pi/2/64.0)*float64(i+1)*float64(2*j+1)))
		}
	}
	return m
}()

// LumaImage is a grid of float luma values (0..255), row-major.
type LumaImage struct {
	Pix           []float32
	Width, Height int
}

// jaroszWindow is the reference's computeJaroszFilterWindowSize.
func jaroszWindow(oldDim, newDim int) int {
	return (oldDim + 2*newDim - 1) / (2 * newDim)
}

// hasher holds scratch buffers; it is not safe for concurrent use.
type hasher struct {
	buf    []float32
	sums   []float32
	gather []float32
	a64    [64][64]float32
	t1664  [16][64]float32
}

// dct computes the 16x16 DCT block and quality of a luma image, following the
// reference float pipeline exactly. It overwrites l.Pix.
func (hs *hasher) dct(l *LumaImage) (out [16][16]float32, quality int) {
	rows, cols := l.Height, l.Width
	if rows < minHashableDim || cols < minHashableDim {
		return out, 0
	}
	n := rows * cols
	if cap(hs.buf) < n {
		hs.buf = make([]float32, n)
	}
	buf2 := hs.buf[:n]
	buf1 := l.Pix[:n]
	wr := jaroszWindow(cols, downsampleDim) // window along rows
	wc := jaroszWindow(rows, downsampleDim) // window along columns
	for p := 0; p < jaroszPasses; p++ {
		boxRows(buf1, buf2, rows, cols, wr)
		if p == jaroszPasses-1 && cols > 2*downsampleDim {
			// Only the decimated columns of the last pass are read; each
			// column's filter is independent, so filter just those.
			hs.boxColsAt(buf2, buf1, rows, cols, wc)
		} else {
			hs.boxCols(buf2, buf1, rows, cols, wc)
		}
	}
	// Decimate: sample the pixel centres.
	for i := 0; i < downsampleDim; i++ {
		ini := int((float64(i) + 0.5) * float64(rows) / downsampleDim)
		row := buf1[ini*cols:]
		for j := 0; j < downsampleDim; j++ {
			inj := int((float64(j) + 0.5) * float64(cols) / downsampleDim)
			hs.a64[i][j] = row[inj]
		}
	}
	quality = qualityMetric(&hs.a64)
	dct64To16(&hs.a64, &hs.t1664, &out)
	return out, quality
}

// box1D is the reference's box1DFloat on one vector. The window is a running
// sum of floats: phase 1 accumulates without writing, phase 2 writes with a
// growing window, phase 3 slides the full window, phase 4 writes with a
// shrinking one. Every faster variant below keeps exactly this sequence of
// float operations per vector.
func box1D(in, out []float32, length, window int) {
	half := (window + 2) / 2
	p1 := half - 1
	p2 := window - half + 1
	p3 := length - window
	p4 := half - 1
	var sum float32
	li, ri, oi := 0, 0, 0
	cur := 0
	for i := 0; i < p1; i++ {
		sum += in[ri]
		cur++
		ri++
	}
	for i := 0; i < p2; i++ {
		sum += in[ri]
		cur++
		out[oi] = sum / float32(cur)
		ri++
		oi++
	}
	div := float32(cur)
	for i := 0; i < p3; i++ {
		sum += in[ri]
		sum -= in[li]
		out[oi] = sum / div
		li++
		ri++
		oi++
	}
	for i := 0; i < p4; i++ {
		sum -= in[li]
		cur--
		out[oi] = sum / float32(cur)
		li++
		oi++
	}
}

// boxRows applies box1D along each row. Rows are processed in groups of four
// interleaved sums, which changes nothing in each row's arithmetic but lets the
// CPU overlap the four dependency chains.
func boxRows(in, out []float32, rows, cols, window int) {
	r := 0
	if window <= cols && cols >= 2 {
		for ; r+4 <= rows; r += 4 {
			box1D4(in[r*cols:(r+4)*cols], out[r*cols:(r+4)*cols], cols, window)
		}
	}
	for ; r < rows; r++ {
		box1D(in[r*cols:(r+1)*cols], out[r*cols:(r+1)*cols], cols, window)
	}
}

// box1D4 is box1D on four consecutive rows of length n at once.
func box1D4(in, out []float32, n, window int) {
	half := (window + 2) / 2
	p1 := half - 1
	p2 := window - half + 1
	p3 := n - window
	p4 := half - 1
	a, b, c, d := in[0:n], in[n:2*n], in[2*n:3*n], in[3*n:4*n]
	oa, ob, oc, od := out[0:n], out[n:2*n], out[2*n:3*n], out[3*n:4*n]
	var sa, sb, sc, sd float32
	li, ri, oi, cur := 0, 0, 0, 0
	for i := 0; i < p1; i++ {
		sa += a[ri]
		sb += b[ri]
		sc += c[ri]
		sd += d[ri]
		cur++
		ri++
	}
	for i := 0; i < p2; i++ {
		sa += a[ri]
		sb += b[ri]
		sc += c[ri]
		sd += d[ri]
		cur++
		f := float32(cur)
		oa[oi], ob[oi], oc[oi], od[oi] = sa/f, sb/f, sc/f, sd/f
		ri++
		oi++
	}
	f := float32(cur)
	if window&(window-1) == 0 {
		// Division by a power of two is exact as multiplication by its
		// reciprocal, so this is bit-identical and faster.
		inv := 1 / f
		for ; ri < n; ri, li, oi = ri+1, li+1, oi+1 {
			sa += a[ri]
			sa -= a[li]
			sb += b[ri]
			sb -= b[li]
			sc += c[ri]
			sc -= c[li]
			sd += d[ri]
			sd -= d[li]
			oa[oi], ob[oi], oc[oi], od[oi] = sa*inv, sb*inv, sc*inv, sd*inv
		}
	} else {
		for i := 0; i < p3; i++ {
			sa += a[ri]
			sa -= a[li]
			sb += b[ri]
			sb -= b[li]
			sc += c[ri]
			sc -= c[li]
			sd += d[ri]
			sd -= d[li]
			oa[oi], ob[oi], oc[oi], od[oi] = sa/f, sb/f, sc/f, sd/f
			li++
			ri++
			oi++
		}
	}
	for i := 0; i < p4; i++ {
		sa -= a[li]
		sb -= b[li]
		sc -= c[li]
		sd -= d[li]
		cur--
		f := float32(cur)
		oa[oi], ob[oi], oc[oi], od[oi] = sa/f, sb/f, sc/f, sd/f
		li++
		oi++
	}
}

// boxCols applies box1D down every column. All columns advance together, row
// by row, so memory is read sequentially; each column's arithmetic is the
// reference's.
func (hs *hasher) boxCols(in, out []float32, rows, cols, window int) {
	if cap(hs.sums) < cols {
		hs.sums = make([]float32, cols)
	}
	sums := hs.sums[:cols]
	clear(sums)
	half := (window + 2) / 2
	p1 := half - 1
	p2 := window - half + 1
	p3 := rows - window
	p4 := half - 1
	li, ri, oi, cur := 0, 0, 0, 0
	for i := 0; i < p1; i++ {
		src := in[ri*cols : ri*cols+cols]
		for j, v := range src {
			sums[j] += v
		}
		cur++
		ri++
	}
	for i := 0; i < p2; i++ {
		src := in[ri*cols : ri*cols+cols]
		dst := out[oi*cols : oi*cols+cols]
		cur++
		f := float32(cur)
		for j, v := range src {
			sums[j] += v
			dst[j] = sums[j] / f
		}
		ri++
		oi++
	}
	f := float32(cur)
	pow2 := cur&(cur-1) == 0
	inv := 1 / f
	for i := 0; i < p3; i++ {
		add := in[ri*cols : ri*cols+cols]
		sub := in[li*cols : li*cols+cols]
		dst := out[oi*cols : oi*cols+cols]
		sub = sub[:len(add)]
		dst = dst[:len(add)]
		s := sums[:len(add)]
		if pow2 {
			for j, v := range add {
				x := s[j] + v
				x -= sub[j]
				s[j] = x
				dst[j] = x * inv
			}
		} else {
			for j, v := range add {
				x := s[j] + v
				x -= sub[j]
				s[j] = x
				dst[j] = x / f
			}
		}
		li++
		ri++
		oi++
	}
	for i := 0; i < p4; i++ {
		sub := in[li*cols : li*cols+cols]
		dst := out[oi*cols : oi*cols+cols]
		cur--
		f := float32(cur)
		for j, v := range sub {
			sums[j] -= v
			dst[j] = sums[j] / f
		}
		li++
		oi++
	}
}

// boxColsAt is boxCols restricted to the 64 columns that decimation samples.
func (hs *hasher) boxColsAt(in, out []float32, rows, cols, window int) {
	var idx [downsampleDim]int
	for j := range idx {
		idx[j] = int((float64(j) + 0.5) * float64(cols) / downsampleDim)
	}
	// Gather the needed columns into a dense rows x 64 buffer, filter it
	// with boxCols, and scatter back.
	n := rows * downsampleDim
	if cap(hs.gather) < 2*n {
		hs.gather = make([]float32, 2*n)
	}
	g, g2 := hs.gather[:n], hs.gather[n:2*n]
	for r := 0; r < rows; r++ {
		src := in[r*cols : r*cols+cols]
		dst := g[r*downsampleDim : r*downsampleDim+downsampleDim]
		for j, c := range idx {
			dst[j] = src[c]
		}
	}
	hs.boxCols(g, g2, rows, downsampleDim, window)
	for r := 0; r < rows; r++ {
		src := g2[r*downsampleDim : r*downsampleDim+downsampleDim]
		dst := out[r*cols : r*cols+cols]
		for j, c := range idx {
			dst[c] = src[j]
		}
	}
}

// qualityMetric is the reference's image-domain quality: the sum of
// int(|u-v|*100/255) over vertical and horizontal neighbours of the 64x64
// grid, divided by 90 and capped at 100.
func qualityMetric(a *[64][64]float32) int {
	sum := 0
	for i := 0; i < 63; i++ {
		for j := 0; j < 64; j++ {
			d := int(float32(float32(a[i][j]-a[i+1][j])*qualityScale) / qualityMaxValue)
			if d < 0 {
				d = -d
			}
			sum += d
		}
	}
	for i := 0; i < 64; i++ {
		for j := 0; j < 63; j++ {
			d := int(float32(float32(a[i][j]-a[i][j+1])*qualityScale) / qualityMaxValue)
			if d < 0 {
				d = -d
			}
			sum += d
		}
	}
	q := sum / qualityDivisor
	if q > 100 {
		q = 100
	}
	return q
}

// dct64To16 computes B = D A D^T with float32 accumulation in the reference's
// order (T = D A first, then B = T D^T, k ascending). The explicit float32
// conversions stop the compiler fusing multiply-adds.
func dct64To16(a *[64][64]float32, t *[16][64]float32, b *[16][16]float32) {
	for i := 0; i < 16; i++ {
		d := &dctMatrix[i]
		var acc [64]float32
		for k := 0; k < 64; k++ {
			dk := d[k]
			row := &a[k]
			for j := 0; j < 64; j++ {
				acc[j] = acc[j] + float32(dk*row[j])
			}
		}
		t[i] = acc
	}
	for i := 0; i < 16; i++ {
		ti := &t[i]
		for j := 0; j < 16; j++ {
			dj := &dctMatrix[j]
			var s float32
			for k := 0; k < 64; k++ {
				s = s + float32(ti[k]*dj[k])
			}
			b[i][j] = s
		}
	}
}

// torben returns the median of m as the reference does (Torben's method); for
// 256 values it is the 128th smallest.
func torben(m []float32) float32 {
	n := len(m)
	min, max := m[0], m[0]
	for _, v := range m[1:] {
		if v < min {
			min = v
		}
		if v > max {
			max = v
		}
	}
	var less, greater, equal int
	var guess, maxlt, mingt float32
	half := (n + 1) / 2
	for {
		guess = (min + max) / 2
		less, greater, equal = 0, 0, 0
		maxlt, mingt = min, max
		for _, v := range m {
			if v < guess {
				less++
				if v > maxlt {
					maxlt = v
				}
			} else if v > guess {
				greater++
				if v < mingt {
					mingt = v
				}
			} else {
				equal++
			}
		}
		if less <= half && greater <= half {
			break
		}
		if less > greater {
			max = maxlt
		} else {
			min = mingt
		}
	}
	switch {
	case less >= half:
		return maxlt
	case less+equal >= half:
		return guess
	default:
		return mingt
	}
}

// bitsFromDCT thresholds a 16x16 block against its median.
func bitsFromDCT(b *[16][16]float32) Hash256 {
	flat := (*[256]float32)(unsafe.Pointer(b))
	med := torben(flat[:])
	var h Hash256
	for k, v := range flat {
		if v > med {
			h[k>>6] |= 1 << (uint(k) & 63)
		}
	}
	return h
}

// dihedralDCT returns the DCT block of the image transformed by d, computed
// from the original's block. With c(i) = i+1 the DCT frequency of row i, a
// mirror negates the coefficients of odd frequency (even i) along that axis,
// and a transpose swaps the axes.
func dihedralDCT(a *[16][16]float32, d Dihedral) (b [16][16]float32) {
	for i := 0; i < 16; i++ {
		for j := 0; j < 16; j++ {
			v := a[i][j]
			negI := i&1 == 0 // negate when flipping vertically
			negJ := j&1 == 0 // negate when flipping horizontally
			switch d {
			case Original:
				b[i][j] = v
			case Rotate90:
				// rot90 (counter-clockwise? see tests): transpose then flip.
				if negJ {
					v = -v
				}
				b[j][i] = v
			case Rotate180:
				if negI != negJ {
					v = -v
				}
				b[i][j] = v
			case Rotate270:
				if negI {
					v = -v
				}
				b[j][i] = v
			case FlipX:
				if negI {
					v = -v
				}
				b[i][j] = v
			case FlipY:
				if negJ {
					v = -v
				}
				b[i][j] = v
			case FlipPlus1:
				b[j][i] = v
			case FlipMinus1:
				if negI != negJ {
					v = -v
				}
				b[j][i] = v
			}
		}
	}
	return b
}

// HashLuma hashes a float luma image with the reference algorithm (no
// resizing: callers resize first when a side is over 512). It overwrites
// l.Pix. Images smaller than 5x5 hash to zero with quality 0.
func HashLuma(l *LumaImage) (Hash, error) {
	var hs hasher
	return hs.hashLuma(l, nil)
}

// DihedralsLuma is HashLuma that also returns the eight dihedral hashes.
func DihedralsLuma(l *LumaImage) (Hash, Dihedrals, error) {
	var hs hasher
	var d Dihedrals
	h, err := hs.hashLuma(l, &d)
	return h, d, err
}

func (hs *hasher) hashLuma(l *LumaImage, dih *Dihedrals) (Hash, error) {
	if l.Width <= 0 || l.Height <= 0 || len(l.Pix) < l.Width*l.Height {
		return Hash{}, errors.New("pdq: empty or inconsistent luma image")
	}
	if l.Width < minHashableDim || l.Height < minHashableDim {
		if dih != nil {
			*dih = Dihedrals{}
		}
		return Hash{}, nil
	}
	block, q := hs.dct(l)
	h := Hash{Hash256: bitsFromDCT(&block), Quality: q}
	if dih != nil {
		dih[Original] = h.Hash256
		for d := Rotate90; d <= FlipMinus1; d++ {
			b := dihedralDCT(&block, d)
			dih[d] = bitsFromDCT(&b)
		}
	}
	return h, nil
}
