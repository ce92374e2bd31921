package web

import (
	"encoding/csv"
	"net/http"
	"strconv"

	"github.com/contest-ct/contest"
)

// hashBody is the answer of POST /api/v1/hash: the row `contest hash`
// prints, and the matches in the enabled banks the caller may see.
type hashBody struct {
	File    string               `json:"file"`
	MD5     string               `json:"md5"`
	SHA256  string               `json:"sha256"`
	PDQ     string               `json:"pdq"`
	Quality *int                 `json:"quality"`
	Note    string               `json:"note,omitempty"`
	Matches []*contest.HashMatch `json:"matches"`
}

// apiHash is POST /api/v1/hash with a multipart "file": MD5, SHA-256 and
// PDQ (pdq and quality empty for files that are not images), as JSON, or
// with ?format=csv as the CSV of `contest hash`.
func (h *handler) apiHash(w http.ResponseWriter, r *http.Request) error {
	format := r.URL.Query().Get("format")
	if format != "" && format != "csv" && format != "json" {
		return (contest.FieldErrors{{Field: "format", Message: "Format must be json or csv"}}).Err()
	}
	_, name, data, err := readUploadForm(r, "file", contest.MaxCaptureBytes)
	if err != nil {
		return err
	}
	hs, ms, err := h.store.HashFile(r.Context(), actor(r), data)
	if err != nil {
		return err
	}
	body := hashBody{File: name, MD5: hs.MD5, SHA256: hs.SHA256, PDQ: hs.PDQ, Note: hs.Note, Matches: ms}
	q := ""
	if hs.PDQ != "" {
		body.Quality = &hs.Quality
		q = strconv.Itoa(hs.Quality)
	}
	if body.Matches == nil {
		body.Matches = []*contest.HashMatch{}
	}
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"file", "md5", "sha256", "pdq", "quality"})
		_ = cw.Write([]string{csvSafe(name), hs.MD5, hs.SHA256, hs.PDQ, q})
		cw.Flush()
		return cw.Error()
	}
	return writeJSON(w, http.StatusOK, body)
}

// apiMatch is GET /api/v1/match?signal_type=pdq&signal=<hex>[&quality=N]:
// the entries of every enabled bank the caller may see that match, with
// their distances (PDQ within each bank's threshold; md5 and sha256
// exactly). A PDQ hash given with a quality of 49 or less matches nothing.
func (h *handler) apiMatch(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	quality := -1
	if v := q.Get("quality"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 100 {
			return (contest.FieldErrors{{Field: "quality", Message: "Quality must be from 0 to 100"}}).Err()
		}
		quality = n
	}
	ms, err := h.store.MatchSignal(r.Context(), actor(r), q.Get("signal_type"), q.Get("signal"), quality)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list(ms, len(ms)))
}
