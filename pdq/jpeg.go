package pdq

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// This file is a baseline JPEG decoder written for hashing speed. It decodes
// only what PDQ needs: the luma of the pixels that the reference's 512x512
// nearest-neighbour resize samples. To stay exactly compatible with the
// reference C++ (which decodes with libjpeg / libjpeg-turbo defaults), it
// reproduces libjpeg's integer "islow" IDCT, its "fancy" (triangle) chroma
// upsampling and its YCbCr to RGB tables, then applies the reference's float
// luma formula to the RGB bytes. Anything it does not handle (progressive,
// arithmetic coding, 12-bit, CMYK, unusual sampling) returns errUnsupported and
// the caller falls back to image/jpeg.

// errUnsupported marks a JPEG the fast decoder does not handle; the caller
// falls back to the standard library.
var errUnsupported = errors.New("pdq: jpeg feature not supported by fast decoder")

// errCorrupt is wrapped by all format errors of the fast decoder.
var errCorrupt = errors.New("pdq: corrupt jpeg")

func corruptf(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errCorrupt}, a...)...)
}

// maxPixels bounds the images the decoders accept (about 16k x 16k), so that
// a hostile header cannot make us allocate gigabytes (64M pixels, 8192x8192).
const maxPixels = 1 << 26

var zigzag = [64]uint8{
	0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
}

const lutBits = 10

// huffTable is a canonical Huffman table with a 9-bit lookahead table.
type huffTable struct {
	lut     [1 << lutBits]uint16 // length<<8 | symbol; 0 = longer code
	fast    [1 << lutBits]int32  // AC: value<<16 | run<<8 | code+value length; 0 = slow path
	maxcode [18]int32            // largest code of each length, -1 if none
	valptr  [17]int32            // index in vals of the first code of each length
	mincode [17]int32
	vals    [256]uint8
	defined bool
}

func (t *huffTable) build(counts *[16]uint8, vals []uint8) error {
	*t = huffTable{}
	total := 0
	for _, c := range counts {
		total += int(c)
	}
	if total == 0 || total > 256 || total != len(vals) {
		return corruptf("bad huffman table")
	}
	copy(t.vals[:], vals)
	code, k := int32(0), int32(0)
	for l := 1; l <= 16; l++ {
		n := int32(counts[l-1])
		t.valptr[l] = k
		t.mincode[l] = code
		if n == 0 {
			t.maxcode[l] = -1
		} else {
			if code+n > 1<<l {
				return corruptf("bad huffman code lengths")
			}
			for i := int32(0); i < n; i++ {
				if l <= lutBits {
					lo := (code + i) << (lutBits - l)
					hi := (code + i + 1) << (lutBits - l)
					e := uint16(l)<<8 | uint16(vals[k+i])
					for j := lo; j < hi; j++ {
						t.lut[j] = e
					}
				}
			}
			t.maxcode[l] = code + n - 1
		}
		k += n
		code = (code + n) << 1
	}
	t.maxcode[17] = 1 << 30
	// Fast AC entries: the code and its value bits fit in lutBits.
	for i := range t.lut {
		e := t.lut[i]
		if e == 0 {
			continue
		}
		l, rs := uint(e>>8), uint8(e)
		s := uint(rs & 15)
		if s == 0 || l+s > lutBits {
			continue
		}
		v := int32(i>>(lutBits-l-s)) & (1<<s - 1)
		if v < 1<<(s-1) {
			v += -1<<s + 1
		}
		t.fast[i] = v<<16 | int32(rs>>4)<<8 | int32(l+s)
	}
	t.defined = true
	return nil
}

// bitReader reads entropy-coded data MSB first, removing stuffed zero bytes.
// At a marker or the end of data it feeds zero bytes and counts them, so the
// decoder never reads past the buffer and truncation can be detected.
type bitReader struct {
	data   []byte
	pos    int
	acc    uint64 // valid bits are the top n bits
	n      uint
	fake   int  // zero bytes fed after a marker or the end
	marker bool // stopped at a marker (or the end of data)
}

func (br *bitReader) fill() {
	if !br.marker && br.pos+8 <= len(br.data) {
		v := binary.BigEndian.Uint64(br.data[br.pos:])
		if !hasFF64(v) {
			// Take as many whole bytes as fit; the extra low bits OR'ed in
			// are those of the next byte, which the next fill ORs again.
			k := (64 - br.n) >> 3
			br.acc |= v >> br.n
			br.n += k * 8
			br.pos += int(k)
			return
		}
	}
	for br.n <= 56 {
		if !br.marker && br.n <= 24 && br.pos+4 <= len(br.data) {
			v := binary.BigEndian.Uint32(br.data[br.pos:])
			if !hasFF(v) {
				br.acc |= uint64(v) << (32 - br.n)
				br.n += 32
				br.pos += 4
				continue
			}
		}
		var b byte
		if br.marker {
			br.fake++
		} else if br.pos >= len(br.data) {
			br.marker = true
			br.fake++
		} else {
			b = br.data[br.pos]
			if b != 0xFF {
				br.pos++
			} else if br.pos+1 < len(br.data) && br.data[br.pos+1] == 0 {
				br.pos += 2
			} else {
				b = 0
				br.marker = true
				br.fake++
			}
		}
		br.acc |= uint64(b) << (56 - br.n)
		br.n += 8
	}
}

