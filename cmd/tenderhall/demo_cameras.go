package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/tenderhall/tenderhall/video"
	"github.com/tenderhall/tenderhall/video/spool"
)

// demoOpeningHall and demoServiceWindow are the rooms the demo films
// besides its evaluation rooms.
const (
	demoOpeningHall   = "开标一室（演示）"
	demoServiceWindow = "综合受理窗口（演示）"
	demoCameraName    = "demo-cam"
	demoCameraActor   = "system:demo-cameras"
	// offsetFile in a take's spool holds the platform clock's offset the
	// take was filmed on, for delivering it after a restart.
	offsetFile = "platform-offset"
)

// demoCameras films every demo room the way a hall's recorder does: an
// ffmpeg test pattern with the platform's clock burnt in, written to a
// spool and uploaded by spool.Uploader through the platform's own ingest
// route, so the demo's supervisors have recordings to watch and jump into.
type demoCameras struct {
	a        *app
	ffmpeg   string
	server   string // the platform's own listener
	base     string // DataDir/video-spool
	stopping chan struct{}
	hard     context.Context // cancelled when the grace of stop is over
	kill     context.CancelFunc
	wg       sync.WaitGroup
}

// startDemoCameras registers (or re-keys) one camera per demo room and
// starts filming. It says why when it films nothing: demo cameras turned
// off, or no ffmpeg on PATH. It returns nil then.
func (e *env) startDemoCameras(ctx context.Context, a *app, server string) (*demoCameras, error) {
	if !a.cfg.Demo || !a.cfg.DemoCameras {
		return nil, nil
	}
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		fmt.Fprintln(e.out, "演示摄像机未启动：找不到 ffmpeg（Debian：apt-get install ffmpeg）/ demo cameras not started: ffmpeg is not on PATH")
		return nil, nil
	}
	rooms, err := a.demoRooms(ctx)
	if err != nil {
		return nil, err
	}
	d := &demoCameras{a: a, ffmpeg: ffmpeg, server: server, base: filepath.Join(a.cfg.DataDir, "video-spool"), stopping: make(chan struct{})}
	d.hard, d.kill = context.WithCancel(context.WithoutCancel(ctx))
	var creds []video.Credential
	for _, r := range rooms {
		c, err := a.video.EnsureCamera(ctx, demoCameraActor, r)
		if err != nil {
			return nil, fmt.Errorf("demo camera of %s: %w", r.Room, err)
		}
		creds = append(creds, c)
	}
	for _, c := range creds {
		d.wg.Add(1)
		go d.film(c)
	}
	fmt.Fprintf(e.out, "演示摄像机 / demo cameras: %d rooms filmed with an ffmpeg test pattern (TENDERHALL_DEMO_CAMERAS=false turns them off)\n", len(creds))
	return d, nil
}

