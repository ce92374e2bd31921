package pdq

// Progressive JPEG (SOF2) decoding, following the JPEG standard's Annex G as
// libjpeg implements it (jdphuff.c): coefficients accumulate over DC and AC
// scans with spectral selection and successive approximation, then every
// block goes through the same islow IDCT and sampling as baseline images, so
// progressive files hash exactly like the reference too.

// progressiveAlloc sizes the coefficient buffers at the first scan.
func (d *jpegDecoder) progressiveAlloc() {
	for i := 0; i < d.ncomp; i++ {
		c := &d.comps[i]
		n := c.bw * c.bh * 64
		if cap(d.coefs[i]) < n {
			d.coefs[i] = make([]int16, n)
		}
		d.coefs[i] = d.coefs[i][:n]
		clear(d.coefs[i])
	}
}

// compBlocks returns the blocks per line and lines of blocks of component c
// in a non-interleaved scan: its own size, not padded to whole MCUs.
func (d *jpegDecoder) compBlocks(c *jpegComp) (int, int) {
	if d.ncomp == 1 {
		return c.bw, c.bh
	}
	cw := (d.w*c.h + d.hmax - 1) / d.hmax
	ch := (d.h*c.v + d.vmax - 1) / d.vmax
	return (cw + 7) / 8, (ch + 7) / 8
}

// progressiveScan decodes one scan and returns the position after its data
// (the next marker).
func (d *jpegDecoder) progressiveScan(seg, data []byte, p int) (int, error) {
	if d.scans == 0 {
		d.progressiveAlloc()
	}
	d.scans++
	if d.scans > 256 {
		return 0, corruptf("too many scans")
	}
	if len(seg) < 1 {
		return 0, corruptf("short SOS")
	}
	ns := int(seg[0])
	if ns < 1 || ns > d.ncomp || len(seg) != 4+2*ns {
		return 0, corruptf("bad SOS")
	}
	var scomp [3]int // component indexes in the scan
	for i := 0; i < ns; i++ {
		id := int(seg[1+2*i])
		ci := -1
		for j := 0; j < d.ncomp; j++ {
			if d.comps[j].id == id {
				ci = j
			}
		}
		if ci < 0 {
			return 0, corruptf("scan names unknown component %d", id)
		}
		scomp[i] = ci
		c := &d.comps[ci]
		c.td = int(seg[2+2*i] >> 4)
		c.ta = int(seg[2+2*i] & 15)
		if c.td > 3 || c.ta > 3 {
			return 0, corruptf("bad table selector")
		}
		c.pred = 0
	}
	ss, se := int(seg[1+2*ns]), int(seg[2+2*ns])
	ah, al := uint(seg[3+2*ns]>>4), uint(seg[3+2*ns]&15)
	dcScan := ss == 0
	switch {
	case dcScan && se != 0, !dcScan && (se < ss || se > 63 || ns != 1), al > 13, ah > 13:
		return 0, corruptf("bad progressive scan parameters")
	}
	for i := 0; i < ns; i++ {
		c := &d.comps[scomp[i]]
		if dcScan && ah == 0 && !d.dc[c.td].defined {
			return 0, corruptf("missing huffman table")
		}
		if !dcScan && !d.ac[c.ta].defined {
			return 0, corruptf("missing huffman table")
		}
	}

	br := bitReader{data: data, pos: p}
	eobrun := 0
	// MCU layout: interleaved scans walk MCUs; a single-component scan
	// walks that component's blocks.
	var mcus, bwScan int
	if ns == 1 {
		c := &d.comps[scomp[0]]
		bw, bh := d.compBlocks(c)
		mcus, bwScan = bw*bh, bw
	} else {
		mcus = d.mcux * d.mcuy
	}
	// Bound the work a hostile file can ask for: real encoders visit each
	// block in a dozen scans or so.
	total, visit := 0, mcus
	for i := 0; i < d.ncomp; i++ {
		total += d.comps[i].bw * d.comps[i].bh
	}
	if ns > 1 {
		visit = 0
		for i := 0; i < ns; i++ {
			visit += mcus * d.comps[scomp[i]].h * d.comps[scomp[i]].v
		}
	}
	d.visits += visit
	if d.visits > 32*total {
		return 0, corruptf("too many progressive scans for the image size")
	}
	restartsLeft := d.ri
	for m := 0; m < mcus; m++ {
		if d.ri > 0 {
			if restartsLeft == 0 {
				if err := br.restart(); err != nil {
					return 0, err
				}
				for i := 0; i < ns; i++ {
					d.comps[scomp[i]].pred = 0
				}
				eobrun = 0
				restartsLeft = d.ri
			}
			restartsLeft--
		}
		for i := 0; i < ns; i++ {
			ci := scomp[i]
			c := &d.comps[ci]
			nh, nv := c.h, c.v
			bx0, by0 := (m%d.mcux)*c.h, (m/d.mcux)*c.v
			if ns == 1 {
				nh, nv = 1, 1
				bx0, by0 = m%bwScan, m/bwScan
			}
			for v := 0; v < nv; v++ {
				for h := 0; h < nh; h++ {
					off := ((by0+v)*c.bw + bx0 + h) * 64
					blk := (*[64]int16)(d.coefs[ci][off : off+64])
					var err error
					switch {
					case dcScan && ah == 0:
						err = d.dcFirst(&br, c, blk, al)
					case dcScan:
						if br.n < 1 {
							br.fill()
						}
						if br.acc>>63 == 1 {
							blk[0] |= 1 << al
						}
						br.acc <<= 1
						br.n--
					case ah == 0:
						eobrun, err = d.acFirst(&br, &d.ac[c.ta], blk, ss, se, al, eobrun)
					default:
						eobrun, err = d.acRefine(&br, &d.ac[c.ta], blk, ss, se, al, eobrun)
					}
					if err != nil {
						return 0, err
					}
				}
			}
		}
		if m&63 == 0 && br.overrun() {
			return 0, corruptf("truncated progressive scan")
		}
	}
	if br.overrun() {
		return 0, corruptf("truncated progressive scan")
	}
	// The next marker: skip padding (and, like libjpeg, any garbage).
	q := br.pos
	for q+1 < len(data) && !(data[q] == 0xFF && data[q+1] != 0 && (data[q+1] < 0xD0 || data[q+1] > 0xD7)) {
		q++
	}
	if q+1 >= len(data) {
		return 0, corruptf("unexpected end of file after scan")
	}
	return q, nil
}

