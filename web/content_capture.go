package web

import (
	"mime"
	"net/http"
	"strconv"

	"github.com/contest-ct/contest"
)

// contentCaptureUpload stores a file the officer captured (a screenshot,
// a saved copy), hashes it and matches it against the hash banks. The
// server never fetches the content itself.
func (h *handler) contentCaptureUpload(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindContentRef)
	if err != nil {
		return err
	}
	form, name, data, err := readUploadForm(r, "file", contest.MaxCaptureBytes)
	if err == nil {
		var ms []*contest.HashMatch
		if _, ms, err = h.store.AddCapture(r.Context(), actor(r), id, name, data); err == nil {
			msg := "Capture stored and hashed"
			if len(ms) > 0 {
				msg += ": it matches " + strconv.Itoa(len(ms)) + " known item(s) and the referral is raised"
			}
			return h.afterContentAction(w, r, form, id, msg, nil)
		}
	}
	return h.afterContentAction(w, r, form, id, "", err)
}

// contentCaptureDownload sends a capture to staff as a download: always
// application/octet-stream with a safe file name, never rendered inline.
func (h *handler) contentCaptureDownload(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindContentRef)
	if err != nil {
		return err
	}
	cid, err := pathID(r, "capture", contest.KindContentRef)
	if err != nil {
		return err
	}
	cp, data, err := h.store.OpenCapture(r.Context(), actor(r), id, cid)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": cp.FileName}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
	return nil
}

// captureBody is the answer of POST /api/v1/content-referrals/{id}/captures.
type captureBody struct {
	Capture *contest.Capture     `json:"capture"`
	Matches []*contest.HashMatch `json:"matches"`
}

// apiContentCaptureUpload is POST /api/v1/content-referrals/{id}/captures
// with a multipart "file": the capture with its hashes, and its matches in
// the banks the caller may see (any match raises the referral).
func (h *handler) apiContentCaptureUpload(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindContentRef)
	if err != nil {
		return err
	}
	_, name, data, err := readUploadForm(r, "file", contest.MaxCaptureBytes)
	if err != nil {
		return err
	}
	cp, ms, err := h.store.AddCapture(r.Context(), actor(r), id, name, data)
	if err != nil {
		return err
	}
	if ms == nil {
		ms = []*contest.HashMatch{}
	}
	return writeJSON(w, http.StatusCreated, captureBody{Capture: cp, Matches: ms})
}
