package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/contest-ct/contest/match"
)

func init() {
	register("match", "match person records: link, dedupe, bench", cmdMatch)
}

const matchUsage = `Usage: contest match <subcommand> [flags]

Subcommands:
  link     link two CSV files of person records (pairs across the files)
  dedupe   find records of the same person within one CSV file
  bench    index N synthetic people and time indexing and queries

Run 'contest match <subcommand> --help' for the flags.
`

// cmdMatch dispatches the match subcommands.
func cmdMatch(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, matchUsage)
		return fmt.Errorf("%w: missing subcommand", errUsage)
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		fmt.Fprint(env.Stdout, matchUsage)
		return nil
	case "link":
		return matchLink(ctx, env, args[1:])
	case "dedupe":
		return matchDedupe(ctx, env, args[1:])
	case "bench":
		return matchBench(ctx, env, args[1:])
	}
	fmt.Fprint(env.Stderr, matchUsage)
	return fmt.Errorf("%w: unknown subcommand %q", errUsage, args[0])
}

// matchFlags are the flags shared by link and dedupe.
type matchFlags struct {
	idColumn  string
	out       string
	threshold float64
	variants  stringList
	workers   int
	emSample  int
	cpuProf   string
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func (m *matchFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&m.idColumn, "id-column", "rec_id", "column holding the record `id` (opaque, never matched on)")
	fs.StringVar(&m.out, "out", "-", "output CSV `file` of left_id,right_id,probability (- for standard output)")
	fs.Float64Var(&m.threshold, "threshold", 0.5, "least match `probability` written (0 writes every candidate pair)")
	fs.Var(&m.variants, "variants", "extra name-variant `file` (nicknames/transliterations format); repeatable")
	fs.IntVar(&m.workers, "workers", 0, "goroutines (0: all cores)")
	fs.IntVar(&m.emSample, "em-sample", 10000, "records sampled to estimate the parameters (EM)")
	fs.StringVar(&m.cpuProf, "cpuprofile", "", "write a CPU profile to this `file`")
}

// profile starts a CPU profile when asked; the returned function stops it.
// It also lets the heap grow to five times the live data between
// collections (unless GOGC is set): a batch run holds a large index that
// would otherwise be scanned again and again.
func (m *matchFlags) profile() (func(), error) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if m.cpuProf == "" {
		return func() {}, nil
	}
	f, err := os.Create(m.cpuProf)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func (m *matchFlags) options() (match.BatchOptions, error) {
	opt := match.BatchOptions{Threshold: m.threshold, Workers: m.workers, EMSample: m.emSample}
	if m.threshold == 0 {
		opt.Threshold = -1
	}
	if m.threshold < 0 || m.threshold > 1 {
		return opt, fmt.Errorf("%w: --threshold must be between 0 and 1", errUsage)
	}
	if len(m.variants) > 0 {
		v := match.DefaultVariants()
		for _, f := range m.variants {
			if err := v.LoadFile(f, match.Names); err != nil {
				return opt, err
			}
		}
		opt.Variants = v
	}
	return opt, nil
}

func readPeople(path, idColumn string) ([]match.Person, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ps, err := match.ReadCSVParallel(f, idColumn, runtime.GOMAXPROCS(0))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ps, nil
}

