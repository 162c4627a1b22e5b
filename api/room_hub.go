package api

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// The room hub feeds the live opening-room streams (room_stream.go). Per
// process there is at most one feed per section, shared by every client
// watching it: once a second it reads the section's new room messages from
// the event log and computes the tick (server time, phase, counts), encodes
// both once, and hands the bytes to each subscriber through a buffered
// channel. A subscriber whose channel is full is dropped rather than
// waited for; its client reconnects with Last-Event-ID. Everything comes
// from the database, so the streams of several replicas carry the same
// messages in the same order. A feed stops when its last subscriber leaves.

const (
	roomTick         = time.Second      // tick and poll period
	roomHeartbeat    = 15 * time.Second // comment lines that keep proxies from timing out
	roomBuffer       = 32               // batches a subscriber may lag behind before it is dropped
	roomKept         = 10000            // messages a feed keeps in memory for resuming clients
	roomReadyTimeout = 10 * time.Second // how long a new client waits for a feed's first read
)

// roomHub holds the feeds of one Server.
type roomHub struct {
	srv *Server

	mu        sync.Mutex
	interval  time.Duration
	heartbeat time.Duration
	feeds     map[int64]*roomFeed

	shutdowns sync.Map // *http.Server → chan struct{} closed when it shuts down
}

func newRoomHub(s *Server) *roomHub {
	return &roomHub{srv: s, interval: roomTick, heartbeat: roomHeartbeat, feeds: map[int64]*roomFeed{}}
}

// setTiming changes the tick and heartbeat periods of feeds started later
// (tests).
func (h *roomHub) setTiming(interval, heartbeat time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.interval, h.heartbeat = interval, heartbeat
}

// roomEntry is one room message, encoded as an SSE event.
type roomEntry struct {
	seq   int64
	frame []byte
}

// roomBatch is what a feed sends its subscribers each period: the new
// messages and the tick. Subscribers share it read-only.
type roomBatch struct {
	msgs []roomEntry
	tick []byte
}

// roomSub is one stream's subscription.
type roomSub struct {
	feed *roomFeed
	ch   chan roomBatch
	gone chan struct{} // closed when the feed drops a subscriber that lags behind
	// gapTo, when above the client's cursor, is where the feed's memory
	// starts: the stream reads the messages up to it from the log itself.
	gapTo   int64
	backlog roomBatch
	left    bool // unsubscribed; guarded by hub.mu
}

// roomFeed polls one section for all its subscribers in this process.
type roomFeed struct {
	hub      *roomHub
	id       int64
	interval time.Duration
	refs     int // subscriptions, guarded by hub.mu
	ctx      context.Context
	stop     context.CancelFunc
	ready    chan struct{} // closed after the first complete read of the log

	mu       sync.Mutex
	started  bool
	subs     map[*roomSub]struct{}
	cursor   int64       // the last log sequence number read
	kept     []roomEntry // messages read, oldest first
	keptFrom int64       // kept holds every room message with seq > keptFrom
	tick     []byte      // the latest tick
}