// bits reads n (0..16) raw bits.
func (br *bitReader) bits(n uint) int {
	if n == 0 {
		return 0
	}
	if br.n < n {
		br.fill()
	}
	v := int(br.acc >> (64 - n))
	br.acc <<= n
	br.n -= n
	return v
}

func (d *jpegDecoder) dcFirst(br *bitReader, c *jpegComp, blk *[64]int16, al uint) error {
	if br.n < 32 {
		br.fill()
	}
	s, err := br.decode(&d.dc[c.td])
	if err != nil {
		return err
	}
	if s > 11 {
		return corruptf("bad DC size")
	}
	if s > 0 {
		c.pred += br.receive(uint(s))
	}
	blk[0] = int16(c.pred << al)
	return nil
}

func (d *jpegDecoder) acFirst(br *bitReader, t *huffTable, blk *[64]int16, ss, se int, al uint, eobrun int) (int, error) {
	if eobrun > 0 {
		return eobrun - 1, nil
	}
	for k := ss; k <= se; k++ {
		if br.n < 32 {
			br.fill()
		}
		rs, err := br.decode(t)
		if err != nil {
			return 0, err
		}
		r, s := int(rs>>4), uint(rs&15)
		if s == 0 {
			if r == 15 {
				k += 15
				continue
			}
			eobrun = 1<<r - 1
			if r > 0 {
				eobrun += br.bits(uint(r))
			}
			break
		}
		k += r
		if k > 63 {
			return 0, corruptf("too many coefficients")
		}
		blk[zigzag[k]&63] = int16(br.receive(s) << al)
	}
	return eobrun, nil
}

func (d *jpegDecoder) acRefine(br *bitReader, t *huffTable, blk *[64]int16, ss, se int, al uint, eobrun int) (int, error) {
	p1, m1 := int16(1)<<al, int16(-1)<<al
	refine := func(coef *int16) {
		if br.bits(1) == 1 && *coef&p1 == 0 {
			if *coef >= 0 {
				*coef += p1
			} else {
				*coef += m1
			}
		}
	}
	k := ss
	if eobrun == 0 {
		for ; k <= se; k++ {
			if br.n < 32 {
				br.fill()
			}
			rs, err := br.decode(t)
			if err != nil {
				return 0, err
			}
			r, s := int(rs>>4), int(rs&15)
			var val int16
			if s != 0 {
				// A newly nonzero coefficient has magnitude 1 << al.
				if br.bits(1) == 1 {
					val = p1
				} else {
					val = m1
				}
			} else if r != 15 {
				eobrun = 1 << r
				if r > 0 {
					eobrun += br.bits(uint(r))
				}
				break // the rest of the block is handled by the EOB logic
			}
			// Skip r zero coefficients, refining the nonzero ones passed.
			for ; k <= se; k++ {
				coef := &blk[zigzag[k]&63]
				if *coef != 0 {
					refine(coef)
				} else {
					if r == 0 {
						break
					}
					r--
				}
			}
			if val != 0 {
				if k > 63 {
					return 0, corruptf("too many coefficients")
				}
				blk[zigzag[k]&63] = val
			}
		}
	}
	if eobrun > 0 {
		for ; k <= se; k++ {
			if coef := &blk[zigzag[k]&63]; *coef != 0 {
				refine(coef)
			}
		}
		eobrun--
	}
	return eobrun, nil
}

// progressiveFinish dequantizes and reconstructs every block into the planes.
func (d *jpegDecoder) progressiveFinish() error {
	var blk, ws [64]int32
	for ci := 0; ci < d.ncomp; ci++ {
		c := &d.comps[ci]
		if !d.qtDefined[c.tq] {
			return corruptf("missing quantization table")
		}
		q := &d.qt[c.tq]
		coefs := d.coefs[ci]
		for by := 0; by < c.bh; by++ {
			mask := uint8(0xFF)
			if ci == 0 {
				mask = d.rowMask[by]
			}
			if mask == 0 {
				continue
			}
			for bx := 0; bx < c.bw; bx++ {
				src := (*[64]int16)(coefs[(by*c.bw+bx)*64:])
				last, cols := 0, 1
				for k, z := range zigzag {
					if v := src[z&63]; v != 0 {
						blk[z&63] = int32(v) * q[z&63]
						last = k
						cols |= int(colBit[k])
					}
				}
				idct(&blk, &ws, last|cols<<8, c.plane[by*8*c.stride+bx*8:], c.stride, mask)
				blk = [64]int32{}
			}
		}
	}
	return nil
}