func writePairs(env *Env, path string, pairs []match.Pair) (err error) {
	var w io.Writer = env.Stdout
	if path != "-" && path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer func() {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := csv.NewWriter(bw)
	if err := cw.Write([]string{"left_id", "right_id", "probability"}); err != nil {
		return err
	}
	for _, p := range pairs {
		if err := cw.Write([]string{p.Left, p.Right, strconv.FormatFloat(p.Probability, 'f', 6, 64)}); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

func matchLink(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "match link", "match link --left A.csv --right B.csv [--id-column rec_id] [--out pairs.csv] [--threshold P]")
	var mf matchFlags
	mf.register(fs)
	left := fs.String("left", "", "left CSV `file` (indexed)")
	right := fs.String("right", "", "right CSV `file` (each record queried against the left)")
	oneToOne := fs.Bool("one-to-one", false, "keep only the best pair of each record (each person is in each file once)")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if *left == "" || *right == "" {
		return fmt.Errorf("%w: --left and --right are required", errUsage)
	}
	opt, err := mf.options()
	if err != nil {
		return err
	}
	opt.OneToOne = *oneToOne
	stop, err := mf.profile()
	if err != nil {
		return err
	}
	defer stop()
	start, cpu0 := time.Now(), processCPU()
	a, err := readPeople(*left, mf.idColumn)
	if err != nil {
		return err
	}
	b, err := readPeople(*right, mf.idColumn)
	if err != nil {
		return err
	}
	read, readCPU := time.Since(start), processCPU()-cpu0
	res, err := match.Link(ctx, a, b, opt)
	if err != nil {
		return err
	}
	if err := writePairs(env, mf.out, res.Pairs); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "match link: %d x %d records, %d pairs compared, %d written; %s\n",
		len(a), len(b), res.Compared, len(res.Pairs), phases(res, start, cpu0, read, readCPU))
	return nil
}

func matchDedupe(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "match dedupe", "match dedupe --in A.csv [--id-column rec_id] [--out pairs.csv] [--threshold P]")
	var mf matchFlags
	mf.register(fs)
	in := fs.String("in", "", "input CSV `file`")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if *in == "" {
		return fmt.Errorf("%w: --in is required", errUsage)
	}
	opt, err := mf.options()
	if err != nil {
		return err
	}
	stop, err := mf.profile()
	if err != nil {
		return err
	}
	defer stop()
	start, cpu0 := time.Now(), processCPU()
	ps, err := readPeople(*in, mf.idColumn)
	if err != nil {
		return err
	}
	read, readCPU := time.Since(start), processCPU()-cpu0
	res, err := match.Dedupe(ctx, ps, opt)
	if err != nil {
		return err
	}
	if err := writePairs(env, mf.out, res.Pairs); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "match dedupe: %d records, %d pairs compared, %d written; %s\n",
		len(ps), res.Compared, len(res.Pairs), phases(res, start, cpu0, read, readCPU))
	return nil
}

func processCPU() time.Duration {
	c, _ := match.ProcessCPUTime()
	return c
}

// phases formats the wall time of each stage of a batch run and, where
// the platform tells, the CPU time of all cores in it: on a shared
// machine the wall time also counts waiting for a core.
func phases(res *match.BatchResult, start time.Time, cpu0, read, readCPU time.Duration) string {
	f := func(name string, wall, cpu time.Duration) string {
		s := name + " " + wall.Round(time.Millisecond).String()
		if cpu > 0 {
			s += " (CPU " + cpu.Round(time.Millisecond).String() + ")"
		}
		return s
	}
	return strings.Join([]string{f("read", read, readCPU), f("index", res.IndexTime, res.IndexCPU),
		f("EM", res.EstimateTime, res.EstimateCPU), f("score", res.ScoreTime, res.ScoreCPU),
		f("total", time.Since(start), processCPU()-cpu0)}, ", ")
}

