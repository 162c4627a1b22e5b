package notary

import (
	"runtime"
	"sync"
)

// task is one chunk travelling through a pool: handed in by the producer,
// processed by a worker, then passed in order to the sink.
type task struct {
	index uint64
	final bool
	buf   []byte // the pool buffer the task owns while in flight
	data  []byte // the chunk's bytes inside buf: input, then output
	leaf  Digest // leaf hash of the chunk's ciphertext
	err   error
	done  chan struct{}
}

// pool processes chunks on several goroutines and delivers the results in
// chunk order. It owns at most 2×workers buffers, which bounds memory to
// about 2 × workers × chunk size whatever the input size: the producer
// blocks in get until the sink has returned a buffer.
type pool struct {
	work    func(worker int, t *task) // runs concurrently; sets t.leaf, t.data, t.err
	sink    func(t *task) error       // runs in order on one goroutine
	bufSize int

	free     chan []byte
	jobs     chan *task
	order    chan *task
	abort    chan struct{} // closed when the sink failed
	sinkDone chan struct{}
	workers  sync.WaitGroup

	mu        sync.Mutex
	allocated int
	limit     int
	err       error
	closed    bool
}

// newPool starts workers goroutines (GOMAXPROCS when workers ≤ 0) and the
// sink goroutine. Call close exactly once.
func newPool(workers, bufSize int, work func(int, *task), sink func(*task) error) *pool {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	limit := 2 * workers
	p := &pool{
		work: work, sink: sink, bufSize: bufSize, limit: limit,
		free:     make(chan []byte, limit),
		jobs:     make(chan *task, limit),
		order:    make(chan *task, limit),
		abort:    make(chan struct{}),
		sinkDone: make(chan struct{}),
	}
	p.workers.Add(workers)
	for i := range workers {
		go p.runWorker(i)
	}
	go p.runSink()
	return p
}

func (p *pool) runWorker(i int) {
	defer p.workers.Done()
	for t := range p.jobs {
		p.work(i, t)
		close(t.done)
	}
}

// runSink delivers tasks in submission order. After a failure it keeps
// draining, so that buffers return and the producer never blocks forever.
func (p *pool) runSink() {
	defer close(p.sinkDone)
	for t := range p.order {
		<-t.done
		if p.failed() == nil {
			if err := p.sink(t); err != nil {
				p.fail(err)
			}
		}
		p.free <- t.buf
	}
}

// get returns a buffer for the next chunk, allocating lazily so that a
// small envelope costs one buffer. It returns the sink's error instead once
// the sink has failed.
func (p *pool) get() ([]byte, error) {
	select {
	case b := <-p.free:
		return b, nil
	default:
	}
	p.mu.Lock()
	if p.allocated < p.limit {
		p.allocated++
		p.mu.Unlock()
		return make([]byte, p.bufSize), nil
	}
	p.mu.Unlock()
	select {
	case b := <-p.free:
		return b, nil
	case <-p.abort:
		return nil, p.failed()
	}
}

// submit queues a chunk. The order channel has room for every buffer, so
// submit never blocks for long: the buffer itself was the admission ticket.
func (p *pool) submit(t *task) {
	t.done = make(chan struct{})
	p.order <- t
	p.jobs <- t
}

// close waits for every submitted chunk to be processed and delivered and
// returns the sink's first error.
func (p *pool) close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		<-p.sinkDone
		return p.failed()
	}
	p.closed = true
	p.mu.Unlock()
	close(p.jobs)
	close(p.order)
	p.workers.Wait()
	<-p.sinkDone
	return p.failed()
}

func (p *pool) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil {
		p.err = err
		close(p.abort)
	}
}

func (p *pool) failed() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}
