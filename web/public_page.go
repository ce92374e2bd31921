package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/contest-ct/contest"
)

// The public page and the Atom feeds. These routes run without a session
// (see policy.withoutSession): the answer is the same for everyone, so it
// may be cached by browsers and shared caches, and it never carries a
// cookie or anything about a signed-in user.

// publicMaxAge is how long the public page and feed may be cached.
const publicMaxAge = 60

// publicStatement is one published rumour-control statement, from a
// bulletin or from the triage desk.
type publicStatement struct {
	Title       string
	Body        string
	PublishedAt time.Time
	ID          string
}

// publicStatementsFor gathers the published statements of both kinds,
// newest first.
func (h *handler) publicStatementsFor(ctx context.Context) ([]publicStatement, error) {
	bs, err := h.store.PublicStatements(ctx, 20)
	if err != nil {
		return nil, err
	}
	var out []publicStatement
	for _, b := range bs {
		out = append(out, publicStatement{Title: b.Title, Body: b.Body, PublishedAt: b.PublishedAt, ID: "bulletin-" + strconv.FormatInt(b.ID, 10)})
	}
	// The triage desk's statements about clusters of false reports.
	more, err := h.store.FindRumourStatements(ctx, 20)
	if err != nil {
		return nil, err
	}
	for _, s := range more {
		out = append(out, publicStatement{Title: "Statement about reports received", Body: s.Statement, PublishedAt: s.PublishedAt,
			ID: "rumour-" + strconv.FormatInt(s.ClusterID, 10)})
	}
	// Newest first across both sources.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].PublishedAt.After(out[j-1].PublishedAt); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

// publicPage is GET /public: the current threat level and what it means,
// published rumour-control statements, Run Hide Tell, and how to report.
// No sign-in; cacheable.
func (h *handler) publicPage(w http.ResponseWriter, r *http.Request) error {
	st, err := h.publicStatementsFor(r.Context())
	if err != nil {
		return err
	}
	tc, err := h.store.CurrentThreatLevel(r.Context())
	if err != nil {
		return err
	}
	fixThreat(tc)
	p := &page{Title: "Terrorism: the threat level, advice and how to report", Threat: tc,
		Data: map[string]any{"Statements": st, "Levels": contest.ThreatLevels}}
	return h.renderCached(w, r, "public", p)
}

// renderCached renders a view into a buffer and serves it with an ETag and
// public caching, answering 304 to a matching If-None-Match.
func (h *handler) renderCached(w http.ResponseWriter, r *http.Request, view string, p *page) error {
	rec := &bufferWriter{header: http.Header{}}
	if err := h.render(rec, r, http.StatusOK, view, p); err != nil {
		return err
	}
	return serveCached(w, r, rec.header.Get("Content-Type"), rec.buf.Bytes())
}

// serveCached writes body with a strong ETag and public caching headers.
func serveCached(w http.ResponseWriter, r *http.Request, contentType string, body []byte) error {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	hd := w.Header()
	hd.Set("Cache-Control", "public, max-age="+strconv.Itoa(publicMaxAge)+", stale-while-revalidate=300")
	hd.Set("ETag", etag)
	hd.Set("Vary", "Accept-Encoding")
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			if strings.TrimSpace(t) == etag || strings.TrimSpace(t) == "*" {
				w.WriteHeader(http.StatusNotModified)
				return nil
			}
		}
	}
	hd.Set("Content-Type", contentType)
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
	return nil
}

// bufferWriter is a ResponseWriter that keeps what is written.
type bufferWriter struct {
	header http.Header
	buf    bytes.Buffer
	status int
}

func (b *bufferWriter) Header() http.Header         { return b.header }
func (b *bufferWriter) Write(p []byte) (int, error) { return b.buf.Write(p) }
func (b *bufferWriter) WriteHeader(status int)      { b.status = status }

// Atom (RFC 4287).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Href string `xml:"href,attr"`
	Type string `xml:"type,attr,omitempty"`
}

