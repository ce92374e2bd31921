package contest_test

import (
	"strings"
	"testing"

	"github.com/contest-ct/contest"
)

func TestCleanContentURL(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"https://Video.Example.COM/watch?v=1", "https://video.example.com/watch?v=1", true},
		{"  http://example.org/a b", "", false},
		{"javascript:alert(1)", "", false},
		{"https://user:pw@example.org/", "", false},
		{"example.org/no-scheme", "", false},
		{"https:///nohost", "", false},
		{"", "", false},
		{"https://example.org/" + strings.Repeat("a", contest.MaxContentURLLen), "", false},
	} {
		got, msg := contest.CleanContentURL(tc.in)
		if (msg == "") != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("CleanContentURL(%q) = %q, %q", tc.in, got, msg)
		}
	}
	if p := contest.PlatformFromURL("https://www.m.video.example.co/x"); p != "example.co" {
		t.Errorf("platform %q", p)
	}
}

func TestParseURLListLimits(t *testing.T) {
	var b strings.Builder
	for i := 0; i <= contest.MaxBulkURLs; i++ {
		b.WriteString("https://example.org/" + strings.Repeat("x", i%7) + "/" + string(rune('a'+i%26)) + strings.Repeat("y", i/26) + "\n")
	}
	if _, err := contest.ParseURLList(b.String()); contest.ErrorCode(err) != contest.EINVALID {
		t.Errorf("%d URLs accepted", contest.MaxBulkURLs+1)
	}
	if _, err := contest.ParseURLList("\n# only a comment\n"); contest.ErrorCode(err) != contest.EINVALID {
		t.Errorf("empty list accepted: %v", err)
	}
	got, err := contest.ParseURLList("https://a.example/1\r\nhttps://a.example/1\r\nhttps://a.example/2")
	if err != nil || len(got) != 2 {
		t.Errorf("CRLF list: %v %v", got, err)
	}
}

// FuzzParseURLList: a bulk list from outside never panics, and what it
// accepts is a non-empty list of clean, distinct http(s) URLs.
func FuzzParseURLList(f *testing.F) {
	f.Add("https://example.org/a\nhttp://example.com/b\n")
	f.Add("# c\n\nhttps://x.example/\u00e9\nftp://no\n")
	f.Add(strings.Repeat("https://e.example/\n", 3))
	f.Fuzz(func(t *testing.T, s string) {
		urls, err := contest.ParseURLList(s)
		if err != nil {
			if contest.ErrorCode(err) != contest.EINVALID || len(contest.ErrorFields(err)) == 0 {
				t.Fatalf("error %v is not a field error", err)
			}
			return
		}
		if len(urls) == 0 || len(urls) > contest.MaxBulkURLs {
			t.Fatalf("%d urls accepted", len(urls))
		}
		seen := map[string]bool{}
		for _, u := range urls {
			if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") || seen[u] {
				t.Fatalf("accepted %q", u)
			}
			if again, msg := contest.CleanContentURL(u); msg != "" || again != u {
				t.Fatalf("%q is not clean: %q %q", u, again, msg)
			}
			seen[u] = true
		}
	})
}