func matchBench(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "match bench", "match bench [--records N] [--queries Q] [--seed S] [--write-csv FILE]")
	n := fs.Int("records", 100000, "synthetic people to index")
	queries := fs.Int("queries", 10000, "queries to time")
	seed := fs.Uint64("seed", 1, "random seed")
	dupRate := fs.Float64("dup-rate", 0.2, "share of generated records that are another record of an earlier person")
	writeCSV := fs.String("write-csv", "", "write the synthetic records to this CSV `file` (FEBRL columns plus phone, email) and stop")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if *n <= 0 || *queries < 0 || *dupRate < 0 || *dupRate >= 1 {
		return fmt.Errorf("%w: --records must be positive and --dup-rate in [0,1)", errUsage)
	}
	gen := newBenchGen(*seed, *dupRate)
	if *writeCSV != "" {
		return writeSynthCSV(*writeCSV, gen, *n)
	}
	// One core for indexing and queries, as the targets state.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	ix := match.NewIndex(match.Options{})
	var addTime time.Duration
	batch := make([]match.Person, 0, 10000)
	for i := 0; i < *n; {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		batch = batch[:0]
		for ; i < *n && len(batch) < cap(batch); i++ {
			batch = append(batch, gen.next(i))
		}
		t := time.Now()
		for _, p := range batch {
			if err := ix.Add(p); err != nil {
				return err
			}
		}
		addTime += time.Since(t)
	}
	batch = nil
	runtime.GC()
	debug.FreeOSMemory()
	runtime.ReadMemStats(&ms)
	perRecord := float64(ms.HeapAlloc-min(base, ms.HeapAlloc)) / float64(*n)
	t := time.Now()
	p, err := ix.Reestimate(ctx, 5000, *seed)
	emNote := ""
	if errors.Is(err, match.ErrImplausible) {
		emNote = " (estimate rejected, defaults kept: " + err.Error() + ")"
	} else if err != nil {
		return err
	}
	emTime := time.Since(t)
	// Each query is timed by the wall clock and by the CPU clock of its
	// thread: on a shared machine the wall clock also counts the time the
	// thread waited for a core.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	lat := make([]time.Duration, 0, *queries)
	cpu := make([]time.Duration, 0, *queries)
	qs := make([]match.Person, 0, 1000)
	found, cands := 0, 0
	for i := 0; i < *queries; {
		qs = qs[:0]
		for ; i < *queries && len(qs) < cap(qs); i++ {
			qs = append(qs, gen.query(i))
		}
		for _, q := range qs {
			c0, cpuOK := match.ThreadCPUTime()
			t := time.Now()
			res := ix.Query(q, match.QueryOptions{MinProbability: 0.5})
			lat = append(lat, time.Since(t))
			if c1, _ := match.ThreadCPUTime(); cpuOK {
				cpu = append(cpu, c1-c0)
			}
			cands += len(res)
			if len(res) > 0 {
				found++
			}
		}
	}
	pct := func(xs []time.Duration, q float64) time.Duration {
		if len(xs) == 0 {
			return 0
		}
		return xs[min(len(xs)-1, int(q*float64(len(xs))))]
	}
	slices.Sort(lat)
	slices.Sort(cpu)
	fmt.Fprintf(env.Stdout, "records indexed:      %d\n", *n)
	fmt.Fprintf(env.Stdout, "indexing:             %.0f records/s on one core (%v)\n", float64(*n)/addTime.Seconds(), addTime.Round(time.Millisecond))
	fmt.Fprintf(env.Stdout, "memory per record:    %.0f bytes (heap after GC)\n", perRecord)
	fmt.Fprintf(env.Stdout, "EM re-estimation:     %v on 5000 sampled records (%d pairs, prior %.3g)%s\n", emTime.Round(time.Millisecond), p.Pairs, p.Lambda(), emNote)
	fmt.Fprintf(env.Stdout, "queries:              %d (half another record of an indexed person, half new people)\n", len(lat))
	fmt.Fprintf(env.Stdout, "query latency (wall): p50 %v  p99 %v  max %v\n", pct(lat, 0.50), pct(lat, 0.99), pct(lat, 1))
	if len(cpu) > 0 {
		fmt.Fprintf(env.Stdout, "query latency (CPU):  p50 %v  p99 %v  max %v (thread CPU time: without waiting for a core)\n", pct(cpu, 0.50), pct(cpu, 0.99), pct(cpu, 1))
	}
	fmt.Fprintf(env.Stdout, "queries with a match: %d (candidates >= 0.5: %d)\n", found, cands)
	return nil
}

// benchGen streams synthetic people: new ones, and with probability
// dupRate another record of an earlier one.
type benchGen struct {
	s       *match.Synth
	dupRate float64
	recent  []match.Person
	k       uint64
}

func newBenchGen(seed uint64, dupRate float64) *benchGen {
	return &benchGen{s: match.NewSynth(seed), dupRate: dupRate, recent: make([]match.Person, 0, 4096)}
}

func (g *benchGen) rand() float64 {
	g.k = g.k*6364136223846793005 + 1442695040888963407
	return float64(g.k>>11) / (1 << 53)
}

func (g *benchGen) next(i int) match.Person {
	id := "p" + strconv.Itoa(i)
	var p match.Person
	if len(g.recent) > 0 && g.rand() < g.dupRate {
		p = g.s.Variation(g.recent[int(g.rand()*float64(len(g.recent)))], id)
	} else {
		p = g.s.Person(id)
	}
	if len(g.recent) < cap(g.recent) {
		g.recent = append(g.recent, p)
	} else {
		g.recent[int(g.rand()*float64(len(g.recent)))] = p
	}
	return p
}

func (g *benchGen) query(i int) match.Person {
	id := "q" + strconv.Itoa(i)
	if i%2 == 0 && len(g.recent) > 0 {
		return g.s.Variation(g.recent[int(g.rand()*float64(len(g.recent)))], id)
	}
	return g.s.Person(id)
}

func writeSynthCSV(path string, g *benchGen, n int) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	cw := csv.NewWriter(bw)
	cw.Write([]string{"rec_id", "given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state", "date_of_birth", "soc_sec_id", "phone", "email"})
	first := func(xs []string) string {
		if len(xs) == 0 {
			return ""
		}
		return xs[0]
	}
	for i := range n {
		p := g.next(i)
		var a match.Address
		if len(p.Addresses) > 0 {
			a = p.Addresses[0]
		}
		dob := ""
		if !p.DOB.IsZero() {
			dob = fmt.Sprintf("%04d%02d%02d", p.DOB.Year, p.DOB.Month, p.DOB.Day)
		}
		cw.Write([]string{p.ID, p.Given, p.Family, a.Number, first(a.Lines), "", a.Locality, a.Postcode, "", dob, first(p.Documents), first(p.Phones), first(p.Emails)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