// demoRooms is the opening hall, every evaluation room and the approval
// hall's service window.
func (a *app) demoRooms(ctx context.Context) ([]video.CameraRequest, error) {
	out := []video.CameraRequest{{Room: demoOpeningHall, Name: demoCameraName, Kind: video.KindOpening}}
	rooms, err := a.eval.Rooms(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range rooms {
		out = append(out, video.CameraRequest{Room: r.Name, Name: demoCameraName, Kind: video.KindEvaluation, EvalRoomID: r.ID})
	}
	return append(out, video.CameraRequest{Room: demoServiceWindow, Name: demoCameraName, Kind: video.KindWindow}), nil
}

// stop ends every encoder (each ends its playlist) and waits up to grace
// for the uploaders to deliver the last segments, then cuts them off; what
// they had not delivered stays in the spool.
func (d *demoCameras) stop(grace time.Duration) {
	if d == nil {
		return
	}
	close(d.stopping)
	t := time.AfterFunc(grace, d.kill)
	d.wg.Wait()
	t.Stop()
	d.kill()
}

// film records take after take until stop; a take that fails is retried
// after a pause, so a platform still starting is waited for.
func (d *demoCameras) film(c video.Credential) {
	defer d.wg.Done()
	d.deliverLeftovers(c)
	for {
		err := d.take(c)
		select {
		case <-d.stopping:
			return
		default:
		}
		if err != nil {
			d.a.log.Warn("demo camera take failed; starting another", "camera", c.Camera.ID, "room", c.Camera.Room, "err", err.Error())
			select {
			case <-d.stopping:
				return
			case <-time.After(5 * time.Second):
			}
		}
	}
}

// take is one encoder run into a spool of its own. It ends at stop, or
// when the platform's clock jumps (a sandbox moved forward): the burnt-in
// clock and the program date times are fixed when the encoder starts, so
// the next take starts on the new time.
func (d *demoCameras) take(c video.Credential) error {
	dir := filepath.Join(d.base, strconv.FormatInt(c.Camera.ID, 10), strconv.FormatInt(time.Now().UnixNano(), 10))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	offset := d.a.clock.Now().Sub(time.Now())
	if err := os.WriteFile(filepath.Join(dir, offsetFile), []byte(offset.String()), 0o600); err != nil {
		return err
	}
	encCtx, endTake := context.WithCancel(d.hard)
	defer endTake()
	enc := spool.DemoPattern(encCtx, d.ffmpeg, dir, time.Now().Add(offset))
	endWithParent(enc)
	if err := enc.Start(); err != nil {
		return err
	}
	upCtx, cutOff := context.WithCancel(d.hard)
	defer cutOff()
	encDone := make(chan error, 1)
	go func() {
		encDone <- enc.Wait()
		time.AfterFunc(30*time.Second, cutOff) // an encoder that died without ending its playlist
	}()
	go d.watch(upCtx, offset, endTake)
	u := &spool.Uploader{Server: d.server, Token: c.Token, Dir: dir, Client: &http.Client{Timeout: time.Minute},
		Offset: func() time.Duration { return offset }}
	refused := 0
	u.Report = func(r spool.Report) {
		if r.Refused > refused {
			refused = r.Refused
			d.a.log.Warn("demo camera segment refused", "camera", c.Camera.ID, "problem", r.LastProblem)
		}
	}
	err := u.Run(upCtx)
	endTake()
	<-encDone
	if err != nil {
		return err
	}
	return os.RemoveAll(dir) // every segment logged (or refused and reported)
}

// watch ends the take at stop or when the platform's clock moved away from
// offset by more than a second.
func (d *demoCameras) watch(ctx context.Context, offset time.Duration, endTake func()) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.stopping:
			endTake()
			return
		case <-tick.C:
			if drift := d.a.clock.Now().Sub(time.Now()) - offset; drift > time.Second || drift < -time.Second {
				endTake()
				return
			}
		}
	}
}

// deliverLeftovers uploads the spools of takes a previous run of the
// server did not finish delivering (their encoders ended their playlists
// when the server died: see endWithParent), before any new take, whose
// sequence numbers are higher. A spool not delivered within 30 s is left
// in place and named in the log.
func (d *demoCameras) deliverLeftovers(c video.Credential) {
	dirs, _ := filepath.Glob(filepath.Join(d.base, strconv.FormatInt(c.Camera.ID, 10), "*"))
	for _, dir := range dirs {
		ctx, cancel := context.WithTimeout(d.hard, 30*time.Second)
		raw, _ := os.ReadFile(filepath.Join(dir, offsetFile))
		offset, _ := time.ParseDuration(string(raw)) // none: a take on the real clock
		u := &spool.Uploader{Server: d.server, Token: c.Token, Dir: dir, Client: &http.Client{Timeout: time.Minute},
			Offset: func() time.Duration { return offset }}
		err := u.Run(ctx)
		cancel()
		if err != nil {
			d.a.log.Warn("demo camera spool left undelivered", "camera", c.Camera.ID, "spool", dir, "err", err.Error())
			continue
		}
		os.RemoveAll(dir)
		d.a.log.Info("demo camera spool of an earlier run delivered", "camera", c.Camera.ID, "spool", dir)
	}
}
