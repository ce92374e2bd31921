package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// static holds the vendored GOV.UK Frontend and MoJ Frontend files (see
// scripts/vendor-frontend.sh and static/vendor/VERSIONS) and contest's own
// small CSS and JavaScript.
//
//go:embed static/vendor static/app
var static embed.FS

// asset is one static file, read once at start.
type asset struct {
	data  []byte
	ctype string
	etag  string
}

// assets maps URL paths under /assets/ to files. The vendored CSS refers
// to its images as url(/assets/images/...), so the images keep that path;
// the GDS Transport fonts it also names are deliberately absent, and the
// browser falls back to arial.
type assets struct {
	files map[string]*asset
}

func newAssets() (*assets, error) {
	a := &assets{files: map[string]*asset{}}
	add := func(root, prefix string) error {
		return fs.WalkDir(static, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if strings.HasSuffix(p, "VERSIONS") || strings.HasSuffix(p, ".json") {
				return nil
			}
			b, err := static.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			ct := mime.TypeByExtension(path.Ext(p))
			if ct == "" {
				ct = "application/octet-stream"
			}
			a.files[prefix+strings.TrimPrefix(p, root+"/")] = &asset{data: b, ctype: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
			return nil
		})
	}
	for _, x := range [][2]string{
		{"static/vendor/assets/images", "/assets/images/"},
		{"static/vendor/govuk", "/assets/govuk/"},
		{"static/vendor/moj", "/assets/moj/"},
		{"static/app", "/assets/app/"},
	} {
		if err := add(x[0], x[1]); err != nil {
			return nil, fmt.Errorf("web: load assets: %w", err)
		}
	}
	for _, need := range []string{"/assets/govuk/govuk-frontend.min.css", "/assets/govuk/govuk-frontend.min.js",
		"/assets/moj/moj-frontend.min.css", "/assets/moj/moj-frontend.min.js", "/assets/app/app.css",
		"/assets/app/supported.js", "/assets/app/init.js"} {
		if a.files[need] == nil {
			return nil, fmt.Errorf("web: asset %s is missing; run scripts/vendor-frontend.sh", need)
		}
	}
	return a, nil
}

// url returns the address of an asset with its content hash as a query,
// so that a changed file gets a new address and old ones can be cached for
// a year.
func (a *assets) url(p string) string {
	f := a.files[p]
	if f == nil {
		return p
	}
	return p + "?v=" + strings.Trim(f.etag, `"`)
}

// serveAsset serves GET /assets/... with long cache headers.
func (h *handler) serveAsset(w http.ResponseWriter, r *http.Request) error {
	f := h.assets.files[r.URL.Path]
	if f == nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("not found\n"))
		return nil
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("ETag", f.etag)
	if r.Header.Get("If-None-Match") == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	_, _ = w.Write(f.data)
	return nil
}