// hasFF reports whether any byte of v is 0xFF.
func hasFF(v uint32) bool {
	x := ^v // 0xFF bytes become 0x00
	return (x-0x01010101)&^x&0x80808080 != 0
}

// hasFF64 reports whether any byte of v is 0xFF.
func hasFF64(v uint64) bool {
	x := ^v
	return (x-0x0101010101010101)&^x&0x8080808080808080 != 0
}

// overrun reports whether the decoder consumed bits that were not in the data.
func (br *bitReader) overrun() bool { return int(br.n) < br.fake*8 }

func (br *bitReader) decode(t *huffTable) (uint8, error) {
	if br.n < 16 {
		br.fill()
	}
	if e := t.lut[br.acc>>(64-lutBits)]; e != 0 {
		l := uint(e >> 8)
		br.acc <<= l
		br.n -= l
		return uint8(e), nil
	}
	peek := int32(br.acc >> 48)
	for l := lutBits + 1; l <= 16; l++ {
		code := peek >> (16 - l)
		if code <= t.maxcode[l] {
			br.acc <<= uint(l)
			br.n -= uint(l)
			return t.vals[t.valptr[l]+code-t.mincode[l]], nil
		}
	}
	return 0, corruptf("bad huffman code")
}

// receive reads s (1..16) bits and sign-extends them per JPEG F.2.2.1.
func (br *bitReader) receive(s uint) int32 {
	if br.n < s {
		br.fill()
	}
	v := int32(br.acc >> (64 - s))
	br.acc <<= s
	br.n -= s
	if v < 1<<(s-1) {
		v += -1<<s + 1
	}
	return v
}

// restart skips to after an RSTn marker.
func (br *bitReader) restart() error {
	if br.overrun() {
		return corruptf("truncated entropy-coded segment")
	}
	// The unread bits are padding; the next bytes must be the marker.
	if !br.marker {
		// Consume whole remaining bytes in acc? They were real data; only
		// padding (< 8 bits) may remain before the marker.
		if br.n-uint(br.fake*8) >= 8 {
			return corruptf("missing restart marker")
		}
	}
	p := br.pos
	for p < len(br.data) && br.data[p] == 0xFF && p+1 < len(br.data) && br.data[p+1] == 0xFF {
		p++
	}
	if p+1 >= len(br.data) || br.data[p] != 0xFF || br.data[p+1] < 0xD0 || br.data[p+1] > 0xD7 {
		return corruptf("missing restart marker")
	}
	br.pos = p + 2
	br.acc, br.n, br.fake, br.marker = 0, 0, 0, false
	return nil
}

type jpegComp struct {
	id, h, v, tq int
	td, ta       int
	bw, bh       int // blocks per line / lines of blocks in the plane
	pred         int32
	plane        []uint8
	stride       int
}

// jpegDecoder holds reusable state and buffers.
type jpegDecoder struct {
	w, h        int
	ncomp       int
	comps       [3]jpegComp
	hmax, vmax  int
	qt          [4][64]int32
	qz          [4][64]int32 // quantization tables in zigzag order
	qtDefined   [4]bool
	dc, ac      [4]huffTable
	ri          int
	adobe       bool
	adobeXform  int
	sof         bool
	mcux, mcuy  int
	planes      [3][]uint8
	rowMask     []uint8 // per block row of component 0: rows to reconstruct
	taps        []tap
	data        []byte // the file being decoded
	generic     bool   // tests: skip the special-cased sampling loops
	progressive bool
	scans       int        // progressive scans decoded
	visits      int        // progressive: block visits so far
	coefs       [3][]int16 // progressive: all coefficients, natural order
	colsum      []int32
}

func readU16(b []byte, p int) int { return int(b[p])<<8 | int(b[p+1]) }

// decode parses the file and decodes it into component planes: the one scan
// of a baseline file, or every scan of a progressive one.
func (d *jpegDecoder) decode(data []byte) error {
	d.data = data
	defer func() { d.data = nil }()
	d.sof, d.ri, d.adobe, d.ncomp = false, 0, false, 0
	d.progressive, d.scans, d.visits = false, 0, 0
	d.qtDefined = [4]bool{}
	for i := range d.dc {
		d.dc[i].defined, d.ac[i].defined = false, false
	}
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return corruptf("not a jpeg")
	}
	p := 2
	for {
		// Find the next marker, skipping fill bytes.
		if p >= len(data) {
			return corruptf("unexpected end of file")
		}
		if data[p] != 0xFF {
			return corruptf("expected marker at %d", p)
		}
		for p < len(data) && data[p] == 0xFF {
			p++
		}
		if p >= len(data) {
			return corruptf("unexpected end of file")
		}
		m := data[p]
		p++
		switch {
		case m == 0xD8 || (m >= 0xD0 && m <= 0xD7) || m == 0x01:
			continue // no payload
		case m == 0xD9:
			if d.progressive && d.scans > 0 {
				return d.progressiveFinish()
			}
			return corruptf("no image data before EOI")
		}
		if p+2 > len(data) {
			return corruptf("unexpected end of file")
		}
		n := readU16(data, p)
		if n < 2 || p+n > len(data) {
			return corruptf("bad segment length")
		}
		seg := data[p+2 : p+n]
		p += n
		switch m {
		case 0xC0, 0xC1: // baseline, extended sequential Huffman
			if err := d.parseSOF(seg); err != nil {
				return err
			}
		case 0xC2: // progressive Huffman
			d.progressive = true
			if err := d.parseSOF(seg); err != nil {
				return err
			}
		case 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF:
			return errUnsupported
		case 0xC4:
			if err := d.parseDHT(seg); err != nil {
				return err
			}
		case 0xDB:
			if err := d.parseDQT(seg); err != nil {
				return err
			}
		case 0xDD:
			if len(seg) != 2 {
				return corruptf("bad DRI")
			}
			d.ri = readU16(seg, 0)
		case 0xEE:
			if len(seg) >= 12 && string(seg[:5]) == "Adobe" {
				d.adobe = true
				d.adobeXform = int(seg[11])
			}
		case 0xDA:
			if !d.sof {
				return corruptf("SOS before SOF")
			}
			if !d.progressive {
				return d.parseSOSAndDecode(seg, data, p)
			}
			next, err := d.progressiveScan(seg, data, p)
			if err != nil {
				return err
			}
			p = next
		}
	}
}

