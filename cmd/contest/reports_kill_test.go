package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
)

// sentReport is a report the test sent, and the answer if there was one.
type sentReport struct {
	token     string
	people    int
	vehicles  int
	reference string // set only when the server answered 201
}

// TestReportsSurviveKill builds the real binary, serves it on SQLite with
// synchronous=FULL, streams concurrent POST /api/v1/public/reports at it
// and SIGKILLs it at random moments, restarting it each time. Afterwards
// every report that was acknowledged (201 with a reference) must be stored
// exactly once and complete (its people, vehicles, person mentions and
// audit entry), no report may be stored twice, and the audit chain must
// verify. The default is 200 kill points with short streams;
// CONTEST_KILL_POINTS sets another number (and -short uses 20).
func TestReportsSurviveKill(t *testing.T) {
	points := 200
	if testing.Short() {
		points = 20
	}
	if v := os.Getenv("CONTEST_KILL_POINTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("CONTEST_KILL_POINTS=%q", v)
		}
		points = n
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "contest")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")

	var (
		mu   sync.Mutex
		sent []*sentReport
		seq  atomic.Int64
		addr atomic.Int64
	)
	// Every connection comes from its own loopback address, as from many
	// members of the public, so the per-address limit never trips.
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
			n := addr.Add(1)
			local := &net.TCPAddr{IP: net.IPv4(127, byte(1+n/62500%200), byte(n/250%250), byte(1+n%250))}
			return (&net.Dialer{LocalAddr: local, Timeout: 2 * time.Second}).DialContext(ctx, network, a)
		},
	}}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 42))
	killed, acked := 0, 0
	for point := 0; point < points; point++ {
		url, cmd := startServer(t, bin, data)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					n := seq.Add(1)
					s := &sentReport{token: fmt.Sprintf("kill-token-%d-%d", n, time.Now().UnixNano()), people: int(n % 3), vehicles: int(n % 2)}
					body := map[string]any{"what": "Synthetic durability report " + s.token, "where": "Test Street, NE1 4XD"}
					var people []map[string]string
					for i := 0; i < s.people; i++ {
						people = append(people, map[string]string{"name": fmt.Sprintf("Testperson Number%d", i), "description": "synthetic"})
					}
					if people != nil {
						body["people"] = people
					}
					if s.vehicles > 0 {
						body["vehicles"] = []string{fmt.Sprintf("KT%02d ABC", n%100)}
					}
					b, _ := json.Marshal(body)
					mu.Lock()
					sent = append(sent, s)
					mu.Unlock()
					res, err := client.Post(url+"/api/v1/public/reports", "application/json", bytes.NewReader(b))
					if err != nil {
						return // the server is gone
					}
					rb, _ := io.ReadAll(res.Body)
					res.Body.Close()
					if res.StatusCode == http.StatusCreated {
						var ref struct{ Reference string }
						if json.Unmarshal(rb, &ref) == nil && ref.Reference != "" {
							mu.Lock()
							s.reference = ref.Reference
							mu.Unlock()
						}
					} else if res.StatusCode != http.StatusTooManyRequests {
						t.Errorf("status %d: %s", res.StatusCode, rb)
						return
					}
				}
			}()
		}
		time.Sleep(time.Duration(5+rng.IntN(40)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		killed++
		close(stop)
		wg.Wait()
	}

	// Export what is stored with the real binary.
	out, err := exec.Command(bin, "reports", "export", "--data", data, "--log-format", "json").Output()
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	stored := map[string]*contest.Report{}
	byToken := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r contest.Report
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("export line: %v", err)
		}
		if stored[r.Reference] != nil {
			t.Errorf("reference %s stored twice", r.Reference)
		}
		stored[r.Reference] = &r
		byToken[strings.TrimPrefix(r.What, "Synthetic durability report ")]++
	}
	d, err := db.Open(context.Background(), db.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, s := range sent {
		if byToken[s.token] > 1 {
			t.Errorf("%s stored %d times", s.token, byToken[s.token])
		}
		if s.reference == "" {
			continue
		}
		acked++
		r := stored[s.reference]
		if r == nil {
			t.Errorf("acknowledged report %s (%s) lost", s.reference, s.token)
			continue
		}
		if !strings.HasSuffix(r.What, s.token) || len(r.People) != s.people || len(r.Vehicles) != s.vehicles {
			t.Errorf("report %s incomplete: %+v", s.reference, r)
		}
		var mentions, audits int
		if err := d.SQL().QueryRow("SELECT COUNT(*) FROM person_mentions WHERE source_kind = 'report' AND source_id = $1", r.ID).Scan(&mentions); err != nil {
			t.Fatal(err)
		}
		if err := d.SQL().QueryRow("SELECT COUNT(*) FROM audit_log WHERE kind = 'report' AND action = 'create' AND record_id = $1", strconv.FormatInt(r.ID, 10)).Scan(&audits); err != nil {
			t.Fatal(err)
		}
		if mentions != s.people || audits != 1 {
			t.Errorf("report %s: %d mentions (want %d), %d audit entries", s.reference, mentions, s.people, audits)
		}
	}
	res, err := d.VerifyAudit(context.Background(), contest.SystemActor("test"))
	if err != nil || !res.OK {
		t.Errorf("audit chain after kills: %+v %v", res, err)
	}
	t.Logf("%d kill points, %d reports sent, %d acknowledged, %d stored", killed, len(sent), acked, len(stored))
	if acked < points/2 {
		t.Errorf("only %d reports acknowledged over %d kill points: the streams did not run", acked, points)
	}
}

// startServer starts `contest serve` on a free port and returns its URL
// once it is listening.
func startServer(t *testing.T, bin, data string) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", data, "--log-format", "json")
	cmd.Stderr = io.Discard
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, u, ok := strings.Cut(sc.Text(), "listening on "); ok {
				urlc <- strings.TrimSpace(u)
			}
		}
		close(urlc)
	}()
	select {
	case u, ok := <-urlc:
		if !ok {
			_ = cmd.Wait()
			t.Fatal("server exited before listening")
		}
		return u, cmd
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("server did not start")
	}
	return "", nil
}