// subscribe joins (or starts) the feed of a section and returns the
// subscription with what the client missed after seq after: the messages
// still in memory and the latest tick. It waits for a new feed's first
// read. Errors: apperr.Unavailable when that read does not succeed in time.
func (h *roomHub) subscribe(ctx context.Context, sectionID, after int64) (*roomSub, error) {
	h.mu.Lock()
	f := h.feeds[sectionID]
	if f == nil {
		fctx, cancel := context.WithCancel(context.Background())
		f = &roomFeed{hub: h, id: sectionID, interval: h.interval, ctx: fctx, stop: cancel,
			ready: make(chan struct{}), subs: map[*roomSub]struct{}{}}
		h.feeds[sectionID] = f
		go f.run()
	}
	f.refs++
	h.mu.Unlock()

	sub := &roomSub{feed: f, ch: make(chan roomBatch, roomBuffer), gone: make(chan struct{})}
	timeout := time.NewTimer(roomReadyTimeout)
	defer timeout.Stop()
	select {
	case <-f.ready:
	case <-ctx.Done():
		h.unsubscribe(sub)
		return nil, ctx.Err()
	case <-timeout.C:
		h.unsubscribe(sub)
		return nil, apperr.New(apperr.Unavailable, "开标室实时数据暂不可用，请稍后重试", "the room's live feed is unavailable; retry shortly").WithCode("room_feed_unavailable")
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	if after < f.keptFrom {
		sub.gapTo = f.keptFrom
	}
	i := sort.Search(len(f.kept), func(i int) bool { return f.kept[i].seq > after })
	sub.backlog = roomBatch{msgs: f.kept[i:len(f.kept):len(f.kept)], tick: f.tick}
	f.subs[sub] = struct{}{}
	return sub, nil
}

// unsubscribe leaves the feed; the last subscriber out stops it. It may be
// called more than once.
func (h *roomHub) unsubscribe(sub *roomSub) {
	f := sub.feed
	f.mu.Lock()
	delete(f.subs, sub)
	f.mu.Unlock()
	h.mu.Lock()
	defer h.mu.Unlock()
	if sub.left {
		return
	}
	sub.left = true
	f.refs--
	if f.refs == 0 {
		if h.feeds[f.id] == f {
			delete(h.feeds, f.id)
		}
		f.stop()
	}
}

// run polls until the feed stops.
func (f *roomFeed) run() {
	t := time.NewTicker(f.interval)
	defer t.Stop()
	for {
		f.poll()
		select {
		case <-f.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// poll reads the new room messages and the tick and sends them out.
func (f *roomFeed) poll() {
	svc := f.hub.srv.deps.Bidding
	log := f.hub.srv.log
	var msgs []roomEntry
	cursor, complete := f.cursorNow(), true
	for pages := 0; ; pages++ {
		ms, next, more, err := svc.RoomPage(f.ctx, f.id, cursor, eventlog.MaxPage)
		if err != nil {
			if f.ctx.Err() == nil {
				log.Warn("room feed: reading messages", "section", f.id, "err", err.Error())
			}
			complete = false
			break
		}
		for _, m := range ms {
			msgs = append(msgs, roomEntry{seq: m.Seq, frame: messageFrame(m)})
		}
		cursor = next
		if !more || pages >= 20 {
			break
		}
	}
	tick, err := f.tickFrame(svc)
	if err != nil && f.ctx.Err() == nil {
		log.Warn("room feed: computing the tick", "section", f.id, "err", err.Error())
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	f.kept = append(f.kept, msgs...)
	if n := len(f.kept); n > roomKept {
		drop := n - roomKept/2
		f.keptFrom = f.kept[drop-1].seq
		f.kept = append([]roomEntry(nil), f.kept[drop:]...)
	}
	f.cursor = cursor
	if tick != nil {
		f.tick = tick
	}
	if !f.started {
		// The first read loads the room's history; subscribers start from it.
		if complete {
			f.started = true
			close(f.ready)
		}
		return
	}
	b := roomBatch{msgs: msgs, tick: tick}
	if len(b.msgs) == 0 && b.tick == nil {
		return
	}
	for sub := range f.subs {
		select {
		case sub.ch <- b:
		default:
			delete(f.subs, sub)
			close(sub.gone)
		}
	}
}

func (f *roomFeed) cursorNow() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cursor
}

// roomTickData is the tick event: the same for every client, counts only.
type roomTickData struct {
	ServerTimeMs int64          `json:"serverTimeMs"`
	Phase        bidding.Phase  `json:"phase"`
	State        bidding.State  `json:"state"`
	BidCount     int            `json:"bidCount"`
	Decrypted    int            `json:"decrypted"`
	Checkins     map[string]int `json:"checkins"`
	WindowEndsAt *time.Time     `json:"windowEndsAt,omitempty"`
}

// tickFrame computes the tick from the room as nobody in particular sees
// it (no own bid, no own check-in) and copies only the counts.
func (f *roomFeed) tickFrame(svc *bidding.Service) ([]byte, error) {
	v, err := svc.Room(f.ctx, accounts.Principal{}, f.id)
	if err != nil {
		return nil, err
	}
	d := roomTickData{Phase: v.Phase, State: v.State, BidCount: v.BidCount, Decrypted: v.Decrypted,
		Checkins: v.Checkins, WindowEndsAt: v.WindowEndsAt, ServerTimeMs: f.hub.srv.deps.Clock.Now().UnixMilli()}
	raw, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	return append(append([]byte("event: tick\ndata: "), raw...), '\n', '\n'), nil
}

// messageFrame encodes a room message as an SSE event whose id is its log
// sequence number.
func messageFrame(m bidding.RoomMessage) []byte {
	raw, _ := json.Marshal(m)
	b := make([]byte, 0, len(raw)+len(m.Type)+48)
	b = append(b, "id: "...)
	b = strconv.AppendInt(b, m.Seq, 10)
	b = append(b, "\nevent: "...)
	b = append(b, sseField(m.Type)...)
	b = append(b, "\ndata: "...)
	b = append(b, raw...)
	return append(b, '\n', '\n')
}

// sseField keeps a value on one line.
func sseField(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' {
			return s[:i]
		}
	}
	return s
}

// shutdownOf returns a channel closed when the http.Server serving r
// shuts down: Shutdown waits for connections to go idle, which a stream
// never does by itself.
func (h *roomHub) shutdownOf(r *http.Request) <-chan struct{} {
	hs, ok := r.Context().Value(http.ServerContextKey).(*http.Server)
	if !ok {
		return nil
	}
	if ch, ok := h.shutdowns.Load(hs); ok {
		return ch.(chan struct{})
	}
	ch := make(chan struct{})
	if got, loaded := h.shutdowns.LoadOrStore(hs, ch); loaded {
		return got.(chan struct{})
	}
	hs.RegisterOnShutdown(func() { close(ch) })
	return ch
}