func (d *jpegDecoder) parseSOF(seg []byte) error {
	if d.sof {
		return corruptf("multiple SOF")
	}
	if len(seg) < 6 {
		return corruptf("short SOF")
	}
	if seg[0] != 8 {
		return errUnsupported
	}
	d.h = readU16(seg, 1)
	d.w = readU16(seg, 3)
	d.ncomp = int(seg[5])
	if d.w == 0 || d.h == 0 {
		return errUnsupported // DNL or empty
	}
	if d.w*d.h > maxPixels {
		return corruptf("image too large: %dx%d", d.w, d.h)
	}
	if d.ncomp != 1 && d.ncomp != 3 {
		return errUnsupported
	}
	if len(seg) != 6+3*d.ncomp {
		return corruptf("bad SOF length")
	}
	d.hmax, d.vmax = 1, 1
	for i := 0; i < d.ncomp; i++ {
		c := &d.comps[i]
		c.id = int(seg[6+3*i])
		c.h = int(seg[7+3*i] >> 4)
		c.v = int(seg[7+3*i] & 15)
		c.tq = int(seg[8+3*i])
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.tq > 3 {
			return corruptf("bad component")
		}
		d.hmax = max(d.hmax, c.h)
		d.vmax = max(d.vmax, c.v)
	}
	if d.ncomp == 1 {
		d.comps[0].h, d.comps[0].v = 1, 1
		d.hmax, d.vmax = 1, 1
	} else {
		y := d.comps[0]
		if y.h != d.hmax || y.v != d.vmax || y.h > 2 || y.v > 2 {
			return errUnsupported
		}
		for i := 1; i < 3; i++ {
			if d.comps[i].h != 1 || d.comps[i].v != 1 {
				return errUnsupported
			}
		}
		if d.comps[0].id == 'R' && d.comps[1].id == 'G' && d.comps[2].id == 'B' {
			return errUnsupported
		}
	}
	d.mcux = (d.w + 8*d.hmax - 1) / (8 * d.hmax)
	d.mcuy = (d.h + 8*d.vmax - 1) / (8 * d.vmax)
	// Every block takes at least two bits (a DC code and an end-of-block
	// code), so a file much shorter than that is truncated: say so before
	// allocating planes for it.
	blocks := d.mcux * d.mcuy * d.hmax * d.vmax
	if d.ncomp == 3 {
		blocks += 2 * d.mcux * d.mcuy
	}
	minBytes := blocks / 4
	if d.progressive {
		minBytes = blocks / 8 // DC scans take at least a bit per block
	}
	if len(d.data) < minBytes {
		return corruptf("file too short for a %dx%d image", d.w, d.h)
	}
	for i := 0; i < d.ncomp; i++ {
		c := &d.comps[i]
		if d.ncomp == 1 {
			c.bw = (d.w + 7) / 8
			c.bh = (d.h + 7) / 8
		} else {
			c.bw = d.mcux * c.h
			c.bh = d.mcuy * c.v
		}
		c.stride = c.bw * 8
		size := c.stride * c.bh * 8
		if cap(d.planes[i]) < size {
			d.planes[i] = make([]uint8, size)
		}
		c.plane = d.planes[i][:size]
	}
	// Rows of the luma plane the hash samples: only those need the second
	// IDCT pass (a side over 512 means a 512x512 nearest-neighbour grid).
	by := d.comps[0].bh
	if cap(d.rowMask) < by {
		d.rowMask = make([]uint8, by)
	}
	d.rowMask = d.rowMask[:by]
	if d.w > maxResizeSide || d.h > maxResizeSide {
		clear(d.rowMask)
		for i := 0; i < maxResizeSide; i++ {
			y := i * d.h / maxResizeSide
			d.rowMask[y>>3] |= 1 << (y & 7)
		}
	} else {
		for i := range d.rowMask {
			d.rowMask[i] = 0xFF
		}
	}
	d.sof = true
	return nil
}

func (d *jpegDecoder) parseDHT(seg []byte) error {
	for len(seg) > 0 {
		if len(seg) < 17 {
			return corruptf("short DHT")
		}
		tc, th := seg[0]>>4, seg[0]&15
		if tc > 1 || th > 3 {
			return corruptf("bad DHT class")
		}
		var counts [16]uint8
		copy(counts[:], seg[1:17])
		total := 0
		for _, c := range counts {
			total += int(c)
		}
		if len(seg) < 17+total {
			return corruptf("short DHT")
		}
		t := &d.dc[th]
		if tc == 1 {
			t = &d.ac[th]
		}
		if err := t.build(&counts, seg[17:17+total]); err != nil {
			return err
		}
		seg = seg[17+total:]
	}
	return nil
}

