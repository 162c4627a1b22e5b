// Package video keeps the recordings of the opening halls, evaluation rooms
// and service windows (DESIGN.md §5 "Video index"): cameras with their own
// ingest credentials, HLS segments pushed by real encoders (ffmpeg's HLS
// muxer with -method PUT), each segment's SM3 hash in the event log, and the
// index by room, camera and time.
package video

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Limits on what an encoder may send as a playlist.
const (
	MaxPlaylistBytes   = 256 << 10
	MaxPlaylistEntries = 2000
	maxSegmentSeconds  = 60
)

// Playlist is what a live HLS media playlist says about its segments.
type Playlist struct {
	MediaSequence int64   // EXT-X-MEDIA-SEQUENCE: the sequence number of Entries[0]
	Entries       []Entry // in playlist order
	Ended         bool    // EXT-X-ENDLIST seen: the encoder stopped
}

// Entry is one segment line of a playlist with the tags before it.
type Entry struct {
	Seq      int64         // media sequence number
	URI      string        // the segment's name as the encoder uploaded it
	Duration time.Duration // EXTINF
	Start    time.Time     // EXT-X-PROGRAM-DATE-TIME, or the previous entry's end
}

// ParsePlaylist reads an HLS media playlist (RFC 8216) as ffmpeg's HLS
// muxer writes it with -hls_flags program_date_time. Every segment must have
// a program date time, given or following from the one before (§4.3.2.6).
// Errors: TooLarge over MaxPlaylistBytes or MaxPlaylistEntries; Invalid for
// anything else that is not such a playlist, naming the line.
func ParsePlaylist(raw []byte) (Playlist, error) {
	if len(raw) > MaxPlaylistBytes {
		return Playlist{}, apperr.Newf(apperr.TooLarge, "播放列表超过 %d 字节", "the playlist exceeds %d bytes", MaxPlaylistBytes)
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 4096), MaxPlaylistBytes+1)
	var p Playlist
	var pending Entry
	var haveInf, seqSet bool
	var next time.Time // the end of the previous entry
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if line == 1 {
			if s != "#EXTM3U" {
				return Playlist{}, bad(line, "missing #EXTM3U")
			}
			continue
		}
		switch {
		case s == "":
		case strings.HasPrefix(s, "#EXT-X-MEDIA-SEQUENCE:"):
			n, err := strconv.ParseInt(s[len("#EXT-X-MEDIA-SEQUENCE:"):], 10, 64)
			if err != nil || n < 0 || seqSet || len(p.Entries) > 0 {
				return Playlist{}, bad(line, "bad EXT-X-MEDIA-SEQUENCE")
			}
			p.MediaSequence, seqSet = n, true
		case strings.HasPrefix(s, "#EXTINF:"):
			d, err := parseExtinf(s[len("#EXTINF:"):])
			if err != nil || haveInf {
				return Playlist{}, bad(line, "bad EXTINF")
			}
			pending.Duration, haveInf = d, true
		case strings.HasPrefix(s, "#EXT-X-PROGRAM-DATE-TIME:"):
			t, err := parseDateTime(s[len("#EXT-X-PROGRAM-DATE-TIME:"):])
			if err != nil {
				return Playlist{}, bad(line, "bad EXT-X-PROGRAM-DATE-TIME")
			}
			pending.Start = t
		case s == "#EXT-X-ENDLIST":
			p.Ended = true
		case strings.HasPrefix(s, "#"):
			// Other tags (version, target duration, discontinuity) do not
			// change what a segment is.
		default:
			if !haveInf {
				return Playlist{}, bad(line, "segment without EXTINF")
			}
			if err := checkURI(s); err != nil {
				return Playlist{}, bad(line, err.Error())
			}
			if pending.Start.IsZero() {
				if next.IsZero() {
					return Playlist{}, bad(line, "segment without EXT-X-PROGRAM-DATE-TIME")
				}
				pending.Start = next
			}
			if len(p.Entries) == MaxPlaylistEntries {
				return Playlist{}, apperr.Newf(apperr.TooLarge, "播放列表超过 %d 个分段", "the playlist lists more than %d segments", MaxPlaylistEntries)
			}
			pending.URI = s
			pending.Seq = p.MediaSequence + int64(len(p.Entries))
			p.Entries = append(p.Entries, pending)
			next = pending.Start.Add(pending.Duration)
			pending, haveInf = Entry{}, false
		}
	}
	if err := sc.Err(); err != nil {
		return Playlist{}, bad(line+1, "line too long")
	}
	if line == 0 {
		return Playlist{}, bad(1, "empty playlist")
	}
	return p, nil
}

func parseExtinf(s string) (time.Duration, error) {
	if i := strings.IndexByte(s, ','); i >= 0 {
		s = s[:i]
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !(f > 0) || f > maxSegmentSeconds {
		return 0, apperr.New(apperr.Invalid, "分段时长无效", "bad segment duration")
	}
	return time.Duration(f * float64(time.Second)).Round(time.Millisecond), nil
}

// parseDateTime reads ISO 8601 as ffmpeg writes it (2026-12-07T15:04:05.123+0800)
// and as RFC 3339 does (…+08:00, Z).
func parseDateTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05.999999999Z0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= 2000 && t.Year() < 3000 {
			return t.UTC().Truncate(time.Millisecond), nil
		}
	}
	return time.Time{}, apperr.New(apperr.Invalid, "时间格式无效", "bad date-time")
}

// checkURI accepts a plain segment name: the encoder uploads segments next
// to its playlist, so a path or a URL elsewhere is a mistake or an attack.
func checkURI(s string) error {
	if err := CheckName(s); err != nil {
		return apperr.New(apperr.Invalid, "分段名称无效", "segment name must be a plain file name")
	}
	return nil
}

// CheckName accepts the names an encoder may upload: 1–100 characters of
// letters, digits, '-', '_' and '.', not starting with '.'.
// Errors: Invalid.
func CheckName(s string) error {
	if s == "" || len(s) > 100 || s[0] == '.' {
		return apperr.New(apperr.Invalid, "文件名无效", "bad file name").WithField("name", "1–100 letters, digits, - _ .")
	}
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
		if !ok {
			return apperr.New(apperr.Invalid, "文件名无效", "bad file name").WithField("name", "1–100 letters, digits, - _ .")
		}
	}
	return nil
}

func bad(line int, what string) error {
	return apperr.Newf(apperr.Invalid, "播放列表第 %d 行有误：%s", "playlist line %d: %s", line, what).WithField("playlist", what)
}
