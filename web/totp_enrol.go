package web

import (
	"net/http"
	"strings"

	"github.com/contest-ct/contest"
)

// totpData is what the enrolment page shows.
type totpData struct {
	Secret string
	URL    string
	Done   bool
}

// showTOTPEnrol shows a new second-factor secret and its otpauth URL (to
// type or paste into an authenticator app), and asks for a code from it.
// The secret is kept in the session until it is confirmed.
func (h *handler) showTOTPEnrol(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	if a.TOTPEnrolled && !totpPending(a) && (a.Role == contest.RoleAdmin || a.Vetting.RequiresTOTP()) {
		return h.render(w, r, http.StatusOK, "totp_enrol", &page{Title: "Second factor", Data: totpData{Done: true}})
	}
	d, err := h.totpSecret(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "totp_enrol", &page{Title: "Set up a second factor", Data: d})
}

func (h *handler) totpSecret(r *http.Request) (totpData, error) {
	secret := h.sessions.GetString(r.Context(), sessTOTPSecret)
	url := h.sessions.GetString(r.Context(), sessTOTPSecret+"_url")
	if secret == "" {
		var err error
		secret, url, err = h.store.BeginTOTP(r.Context(), actor(r))
		if err != nil {
			return totpData{}, err
		}
		h.sessions.Put(r.Context(), sessTOTPSecret, secret)
		h.sessions.Put(r.Context(), sessTOTPSecret+"_url", url)
	}
	return totpData{Secret: secret, URL: url}, nil
}

// enrolTOTP confirms the secret with a code from it.
func (h *handler) enrolTOTP(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(r)
	if err == nil {
		code := strings.TrimSpace(form.Get("code"))
		if code == "" {
			var fe contest.FieldErrors
			fe.Add("code", "Enter the 6-digit code from your authenticator app")
			err = fe.Err()
		} else {
			secret := h.sessions.GetString(r.Context(), sessTOTPSecret)
			if secret == "" {
				return redirect(w, r, "/account/second-factor")
			}
			err = h.store.ConfirmTOTP(r.Context(), actor(r), secret, code)
		}
	}
	if err != nil {
		switch contest.ErrorCode(err) {
		case contest.EINVALID, contest.EUNAUTHORIZED:
			d, derr := h.totpSecret(r)
			if derr != nil {
				return derr
			}
			fields := contest.ErrorFields(err)
			if len(fields) == 0 {
				fields = []contest.FieldError{{Field: "code", Message: "The code is not right; enter the code your app shows now"}}
			}
			h.metrics.errors.WithLabelValues(contest.EINVALID).Inc()
			return h.render(w, r, http.StatusBadRequest, "totp_enrol", &page{Title: "Set up a second factor",
				Data: d, Form: form, ErrorMessage: contest.ErrorMessage(err), Errors: fields})
		}
		return err
	}
	h.sessions.Remove(r.Context(), sessTOTPSecret)
	h.sessions.Remove(r.Context(), sessTOTPSecret+"_url")
	if err := h.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	h.setFlash(r, "Your second factor is set up. You will need a code from it each time you sign in.")
	return redirect(w, r, "/")
}