func (d *jpegDecoder) parseDQT(seg []byte) error {
	for len(seg) > 0 {
		pq, tq := seg[0]>>4, seg[0]&15
		if tq > 3 || pq > 1 {
			return corruptf("bad DQT")
		}
		n := 64 * (1 + int(pq))
		if len(seg) < 1+n {
			return corruptf("short DQT")
		}
		for i := 0; i < 64; i++ {
			var v int32
			if pq == 0 {
				v = int32(seg[1+i])
			} else {
				v = int32(readU16(seg, 1+2*i))
			}
			d.qt[tq][zigzag[i]] = v
			d.qz[tq][i] = v
		}
		d.qtDefined[tq] = true
		seg = seg[1+n:]
	}
	return nil
}

func (d *jpegDecoder) parseSOSAndDecode(seg, data []byte, p int) error {
	if len(seg) < 1 {
		return corruptf("short SOS")
	}
	ns := int(seg[0])
	if ns != d.ncomp {
		return errUnsupported // multi-scan sequential
	}
	if d.ncomp == 3 && d.adobe && d.adobeXform == 0 {
		return errUnsupported // RGB-coded
	}
	if len(seg) != 4+2*ns {
		return corruptf("bad SOS length")
	}
	for i := 0; i < ns; i++ {
		id := int(seg[1+2*i])
		if id != d.comps[i].id {
			return errUnsupported
		}
		c := &d.comps[i]
		c.td = int(seg[2+2*i] >> 4)
		c.ta = int(seg[2+2*i] & 15)
		if c.td > 3 || c.ta > 3 || !d.dc[c.td].defined || !d.ac[c.ta].defined {
			return corruptf("missing huffman table")
		}
		if !d.qtDefined[c.tq] {
			return corruptf("missing quantization table")
		}
		c.pred = 0
	}
	if seg[1+2*ns] != 0 || seg[2+2*ns] != 63 || seg[3+2*ns] != 0 {
		return errUnsupported
	}
	br := bitReader{data: data, pos: p}
	var blk, ws [64]int32
	mcus := d.mcux * d.mcuy
	if d.ncomp == 1 {
		c := &d.comps[0]
		mcus = c.bw * c.bh
	}
	restartsLeft := d.ri
	for m := 0; m < mcus; m++ {
		if d.ri > 0 {
			if restartsLeft == 0 {
				if err := br.restart(); err != nil {
					return err
				}
				for i := 0; i < d.ncomp; i++ {
					d.comps[i].pred = 0
				}
				restartsLeft = d.ri
			}
			restartsLeft--
		}
		if d.ncomp == 1 {
			c := &d.comps[0]
			bx, by := m%c.bw, m/c.bw
			last, err := d.decodeBlock(&br, c, &blk)
			if err != nil {
				return err
			}
			idct(&blk, &ws, last, c.plane[by*8*c.stride+bx*8:], c.stride, d.rowMask[by])
			clearBlock(&blk, last)
			continue
		}
		mx, my := m%d.mcux, m/d.mcux
		for i := 0; i < 3; i++ {
			c := &d.comps[i]
			for v := 0; v < c.v; v++ {
				for h := 0; h < c.h; h++ {
					last, err := d.decodeBlock(&br, c, &blk)
					if err != nil {
						return err
					}
					bx, by := mx*c.h+h, my*c.v+v
					mask := uint8(0xFF)
					if i == 0 {
						mask = d.rowMask[by]
					}
					idct(&blk, &ws, last, c.plane[by*8*c.stride+bx*8:], c.stride, mask)
					clearBlock(&blk, last)
				}
			}
		}
		if m&63 == 0 && br.overrun() {
			return corruptf("truncated image data")
		}
	}
	if br.overrun() {
		return corruptf("truncated image data")
	}
	return nil
}

