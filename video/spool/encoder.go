package spool

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// beijing is the offset of the burnt-in clock: the halls read Beijing time.
const beijing = 8 * time.Hour

// TestPattern is ffmpeg recording a simulated room camera into dir: the
// testsrc2 pattern with the platform's clock burnt in (Beijing time, from
// epoch, the platform's time when the encoder starts), 2 s H.264 segments
// in real time, each with its program date time, and a playlist window of
// 30 minutes so that an uploader cut off for that long still finds every
// entry. seconds ≤ 0 records until ctx ends (ffmpeg then ends its playlist).
func TestPattern(ctx context.Context, ffmpeg, dir string, epoch time.Time, seconds int) *exec.Cmd {
	return pattern(ctx, ffmpeg, dir, epoch, seconds, "640x360", 25, 28)
}

// DemoPattern is TestPattern at the size of a demo's always-on cameras:
// 320×180 at 10 frames a second, a few percent of a core and about
// 50 MB an hour each, so that a laptop films every demo room all day.
func DemoPattern(ctx context.Context, ffmpeg, dir string, epoch time.Time) *exec.Cmd {
	return pattern(ctx, ffmpeg, dir, epoch, 0, "320x180", 10, 14, "-b:v", "100k", "-maxrate", "150k", "-bufsize", "300k")
}

func pattern(ctx context.Context, ffmpeg, dir string, epoch time.Time, seconds int, size string, rate, fontSize int, extra ...string) *exec.Cmd {
	clock := fmt.Sprintf("drawtext=fontfile=%s:fontsize=%d:fontcolor=white:box=1:boxcolor=black@0.6:x=12:y=12:text='%%{pts\\:gmtime\\:%d\\:%%Y-%%m-%%d %%H\\\\\\:%%M\\\\\\:%%S} CST'",
		font, fontSize, epoch.Add(beijing).Unix())
	args := []string{"-hide_banner", "-loglevel", "error", "-nostdin", "-re",
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%s:rate=%d", size, rate), "-vf", clock}
	if seconds > 0 {
		args = append(args, "-t", strconv.Itoa(seconds))
	}
	args = append(args, "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", strconv.Itoa(2*rate), "-pix_fmt", "yuv420p")
	args = append(args, extra...)
	args = append(args, "-f", "hls", "-hls_time", "2", "-hls_list_size", "900", "-hls_flags", "program_date_time+temp_file",
		"-hls_start_number_source", "epoch", "-hls_segment_filename", filepath.Join(dir, "index%d.ts"), filepath.Join(dir, "index.m3u8"))
	cmd := exec.CommandContext(ctx, ffmpeg, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) } // ffmpeg ends its playlist on SIGINT
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// font is the DejaVu face Debian's fonts-dejavu-core installs (ffmpeg's
// own dependency tree brings it).
const font = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
