// Command go-reference is the bench's reference publisher: it publishes the messages of a
// messages file (bench/messages-file.ts: the subjects, headers and bytes of a sample scan)
// to JetStream with nats.go's PublishAsync, at most -window publishes awaiting their ack,
// and waits for every ack. It is what a Go client does with the same messages on the same
// server, measured in the same run as `elava scan`.
//
// It speaks the bench's reference protocol on stdin and stdout: once the file is read and
// the connection is up it prints "ready", waits for a line on stdin, publishes, and prints
// one JSON line with what it measured over the publish alone (wall time and its own CPU
// time, every thread).
//
// Built by the bench with the Debian packages golang-go and golang-github-nats-io-go-nats-dev:
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go build -o /tmp/go-reference ./bench/go-reference
package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
)

const magic = "ELAVAMS1"

type result struct {
	Client     string  `json:"client"`
	Messages   int     `json:"messages"`
	Acked      int     `json:"acked"`
	Failed     int     `json:"failed"`
	Seconds    float64 `json:"seconds"`
	CPUSeconds float64 `json:"cpuSeconds"`
	FirstError string  `json:"firstError,omitempty"`
}

func main() {
	file := flag.String("file", "", "the messages file to publish")
	url := flag.String("url", nats.DefaultURL, "the NATS server")
	window := flag.Int("window", 1024, "publishes awaiting their ack at most")
	flag.Parse()
	if err := run(*file, *url, *window); err != nil {
		fmt.Fprintf(os.Stderr, "go-reference: %v\n", err)
		os.Exit(1)
	}
}

func run(file, url string, window int) error {
	msgs, err := readMessages(file)
	if err != nil {
		return fmt.Errorf("read %s: %w", file, err)
	}
	nc, err := nats.Connect(url, nats.Name("elava-bench-go-reference"), nats.NoReconnect())
	if err != nil {
		return fmt.Errorf("connect to %s: %w", url, err)
	}
	defer nc.Close()

	var mu sync.Mutex
	failed := 0
	firstError := ""
	js, err := nc.JetStream(
		nats.PublishAsyncMaxPending(window),
		nats.PublishAsyncErrHandler(func(_ nats.JetStream, m *nats.Msg, err error) {
			mu.Lock()
			defer mu.Unlock()
			failed++
			if firstError == "" {
				firstError = fmt.Sprintf("%s: %v", m.Subject, err)
			}
		}),
	)
	if err != nil {
		return err
	}

	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return fmt.Errorf("waiting for the go line on stdin: %w", err)
	}

	cpu0 := cpuSeconds()
	start := time.Now()
	for _, m := range msgs {
		// A long stall wait: on a loaded machine the window may stay full for more than
		// nats.go's default 200 ms, which would fail the publish instead of waiting.
		if _, err := js.PublishMsgAsync(m, nats.StallWait(time.Minute)); err != nil {
			return fmt.Errorf("publish %s: %w", m.Subject, err)
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(2 * time.Minute):
		return errors.New("not every publish was acknowledged within 2 minutes")
	}
	seconds := time.Since(start).Seconds()
	cpu := cpuSeconds() - cpu0

	mu.Lock()
	defer mu.Unlock()
	out, _ := json.Marshal(result{
		Client:     "nats.go",
		Messages:   len(msgs),
		Acked:      len(msgs) - failed,
		Failed:     failed,
		Seconds:    seconds,
		CPUSeconds: cpu,
		FirstError: firstError,
	})
	fmt.Println(string(out))
	return nil
}

// cpuSeconds is the user and system CPU time of this process, every thread.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// readMessages reads a messages file into messages ready for PublishMsgAsync: the client's
// input is built before the clock starts, as the JavaScript references build theirs.
func readMessages(path string) ([]*nats.Msg, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(b, []byte(magic)) {
		return nil, fmt.Errorf("not a messages file: it does not start with %s", magic)
	}
	at := len(magic)
	field := func() ([]byte, error) {
		if at+4 > len(b) {
			return nil, fmt.Errorf("truncated at byte %d", at)
		}
		n := int(binary.BigEndian.Uint32(b[at:]))
		end := at + 4 + n
		if end > len(b) {
			return nil, fmt.Errorf("a field of %d bytes at byte %d runs past the end", n, at)
		}
		v := b[at+4 : end]
		at = end
		return v, nil
	}
	var msgs []*nats.Msg
	for at < len(b) {
		subject, err := field()
		if err != nil {
			return nil, err
		}
		headers, err := field()
		if err != nil {
			return nil, err
		}
		data, err := field()
		if err != nil {
			return nil, err
		}
		h, err := parseHeaders(headers)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", subject, err)
		}
		msgs = append(msgs, &nats.Msg{Subject: string(subject), Header: h, Data: data})
	}
	return msgs, nil
}

// parseHeaders reads a NATS header block (NATS/1.0, then "Name: value" lines), keeping
// each name as written.
func parseHeaders(block []byte) (nats.Header, error) {
	lines := strings.Split(string(block), "\r\n")
	if !strings.HasPrefix(lines[0], "NATS/1.0") {
		return nil, fmt.Errorf("a header block must start with NATS/1.0, got %q", lines[0])
	}
	h := nats.Header{}
	for _, line := range lines[1:] {
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" {
			return nil, fmt.Errorf("header line without a name: %q", line)
		}
		h[name] = append(h[name], strings.TrimSpace(value))
	}
	return h, nil
}