// decodeBlock decodes one 8x8 block's coefficients, dequantized, in natural
// order, into blk, and returns the zigzag index of the last coefficient (0
// for a DC-only block) plus, shifted left by 8, the mask of the columns that
// have coefficients. The bit buffer is kept in locals for speed.
func (d *jpegDecoder) decodeBlock(br *bitReader, c *jpegComp, blk *[64]int32) (int, error) {
	// blk is all zero on entry (see clearBlock).
	q := &d.qz[c.tq]
	if br.n < 32 {
		br.fill()
	}
	var s uint
	if e := d.dc[c.td].lut[br.acc>>(64-lutBits)]; e != 0 {
		br.acc <<= uint(e >> 8)
		br.n -= uint(e >> 8)
		s = uint(uint8(e))
	} else {
		v, err := br.decode(&d.dc[c.td])
		if err != nil {
			return 0, err
		}
		s = uint(v)
	}
	if s > 11 {
		return 0, corruptf("bad DC size")
	}
	if s > 0 {
		v := int32(br.acc >> (64 - s))
		br.acc <<= s
		br.n -= s
		if v < 1<<(s-1) {
			v += -1<<s + 1
		}
		c.pred += v
	}
	blk[0] = c.pred * q[0]
	ac := &d.ac[c.ta]
	acc, n := br.acc, br.n
	last, cols := 0, 1
	for k := 1; k < 64; k++ {
		if n < 32 {
			br.acc, br.n = acc, n
			br.fill()
			acc, n = br.acc, br.n
		}
		if e := ac.fast[acc>>(64-lutBits)]; e != 0 {
			// Code and value both fit in the lookahead.
			acc <<= uint(e & 0xff)
			n -= uint(e & 0xff)
			k += int(e>>8) & 0xff
			if k > 63 {
				return 0, corruptf("too many coefficients")
			}
			blk[zigzag[k&63]&63] = (e >> 16) * q[k&63]
			cols |= int(colBit[k&63])
			last = k
			continue
		}
		var rs uint8
		if e := ac.lut[acc>>(64-lutBits)]; e != 0 {
			acc <<= uint(e >> 8)
			n -= uint(e >> 8)
			rs = uint8(e)
		} else {
			br.acc, br.n = acc, n
			v, err := br.decode(ac)
			if err != nil {
				return 0, err
			}
			acc, n = br.acc, br.n
			rs = v
		}
		r, s := int(rs>>4), uint(rs&15)
		if s == 0 {
			if r != 15 {
				break
			}
			k += 15
			continue
		}
		k += r
		if k > 63 {
			return 0, corruptf("too many coefficients")
		}
		v := int32(acc >> (64 - s))
		acc <<= s
		n -= s
		if v < 1<<(s-1) {
			v += -1<<s + 1
		}
		blk[zigzag[k&63]&63] = v * q[k&63]
		cols |= int(colBit[k&63])
		last = k
	}
	br.acc, br.n = acc, n
	return last | cols<<8, nil
}

// libjpeg islow IDCT constants (CONST_BITS = 13).
const (
	constBits = 13
	pass1Bits = 2
	fix0_298  = 2446
	fix0_390  = 3196
	fix0_541  = 4433
	fix0_765  = 6270
	fix0_899  = 7373
	fix1_175  = 9633
	fix1_501  = 12299
	fix1_847  = 15137
	fix1_961  = 16069
	fix2_053  = 16819
	fix2_562  = 20995
	fix3_072  = 25172
)

// clampSample range-limits an IDCT output v (before the +128 level shift)
// exactly as libjpeg's post-IDCT table does: index v & 1023, giving
// clamp(v+128, 0, 255) for -512 <= v < 512 (and libjpeg's wrap-around beyond).
func clampSample(v int32) uint8 { return idctLimit[v&1023] }

var idctLimit = func() (t [1024]uint8) {
	for x := range t {
		switch {
		case x < 128:
			t[x] = uint8(x + 128)
		case x < 512:
			t[x] = 255
		case x < 896:
			t[x] = 0
		default:
			t[x] = uint8(x - 896)
		}
	}
	return t
}()

// colBit[k] is the column bit of zigzag position k.
var colBit = func() (t [64]uint8) {
	for k, z := range zigzag {
		t[k] = 1 << (z & 7)
	}
	return t
}()

// clearBlock zeroes the coefficients decodeBlock set (zigzag 0..last; the
// column mask above bit 8 is ignored).
func clearBlock(blk *[64]int32, last int) {
	last &= 0xFF
	if last >= 24 {
		*blk = [64]int32{}
		return
	}
	for _, z := range zigzag[:last+1] {
		blk[z&63] = 0
	}
}

// idct writes the samples of a block; lastCols is the zigzag index of its last
// nonzero coefficient plus, shifted left by 8, the mask of columns that have
// any coefficient. A DC-only block is a constant, exactly as islow computes it.
func idct(in, ws *[64]int32, lastCols int, out []uint8, stride int, rows uint8) {
	last, cols := lastCols&0xFF, uint8(lastCols>>8)
	if last == 0 {
		v := clampSample((in[0]<<pass1Bits + 1<<(pass1Bits+2)) >> (pass1Bits + 3))
		for r := 0; r < 8; r++ {
			o := out[r*stride : r*stride+8 : r*stride+8]
			o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = v, v, v, v, v, v, v, v
		}
		return
	}
	if last <= 9 {
		// Zigzag indexes 0..9 all lie in the top-left 4x4 corner.
		idctSparse4(in, ws, out, stride, rows)
		return
	}
	idctISlow(in, ws, out, stride, rows, cols)
}

// idctSparse4 is idctISlow for blocks whose coefficients outside the top-left
// 4x4 are zero: the same integer arithmetic with the zero terms dropped
// (integer addition is associative, so the results are identical).
func idctSparse4(in, ws *[64]int32, out []uint8, stride int, rows uint8) {
	for c := 0; c < 4; c++ {
		if in[8+c]|in[16+c]|in[24+c] == 0 {
			dc := in[c] << pass1Bits
			ws[c], ws[8+c], ws[16+c], ws[24+c] = dc, dc, dc, dc
			ws[32+c], ws[40+c], ws[48+c], ws[56+c] = dc, dc, dc, dc
			continue
		}
		w0, w1, w2, w3 := in[c], in[8+c], in[16+c], in[24+c]
		z1 := w2 * fix0_541
		tmp2 := z1
		tmp3 := z1 + w2*fix0_765
		tmp0 := w0 << constBits
		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp0+tmp2, tmp0-tmp2
		z5 := (w3 + w1) * fix1_175
		o0 := w1*-fix0_899 + w3*-fix1_961 + z5
		o1 := w3*-fix2_562 + w1*-fix0_390 + z5
		o2 := w3*fix3_072 + w3*-fix2_562 + w3*-fix1_961 + z5
		o3 := w1*fix1_501 + w1*-fix0_899 + w1*-fix0_390 + z5
		const sh = constBits - pass1Bits
		const rnd = 1 << (sh - 1)
		ws[c] = (tmp10 + o3 + rnd) >> sh
		ws[56+c] = (tmp10 - o3 + rnd) >> sh
		ws[8+c] = (tmp11 + o2 + rnd) >> sh
		ws[48+c] = (tmp11 - o2 + rnd) >> sh
		ws[16+c] = (tmp12 + o1 + rnd) >> sh
		ws[40+c] = (tmp12 - o1 + rnd) >> sh
		ws[24+c] = (tmp13 + o0 + rnd) >> sh
		ws[32+c] = (tmp13 - o0 + rnd) >> sh
	}
	rowPass4(ws, out, stride, rows)
}

