package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Error names the setting that is wrong and where its value came from.
type Error struct {
	Key    string // dotted key, e.g. "addr"
	Source string // "flag --addr", "TENDERHALL_ADDR", "config.yaml", or "" for a derived value
	Msg    string
}

// Error renders one line an operator can act on.
func (e *Error) Error() string {
	where := e.Source
	if where == "" {
		if s, ok := lookup(e.Key); ok {
			where = s.Env()
		}
	}
	return fmt.Sprintf("invalid setting %s (%s): %s / 配置项 %s 无效", e.Key, where, e.Msg, e.Key)
}

// IsConfigError reports whether err is a configuration error (exit code 2).
func IsConfigError(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

// Sources records where each key's value came from.
type Sources map[string]string

// Load builds the effective configuration: defaults, then the YAML file
// (path from flags["config"] or TENDERHALL_CONFIG, when set), then
// TENDERHALL_* variables read through getenv, then flags (keyed by setting
// key, e.g. "addr", holding only flags the user gave). It returns an *Error
// naming the first invalid setting.
func Load(getenv func(string) string, flags map[string]string) (Config, Sources, error) {
	c := Defaults()
	src := Sources{}
	file := flags["config"]
	if file == "" {
		file = getenv("TENDERHALL_CONFIG")
	}
	if file != "" {
		if err := loadFile(&c, src, file); err != nil {
			return c, src, err
		}
	}
	for _, s := range settings {
		if v := getenv(s.Env()); v != "" {
			if err := s.set(&c, v); err != nil {
				return c, src, &Error{Key: s.Key, Source: s.Env(), Msg: err.Error()}
			}
			src[s.Key] = s.Env()
		}
	}
	for key, v := range flags {
		if key == "config" {
			continue
		}
		s, ok := lookup(key)
		if !ok {
			return c, src, &Error{Key: key, Source: "flag --" + key, Msg: "unknown setting"}
		}
		if err := s.set(&c, v); err != nil {
			return c, src, &Error{Key: key, Source: "flag --" + key, Msg: err.Error()}
		}
		src[key] = "flag --" + key
	}
	c.finish()
	if err := c.validate(); err != nil {
		var e *Error
		if errors.As(err, &e) && e.Source == "" {
			e.Source = src[e.Key]
		}
		return c, src, err
	}
	return c, src, nil
}

func loadFile(c *Config, src Sources, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return &Error{Key: "config", Source: path, Msg: "cannot read the file: " + err.Error()}
	}
	var tree map[string]any
	if err := yaml.Unmarshal(b, &tree); err != nil {
		return &Error{Key: "config", Source: path, Msg: "not valid YAML: " + err.Error()}
	}
	flat := map[string]string{}
	flatten("", tree, flat)
	keys := make([]string, 0, len(flat))
	for k := range flat {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s, ok := lookup(k)
		if !ok {
			return &Error{Key: k, Source: path, Msg: "unknown setting"}
		}
		if err := s.set(c, flat[k]); err != nil {
			return &Error{Key: k, Source: path, Msg: err.Error()}
		}
		src[k] = path
	}
	return nil
}

func flatten(prefix string, v any, out map[string]string) {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			flatten(key, child, out)
		}
	case []any:
		parts := make([]string, len(t))
		for i, p := range t {
			parts[i] = fmt.Sprint(p)
		}
		out[prefix] = strings.Join(parts, ",")
	case nil:
		out[prefix] = ""
	default:
		out[prefix] = fmt.Sprint(t)
	}
}

// Print writes the effective configuration, one "key: value  # source" line
// per setting, with secret values masked.
func Print(w io.Writer, c Config, src Sources) {
	for _, s := range settings {
		v := s.get(&c)
		if s.Secret && v != "" {
			v = mask(s.Key, v)
		}
		from := src[s.Key]
		if from == "" {
			from = "default"
		}
		fmt.Fprintf(w, "%s: %q  # %s (%s)\n", s.Key, v, from, s.Env())
	}
}

// mask hides a secret; a DSN keeps its shape with only the password hidden.
func mask(key, v string) string {
	if key == "database.dsn" {
		return MaskDSN(v)
	}
	return "****"
}

// MaskDSN hides the password in a platform DSN ("mysql:user:pass@tcp(...)/db")
// so that it can be printed or put in an error message.
func MaskDSN(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	if at < 0 {
		return dsn
	}
	head := dsn[:at]
	if c := strings.LastIndex(head, ":"); c > strings.Index(head, ":") {
		return head[:c+1] + "****" + dsn[at:]
	}
	return dsn
}
