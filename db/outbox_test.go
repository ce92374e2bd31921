package db_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/deliver/delivertest"
)

func deliveryIDs(ds []*contest.Delivery) []int64 {
	var out []int64
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

// TestOutboxLeases: concurrent claims by several nodes never share a row;
// a row whose lease ran out is claimed again by another node, after which
// the first node can no longer mark it sent (so it never sends its last
// byte); a restarted node releases its own leases at once.
func TestOutboxLeases(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		pf := mustProtect(t, e)
		delivertest.AddPartners(t, pf.DB, 60, 10)
		b := &contest.Bulletin{Type: contest.BulletinAdvice, Title: "T", Body: "B", Audience: contest.Audience{AllPartners: true}, Meta: contest.Meta{Classification: contest.Official}}
		pf.mustPublish(t, b)
		var total int
		pf.DB.SQL().QueryRow("SELECT COUNT(*) FROM outbox WHERE channel = 'email'").Scan(&total)
		// Four nodes claim at once, a few rows at a time.
		var mu sync.Mutex
		seen := map[int64]string{}
		var wg sync.WaitGroup
		for n := range 4 {
			node := fmt.Sprintf("node-%d", n)
			wg.Go(func() {
				for {
					ds, err := pf.DB.ClaimDeliveries(ctx, node, []string{contest.DeliveryEmail}, 3, time.Minute)
					if err != nil {
						t.Error(err)
						return
					}
					if len(ds) == 0 {
						return
					}
					mu.Lock()
					for _, d := range ds {
						if other, ok := seen[d.ID]; ok {
							t.Errorf("row %d claimed by %s and %s", d.ID, other, node)
						}
						seen[d.ID] = node
						if d.Attempts != 1 || d.Key == "" || d.Target == "" || d.RecipientName == "" {
							t.Errorf("claimed %+v", d)
						}
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != total {
			t.Fatalf("claimed %d of %d", len(seen), total)
		}
		// Release one node's rows, as after its restart: they are
		// claimable again, the others are not.
		victim, n0 := "", 0
		for _, node := range seen {
			if victim == "" {
				victim = node
			}
			if node == victim {
				n0++
			}
		}
		if n, err := pf.DB.ReleaseDeliveries(ctx, victim); err != nil || n != n0 {
			t.Fatalf("released %d (%v), want %d", n, err, n0)
		}
		again, err := pf.DB.ClaimDeliveries(ctx, "node-9", []string{contest.DeliveryEmail}, 1000, time.Millisecond)
		if err != nil || len(again) != n0 {
			t.Fatalf("after release claimed %d (%v), want %d", len(again), err, n0)
		}
		// node-9's lease runs out; node-8 takes the rows over.
		time.Sleep(5 * time.Millisecond)
		taken, err := pf.DB.ClaimDeliveries(ctx, "node-8", []string{contest.DeliveryEmail}, 1000, time.Minute)
		if err != nil || len(taken) == 0 || !slices.Equal(deliveryIDs(taken), deliveryIDs(again)) || taken[0].Attempts != 3 {
			t.Fatalf("take-over claimed %v (%v)", deliveryIDs(taken), err)
		}
		// node-9 may no longer mark them sent: its finish sees none.
		marked, err := pf.DB.CommitDeliveries(ctx, "node-9", deliveryIDs(again), func(m []int64) []int64 {
			if len(m) != 0 {
				t.Errorf("stale node may send the last byte of %v", m)
			}
			return nil
		}, nil)
		if err != nil || len(marked) != 0 {
			t.Fatalf("stale commit marked %v (%v)", marked, err)
		}
		// node-8 marks them; one whose last byte failed goes back.
		ids := deliveryIDs(taken)
		var failed int64
		marked, err = pf.DB.CommitDeliveries(ctx, "node-8", ids, func(m []int64) []int64 { failed = m[0]; return m[:1] }, nil)
		if err != nil || len(marked) != len(ids)-1 || slices.Contains(marked, failed) {
			t.Fatalf("marked %v (%v)", marked, err)
		}
		var status string
		pf.DB.SQL().QueryRow("SELECT status FROM outbox WHERE id = $1", failed).Scan(&status)
		if status != "pending" {
			t.Fatalf("row whose last byte failed is %s", status)
		}
		// A retry puts a row back for later, or gives it up.
		retry, _ := pf.DB.ClaimDeliveries(ctx, "node-8", []string{contest.DeliveryEmail}, 1, time.Minute)
		if len(retry) != 1 {
			t.Fatal("the row did not come back")
		}
		if _, err := pf.DB.CommitDeliveries(ctx, "node-8", nil, nil, []contest.DeliveryRetry{{ID: retry[0].ID, At: time.Now().Add(time.Hour), Err: "451 try later"}}); err != nil {
			t.Fatal(err)
		}
		if ds, _ := pf.DB.ClaimDeliveries(ctx, "node-8", []string{contest.DeliveryEmail}, 10, time.Minute); len(ds) != 0 {
			t.Fatalf("claimed %d before the retry time", len(ds))
		}
	})
}