// rowPass4 is the islow row pass for rows whose entries 4..7 are zero.
func rowPass4(ws *[64]int32, out []uint8, stride int, rows uint8) {
	for r := 0; r < 8; r++ {
		if rows&(1<<r) == 0 {
			continue
		}
		w := ws[r*8 : r*8+4 : r*8+4]
		o := out[r*stride : r*stride+8 : r*stride+8]
		if w[1]|w[2]|w[3] == 0 {
			v := clampSample((w[0] + 1<<(pass1Bits+2)) >> (pass1Bits + 3))
			o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = v, v, v, v, v, v, v, v
			continue
		}
		w0, w1, w2, w3 := w[0], w[1], w[2], w[3]
		z1 := w2 * fix0_541
		tmp2 := z1
		tmp3 := z1 + w2*fix0_765
		tmp0 := w0 << constBits
		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp0+tmp2, tmp0-tmp2
		z5 := (w3 + w1) * fix1_175
		o0 := w1*-fix0_899 + w3*-fix1_961 + z5
		o1 := w3*-fix2_562 + w1*-fix0_390 + z5
		o2 := w3*fix3_072 + w3*-fix2_562 + w3*-fix1_961 + z5
		o3 := w1*fix1_501 + w1*-fix0_899 + w1*-fix0_390 + z5
		const sh = constBits + pass1Bits + 3
		const rnd = 1 << (sh - 1)
		o[0] = clampSample((tmp10 + o3 + rnd) >> sh)
		o[7] = clampSample((tmp10 - o3 + rnd) >> sh)
		o[1] = clampSample((tmp11 + o2 + rnd) >> sh)
		o[6] = clampSample((tmp11 - o2 + rnd) >> sh)
		o[2] = clampSample((tmp12 + o1 + rnd) >> sh)
		o[5] = clampSample((tmp12 - o1 + rnd) >> sh)
		o[3] = clampSample((tmp13 + o0 + rnd) >> sh)
		o[4] = clampSample((tmp13 - o0 + rnd) >> sh)
	}
}

