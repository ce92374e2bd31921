package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/contest-ct/contest/pdq"
)

func init() {
	register("hash", "print MD5, SHA-256 and PDQ hashes of files", cmdHash)
}

// hashRow is one output row of `contest hash`.
type hashRow struct {
	file, md5, sha256, pdq, quality string
}

// cmdHash prints, for each file, a CSV row file,md5,sha256,pdq,quality. pdq
// is 64 lowercase hex digits in the reference layout; pdq and quality are
// empty for files that are not images. `contest hash bench` measures hashing
// speed instead.
func cmdHash(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 && args[0] == "bench" {
		return cmdHashBench(ctx, env, args[1:])
	}
	flags := newFlagSet(env, "hash", "hash [--format csv] FILE...\n       contest hash bench [--n N] [--rounds R] FILE...")
	format := flags.String("format", "csv", "output format (only csv)")
	if err := parseFlags(flags, env, args); err != nil {
		return err
	}
	if *format != "csv" {
		return fmt.Errorf("%w: unknown format %q (only csv)", errUsage, *format)
	}
	files := flags.Args()
	if len(files) == 0 {
		flags.Usage()
		return fmt.Errorf("%w: no files given", errUsage)
	}
	w := csv.NewWriter(env.Stdout)
	if err := w.Write([]string{"file", "md5", "sha256", "pdq", "quality"}); err != nil {
		return err
	}
	h := pdq.NewHasher()
	failed := 0
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		row, warn, err := hashFile(h, f)
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is printed already
		}
		if err != nil {
			failed++
			fmt.Fprintf(env.Stderr, "contest hash: %s: %v\n", f, err)
			continue
		}
		if warn != "" {
			fmt.Fprintf(env.Stderr, "contest hash: %s: %s\n", f, warn)
		}
		if err := w.Write([]string{row.file, row.md5, row.sha256, row.pdq, row.quality}); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files could not be hashed", failed, len(files))
	}
	return nil
}

// hashFile computes the row of one file. A file that is not an image (or is a
// WebP, which this build cannot decode) gets empty pdq and quality and, for
// WebP, a warning; a file that claims to be a JPEG, PNG or GIF but does not
// decode is an error.
func hashFile(h *pdq.Hasher, path string) (row hashRow, warn string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return row, "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return row, "", err
	}
	if st.IsDir() {
		return row, "", errors.New("is a directory")
	}
	row.file = path
	m5, s256 := md5.New(), sha256.New()
	if st.Size() > pdq.MaxFileSize {
		if _, err := io.Copy(io.MultiWriter(m5, s256), f); err != nil {
			return row, "", err
		}
		row.md5, row.sha256 = hex.EncodeToString(m5.Sum(nil)), hex.EncodeToString(s256.Sum(nil))
		return row, fmt.Sprintf("larger than %d bytes: no PDQ hash", pdq.MaxFileSize), nil
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return row, "", err
	}
	m5.Write(data)
	s256.Write(data)
	row.md5, row.sha256 = hex.EncodeToString(m5.Sum(nil)), hex.EncodeToString(s256.Sum(nil))
	hash, err := h.HashBytes(data)
	switch {
	case errors.Is(err, pdq.ErrNotImage):
		if isWebP(data) {
			warn = "WebP images are not decoded by this build: no PDQ hash"
		}
		return row, warn, nil
	case err != nil:
		return row, "", fmt.Errorf("corrupt or unsupported image: %w", err)
	}
	row.pdq, row.quality = hash.String(), strconv.Itoa(hash.Quality)
	if !hash.Matchable() {
		warn = fmt.Sprintf("PDQ quality %d is below %d: this hash will not be matched", hash.Quality, pdq.MinMatchableQuality)
	}
	return row, warn, nil
}

func isWebP(b []byte) bool {
	return len(b) >= 12 && bytes.Equal(b[:4], []byte("RIFF")) && bytes.Equal(b[8:12], []byte("WEBP"))
}

// cmdHashBench hashes the given image files repeatedly on one goroutine
// locked to one OS thread and reports images per second, by wall clock and
// by the thread's CPU time (which excludes time the machine gave to other
// processes).
func cmdHashBench(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "hash bench", "hash bench [--n N] [--rounds R] FILE...")
	n := fs.Int("n", 1000, "images to hash per round (cycling over the files)")
	rounds := fs.Int("rounds", 3, "rounds; the best is reported too")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() == 0 || *n <= 0 || *rounds <= 0 {
		fs.Usage()
		return fmt.Errorf("%w: need FILE... and positive --n and --rounds", errUsage)
	}
	inputs := fs.Args()
	for _, f := range inputs {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if _, err := pdq.HashBytes(b); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	h := pdq.NewHasher()
	fmt.Fprintf(env.Stdout, "files=%d images_per_round=%d GOMAXPROCS=%d\n", len(inputs), *n, runtime.GOMAXPROCS(0))
	bestWall, bestCPU := 0.0, 0.0
	for r := 0; r < *rounds; r++ {
		c0, t0 := threadCPU(), time.Now()
		for i := 0; i < *n; i++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			// End to end: read the file (from the page cache) and hash it.
			b, err := os.ReadFile(inputs[i%len(inputs)])
			if err != nil {
				return err
			}
			if _, err := h.HashBytes(b); err != nil {
				return err
			}
		}
		wall, cpu := time.Since(t0).Seconds(), (threadCPU() - c0).Seconds()
		ws, cs := float64(*n)/wall, 0.0
		if cpu > 0 {
			cs = float64(*n) / cpu
		}
		bestWall, bestCPU = max(bestWall, ws), max(bestCPU, cs)
		fmt.Fprintf(env.Stdout, "round %d: wall %.3fs = %.1f images/s; thread CPU %.3fs = %.1f images/s\n", r+1, wall, ws, cpu, cs)
	}
	fmt.Fprintf(env.Stdout, "best: %.1f images/s wall, %.1f images/s per CPU second\n", bestWall, bestCPU)
	return nil
}

// threadCPU returns the CPU time (user+system) the process has used. The
// benchmark runs on one locked thread; with GOMAXPROCS=1 that is the time
// spent hashing plus the garbage collector's share.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
