package web_test

import (
	"fmt"
	"testing"

	"github.com/contest-ct/contest"
)

// BenchmarkHomePage renders an administrator's home page (counts of users,
// organisations and compartments) through the whole handler stack.
func BenchmarkHomePage(b *testing.B) {
	e := MustEnv(b)
	c := e.MustSignIn(b, contest.RoleAdmin)
	for b.Loop() {
		if res, _ := c.Get(b, "/"); res.StatusCode != 200 {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}

// BenchmarkAuditorHomePage renders an auditor's home page (latest audit
// entries).
func BenchmarkAuditorHomePage(b *testing.B) {
	e := MustEnv(b)
	c := e.MustSignIn(b, contest.RoleAuditor)
	for b.Loop() {
		if res, _ := c.Get(b, "/"); res.StatusCode != 200 {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}

// BenchmarkRecordPage renders one user's record page, with its
// classification banner and edit forms.
func BenchmarkRecordPage(b *testing.B) {
	e := MustEnv(b)
	c := e.MustSignIn(b, contest.RoleAdmin)
	path := fmt.Sprintf("/admin/users/%d", e.Users[contest.RoleAnalyst].ID)
	for b.Loop() {
		if res, _ := c.Get(b, path); res.StatusCode != 200 {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}