// idctISlow is libjpeg's jpeg_idct_islow (Loeffler-Ligtenberg-Moschytz with
// 13-bit fixed point), writing 8x8 samples at out with the given stride.
func idctISlow(in, ws *[64]int32, out []uint8, stride int, rows, cols uint8) {
	for c := 0; c < 8; c++ {
		if cols&(1<<c) == 0 {
			ws[c], ws[8+c], ws[16+c], ws[24+c] = 0, 0, 0, 0
			ws[32+c], ws[40+c], ws[48+c], ws[56+c] = 0, 0, 0, 0
			continue
		}
		if in[8+c]|in[16+c]|in[24+c]|in[32+c]|in[40+c]|in[48+c]|in[56+c] == 0 {
			dc := in[c] << pass1Bits
			ws[c], ws[8+c], ws[16+c], ws[24+c] = dc, dc, dc, dc
			ws[32+c], ws[40+c], ws[48+c], ws[56+c] = dc, dc, dc, dc
			continue
		}
		z2, z3 := in[16+c], in[48+c]
		z1 := (z2 + z3) * fix0_541
		tmp2 := z1 - z3*fix1_847
		tmp3 := z1 + z2*fix0_765
		z2, z3 = in[c], in[32+c]
		tmp0 := (z2 + z3) << constBits
		tmp1 := (z2 - z3) << constBits
		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2

		tmp0, tmp1, tmp2, tmp3 = in[56+c], in[40+c], in[24+c], in[8+c]
		z1 = tmp0 + tmp3
		z2 = tmp1 + tmp2
		z3 = tmp0 + tmp2
		z4 := tmp1 + tmp3
		z5 := (z3 + z4) * fix1_175
		tmp0 *= fix0_298
		tmp1 *= fix2_053
		tmp2 *= fix3_072
		tmp3 *= fix1_501
		z1 *= -fix0_899
		z2 *= -fix2_562
		z3 *= -fix1_961
		z4 *= -fix0_390
		z3 += z5
		z4 += z5
		tmp0 += z1 + z3
		tmp1 += z2 + z4
		tmp2 += z2 + z3
		tmp3 += z1 + z4

		const sh = constBits - pass1Bits
		const rnd = 1 << (sh - 1)
		ws[c] = (tmp10 + tmp3 + rnd) >> sh
		ws[56+c] = (tmp10 - tmp3 + rnd) >> sh
		ws[8+c] = (tmp11 + tmp2 + rnd) >> sh
		ws[48+c] = (tmp11 - tmp2 + rnd) >> sh
		ws[16+c] = (tmp12 + tmp1 + rnd) >> sh
		ws[40+c] = (tmp12 - tmp1 + rnd) >> sh
		ws[24+c] = (tmp13 + tmp0 + rnd) >> sh
		ws[32+c] = (tmp13 - tmp0 + rnd) >> sh
	}
	if cols&0xF0 == 0 {
		// No coefficient in columns 4..7: every row has w[4..7] = 0.
		rowPass4(ws, out, stride, rows)
		return
	}
	for r := 0; r < 8; r++ {
		if rows&(1<<r) == 0 {
			continue
		}
		w := ws[r*8 : r*8+8 : r*8+8]
		o := out[r*stride : r*stride+8 : r*stride+8]
		if w[1]|w[2]|w[3]|w[4]|w[5]|w[6]|w[7] == 0 {
			v := clampSample((w[0] + 1<<(pass1Bits+2)) >> (pass1Bits + 3))
			o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = v, v, v, v, v, v, v, v
			continue
		}
		z2, z3 := w[2], w[6]
		z1 := (z2 + z3) * fix0_541
		tmp2 := z1 - z3*fix1_847
		tmp3 := z1 + z2*fix0_765
		tmp0 := (w[0] + w[4]) << constBits
		tmp1 := (w[0] - w[4]) << constBits
		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2

		tmp0, tmp1, tmp2, tmp3 = w[7], w[5], w[3], w[1]
		z1 = tmp0 + tmp3
		z2 = tmp1 + tmp2
		z3 = tmp0 + tmp2
		z4 := tmp1 + tmp3
		z5 := (z3 + z4) * fix1_175
		tmp0 *= fix0_298
		tmp1 *= fix2_053
		tmp2 *= fix3_072
		tmp3 *= fix1_501
		z1 *= -fix0_899
		z2 *= -fix2_562
		z3 *= -fix1_961
		z4 *= -fix0_390
		z3 += z5
		z4 += z5
		tmp0 += z1 + z3
		tmp1 += z2 + z4
		tmp2 += z2 + z3
		tmp3 += z1 + z4

		const sh = constBits + pass1Bits + 3
		const rnd = 1 << (sh - 1)
		o[0] = clampSample((tmp10 + tmp3 + rnd) >> sh)
		o[7] = clampSample((tmp10 - tmp3 + rnd) >> sh)
		o[1] = clampSample((tmp11 + tmp2 + rnd) >> sh)
		o[6] = clampSample((tmp11 - tmp2 + rnd) >> sh)
		o[2] = clampSample((tmp12 + tmp1 + rnd) >> sh)
		o[5] = clampSample((tmp12 - tmp1 + rnd) >> sh)
		o[3] = clampSample((tmp13 + tmp0 + rnd) >> sh)
		o[4] = clampSample((tmp13 - tmp0 + rnd) >> sh)
	}
}

// libjpeg's YCbCr->RGB tables (jdcolor.c, SCALEBITS = 16).
var crR, cbB, crG, cbG [256]int32

// lumaTabR etc. hold the reference's float products coeff*v, so that luma is
// (lumaTabR[r] + lumaTabG[g]) + lumaTabB[b], bit-identical to the reference.
var lumaTabR, lumaTabG, lumaTabB [256]float32

func init() {
	const half = 1 << 15
	fix := func(x float64) int32 { return int32(x*65536 + 0.5) }
	for i := 0; i < 256; i++ {
		x := int32(i - 128)
		crR[i] = (fix(1.40200)*x + half) >> 16
		cbB[i] = (fix(1.77200)*x + half) >> 16
		crG[i] = -fix(0.71414) * x
		cbG[i] = -fix(0.34414)*x + half
		lumaTabR[i] = lumaR * float32(i)
		lumaTabG[i] = lumaG * float32(i)
		lumaTabB[i] = lumaB * float32(i)
	}
}

// lumaRx, lumaGx, lumaBx map an unclamped channel value v (-384 <= v < 640)
// at index v+384 to the reference's float product coeff*clamp(v, 0, 255).
var lumaRx, lumaGx, lumaBx [1024]float32

func init() {
	for i := range lumaRx {
		v := min(max(i-384, 0), 255)
		lumaRx[i], lumaGx[i], lumaBx[i] = lumaTabR[v], lumaTabG[v], lumaTabB[v]
	}
}

// lumaYCC returns the reference luma of a decoded YCbCr pixel: libjpeg's
// integer RGB, then (0.299 R + 0.587 G) + 0.114 B in float32.
func lumaYCC(y, cb, cr int32) float32 {
	cb &= 255
	cr &= 255
	r := (y + crR[cr] + 384) & 1023
	g := (y + (cbG[cb]+crG[cr])>>16 + 384) & 1023
	b := (y + cbB[cb] + 384) & 1023
	return (lumaRx[r] + lumaGx[g]) + lumaBx[b]
}

