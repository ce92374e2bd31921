package web

import (
	"net/http"

	"github.com/contest-ct/contest"
)

func fixContent(c *contest.ContentReferral) *contest.ContentReferral {
	fixMeta(&c.Meta)
	return c
}

// apiContentList is GET /api/v1/content-referrals: for a platform, its
// queue of referrals.
func (h *handler) apiContentList(w http.ResponseWriter, r *http.Request) error {
	f, err := parseContentFilter(r)
	if err != nil {
		return err
	}
	refs, total, err := h.store.FindContentReferrals(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	for _, c := range refs {
		fixContent(c)
	}
	return writeJSON(w, http.StatusOK, list(refs, total))
}

// apiContentShow is GET /api/v1/content-referrals/{id}.
func (h *handler) apiContentShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindContentRef)
	if err != nil {
		return err
	}
	c, err := h.store.FindContentReferralByID(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, fixContent(c))
}

// contentInput is the body of POST /api/v1/content-referrals: one or many
// addresses of the same type.
type contentInput struct {
	URLs          []string `json:"urls"`
	Platform      string   `json:"platform"`
	ContentType   string   `json:"content_type"`
	AccountHandle string   `json:"account_handle"`
}

// apiContentCreate is POST /api/v1/content-referrals (bulk referral).
func (h *handler) apiContentCreate(w http.ResponseWriter, r *http.Request) error {
	var in contentInput
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	urls, err := contest.ParseURLList(joinLines(in.URLs))
	if err != nil {
		return err
	}
	refs, err := referralsFrom(urls, in.Platform, in.ContentType, in.AccountHandle)
	if err != nil {
		return err
	}
	if err := h.store.CreateContentReferrals(r.Context(), actor(r), refs); err != nil {
		return err
	}
	for _, c := range refs {
		fixContent(c)
	}
	return writeJSON(w, http.StatusCreated, list(refs, len(refs)))
}

// joinLines makes a list of URLs one text, refusing none of them: a URL
// holding a newline is split and then refused line by line.
func joinLines(xs []string) string {
	n := 0
	for _, x := range xs {
		n += len(x) + 1
	}
	b := make([]byte, 0, n)
	for _, x := range xs {
		b = append(append(b, x...), '\n')
	}
	return string(b)
}

// responseInput is the body of POST /api/v1/content-referrals/{id}/response.
type responseInput struct {
	Response    string `json:"response"`
	PlatformRef string `json:"platform_ref"`
	Note        string `json:"note"`
}

// apiContentRespond is POST /api/v1/content-referrals/{id}/response: a
// platform reports the outcome.
func (h *handler) apiContentRespond(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindContentRef)
	if err != nil {
		return err
	}
	var in responseInput
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	c, err := h.store.RespondContentReferral(r.Context(), actor(r), id, in.Response, in.PlatformRef, in.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, fixContent(c))
}
