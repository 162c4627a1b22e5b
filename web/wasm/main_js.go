//go:build js && wasm

package main

import (
	"encoding/json"
	"syscall/js"
)

// main publishes globalThis.tenderhallNotary and then waits for calls.
// Every function returns {ok: value} or {error: {code, zh, en}}; byte
// strings travel as Uint8Array, structures as plain objects.
func main() {
	b := newBridge()
	api := map[string]any{
		"generateKey": fn(func(a []js.Value) (any, error) { return b.generateKey(a[0].String()) }),
		"openKey": fn(func(a []js.Value) (any, error) {
			return b.openKey(goBytes(a[0]), a[1].String())
		}),
		"closeKey":  fn(func(a []js.Value) (any, error) { b.closeKey(a[0].Int()); return true, nil }),
		"publicKey": fn(func(a []js.Value) (any, error) { return b.publicKey(a[0].String()) }),
		"sign": fn(func(a []js.Value) (any, error) {
			sig, err := b.sign(a[0].Int(), goBytes(a[1]))
			return jsBytes(sig), err
		}),
		"unwrapDEK": fn(func(a []js.Value) (any, error) {
			dek, err := b.unwrapDEK(a[0].Int(), goBytes(a[1]))
			return jsBytes(dek), err
		}),
		"sealStart": fn(func(a []js.Value) (any, error) {
			var req sealRequest
			if err := json.Unmarshal([]byte(js.Global().Get("JSON").Call("stringify", a[1]).String()), &req); err != nil {
				return nil, err
			}
			h, header, err := b.sealStart(a[0].Int(), req)
			return map[string]any{"handle": h, "header": jsBytes(header)}, err
		}),
		"sealWrite": fn(func(a []js.Value) (any, error) {
			out, err := b.sealWrite(a[0].Int(), goBytes(a[1]))
			return jsBytes(out), err
		}),
		"sealClose": fn(func(a []js.Value) (any, error) {
			tail, res, err := b.sealClose(a[0].Int())
			return map[string]any{"tail": jsBytes(tail), "result": res}, err
		}),
		"sealAbort": fn(func(a []js.Value) (any, error) { b.sealAbort(a[0].Int()); return true, nil }),
	}
	js.Global().Set("tenderhallNotary", js.ValueOf(api))
	select {}
}

// fn wraps a Go function as a JavaScript one returning {ok} or {error}.
func fn(f func(args []js.Value) (any, error)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) any {
		v, err := f(args)
		if err != nil {
			return map[string]any{"error": toJS(toJSError(err))}
		}
		return map[string]any{"ok": toJS(v)}
	})
}

// toJS converts a Go value: js.Value and primitives as they are, anything
// else through JSON (structures), recursively for maps.
func toJS(v any) any {
	switch x := v.(type) {
	case js.Value, bool, int, string, nil:
		return x
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = toJS(e)
		}
		return out
	}
	raw, _ := json.Marshal(v)
	return js.Global().Get("JSON").Call("parse", string(raw))
}

// goBytes copies a Uint8Array (or a string, as UTF-8) into Go memory.
func goBytes(v js.Value) []byte {
	if v.Type() == js.TypeString {
		return []byte(v.String())
	}
	out := make([]byte, v.Get("length").Int())
	js.CopyBytesToGo(out, v)
	return out
}

// jsBytes copies Go bytes into a new Uint8Array.
func jsBytes(b []byte) js.Value {
	out := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(out, b)
	return out
}