// sampleLuma fills l with the reference luma of the pixels at source columns
// xs and rows ys, upsampling chroma as libjpeg's fancy upsampling does.
func (d *jpegDecoder) sampleLuma(l *LumaImage, xs, ys []int) {
	W, H := len(xs), len(ys)
	l.Width, l.Height = W, H
	if cap(l.Pix) < W*H {
		l.Pix = make([]float32, W*H)
	}
	l.Pix = l.Pix[:W*H]
	Y := &d.comps[0]
	if d.ncomp == 1 || d.neutralChroma() {
		for oy, sy := range ys {
			row := Y.plane[sy*Y.stride:]
			out := l.Pix[oy*W : oy*W+W]
			for ox, sx := range xs {
				out[ox] = float32(row[sx])
			}
		}
		return
	}
	cbC, crC := &d.comps[1], &d.comps[2]
	hs, vs := Y.h, Y.v        // upsampling factors (1 or 2)
	cw := (d.w + hs - 1) / hs // downsampled width and height (libjpeg)
	ch := (d.h + vs - 1) / vs
	// Horizontal taps per output column: chroma column, neighbour, bias.
	if cap(d.taps) < W {
		d.taps = make([]tap, W)
	}
	taps := d.taps[:W]
	for ox, sx := range xs {
		if hs == 1 {
			taps[ox] = tap{int32(sx), int32(sx), 0}
			continue
		}
		cx := sx >> 1
		if sx&1 == 0 {
			taps[ox] = tap{int32(cx), int32(max(cx-1, 0)), 8}
		} else {
			taps[ox] = tap{int32(cx), int32(min(cx+1, cw-1)), 7}
		}
	}
	if cap(d.colsum) < 2*cw {
		d.colsum = make([]int32, 2*cw)
	}
	cbs, crs := d.colsum[:cw], d.colsum[cw:2*cw]
	for oy, sy := range ys {
		yrow := Y.plane[sy*Y.stride : sy*Y.stride+d.w]
		out := l.Pix[oy*W : oy*W+W]
		cy, ny := sy, sy
		if vs == 2 {
			cy = sy >> 1
			if sy&1 == 0 {
				ny = max(cy-1, 0)
			} else {
				ny = min(cy+1, ch-1)
			}
		}
		cb0 := cbC.plane[cy*cbC.stride : cy*cbC.stride+cw]
		cb1 := cbC.plane[ny*cbC.stride : ny*cbC.stride+cw]
		cr0 := crC.plane[cy*crC.stride : cy*crC.stride+cw]
		cr1 := crC.plane[ny*crC.stride : ny*crC.stride+cw]
		switch {
		case hs == 1 && vs == 1:
			for ox, sx := range xs {
				out[ox] = lumaYCC(int32(yrow[sx]), int32(cb0[sx]), int32(cr0[sx]))
			}
		case hs == 1: // h1v2: vertical triangle only
			bias := int32(1)
			if sy&1 == 1 {
				bias = 2
			}
			for ox, sx := range xs {
				cb := (3*int32(cb0[sx]) + int32(cb1[sx]) + bias) >> 2
				cr := (3*int32(cr0[sx]) + int32(cr1[sx]) + bias) >> 2
				out[ox] = lumaYCC(int32(yrow[sx]), cb, cr)
			}
		case vs == 1: // h2v1: horizontal triangle only
			for ox, sx := range xs {
				t := taps[ox]
				bias := int32(1) // even output column
				if t.bias == 7 {
					bias = 2
				}
				cb := (3*int32(cb0[t.c]) + int32(cb0[t.n]) + bias) >> 2
				cr := (3*int32(cr0[t.c]) + int32(cr0[t.n]) + bias) >> 2
				out[ox] = lumaYCC(int32(yrow[sx]), cb, cr)
			}
		default: // h2v2: vertical column sums, then horizontal triangle
			for i := range cbs {
				cbs[i] = 3*int32(cb0[i]) + int32(cb1[i])
				crs[i] = 3*int32(cr0[i]) + int32(cr1[i])
			}
			if d.w == 2*W && len(cbs) == W && !d.generic {
				// Exact halving (even width > 512 is common: 1024 -> 512):
				// output column ox is source column 2*ox, chroma column ox.
				yr := yrow[:2*W]
				cbs, crs := cbs[:W], crs[:W]
				out[0] = lumaYCC(int32(yr[0]), (4*cbs[0]+8)>>4, (4*crs[0]+8)>>4)
				for ox := 1; ox < len(out) && ox < len(cbs) && ox < len(crs); ox++ {
					cb := (3*cbs[ox] + cbs[ox-1] + 8) >> 4
					cr := (3*crs[ox] + crs[ox-1] + 8) >> 4
					out[ox] = lumaYCC(int32(yr[2*ox]), cb, cr)
				}
				continue
			}
			for ox, sx := range xs {
				t := taps[ox]
				cb := (3*cbs[t.c] + cbs[t.n] + t.bias) >> 4
				cr := (3*crs[t.c] + crs[t.n] + t.bias) >> 4
				out[ox] = lumaYCC(int32(yrow[sx]), cb, cr)
			}
		}
	}
}

// tap is the horizontal chroma upsampling recipe of one output column.
type tap struct{ c, n, bias int32 }

// neutralChroma reports whether every real chroma sample is 128, in which case
// every pixel has R=G=B=Y and, like the shipped reference (ImageMagick writes
// such images as PGM), the luma is the grey value itself.
func (d *jpegDecoder) neutralChroma() bool {
	Y := &d.comps[0]
	cw := (d.w + Y.h - 1) / Y.h
	ch := (d.h + Y.v - 1) / Y.v
	for i := 1; i < 3; i++ {
		c := &d.comps[i]
		for y := 0; y < ch; y++ {
			for _, v := range c.plane[y*c.stride : y*c.stride+cw] {
				if v != 128 {
					return false
				}
			}
		}
	}
	return true
}
