package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
)

// The content-referral and hash-bank views (issue 8), registered here so
// that the strand's pages stay in their own files.
func init() {
	viewNames = append(viewNames, "content_list", "content_new", "content_show", "content_stats", "hashbank_list", "hashbank_show")
}

// maxUploadFormBytes bounds the in-memory part of a multipart form; larger
// files go to temporary files that are removed when the request ends.
const maxUploadFormBytes = 1 << 20

// readUploadForm reads a multipart form with one file in field, bounded by
// limit bytes. A form sent without a file gives an empty name and nil data.
func readUploadForm(r *http.Request, field string, limit int64) (map[string][]string, string, []byte, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return nil, "", nil, (contest.FieldErrors{{Field: field, Message: "Select a file to upload"}}).Err()
	}
	if err := r.ParseMultipartForm(maxUploadFormBytes); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, "", nil, (contest.FieldErrors{{Field: field, Message: "The file is too large to upload here"}}).Err()
		}
		return nil, "", nil, contest.Errorf(contest.EINVALID, "The form could not be read.")
	}
	defer r.MultipartForm.RemoveAll()
	form, err := checkValues(r.MultipartForm.Value)
	if err != nil {
		return form, "", nil, err
	}
	files := r.MultipartForm.File[field]
	if len(files) == 0 || (files[0].Size == 0 && files[0].Filename == "") {
		return form, "", nil, (contest.FieldErrors{{Field: field, Message: "Select a file to upload"}}).Err()
	}
	if len(files) > 1 {
		return form, "", nil, (contest.FieldErrors{{Field: field, Message: "Select one file"}}).Err()
	}
	data, msg := readPart(files[0], limit)
	if msg != "" {
		return form, "", nil, (contest.FieldErrors{{Field: field, Message: msg}}).Err()
	}
	return form, files[0].Filename, data, nil
}

// readPart reads an uploaded file of at most limit bytes; on failure it
// returns a message for the user.
func readPart(fh *multipart.FileHeader, limit int64) ([]byte, string) {
	const tooLarge = "The file is too large"
	if fh.Size > limit {
		return nil, tooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "The file could not be read"
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, "The file could not be read"
	}
	if int64(len(b)) > limit {
		return nil, tooLarge
	}
	return b, ""
}

// optionsOf makes select options from values and a label function, with a
// first empty choice when blank is set.
func optionsOf(values []string, label func(string) string, blank string) []option {
	var out []option
	if blank != "" {
		out = append(out, option{Value: "", Label: blank})
	}
	for _, v := range values {
		out = append(out, option{Value: v, Label: label(v)})
	}
	return out
}

// contentStatusLabel is the human name of a referral status.
func contentStatusLabel(s string) string {
	switch s {
	case contest.ContentForAssessment:
		return "For assessment"
	case contest.ContentNotTerrorist:
		return "Not terrorist content"
	case contest.ContentAssessed:
		return "Assessed, to refer"
	case contest.ContentReferred:
		return "Referred to platform"
	case contest.ContentRemoved:
		return "Removed"
	case contest.ContentRestricted:
		return "Restricted"
	case contest.ContentRefused:
		return "Refused"
	case contest.ContentNoResponse:
		return "No response"
	}
	return s
}

func offenceOptions() []option {
	out := []option{{Value: "", Label: "Select an offence category"}}
	for _, o := range contest.Offences {
		out = append(out, option{Value: o.Code, Label: o.Label})
	}
	return out
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + strings.ReplaceAll(s[1:], "_", " ")
}

// queryInt reads a non-negative integer query value, or def.
func queryInt(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, (contest.FieldErrors{{Field: name, Message: "Enter a whole number"}}).Err()
	}
	return n, nil
}
