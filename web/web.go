// Package web embeds the browser app: Vue 3 + TypeScript + Element Plus,
// built by `make web` (npm ci, vite build) into dist/app. The sources are in
// src/, the WebAssembly sealer in wasm/, the browser tests in e2e/.
package web

import (
	"embed"
	"io/fs"
)

// dist holds dist/README.md, committed so that the directory always exists
// (go vet and go test work on a fresh clone before npm ran), and dist/app,
// the built app, which is not committed.
//
//go:embed all:dist
var dist embed.FS

// Assets returns the built app rooted at its index.html, or nil when this
// binary was built before the web app was.
func Assets() fs.FS {
	app, err := fs.Sub(dist, "dist/app")
	if err != nil {
		return nil
	}
	if _, err := fs.Stat(app, "index.html"); err != nil {
		return nil
	}
	return app
}
