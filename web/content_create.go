package web

import (
	"net/http"
	"strconv"

	"github.com/contest-ct/contest"
)

func contentNewData() map[string]any {
	return map[string]any{"Types": optionsOf(contest.ContentTypes, capitalise, "Select the type of content")}
}

// contentNew shows the form to refer content: one address, or many at
// once, one a line.
func (h *handler) contentNew(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, "content_new", &page{Title: "Refer online content", Data: contentNewData()})
}

// referralsFrom builds the referrals of a form or API request: every
// address with the same platform, type and account.
func referralsFrom(urls []string, platform, contentType, handle string) ([]*contest.ContentReferral, error) {
	var fe contest.FieldErrors
	if !contest.ValidContentType(contentType) {
		fe.Add("content_type", "Select the type of content")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	refs := make([]*contest.ContentReferral, len(urls))
	for i, u := range urls {
		refs[i] = &contest.ContentReferral{URL: u, Platform: platform, ContentType: contentType, AccountHandle: handle}
	}
	return refs, nil
}

// contentCreate stores the referrals of the form for assessment.
func (h *handler) contentCreate(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(r)
	if err == nil {
		var urls []string
		if urls, err = contest.ParseURLList(form.Get("urls")); err == nil {
			var refs []*contest.ContentReferral
			if refs, err = referralsFrom(urls, form.Get("platform"), form.Get("content_type"), form.Get("account_handle")); err == nil {
				if err = h.store.CreateContentReferrals(r.Context(), actor(r), refs); err == nil {
					if len(refs) == 1 {
						h.setFlash(r, "Referral "+refs[0].Reference+" is waiting for assessment")
						return redirect(w, r, "/content/"+strconv.FormatInt(refs[0].ID, 10))
					}
					h.setFlash(r, strconv.Itoa(len(refs))+" referrals are waiting for assessment")
					return redirect(w, r, "/content?status="+contest.ContentForAssessment)
				}
			}
		}
	}
	return h.formError(w, r, "content_new", "Refer online content", form, err, contentNewData())
}
