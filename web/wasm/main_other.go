//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

// main exists so that the package builds (and its tests run) natively;
// the real entry point is main_js.go, built with GOOS=js GOARCH=wasm.
func main() {
	fmt.Fprintln(os.Stderr, "build this with GOOS=js GOARCH=wasm (make web)")
	os.Exit(2)
}
