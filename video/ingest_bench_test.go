package video

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
)

// benchCameras at benchRate: the load (16 cameras at 2 Mbit/s);
// each iteration is 2 s of video from every camera.
const (
	benchCameras  = 16
	benchSegment  = 2 * time.Second
	benchSegBytes = 2_000_000 / 8 * 2 // 2 Mbit/s × 2 s
	benchBatch    = 5                 // the recorder logs every 10 s
)

// BenchmarkIngest16Cameras measures the platform's CPU (user + system of
// this process, the HTTP clients included) for 16 cameras' segments
// uploaded over HTTP, SM3-hashed, stored in the blob store and logged in
// batches of 10 s, as a share of one core in real time; the baseline does
// the necessary work alone (SM3 and a blob Save of the same bytes) in the
// same run. See BENCHMARKS.md.
func BenchmarkIngest16Cameras(b *testing.B) {
	for _, be := range dbtest.Backends() {
		b.Run(string(be)+"/baseline-sm3-save", func(b *testing.B) { benchBaseline(b, be) })
		b.Run(string(be)+"/ingest", func(b *testing.B) { benchIngest(b, be) })
	}
}

func segmentBytes(cam, seq int) []byte {
	body := bytes.Repeat([]byte{0x47}, benchSegBytes)
	copy(body[188:], fmt.Sprintf("camera %d segment %d", cam, seq)) // each segment its own hash
	return body
}

func benchBaseline(b *testing.B, be dbtest.Backend) {
	e := newEnv(b, be, clock.System{})
	ctx := context.Background()
	bodies := make([][]byte, benchCameras)
	for c := range bodies {
		bodies[c] = segmentBytes(c, 0)
	}
	b.SetBytes(benchCameras * benchSegBytes)
	cpu := startCPU()
	for i := 0; b.Loop(); i++ {
		for c, body := range bodies {
			h := notary.NewSM3()
			if _, err := e.blobs.Save(ctx, fmt.Sprintf("bench/%d/%d.ts", c, i), io.TeeReader(bytes.NewReader(body), h), int64(len(body))); err != nil {
				b.Fatal(err)
			}
			_ = h.Sum(nil)
		}
	}
	cpu.report(b)
}

func benchIngest(b *testing.B, be dbtest.Backend) {
	e := newEnv(b, be, clock.System{})
	srv := e.ingestServer(b)
	client := srv.Client()
	tokens := make([]string, benchCameras)
	for c := range tokens {
		tokens[c] = e.camera(b, fmt.Sprintf("开标%02d室", c)).Token
	}
	put := func(token, file string, body []byte) {
		req, _ := http.NewRequest(http.MethodPut, srv.URL+"/ingest/"+file, bytes.NewReader(body))
		req.Header.Set("X-Camera-Token", token)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("PUT %s: %d", file, resp.StatusCode)
		}
	}
	bodies := make([][]byte, benchCameras)
	for c := range bodies {
		bodies[c] = segmentBytes(c, 0)
	}
	starts := make([][]time.Time, benchCameras)
	flush := func(c, upto int) {
		from := upto - len(starts[c]) + 1
		var pl strings.Builder
		fmt.Fprintf(&pl, "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:%d\n", from)
		for k, at := range starts[c] {
			fmt.Fprintf(&pl, "#EXT-X-PROGRAM-DATE-TIME:%s\n#EXTINF:2.000,\ns%d.ts\n", at.Format(time.RFC3339Nano), from+k)
		}
		put(tokens[c], "index.m3u8", []byte(pl.String()))
		starts[c] = starts[c][:0]
	}
	b.SetBytes(benchCameras * benchSegBytes)
	cpu := startCPU()
	n := 0
	for i := 0; b.Loop(); i++ {
		for c := range benchCameras {
			copy(bodies[c][188:], fmt.Sprintf("camera %d segment %d", c, i))
			put(tokens[c], fmt.Sprintf("s%d.ts", i), bodies[c])
			starts[c] = append(starts[c], time.Now().Add(-benchSegment)) // ends as it arrives, as live video does
			if len(starts[c]) == benchBatch {
				flush(c, i)
			}
		}
		n = i + 1
	}
	for c := range benchCameras {
		if len(starts[c]) > 0 {
			flush(c, n-1)
		}
	}
	cpu.report(b)
	b.StopTimer()
	var logged int64
	if err := e.db.Conn(context.Background()).Raw("SELECT COUNT(*) FROM video_segments WHERE seq IS NOT NULL").Scan(&logged).Error; err != nil {
		b.Fatal(err)
	}
	if logged != int64(n*benchCameras) {
		b.Fatalf("%d segments logged of %d uploaded", logged, n*benchCameras)
	}
}

// cpuClock is this process's CPU time at the start of a measurement.
type cpuClock struct {
	used  time.Duration
	start time.Time
}

func startCPU() cpuClock { return cpuClock{used: cpuUsed(), start: time.Now()} }

func cpuUsed() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// report gives the CPU used per iteration as a share of one core while
// the cameras record in real time (an iteration is 2 s of video).
func (c cpuClock) report(b *testing.B) {
	used := cpuUsed() - c.used
	b.ReportMetric(100*used.Seconds()/(float64(b.N)*benchSegment.Seconds()), "%core-realtime")
}