type atomEntry struct {
	ID       string        `xml:"id"`
	Title    string        `xml:"title"`
	Updated  string        `xml:"updated"`
	Category *atomCategory `xml:"category,omitempty"`
	Links    []atomLink    `xml:"link,omitempty"`
	Content  atomText      `xml:"content"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// baseURL is the scheme and host the request came to, for feed links.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func writeAtom(w http.ResponseWriter, f *atomFeed) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// publicFeed is GET /public/statements.atom: the public rumour-control
// statements, for anyone's feed reader. Cacheable.
func (h *handler) publicFeed(w http.ResponseWriter, r *http.Request) error {
	st, err := h.publicStatementsFor(r.Context())
	if err != nil {
		return err
	}
	base := baseURL(r)
	f := &atomFeed{ID: "tag:contest,2026:public-statements", Title: "Counter-terrorism rumour control: public statements",
		Author: atomPerson{Name: "Counter-Terrorism Policing"},
		Links:  []atomLink{{Rel: "self", Href: base + "/public/statements.atom", Type: "application/atom+xml"}, {Rel: "alternate", Href: base + "/public", Type: "text/html"}}}
	updated := time.Unix(0, 0)
	for _, s := range st {
		if s.PublishedAt.After(updated) {
			updated = s.PublishedAt
		}
		f.Entries = append(f.Entries, atomEntry{ID: "tag:contest,2026:" + s.ID, Title: s.Title, Updated: atomTime(s.PublishedAt),
			Links: []atomLink{{Rel: "alternate", Href: base + "/public#" + s.ID}}, Content: atomText{Type: "text", Body: s.Body}})
	}
	f.Updated = atomTime(updated)
	body, err := writeAtom(w, f)
	if err != nil {
		return err
	}
	return serveCached(w, r, "application/atom+xml; charset=utf-8", body)
}

// partnerFeed is GET /feeds/bulletins.atom: the bulletins sent to one
// partner organisation, within what its systems are cleared for, for its
// feed reader. A feed reader authenticates with the organisation's feed
// token, either as ?token=... (the query string is never logged) or as the
// password of HTTP Basic authentication (any user name). The token is
// issued by an administrator, shown once, and stored only as its SHA-256;
// issuing a new one revokes the old. A missing or wrong token gets the
// same 404 as a feed that does not exist. Every read is audited as the
// organisation's.
func (h *handler) partnerFeed(w http.ResponseWriter, r *http.Request) error {
	tok := r.URL.Query().Get("token")
	if _, pw, ok := r.BasicAuth(); ok && tok == "" {
		tok = pw
	}
	org, bs, err := h.store.FeedBulletins(r.Context(), tok, clientAddr(r), 50)
	if contest.ErrorCode(err) == contest.EUNAUTHORIZED {
		return contest.Errorf(contest.ENOTFOUND, "There is no feed at this address. Check the address your administrator gave you.")
	} else if err != nil {
		return err
	}
	base := baseURL(r)
	f := &atomFeed{ID: "tag:contest,2026:bulletins:org-" + strconv.FormatInt(org.ID, 10), Title: "CONTEST bulletins for " + org.Name,
		Author: atomPerson{Name: "CONTEST"}, Links: []atomLink{{Rel: "alternate", Href: base + "/bulletins", Type: "text/html"}}}
	updated := time.Unix(0, 0)
	for _, b := range bs {
		if b.PublishedAt.After(updated) {
			updated = b.PublishedAt
		}
		f.Entries = append(f.Entries, atomEntry{ID: "tag:contest,2026:bulletin-" + strconv.FormatInt(b.ID, 10),
			Title:    "[" + b.Meta.Classification.String() + "] " + b.Title,
			Updated:  atomTime(b.PublishedAt),
			Category: &atomCategory{Term: string(b.Type), Label: b.Type.Label()},
			Links:    []atomLink{{Rel: "alternate", Href: base + "/bulletins/" + strconv.FormatInt(b.ID, 10)}},
			Content:  atomText{Type: "text", Body: b.Meta.Classification.String() + "\n\n" + b.Body + "\n\nFrom " + b.SenderName}})
	}
	f.Updated = atomTime(updated)
	body, err := writeAtom(w, f)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return nil
}
